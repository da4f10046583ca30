package testserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memcachedStartTimeout bounds how long a memcached process may take to
// accept connections before a start attempt counts as failed.
const memcachedStartTimeout = 10 * time.Second

// memcachedStartAttempts is how many free ports a start tries, because a
// port found free can be taken by another process before memcached binds it.
const memcachedStartAttempts = 5

// MemcachedConfig sets up a memcached process started by StartMemcached.
type MemcachedConfig struct {
	// MemoryMB is the cache memory limit in megabytes (memcached -m).
	// Zero means 64.
	MemoryMB int

	// MaxItemSize is the largest item the server stores, in memcached's -I
	// syntax, such as "1m" or "2m". Empty means the server's default of
	// 1 MiB.
	MaxItemSize string

	// Args are extra command-line arguments, appended after the ones this
	// package sets.
	Args []string
}

// MemcachedServer is a private memcached process on a loopback port.
// Its methods are safe for concurrent use.
type MemcachedServer struct {
	binary string
	args   []string
	addr   string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	stopped bool
}

var (
	sharedMemcachedOnce sync.Once
	sharedMemcached     *MemcachedServer
	sharedMemcachedErr  error

	memcachedPoolOnce sync.Once
	memcachedPool     []*MemcachedServer
	memcachedPoolErr  error
)

// Memcached returns the "host:port" address of a memcached process that
// all tests in this test binary share. The first call starts it on a free
// 127.0.0.1 port, and Main stops it when the tests end. Tests that share it
// must use keys no other test uses, and must not flush it.
func Memcached(tb testing.TB) string {
	tb.Helper()

	requireMain(tb, "Memcached")
	binary := RequireBinary(tb, "memcached", "memcached")

	sharedMemcachedOnce.Do(func() {
		sharedMemcached, sharedMemcachedErr = startMemcached(binary, MemcachedConfig{})
		if sharedMemcachedErr == nil {
			register(sharedMemcached.Stop)
		}
	})

	if sharedMemcachedErr != nil {
		tb.Fatalf("start the shared memcached: %v", sharedMemcachedErr)
	}

	return sharedMemcached.Addr()
}

// MemcachedPool returns the addresses of two memcached processes, shared by
// all tests in this test binary, for tests of a client that spreads keys
// over several servers. They are separate from the one Memcached returns.
func MemcachedPool(tb testing.TB) []string {
	tb.Helper()

	requireMain(tb, "MemcachedPool")
	binary := RequireBinary(tb, "memcached", "memcached")

	memcachedPoolOnce.Do(func() {
		for range 2 {
			server, err := startMemcached(binary, MemcachedConfig{})
			if err != nil {
				memcachedPoolErr = err
				return
			}

			register(server.Stop)
			memcachedPool = append(memcachedPool, server)
		}
	})

	if memcachedPoolErr != nil {
		tb.Fatalf("start the shared memcached pool: %v", memcachedPoolErr)
	}

	return []string{memcachedPool[0].Addr(), memcachedPool[1].Addr()}
}

// StartMemcached starts a memcached process that belongs to one test, for
// tests that stop or restart the server. It is stopped when tb ends.
func StartMemcached(tb testing.TB, cfg MemcachedConfig) *MemcachedServer {
	tb.Helper()

	binary := RequireBinary(tb, "memcached", "memcached")

	server, err := startMemcached(binary, cfg)
	if err != nil {
		tb.Fatalf("start memcached: %v", err)
	}

	register(server.Stop)
	tb.Cleanup(server.Stop)

	return server
}

// Addr returns the server's "host:port" address. It stays the same across
// Restart.
func (s *MemcachedServer) Addr() string {
	return s.addr
}

// Stop kills the process and waits for it to exit. Stopping a stopped
// server does nothing.
func (s *MemcachedServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.stopLocked()
}

// Restart stops the process and starts a new one on the same address. The
// new process starts empty, as a real memcached does after a restart.
func (s *MemcachedServer) Restart(tb testing.TB) {
	tb.Helper()

	s.mu.Lock()
	defer s.mu.Unlock()

	s.stopLocked()

	// The old process released the port a moment ago, but another process
	// may bind it first, so retry for a while before giving up.
	deadline := time.Now().Add(memcachedStartTimeout)
	for {
		err := s.launchLocked()
		if err == nil {
			return
		}

		if time.Now().After(deadline) {
			tb.Fatalf("restart memcached on %s: %v", s.addr, err)
		}

		time.Sleep(100 * time.Millisecond)
	}
}

// Pause stops the process with SIGSTOP, so that it keeps its connections
// but answers nothing until Resume, like a server that hangs. It needs the
// kill program, as on any Unix system.
func (s *MemcachedServer) Pause(tb testing.TB) {
	tb.Helper()

	s.signal(tb, "STOP")
}

// Resume continues a paused process with SIGCONT.
func (s *MemcachedServer) Resume(tb testing.TB) {
	tb.Helper()

	s.signal(tb, "CONT")
}

// signal sends the named signal to the process with the kill program,
// which keeps this file free of platform-specific signal constants.
func (s *MemcachedServer) signal(tb testing.TB, name string) {
	tb.Helper()

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.stopped || s.cmd == nil {
		tb.Fatalf("send SIG%s to memcached on %s: the server is stopped", name, s.addr)
	}

	pid := strconv.Itoa(s.cmd.Process.Pid)
	if output, err := exec.Command("kill", "-"+name, pid).CombinedOutput(); err != nil {
		tb.Fatalf("send SIG%s to memcached pid %s: %v: %s", name, pid, err, output)
	}
}

// startMemcached starts memcached on a free port, trying a new port when
// the chosen one turns out to be taken.
func startMemcached(binary string, cfg MemcachedConfig) (*MemcachedServer, error) {
	var lastErr error

	for range memcachedStartAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}

		server := &MemcachedServer{
			binary: binary,
			addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			args:   memcachedArgs(port, cfg),
		}

		server.mu.Lock()
		lastErr = server.launchLocked()
		server.mu.Unlock()

		if lastErr == nil {
			return server, nil
		}
	}

	return nil, fmt.Errorf("after %d attempts: %w", memcachedStartAttempts, lastErr)
}

// memcachedArgs returns the command line for a memcached that listens on
// 127.0.0.1:port over TCP only.
func memcachedArgs(port int, cfg MemcachedConfig) []string {
	memoryMB := cfg.MemoryMB
	if memoryMB == 0 {
		memoryMB = 64
	}

	args := []string{
		"-l", "127.0.0.1",
		"-p", strconv.Itoa(port),
		"-U", "0",
		"-m", strconv.Itoa(memoryMB),
		"-t", "2",
	}

	if cfg.MaxItemSize != "" {
		args = append(args, "-I", cfg.MaxItemSize)
	}

	// memcached exits at once when started as root without -u naming the
	// user to run as, and CI runs as root.
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root")
	}

	return append(args, cfg.Args...)
}

// launchLocked starts the process and waits until it serves on s.addr.
// The caller holds s.mu.
func (s *MemcachedServer) launchLocked() error {
	cmd := exec.Command(s.binary, s.args...)
	stderr := new(bytes.Buffer)
	cmd.Stdout = stderr
	cmd.Stderr = stderr

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", s.binary, err)
	}

	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()

	if err := waitForMemcached(s.addr, cmd.Process.Pid, exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited

		return fmt.Errorf("memcached %s: %w; its output: %q", strings.Join(s.args, " "), err, stderr.String())
	}

	s.cmd = cmd
	s.exited = exited
	s.stopped = false

	return nil
}

// stopLocked kills the process and waits for it. The caller holds s.mu.
func (s *MemcachedServer) stopLocked() {
	if s.stopped || s.cmd == nil {
		return
	}

	_ = s.cmd.Process.Kill()
	<-s.exited

	s.stopped = true
}

// waitForMemcached polls addr until the memcached process with the given
// pid serves there. It checks the pid in the server's statistics because
// another process that took the port would accept connections too.
func waitForMemcached(addr string, pid int, exited <-chan struct{}) error {
	deadline := time.Now().Add(memcachedStartTimeout)

	for {
		select {
		case <-exited:
			return errors.New("the process exited during start-up")
		default:
		}

		servingPid, err := memcachedPid(addr)
		if err == nil && servingPid == pid {
			return nil
		}

		if err == nil {
			err = fmt.Errorf("another memcached (pid %d) serves on %s", servingPid, addr)
		}

		if time.Now().After(deadline) {
			return fmt.Errorf("not serving on %s within %v: %w", addr, memcachedStartTimeout, err)
		}

		time.Sleep(20 * time.Millisecond)
	}
}

// memcachedPid returns the process id that the memcached at addr reports
// in its statistics.
func memcachedPid(addr string) (int, error) {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return 0, err
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return 0, err
	}

	if _, err := conn.Write([]byte("stats\r\n")); err != nil {
		return 0, err
	}

	scanner := bufio.NewScanner(conn)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "END" {
			break
		}

		if value, ok := strings.CutPrefix(line, "STAT pid "); ok {
			return strconv.Atoi(value)
		}
	}

	if err := scanner.Err(); err != nil {
		return 0, err
	}

	return 0, fmt.Errorf("no pid in the stats from %s", addr)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago. It
// is FreePort for callers that report the error themselves.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()

	return l.Addr().(*net.TCPAddr).Port, nil
}
