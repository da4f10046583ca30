package keyenc_test

import (
	"context"
	"iter"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
	"github.com/anykv/anykv/kv/internal/wraptest"
	"github.com/anykv/anykv/kv/keyenc"
	"github.com/anykv/anykv/kv/kvtest"
)

// ruleChecked rejects keys that break kv's key rule before the keyenc
// wrapper sees them. The suite expects keys such as "a b" to be rejected,
// and keyenc exists to accept them, so the suite runs through this check.
// Every valid key, '%' and pattern bytes included, still goes through
// keyenc's encoding and decoding.
type ruleChecked struct {
	wrap.MapKeys
}

func newRuleChecked(encoded kv.Store) kv.Store {
	r := &ruleChecked{}
	r.Inner = encoded
	r.MapKey = func(key string) (string, error) { return key, kv.ValidateKey(key) }

	return wrap.New(encoded, r)
}

func (r *ruleChecked) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	if err := kv.ValidatePrefix(prefix); err != nil {
		return wrap.ErrorSeq(err)
	}

	return r.Forward.Keys(ctx, prefix)
}

// Close closes the keyenc wrapper too, so that the suite's Close checks
// reach it.
func (r *ruleChecked) Close() error {
	_ = r.Forward.Close()

	return r.Inner.Close()
}

func TestConformance(t *testing.T) {
	opts := kvtest.Options{MaxKeyLen: keyenc.MaxKeyLen}

	wraptest.RunConformance(t, opts, func(t *testing.T, inner kv.Store) kv.Store {
		return newRuleChecked(keyenc.New(inner))
	})
}
