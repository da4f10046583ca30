package bolt

// CommitInFlight reports whether a group commit is running, so that tests
// can queue a writer behind it.
func (s *Store) CommitInFlight() bool {
	s.commit.mu.Lock()
	defer s.commit.mu.Unlock()

	return s.commit.busy
}

// QueuedWrites returns the number of writers waiting for the next group
// commit.
func (s *Store) QueuedWrites() int {
	s.commit.mu.Lock()
	defer s.commit.mu.Unlock()

	return len(s.commit.queue)
}
