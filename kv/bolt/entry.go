package bolt

import (
	"fmt"

	"github.com/anykv/anykv/kv"
)

// lookup returns the live entry under key, and false when the key is
// absent or its deadline is at or before cutoff (see Store.cutoff). The
// entry's value aliases the memory map.
func (b buckets) lookup(key []byte, cutoff int64) (entry, bool, error) {
	raw := b.data.Get(key)
	if raw == nil {
		return entry{}, false, nil
	}

	e, err := decodeEntry(key, raw)
	if err != nil {
		return entry{}, false, err
	}

	if e.expired(cutoff) {
		return entry{}, false, nil
	}

	return e, true, nil
}

// store writes buf (from newEntryBuffer) under key with expiry (0: none),
// and keeps the expiry index in step: the old deadline's index entry goes,
// the new one's comes.
func (b buckets) store(key, buf []byte, expiry int64) error {
	if err := b.unindex(key); err != nil {
		return err
	}

	setExpiry(buf, expiry)

	if err := b.data.Put(key, buf); err != nil {
		return fmt.Errorf("bolt: put key %s: %w", kv.QuoteKey(string(key)), err)
	}

	if expiry == 0 {
		return nil
	}

	if err := b.expiry.Put(expiryKey(expiry, key), nil); err != nil {
		return fmt.Errorf("bolt: index expiry of key %s: %w", kv.QuoteKey(string(key)), err)
	}

	return nil
}

// remove deletes key and its expiry index entry.
func (b buckets) remove(key []byte) error {
	if err := b.unindex(key); err != nil {
		return err
	}

	if err := b.data.Delete(key); err != nil {
		return fmt.Errorf("bolt: delete key %s: %w", kv.QuoteKey(string(key)), err)
	}

	return nil
}

// unindex deletes the expiry index entry of the value now under key, if
// it has a TTL.
func (b buckets) unindex(key []byte) error {
	raw := b.data.Get(key)
	if raw == nil {
		return nil
	}

	old, err := decodeEntry(key, raw)
	if err != nil {
		return err
	}

	if old.expiry == 0 {
		return nil
	}

	if err := b.expiry.Delete(expiryKey(old.expiry, key)); err != nil {
		return fmt.Errorf("bolt: remove expiry index of key %s: %w", kv.QuoteKey(string(key)), err)
	}

	return nil
}

// cloneValue copies a value out of the memory map, keeping an empty value
// non-nil.
func cloneValue(v []byte) []byte {
	out := make([]byte, len(v))
	copy(out, v)

	return out
}
