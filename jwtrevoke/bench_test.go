package jwtrevoke

import (
	"context"
	"testing"
)

// BenchmarkCheck measures one Check of a valid refresh token, the kind
// that reads the most keys, on each backend.
func BenchmarkCheck(b *testing.B) {
	for _, factory := range storeFactories {
		b.Run(factory.name, func(b *testing.B) {
			ctx := context.Background()
			tracker := newTracker(b, factory.open(b), nil)

			token, _, err := tracker.Issue(ctx, "123e4567-e89b-12d3-a456-426614174000", Refresh, nil)
			if err != nil {
				b.Fatalf("Issue: %v", err)
			}

			b.ReportAllocs()

			for b.Loop() {
				if _, err := tracker.Check(ctx, token, Refresh); err != nil {
					b.Fatalf("Check: %v", err)
				}
			}
		})
	}
}

// BenchmarkVerify measures signature and claim verification alone, the
// part of Check that needs no store.
func BenchmarkVerify(b *testing.B) {
	tracker := newTracker(b, newFaultStore(b), nil)

	token, _, err := tracker.Issue(context.Background(), "alice", Access, nil)
	if err != nil {
		b.Fatalf("Issue: %v", err)
	}

	b.ReportAllocs()

	for b.Loop() {
		if _, err := tracker.verify(token); err != nil {
			b.Fatalf("verify: %v", err)
		}
	}
}
