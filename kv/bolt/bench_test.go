package bolt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv/bolt"
)

// benchWriters is the number of concurrent writers in BenchmarkPut.
const benchWriters = 32

// runWriters calls put b.N times in total from benchWriters goroutines,
// with the keys that key returns for writer w and put number i.
func runWriters(b *testing.B, key func(w int, i int64) string, put func(key string, value []byte) error) {
	b.Helper()

	value := make([]byte, 100)

	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)

	b.ResetTimer()

	for w := range benchWriters {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}

				if err := put(key(w, i), value); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}

	wg.Wait()
	b.StopTimer()
}

// keyPatterns are the key orders BenchmarkPut writes. Sequential keys
// land on the same few B+tree pages, so a group transaction writes few
// pages. Scattered keys, one range for each writer, make a group of 32
// writes dirty up to 32 leaf pages, which one fsync must then write.
var keyPatterns = []struct {
	name string
	key  func(w int, i int64) string
}{
	{"Sequential", func(_ int, i int64) string { return fmt.Sprintf("k/%012d", i) }},
	{"Scattered", func(w int, i int64) string { return fmt.Sprintf("w%02d/%012d", w, i) }},
}

// BenchmarkPut compares 32 concurrent writers through the store's group
// commit with the same writers each running one db.Update, which costs one
// fsync per put. Compare the ns/op of GroupCommit and UpdatePerPut for the
// same key pattern. LoneWriter/Store against LoneWriter/Update measures
// what the group commit costs a writer that is alone.
func BenchmarkPut(b *testing.B) {
	for _, pattern := range keyPatterns {
		b.Run(pattern.name+"/GroupCommit", func(b *testing.B) {
			s, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), &bolt.Options{ReclaimInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()

			ctx := context.Background()

			runWriters(b, pattern.key, func(key string, value []byte) error {
				return s.Put(ctx, key, value)
			})
		})

		b.Run(pattern.name+"/UpdatePerPut", func(b *testing.B) {
			db, bucket := openBenchDB(b)

			runWriters(b, pattern.key, func(key string, value []byte) error {
				return db.Update(func(tx *bbolt.Tx) error {
					return tx.Bucket(bucket).Put([]byte(key), value)
				})
			})
		})
	}

	b.Run("LoneWriter/Store", func(b *testing.B) {
		s, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), &bolt.Options{ReclaimInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()

		ctx := context.Background()
		value := make([]byte, 100)

		b.ResetTimer()

		for i := range b.N {
			if err := s.Put(ctx, fmt.Sprintf("k/%012d", i), value); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("LoneWriter/Update", func(b *testing.B) {
		db, bucket := openBenchDB(b)
		value := make([]byte, 100)

		b.ResetTimer()

		for i := range b.N {
			err := db.Update(func(tx *bbolt.Tx) error {
				return tx.Bucket(bucket).Put(fmt.Appendf(nil, "k/%012d", i), value)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// openBenchDB opens a bbolt file with one bucket for the db.Update
// baselines, and closes it when b ends.
func openBenchDB(b *testing.B) (*bbolt.DB, []byte) {
	b.Helper()

	db, err := bbolt.Open(filepath.Join(b.TempDir(), "bench.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}

	b.Cleanup(func() { _ = db.Close() })

	bucket := []byte("bench")
	err = db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket(bucket)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}

	return db, bucket
}
