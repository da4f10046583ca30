// Package servers starts one redis-server and one memcached for a benchmark
// binary, each on a free 127.0.0.1 port with its files in a temporary
// folder, and stops them when the binary's tests end.
//
// The servers start on first use, so a run that selects only the in-process
// backends starts nothing. When a server binary is missing, the benchmark
// that needs it is skipped with a message that names the Debian package to
// install. The servers keep nothing on disk: redis-server runs without RDB
// snapshots or an append-only file.
package servers

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	// startTimeout bounds how long a server may take to accept connections.
	startTimeout = 10 * time.Second

	// startAttempts is how many free ports a start tries, because a port
	// found free can be taken by another process before the server binds it.
	startAttempts = 3

	// stopTimeout is how long a server may take to exit after SIGTERM
	// before it gets SIGKILL.
	stopTimeout = 5 * time.Second

	// memcachedMemoryMB is memcached's cache size (-m), large enough that
	// nothing a benchmark writes is evicted.
	memcachedMemoryMB = 1024
)

// server is one running server process.
type server struct {
	addr string
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

// shared is a server started at most once for the whole binary.
type shared struct {
	once   sync.Once
	server *server
	err    error
}

var (
	redisServer     shared
	memcachedServer shared

	// running lists the started servers, so that Main can stop them.
	runningMu sync.Mutex
	running   []*server
)

// Main runs the tests and benchmarks of m, stops the servers they started
// and exits with m's code. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()

	runningMu.Lock()
	for _, s := range running {
		s.stop()
	}
	runningMu.Unlock()

	os.Exit(code)
}

// Redis returns the "host:port" address of the binary's redis-server,
// starting it on first use. It skips tb when redis-server is missing and
// fails tb when the server does not start.
func Redis(tb testing.TB) string {
	tb.Helper()

	return redisServer.get(tb, "redis-server", "redis-server", func(dir string, port int) []string {
		return []string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--dir", dir,
			"--save", "",
			"--appendonly", "no",
			"--daemonize", "no",
			"--loglevel", "warning",
		}
	})
}

// Memcached returns the "host:port" address of the binary's memcached,
// starting it on first use. It skips tb when memcached is missing and fails
// tb when the server does not start.
func Memcached(tb testing.TB) string {
	tb.Helper()

	return memcachedServer.get(tb, "memcached", "memcached", func(dir string, port int) []string {
		args := []string{
			"-l", "127.0.0.1",
			"-p", strconv.Itoa(port),
			"-U", "0",
			"-m", strconv.Itoa(memcachedMemoryMB),
		}

		// memcached exits when started as root without -u naming a user.
		if os.Geteuid() == 0 {
			args = append(args, "-u", "root")
		}

		return args
	})
}

// get starts the server on first use and returns its address.
func (sh *shared) get(tb testing.TB, name, pkg string, args func(dir string, port int) []string) string {
	tb.Helper()

	binary, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s not found on PATH; install it (Debian: apt-get install %s)", name, pkg)
	}

	sh.once.Do(func() {
		sh.server, sh.err = start(binary, args)
		if sh.err == nil {
			runningMu.Lock()
			running = append(running, sh.server)
			runningMu.Unlock()
		}
	})

	if sh.err != nil {
		tb.Fatalf("start %s: %v", name, sh.err)
	}

	return sh.server.addr
}

// start runs binary on a free port, retrying on a new port when the server
// exits before it accepts connections.
func start(binary string, args func(dir string, port int) []string) (*server, error) {
	var errs []error

	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}

		s, err := startOnPort(binary, port, args)
		if err == nil {
			return s, nil
		}

		errs = append(errs, err)
	}

	return nil, errors.Join(errs...)
}

func startOnPort(binary string, port int, args func(dir string, port int) []string) (*server, error) {
	dir, err := os.MkdirTemp("", "anykv-bench-server-")
	if err != nil {
		return nil, fmt.Errorf("create a folder for %s: %w", binary, err)
	}

	cmd := exec.Command(binary, args(dir, port)...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	stopWithParent(cmd)

	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("run %s: %w", binary, err)
	}

	s := &server{
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		cmd:  cmd,
		dir:  dir,
		done: make(chan struct{}),
	}

	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()

	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, err
	}

	return s, nil
}

// waitReady polls the server's port until it accepts a connection, the
// process exits, or startTimeout passes.
func (s *server) waitReady() error {
	deadline := time.Now().Add(startTimeout)

	for {
		conn, err := net.DialTimeout("tcp", s.addr, 100*time.Millisecond)
		if err == nil {
			return conn.Close()
		}

		select {
		case <-s.done:
			return fmt.Errorf("%s exited before accepting connections on %s", s.cmd.Path, s.addr)
		default:
		}

		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections on %s within %v: %w", s.cmd.Path, s.addr, startTimeout, err)
		}

		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the process with SIGTERM, then SIGKILL after stopTimeout, and
// removes its folder.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)

	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}

	_ = os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()

	return l.Addr().(*net.TCPAddr).Port, nil
}
