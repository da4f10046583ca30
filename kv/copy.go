package kv

import (
	"context"
	"fmt"
)

// Copy stores the value of src under dst as well, overwriting dst. The
// copy has no TTL, even when src has one, because a Store cannot report a
// key's remaining TTL. A missing src returns an error matching ErrNotFound
// and changes nothing. Copying a key onto itself changes nothing.
//
// Copy is a Get followed by a Put, so a write to src between the two is
// not copied.
func Copy(ctx context.Context, s Store, src, dst string) error {
	if err := validateKeys(src, dst); err != nil {
		return err
	}

	value, err := s.Get(ctx, src)
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", QuoteKey(src), QuoteKey(dst), err)
	}

	if src == dst {
		return nil
	}

	if err := s.Put(ctx, dst, value); err != nil {
		return fmt.Errorf("copy %s to %s: %w", QuoteKey(src), QuoteKey(dst), err)
	}

	return nil
}

// CopyIfAbsent is Copy that never overwrites: it stores the value of src
// under dst only when dst is absent, atomically, and reports whether it
// stored. It needs an AtomicStore and returns an error matching
// ErrUnsupported for any other store. Copying a key onto itself stores
// nothing and returns false.
func CopyIfAbsent(ctx context.Context, s Store, src, dst string) (bool, error) {
	if err := validateKeys(src, dst); err != nil {
		return false, err
	}

	a, ok := s.(AtomicStore)
	if !ok {
		return false, fmt.Errorf("copy %s to %s if absent: %w", QuoteKey(src), QuoteKey(dst), ErrUnsupported)
	}

	value, err := a.Get(ctx, src)
	if err != nil {
		return false, fmt.Errorf("copy %s to %s if absent: %w", QuoteKey(src), QuoteKey(dst), err)
	}

	if src == dst {
		return false, nil
	}

	stored, err := a.PutIfAbsent(ctx, dst, value)
	if err != nil {
		return false, fmt.Errorf("copy %s to %s if absent: %w", QuoteKey(src), QuoteKey(dst), err)
	}

	return stored, nil
}

// Move copies src to dst, as Copy does, and then deletes src. Moving a key
// onto itself changes nothing.
//
// Move is not atomic on any store. Between the copy and the delete, both
// keys exist. A failed delete leaves both, and the error reports it.
//
// NOTE: a write to src after Move read it is lost when Move deletes src.
func Move(ctx context.Context, s Store, src, dst string) error {
	if err := Copy(ctx, s, src, dst); err != nil {
		return err
	}

	if src == dst {
		return nil
	}

	if err := s.Delete(ctx, src); err != nil {
		return fmt.Errorf("move %s to %s: copied, but deleting the source failed, so both keys exist: %w", QuoteKey(src), QuoteKey(dst), err)
	}

	return nil
}

// MoveIfAbsent moves src to dst only when dst is absent, and reports
// whether it moved. The copy is atomic, as in CopyIfAbsent, so among
// concurrent moves onto one dst exactly one wins. src is deleted only
// after a successful copy. The move as a whole is not atomic, as for Move.
// It needs an AtomicStore and returns an error matching ErrUnsupported for
// any other store.
func MoveIfAbsent(ctx context.Context, s Store, src, dst string) (bool, error) {
	moved, err := CopyIfAbsent(ctx, s, src, dst)
	if err != nil || !moved {
		return false, err
	}

	if err := s.Delete(ctx, src); err != nil {
		return false, fmt.Errorf("move %s to %s if absent: copied, but deleting the source failed, so both keys exist: %w", QuoteKey(src), QuoteKey(dst), err)
	}

	return true, nil
}

func validateKeys(keys ...string) error {
	for _, key := range keys {
		if err := ValidateKey(key); err != nil {
			return err
		}
	}

	return nil
}
