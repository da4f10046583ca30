package bolt_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/kv/bolt"
)

// helperEnv, when set, makes the test binary, started again as a child
// process, act as a second process on a file instead of running tests.
const helperEnv = "ANYKV_BOLT_HELPER"

// TestHelperProcess is the child side of the multi-process tests. Without
// helperEnv it does nothing. With "hold PATH" it opens PATH, writes "ready"
// and keeps the file open until its stdin closes. With "write PATH" it runs
// 8 concurrent writers that print each key after its Put returned, until
// the parent kills it.
func TestHelperProcess(t *testing.T) {
	mode, path, ok := strings.Cut(os.Getenv(helperEnv), " ")
	if !ok {
		return
	}

	s, err := bolt.Open(path, nil)
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(1)
	}

	switch mode {
	case "hold":
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = s.Close()
	case "write":
		var out sync.Mutex

		for w := range 8 {
			go func() {
				for i := 0; ; i++ {
					key := fmt.Sprintf("w%d/%06d", w, i)
					if err := s.Put(context.Background(), key, []byte(key)); err != nil {
						fmt.Println("put failed:", err)
						os.Exit(1)
					}

					out.Lock()
					fmt.Println(key)
					out.Unlock()
				}
			}()
		}

		select {}
	}

	os.Exit(0)
}

// startHelper starts the test binary as a child in mode on path and
// returns it with its stdin and a reader of its stdout.
func startHelper(t *testing.T, mode, path string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode+" "+path)
	cmd.Stderr = os.Stderr

	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}

	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}

	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	return cmd, stdin, bufio.NewScanner(stdout)
}

// openWithin calls bolt.Open in a goroutine and fails the test when it has
// not returned within limit, which proves Open cannot hang.
func openWithin(t *testing.T, path string, opts *bolt.Options, limit time.Duration) (*bolt.Store, error) {
	t.Helper()

	type result struct {
		s   *bolt.Store
		err error
	}

	done := make(chan result, 1)
	go func() {
		s, err := bolt.Open(path, opts)
		done <- result{s, err}
	}()

	select {
	case r := <-done:
		return r.s, r.err
	case <-time.After(limit):
		t.Fatalf("Open(%s) did not return within %v", path, limit)
		return nil, nil
	}
}

func checkLockedError(t *testing.T, err error, path string) {
	t.Helper()

	if !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("Open of a locked file = %v, want ErrLocked", err)
	}

	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "another process") {
		t.Errorf("error %q does not name the path and say another process holds it", err)
	}
}

func TestOpenLockedSameProcess(t *testing.T) {
	_, path := openTemp(t, nil)

	s, err := openWithin(t, path, &bolt.Options{OpenTimeout: 100 * time.Millisecond}, 10*time.Second)
	if err == nil {
		s.Close()
		t.Fatal("a second handle opened a file that the first still holds")
	}

	checkLockedError(t, err, path)

	s, err = openWithin(t, path, &bolt.Options{OpenTimeout: -1}, 10*time.Second)
	if err == nil {
		s.Close()
		t.Fatal("a second handle with negative OpenTimeout opened a held file")
	}

	checkLockedError(t, err, path)
}

func TestOpenLockedOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "held.db")

	_, stdin, stdout := startHelper(t, "hold", path)
	if !stdout.Scan() || stdout.Text() != "ready" {
		t.Fatalf("helper did not open the file: %q, %v", stdout.Text(), stdout.Err())
	}

	_, err := openWithin(t, path, &bolt.Options{OpenTimeout: 100 * time.Millisecond}, 10*time.Second)
	checkLockedError(t, err, path)

	// Once the other process closes the file, Open succeeds.
	_ = stdin.Close()

	s, err := openWithin(t, path, &bolt.Options{OpenTimeout: 10 * time.Second}, 20*time.Second)
	if err != nil {
		t.Fatalf("Open after the other process released the file: %v", err)
	}

	_ = s.Close()
}

func TestKillLosesNoAcknowledgedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "killed.db")

	cmd, _, stdout := startHelper(t, "write", path)

	var acked []string
	for len(acked) < 300 && stdout.Scan() {
		acked = append(acked, stdout.Text())
	}

	if len(acked) < 300 {
		t.Fatalf("helper stopped after %d writes: %v", len(acked), stdout.Err())
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}

	// Lines still in the pipe were printed after their Put returned too.
	for stdout.Scan() {
		if line := stdout.Text(); strings.HasPrefix(line, "w") {
			acked = append(acked, line)
		}
	}

	_ = cmd.Wait()

	s, err := openWithin(t, path, &bolt.Options{OpenTimeout: 10 * time.Second}, 20*time.Second)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()

	values, err := s.GetMany(context.Background(), acked)
	if err != nil {
		t.Fatal(err)
	}

	for i, v := range values {
		if string(v) != acked[i] {
			t.Errorf("acknowledged key %s = %q after SIGKILL, want its value", acked[i], v)
		}
	}
}
