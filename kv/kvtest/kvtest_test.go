package kvtest_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/kvtest"
)

func TestRunMapStore(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Store {
		return newMapStore()
	})
}

func TestRunReferenceStore(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Store {
		return newRefStore(noBug)
	})
}

func TestRunWrapper(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Store {
		return refWrapper{newRefStore(noBug)}
	})
}

func TestRunWithValueLimit(t *testing.T) {
	const limit = 1000

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		s := newRefStore(noBug)
		s.limit = limit

		return s
	}, kvtest.Options{MaxValueSize: limit})
}

// brokenEnv names the bug that TestBrokenStoreSubprocess gives its store.
const brokenEnv = "KVTEST_BROKEN_STORE_BUG"

// TestBrokenStoreSubprocess runs the suite against a store with the bug
// named in the environment. It only runs as a child of TestSuiteCatches,
// which expects it to fail.
func TestBrokenStoreSubprocess(t *testing.T) {
	b := bug(os.Getenv(brokenEnv))
	if b == noBug {
		t.Skip("runs only as a subprocess of TestSuiteCatches")
	}

	// A store that deadlocks should fail its subtest in seconds, not in
	// the default half minute.
	kvtest.SetHangTimeout(2 * time.Second)

	kvtest.Run(t, func(t *testing.T) kv.Store {
		return newRefStore(b)
	})
}

// TestSuiteCatches runs the suite in a child process against stores with
// one deliberate bug each, and checks that the subtest meant to catch the
// bug fails there. A child process is the harness, because a failing
// *testing.T would fail this test too.
func TestSuiteCatches(t *testing.T) {
	cases := []struct {
		bug     bug
		subtest string
		message string // part of the failure message the subtest prints
	}{
		{bugAliasPut, "Value/NoAliasing", `want "original"`},
		{bugNilEmpty, "Value/Empty", "returned a nil slice"},
		{bugAcceptsSpace, "Key/Invalid/Space", "want an error matching kv.ErrInvalidKey"},
		{bugEarlyExpiry, "TTL/Expiry", "must still be readable"},
		{bugRacyPutIfAbsent, "Atomic/PutIfAbsentRace", "want exactly one"},
		{bugListTwice, "List/Prefix", "times, want once"},
		{bugIgnoresCancel, "Context/Canceled", "want an error matching context.Canceled"},
		{bugKeepsTTL, "TTL/PutRemovesTTL", "must still be readable"},
		{bugListLocks, "List/DeleteWhileListing", "did not return within"},
		{bugGlobPrefix, "List/PatternBytes", "which was not expected"},
		{bugOpenAfterClose, "Close/AfterClose", "want an error matching kv.ErrClosed"},
		{bugBatchAbsent, "Batch/Order", `= "", want nil`},
	}

	for _, c := range cases {
		t.Run(string(c.bug), func(t *testing.T) {
			name := "TestBrokenStoreSubprocess/" + c.subtest
			pattern := "^" + strings.ReplaceAll(name, "/", "$/^") + "$"

			cmd := exec.Command(os.Args[0], "-test.run="+pattern, "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+string(c.bug))

			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store with bug %q; output:\n%s", c.bug, out)
			}

			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) {
				t.Fatalf("run the test binary: %v", err)
			}

			if !strings.Contains(string(out), "--- FAIL: "+name+" ") {
				t.Fatalf("subtest %s did not fail on bug %q; output:\n%s", name, c.bug, out)
			}

			if !strings.Contains(string(out), c.message) {
				t.Errorf("the output does not contain %q; output:\n%s", c.message, out)
			}
		})
	}
}
