// Package testserver starts private redis-server and memcached processes
// for tests, on free loopback ports in temporary folders, and stops them
// when the test (or the test binary) ends.
//
// When a server binary is missing, the test is skipped with a message that
// says what to install; under CI=true it fails instead, so that a CI run
// cannot pass by skipping the backend tests.
package testserver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// RequireBinary returns the path of the named program, and skips or fails
// tb when it is not on PATH: it skips in an interactive run and fails under
// CI=true. pkg names the Debian package that provides the program.
func RequireBinary(tb testing.TB, name, pkg string) string {
	tb.Helper()

	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}

	msg := fmt.Sprintf("%s not found on PATH; install it (Debian: apt-get install %s) or run scripts/test.sh as root", name, pkg)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true, so a missing server is a failure)")
	}

	tb.Skip(msg)

	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. A
// server started on it may still lose a race with another process, so
// callers retry a failed start on a new port.
func FreePort(tb testing.TB) int {
	tb.Helper()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()

	return l.Addr().(*net.TCPAddr).Port
}

// WaitForPort waits until addr accepts TCP connections or timeout passes.
func WaitForPort(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)

	for {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			return conn.Close()
		}

		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections within %v: %w", addr, timeout, err)
		}

		time.Sleep(20 * time.Millisecond)
	}
}
