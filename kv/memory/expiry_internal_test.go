package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// checkExpiryIndex fails t unless s.expiry holds exactly one item for each
// entry with a TTL, at the index the item records, in heap order.
func checkExpiryIndex(t *testing.T, s *Store) {
	t.Helper()

	s.mu.RLock()
	defer s.mu.RUnlock()

	withTTL := 0
	for key, e := range s.entries {
		if (e.deadline != 0) != (e.item != nil) {
			t.Fatalf("entry %q has deadline %d and item %v", key, e.deadline, e.item)
		}

		if e.item == nil {
			continue
		}

		withTTL++

		if e.item.key != key || e.item.deadline != e.deadline {
			t.Fatalf("entry %q has item for key %q, deadline %d; want its own key and deadline %d", key, e.item.key, e.item.deadline, e.deadline)
		}

		if i := e.item.index; i < 0 || i >= len(s.expiry) || s.expiry[i] != e.item {
			t.Fatalf("entry %q: item index %d does not point at the item", key, i)
		}
	}

	if len(s.expiry) != withTTL {
		t.Fatalf("expiry queue has %d items for %d entries with a TTL", len(s.expiry), withTTL)
	}

	for i := 1; i < len(s.expiry); i++ {
		if parent := (i - 1) / 2; s.expiry[parent].deadline > s.expiry[i].deadline {
			t.Fatalf("heap order broken at index %d", i)
		}
	}
}

func TestExpiryIndexMatchesEntries(t *testing.T) {
	ctx := context.Background()
	s := New(&Options{ReclaimInterval: -1, ReclaimLimit: 3})
	t.Cleanup(func() { s.Close() })

	random := rand.New(rand.NewPCG(1, 2))

	for i := range 5000 {
		key := fmt.Sprintf("k%d", random.IntN(50))
		ttl := time.Duration(1+random.IntN(2000)) * time.Microsecond

		var err error

		switch random.IntN(7) {
		case 0:
			err = s.Put(ctx, key, []byte("v"))
		case 1:
			err = s.PutTTL(ctx, key, []byte("v"), ttl)
		case 2:
			err = s.Delete(ctx, key)
		case 3:
			_, err = s.PutIfAbsentTTL(ctx, key, []byte("v"), ttl)
		case 4:
			_, err = s.CompareAndSwapTTL(ctx, key, []byte("v"), []byte("v"), ttl)
		case 5:
			_, err = s.CompareAndSwap(ctx, key, []byte("v"), []byte("v"))
		case 6:
			_, err = s.Reclaim(ctx)
		}

		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("operation %d on %q: %v", i, key, err)
		}

		checkExpiryIndex(t, s)
	}
}

func TestReclaimBatchStopsAtLimit(t *testing.T) {
	ctx := context.Background()
	s := New(&Options{ReclaimInterval: -1, ReclaimLimit: 4})
	t.Cleanup(func() { s.Close() })

	for i := range 10 {
		if err := s.PutTTL(ctx, fmt.Sprintf("k%d", i), nil, time.Nanosecond); err != nil {
			t.Fatal(err)
		}
	}

	// Every deadline is in the past for a reading taken far in the future.
	future := s.now() + int64(time.Hour)

	for _, want := range []struct {
		removed int
		more    bool
	}{{4, true}, {4, true}, {2, false}, {0, false}} {
		removed, more, closed := s.reclaimBatch(future)
		if removed != want.removed || more != want.more || closed {
			t.Fatalf("reclaimBatch = %d, %v, %v; want %d, %v, false", removed, more, closed, want.removed, want.more)
		}
	}

	checkExpiryIndex(t, s)
}
