package bolt

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"go.etcd.io/bbolt"
)

// maxGroupOps bounds the writes one group transaction applies, so that a
// burst of writers cannot hold the bbolt writer lock for long.
const maxGroupOps = 256

// writeOp is one caller's write, waiting to be applied in a group.
type writeOp struct {
	ctx context.Context

	// apply makes the write inside tx. Its inputs were validated before it
	// was queued, so an error means the file or an entry in it is broken.
	apply func(tx *bbolt.Tx) error

	// err is the outcome, set before done receives.
	err error

	// done receives nil when the op's group has committed, or a batch of
	// queued ops that this op's goroutine must now commit as leader.
	done chan []*writeOp
}

// committer coalesces concurrent writes into shared transactions.
//
// A writer that finds no commit in flight commits its own write at once,
// so a lone writer waits for one commit, as with db.Update. Writers that
// arrive while a commit is in flight queue. When that commit ends, the
// first queued writer becomes the leader and commits the whole queue in one
// transaction, whose commit syncs the file (two fdatasync calls in bbolt
// 1.4) for all of them. Every writer returns only after the transaction
// that holds its write has been synced to disk.
// bbolt's own db.Batch instead waits up to MaxBatchDelay (10 ms) for
// company, which a lone writer pays in full.
type committer struct {
	db *bbolt.DB

	mu    sync.Mutex
	busy  bool // a leader is committing
	queue []*writeOp
}

// submit applies op in a group transaction and returns op's error once the
// transaction is durable. A queued op whose context ends before a leader
// takes it is dropped and returns the context's error.
func (c *committer) submit(op *writeOp) error {
	op.done = make(chan []*writeOp, 1)

	c.mu.Lock()
	if !c.busy {
		c.busy = true
		c.mu.Unlock()
		c.lead([]*writeOp{op})

		return op.err
	}

	c.queue = append(c.queue, op)
	c.mu.Unlock()

	var batch []*writeOp
	select {
	case batch = <-op.done:
	case <-op.ctx.Done():
		c.mu.Lock()
		if i := slices.Index(c.queue, op); i >= 0 {
			c.queue = slices.Delete(c.queue, i, i+1)
			c.mu.Unlock()

			return op.ctx.Err()
		}
		c.mu.Unlock()

		// A leader already took op, so its outcome is on the way.
		batch = <-op.done
	}

	if batch != nil {
		c.lead(batch)
	}

	return op.err
}

// lead commits batch, whose first op belongs to the calling goroutine,
// releases the other ops' goroutines and hands the queue that built up
// meanwhile to its first op.
func (c *committer) lead(batch []*writeOp) {
	c.commit(batch)

	for _, op := range batch[1:] {
		op.done <- nil
	}

	// Let the writers just released run before taking the queue. Those
	// that write again join it, so the next group holds nearly every
	// writer instead of alternating between a large and a small group. A
	// lone writer has no one to release and skips the yield.
	if len(batch) > 1 {
		runtime.Gosched()
	}

	c.mu.Lock()
	n := min(len(c.queue), maxGroupOps)
	next := c.queue[:n:n]
	c.queue = slices.Clone(c.queue[n:])
	if n == 0 {
		c.busy = false
	}
	c.mu.Unlock()

	if n > 0 {
		next[0].done <- next
	}
}

// commit applies batch in one transaction. When that transaction fails, it
// runs each op in a transaction of its own, so that one broken op fails
// alone instead of failing its whole group.
func (c *committer) commit(batch []*writeOp) {
	err := c.db.Update(func(tx *bbolt.Tx) error {
		for _, op := range batch {
			op.err = op.ctx.Err()
			if op.err != nil {
				continue
			}

			if err := op.apply(tx); err != nil {
				return err
			}
		}

		return nil
	})
	if err == nil {
		return
	}

	if len(batch) == 1 {
		batch[0].err = err
		return
	}

	for _, op := range batch {
		c.commit([]*writeOp{op})
	}
}
