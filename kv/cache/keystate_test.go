package cache

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/kv/internal/mapstore"
)

// The per-key states exist only while a read or write is in progress, so
// the cache's memory does not grow with the number of keys it has seen.
func TestKeyStatesDroppedWhenIdle(t *testing.T) {
	ctx := t.Context()

	c, err := newCache(mapstore.New(), mapstore.New(), &Options{MaxStaleness: time.Hour})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for i := range 200 {
				key := "k" + strconv.Itoa((g*7+i)%50)
				_ = c.Put(ctx, key, []byte("v"))
				_, _ = c.Get(ctx, key)
				_ = c.Delete(ctx, key)
			}
		}()
	}

	wg.Wait()

	for i := range c.keys.shards {
		sh := &c.keys.shards[i]
		sh.mu.Lock()
		n := len(sh.keys)
		sh.mu.Unlock()

		if n != 0 {
			t.Errorf("shard %d keeps %d key states after all calls returned", i, n)
		}
	}
}
