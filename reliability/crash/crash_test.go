package crash_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/reliability/internal/harness"
	bbolt "go.etcd.io/bbolt"
)

// childEnv switches the test binary into the child role. Its value is the
// path of the bbolt file and a run id, separated by a space.
const childEnv = "ANYKV_CRASH_CHILD"

// fullEnv selects the long run.
const fullEnv = "ANYKV_RELIABILITY_FULL"

// Cycles of start, write and kill. The default run is for CI; the full run
// is the one RELIABILITY.md reports.
const (
	defaultCycles = 4
	fullCycles    = 150
)

// childWorkers is how many goroutines of the child write at once, so that
// the kill lands while group commits are in flight.
const childWorkers = 6

// readyTimeout guards against a child that hangs before it serves. It is
// not a measurement: a healthy child is ready in well under a second.
const readyTimeout = 60 * time.Second

// trackerOptions returns the Options shared by the child and the parent,
// so that the parent verifies the tokens the child signed. Each mode has a
// namespace of its own in the one file.
func trackerOptions(mode jwtrevoke.Mode) jwtrevoke.Options {
	opts := harness.TrackerOptions(mode)

	opts.Namespace = "ta:"
	if mode == jwtrevoke.Denylist {
		opts.Namespace = "dl:"
	}

	return opts
}

func TestMain(m *testing.M) {
	if value := os.Getenv(childEnv); value != "" {
		path, run, _ := strings.Cut(value, " ")
		runChild(path, run)
	}

	os.Exit(m.Run())
}

// ackWriter prints one acknowledgement a line. Each line goes to the pipe
// in one write of less than PIPE_BUF bytes, so a kill never leaves half a
// line followed by a newline. A line cut short has no newline at all.
type ackWriter struct {
	mu sync.Mutex
}

func (a *ackWriter) print(fields ...string) {
	line := []byte(strings.Join(fields, " ") + "\n")

	a.mu.Lock()
	defer a.mu.Unlock()

	if _, err := os.Stdout.Write(line); err != nil {
		os.Exit(4)
	}
}

// runChild opens the file, starts the writers and never returns: the
// parent kills the process.
func runChild(path, run string) {
	store, err := bolt.Open(path, &bolt.Options{OpenTimeout: 30 * time.Second, ReclaimInterval: -1})
	if err != nil {
		fail("open", err)
	}

	trackAll, err := jwtrevoke.New(store, trackerOptions(jwtrevoke.TrackAll))
	if err != nil {
		fail("new track-all tracker", err)
	}

	denylist, err := jwtrevoke.New(store, trackerOptions(jwtrevoke.Denylist))
	if err != nil {
		fail("new denylist tracker", err)
	}

	c := &child{store: store, trackAll: trackAll, denylist: denylist, run: run}
	c.out.print("ready")

	for w := range childWorkers {
		go c.work(w)
	}

	select {}
}

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "crash child: %s: %v\n", step, err)
	os.Exit(3)
}

type child struct {
	store    *bolt.Store
	trackAll *jwtrevoke.Tracker
	denylist *jwtrevoke.Tracker
	run      string
	out      ackWriter
}

// work cycles through every kind of write until the process is killed.
// Each acknowledgement is printed only after the call returned nil.
func (c *child) work(worker int) {
	ctx := context.Background()
	counter := fmt.Sprintf("ctr.%s.%d", c.run, worker)
	count := 0

	if err := c.store.Put(ctx, counter, []byte("0")); err != nil {
		fail("put counter", err)
	}

	c.out.print("ctr", counter, "0")

	for n := 0; ; n++ {
		key := fmt.Sprintf("k.%s.%d.%d", c.run, worker, n)
		value := key + "=" + strconv.Itoa(mathrand.Int())

		switch n % 8 {
		case 0:
			c.must("put", c.store.Put(ctx, key, []byte(value)))
			c.out.print("put", key, value)
		case 1:
			c.must("put with TTL", c.store.PutTTL(ctx, key, []byte(value), time.Hour))
			c.out.print("put", key, value)
		case 2:
			c.must("put", c.store.Put(ctx, key, []byte(value)))
			c.out.print("put", key, value)
			c.out.print("begin-delete", key)
			c.must("delete", c.store.Delete(ctx, key))
			c.out.print("delete", key)
		case 3:
			swapped, err := c.store.CompareAndSwap(ctx, counter, []byte(strconv.Itoa(count)), []byte(strconv.Itoa(count+1)))
			c.must("compare-and-swap", err)

			if !swapped {
				fail("compare-and-swap", fmt.Errorf("counter %s does not contain %d", counter, count))
			}

			count++
			c.out.print("ctr", counter, strconv.Itoa(count))
		case 4:
			token, claims, err := c.trackAll.Issue(ctx, "user."+key, jwtrevoke.Access, nil)
			c.must("issue", err)
			c.must("revoke", c.trackAll.Revoke(ctx, claims.ID))
			c.out.print("revoked", "track-all", token)
		case 5:
			token, claims, err := c.denylist.Issue(ctx, "user."+key, jwtrevoke.Access, nil)
			c.must("issue", err)
			c.must("revoke", c.denylist.Revoke(ctx, claims.ID))
			c.out.print("revoked", "denylist", token)
		case 6:
			token, _, err := c.trackAll.Issue(ctx, "user."+key, jwtrevoke.Access, nil)
			c.must("issue", err)
			c.must("revoke subject", c.trackAll.RevokeSubject(ctx, "user."+key))
			c.out.print("revoked", "track-all", token)
		case 7:
			pair, err := c.trackAll.IssuePair(ctx, "user."+key, nil)
			c.must("issue pair", err)
			c.out.print("issued", pair.Access)

			next, err := c.trackAll.Rotate(ctx, pair.Refresh)
			c.must("rotate", err)
			c.out.print("rotated", pair.Refresh, next.Refresh, next.Access)
		}
	}
}

func (c *child) must(step string, err error) {
	if err != nil {
		fail(step, err)
	}
}

// ack is one line the child printed.
type ack struct {
	kind   string
	fields []string
}

// childRun is one started child and the acknowledgements read so far.
type childRun struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	ready  chan struct{}
	done   chan struct{} // closed when stdout reached EOF

	mu   sync.Mutex
	acks []ack
}

func startChild(t *testing.T, path, run string) *childRun {
	t.Helper()

	c := &childRun{ready: make(chan struct{}), done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), childEnv+"="+path+" "+run)
	c.cmd.Stderr = &c.stderr

	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}

	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}

	go c.read(stdout)

	return c
}

// read collects complete lines until EOF. A last line without a newline
// was cut by the kill and is dropped: its call may not have returned.
func (c *childRun) read(stdout io.Reader) {
	defer close(c.done)

	r := bufio.NewReader(stdout)
	readyClosed := false

	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}

		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}

		if fields[0] == "ready" {
			if !readyClosed {
				close(c.ready)
				readyClosed = true
			}

			continue
		}

		c.mu.Lock()
		c.acks = append(c.acks, ack{kind: fields[0], fields: fields[1:]})
		c.mu.Unlock()
	}
}

// kill sends SIGKILL and waits for the process and its output.
func (c *childRun) kill(t *testing.T) {
	t.Helper()

	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("kill child: %v", err)
	}

	<-c.done

	err := c.cmd.Wait()

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("child ended with %v, want killed by SIGKILL; its stderr:\n%s", err, c.stderr.String())
	}

	status, ok := exitErr.Sys().(syscall.WaitStatus)
	if !ok || !status.Signaled() || status.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v before the kill; its stderr:\n%s", err, c.stderr.String())
	}
}

// cycleCount returns how many cycles to run.
func cycleCount() int {
	if os.Getenv(fullEnv) != "" {
		return fullCycles
	}

	return defaultCycles
}

func TestKillLosesNothingAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	cycles := cycleCount()

	var all []ack
	totals := map[string]int{}

	for cycle := range cycles {
		run := randomID(t)
		c := startChild(t, path, run)

		// Most kills land while every worker writes; some, after the
		// first cycle, while the child is still opening the file.
		early := cycle > 0 && cycle%4 == 3
		if early {
			time.Sleep(time.Duration(mathrand.IntN(30)) * time.Millisecond)
		} else {
			select {
			case <-c.ready:
			case <-c.done:
				_ = c.cmd.Wait()
				t.Fatalf("cycle %d: child exited before it was ready; its stderr:\n%s", cycle, c.stderr.String())
			case <-time.After(readyTimeout):
				c.kill(t)
				t.Fatalf("cycle %d: child not ready within %v", cycle, readyTimeout)
			}

			time.Sleep(time.Duration(10+mathrand.IntN(400)) * time.Millisecond)
		}

		c.kill(t)

		c.mu.Lock()
		acks := c.acks
		c.mu.Unlock()

		verify(t, path, cycle, acks)

		for _, a := range acks {
			totals[a.kind]++
		}

		all = append(all, acks...)

		if t.Failed() {
			return
		}
	}

	// Every later cycle wrote to the same file, so check that nothing an
	// earlier cycle acknowledged was lost since.
	verify(t, path, cycles, all)

	t.Logf("%d kill cycles; acknowledged and found: %d puts, %d deletes, %d counter swaps, %d revocations, %d issued tokens, %d rotations",
		cycles, totals["put"], totals["delete"], totals["ctr"], totals["revoked"], totals["issued"], totals["rotated"])
}

func randomID(t *testing.T) string {
	t.Helper()

	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random id: %v", err)
	}

	return hex.EncodeToString(b[:])
}

// verify opens the file, checks its consistency, and checks that every
// acknowledged operation is in force.
func verify(t *testing.T, path string, cycle int, acks []ack) {
	t.Helper()

	ctx := context.Background()

	store, err := bolt.Open(path, &bolt.Options{OpenTimeout: 10 * time.Second, ReclaimInterval: -1})
	if err != nil {
		t.Fatalf("cycle %d: open after the kill: %v", cycle, err)
	}
	defer store.Close()

	err = store.DB().View(func(tx *bbolt.Tx) error {
		var problems []error
		for err := range tx.Check() {
			problems = append(problems, err)
		}

		return errors.Join(problems...)
	})
	if err != nil {
		t.Fatalf("cycle %d: bbolt consistency check: %v", cycle, err)
	}

	trackAll := newTracker(t, store, jwtrevoke.TrackAll)
	denylist := newTracker(t, store, jwtrevoke.Denylist)

	expected := expectedKeys(acks)

	for key, want := range expected {
		got, err := store.Get(ctx, key)

		switch {
		case want.deleted:
			if !errors.Is(err, kv.ErrNotFound) {
				t.Errorf("cycle %d: Get(%q) after an acknowledged delete = %q, %v; want kv.ErrNotFound", cycle, key, got, err)
			}
		case want.deleting:
			if err != nil && !errors.Is(err, kv.ErrNotFound) {
				t.Errorf("cycle %d: Get(%q) with a delete in flight: %v", cycle, key, err)
			}

			if err == nil && string(got) != want.value {
				t.Errorf("cycle %d: Get(%q) with a delete in flight = %q, want %q or absent", cycle, key, got, want.value)
			}
		default:
			if err != nil || string(got) != want.value {
				t.Errorf("cycle %d: Get(%q) = %q, %v; want the acknowledged %q", cycle, key, got, err, want.value)
			}
		}
	}

	for key, last := range counters(acks) {
		got, err := store.Get(ctx, key)
		if err != nil {
			t.Errorf("cycle %d: Get(%q) of a counter: %v", cycle, key, err)
			continue
		}

		// The swap to last+1 may have been in flight at the kill.
		n, _ := strconv.Atoi(string(got))
		if string(got) != strconv.Itoa(n) || n < last || n > last+1 {
			t.Errorf("cycle %d: counter %q = %q, want %d (acknowledged) or %d (in flight)", cycle, key, got, last, last+1)
		}
	}

	for _, a := range acks {
		switch a.kind {
		case "revoked":
			tracker := trackAll
			if a.fields[0] == "denylist" {
				tracker = denylist
			}

			if _, err := tracker.Check(ctx, a.fields[1], jwtrevoke.AnyType); !errors.Is(err, jwtrevoke.ErrRevoked) {
				t.Errorf("cycle %d: %s Check of a token whose revocation returned = %v, want ErrRevoked", cycle, a.fields[0], err)
			}
		case "issued":
			if _, err := trackAll.Check(ctx, a.fields[0], jwtrevoke.AnyType); err != nil {
				t.Errorf("cycle %d: Check of an issued token = %v, want nil", cycle, err)
			}
		case "rotated":
			if _, err := trackAll.Check(ctx, a.fields[0], jwtrevoke.Refresh); !errors.Is(err, jwtrevoke.ErrRevoked) {
				t.Errorf("cycle %d: Check of a refresh token whose rotation returned = %v, want ErrRevoked", cycle, err)
			}

			for _, token := range a.fields[1:] {
				if _, err := trackAll.Check(ctx, token, jwtrevoke.AnyType); err != nil {
					t.Errorf("cycle %d: Check of a token that Rotate returned = %v, want nil", cycle, err)
				}
			}
		}
	}
}

func newTracker(t *testing.T, store kv.Store, mode jwtrevoke.Mode) *jwtrevoke.Tracker {
	t.Helper()

	tracker, err := jwtrevoke.New(store, trackerOptions(mode))
	if err != nil {
		t.Fatalf("new %v tracker: %v", mode, err)
	}

	return tracker
}

// keyState is the state of one key that the acknowledgements imply.
type keyState struct {
	value    string
	deleting bool // a delete started but may not have returned
	deleted  bool
}

func expectedKeys(acks []ack) map[string]*keyState {
	keys := map[string]*keyState{}

	for _, a := range acks {
		switch a.kind {
		case "put":
			keys[a.fields[0]] = &keyState{value: a.fields[1]}
		case "begin-delete":
			keys[a.fields[0]].deleting = true
		case "delete":
			keys[a.fields[0]].deleted = true
		}
	}

	return keys
}

// counters returns the last acknowledged value of each counter.
func counters(acks []ack) map[string]int {
	last := map[string]int{}

	for _, a := range acks {
		if a.kind == "ctr" {
			n, _ := strconv.Atoi(a.fields[1])
			last[a.fields[0]] = max(last[a.fields[0]], n)
		}
	}

	return last
}
