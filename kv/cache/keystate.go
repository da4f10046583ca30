package cache

import (
	"hash/maphash"
	"sync"
)

// keyState orders the reads and writes of one key through the cache.
//
// A read that misses takes a snapshot of gen and reads the slow store. It
// stores its copy in the fast store only if gen is unchanged, no write is
// in progress and the key is not dirty. It checks all three under the
// shard lock and stores the copy before it unlocks. A write increments gen when it starts and when
// it ends. So a copy read before or during a write can never land after
// the write's invalidation.
type keyState struct {
	gen     uint64
	writers int  // writes in progress
	readers int  // reads between their snapshot and their fill
	dirty   bool // an invalidation failed, so the fast store may be stale
}

func (s *keyState) idle() bool {
	return s.writers == 0 && s.readers == 0 && !s.dirty
}

const shardCount = 64

// keyStates holds a keyState for each key that has a read or write in
// progress or is dirty, spread over shards to limit lock contention.
type keyStates struct {
	seed   maphash.Seed
	shards [shardCount]shard
}

type shard struct {
	mu   sync.Mutex
	keys map[string]*keyState
}

func (k *keyStates) init() {
	k.seed = maphash.MakeSeed()

	for i := range k.shards {
		k.shards[i].keys = make(map[string]*keyState)
	}
}

// lock locks the shard of key and returns it with the key's state, which
// it creates when absent. The caller calls unlock.
func (k *keyStates) lock(key string) (*shard, *keyState) {
	sh := &k.shards[maphash.String(k.seed, key)%shardCount]
	sh.mu.Lock()

	st := sh.keys[key]
	if st == nil {
		st = &keyState{}
		sh.keys[key] = st
	}

	return sh, st
}

// unlock drops the key's state when nothing needs it any more, and unlocks
// the shard.
func (sh *shard) unlock(key string, st *keyState) {
	if st.idle() {
		delete(sh.keys, key)
	}

	sh.mu.Unlock()
}
