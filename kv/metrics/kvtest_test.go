package metrics_test

import (
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wraptest"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/metrics"
)

func TestConformance(t *testing.T) {
	wraptest.RunConformance(t, kvtest.Options{}, func(t *testing.T, inner kv.Store) kv.Store {
		return metrics.New(inner, &metrics.Counter{})
	})
}
