package memory

import (
	"container/heap"
	"context"
	"time"
	"weak"

	"github.com/anykv/anykv/kv"
)

// expiryItem is the place of one entry with a TTL in an expiryQueue.
type expiryItem struct {
	key      string
	deadline int64 // same as the entry's deadline
	index    int   // position in the queue, kept up to date by Swap
}

// expiryQueue is a min-heap of deadlines. Each entry with a TTL has exactly
// one item, which is removed or updated whenever the entry is deleted or
// rewritten, so the queue never holds an item that could delete a newer
// value of the same key.
type expiryQueue []*expiryItem

func (q expiryQueue) Len() int { return len(q) }

func (q expiryQueue) Less(i, j int) bool { return q[i].deadline < q[j].deadline }

func (q expiryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}

// Push and Pop serve container/heap only. Other code calls add, remove and
// update.
func (q *expiryQueue) Push(x any) {
	item := x.(*expiryItem)
	item.index = len(*q)
	*q = append(*q, item)
}

func (q *expiryQueue) Pop() any {
	old := *q
	last := len(old) - 1

	item := old[last]
	old[last] = nil // let the item be collected
	item.index = -1
	*q = old[:last]

	return item
}

func (q *expiryQueue) add(item *expiryItem) { heap.Push(q, item) }

func (q *expiryQueue) remove(item *expiryItem) { heap.Remove(q, item.index) }

func (q *expiryQueue) update(item *expiryItem, deadline int64) {
	item.deadline = deadline
	heap.Fix(q, item.index)
}

// due reports whether the earliest deadline in q is not after now.
func (q expiryQueue) due(now int64) bool {
	return len(q) > 0 && q[0].deadline <= now
}

// Reclaim removes every entry whose deadline had passed when Reclaim was
// called and returns how many it removed. It works in batches of
// Options.ReclaimLimit entries and releases the write lock between them,
// so readers are never blocked for longer than one batch. When ctx is
// cancelled between batches, Reclaim returns the count so far and the
// context's error.
func (s *Store) Reclaim(ctx context.Context) (removed int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}

	// A single clock reading bounds the work to what had expired at the
	// call, even while other writers keep adding short TTLs.
	now := s.now()

	for {
		n, more, closed := s.reclaimBatch(now)
		removed += n

		if closed {
			return removed, &keyError{op: "reclaim", err: kv.ErrClosed}
		}

		if !more {
			return removed, nil
		}

		if err := ctx.Err(); err != nil {
			return removed, err
		}
	}
}

// reclaimBatch removes up to s.reclaimLimit entries whose deadline is not
// after now, under one write lock. It reports how many it removed, whether
// more such entries remain, and whether the store was closed.
func (s *Store) reclaimBatch(now int64) (removed int, more, closed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return 0, false, true
	}

	for removed < s.reclaimLimit && s.expiry.due(now) {
		item := heap.Pop(&s.expiry).(*expiryItem)

		// Every queued item belongs to the current entry of its key. The
		// check keeps a broken invariant from deleting a newer value.
		if e, ok := s.entries[item.key]; ok && e.item == item {
			// NOTE: this frees the key and value, but a Go map (as of Go
			// 1.26) never shrinks its table, so a store that once held
			// many entries keeps that table until it is closed.
			delete(s.entries, item.key)
			removed++
		}
	}

	return removed, s.expiry.due(now), false
}

// reclaimLoop runs reclaim batches every interval until stop is closed or
// the store has been garbage collected, then closes done. A batch that
// reaches the limit is followed at once by another, after the lock has
// been released so that waiting readers go first.
func reclaimLoop(ref weak.Pointer[Store], interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)

	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}

		for {
			s := ref.Value()
			if s == nil {
				return
			}

			_, more, closed := s.reclaimBatch(s.now())
			if closed {
				return
			}

			if !more {
				break
			}

			select {
			case <-stop:
				return
			default:
			}
		}
	}
}
