package testserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// redisStartTimeout bounds how long redis-server may take to serve
	// after it was started, AOF loading included.
	redisStartTimeout = 15 * time.Second

	// redisStartAttempts is how many free ports a start tries, because a
	// port found free can be taken by another process before redis-server
	// binds it.
	redisStartAttempts = 5

	// redisStopTimeout is how long a SIGTERM may take before SIGKILL.
	redisStopTimeout = 10 * time.Second

	// clusterJoinTimeout bounds how long three fresh nodes may take to
	// agree that the cluster is up.
	clusterJoinTimeout = 30 * time.Second
)

// errPortInUse means redis-server could not bind its port.
var errPortInUse = errors.New("port already in use")

var (
	sharedRedisOnce sync.Once
	sharedRedisAddr string
	sharedRedisErr  error

	sharedClusterOnce  sync.Once
	sharedClusterAddrs []string
	sharedClusterErr   error
)

// Redis returns the "host:port" address of a redis-server that all tests
// in this test binary share. The first call starts it on a free 127.0.0.1
// port in a temporary folder, without persistence, and Main stops it when
// the tests end. A failed start fails every call. Tests that share it must
// use keys no other test uses, and must not flush it.
//
// Redis skips or fails the test, as RequireBinary does, when redis-server
// is missing, and fails it when TestMain does not run through Main.
func Redis(tb testing.TB) string {
	tb.Helper()

	binary := RequireBinary(tb, "redis-server", "redis-server")
	requireMain(tb, "Redis")

	sharedRedisOnce.Do(func() {
		var server *redisProcess
		server, sharedRedisErr = startSharedRedis(binary, nil)
		if sharedRedisErr == nil {
			sharedRedisAddr = server.addr
		}
	})

	if sharedRedisErr != nil {
		tb.Fatalf("start the shared redis-server: %v", sharedRedisErr)
	}

	return sharedRedisAddr
}

// RedisCluster returns the addresses of a Redis Cluster of three masters
// without replicas, shared by all tests in this test binary. The masters
// split the 16384 hash slots into three ranges, and every node reports
// cluster_state:ok before the first call returns. Main stops the nodes.
// Like Redis, it skips or fails the test when redis-server is missing.
func RedisCluster(tb testing.TB) []string {
	tb.Helper()

	binary := RequireBinary(tb, "redis-server", "redis-server")
	requireMain(tb, "RedisCluster")

	sharedClusterOnce.Do(func() {
		sharedClusterAddrs, sharedClusterErr = startCluster(binary)
	})

	if sharedClusterErr != nil {
		tb.Fatalf("start the shared Redis Cluster: %v", sharedClusterErr)
	}

	return append([]string(nil), sharedClusterAddrs...)
}

// RedisConfig sets up a redis-server started by StartRedis.
type RedisConfig struct {
	// AOF turns on the append-only file with appendfsync always, so that
	// every acknowledged write survives Stop, Kill and Restart. Without
	// it the server persists nothing and restarts empty.
	AOF bool

	// Args are extra redis-server arguments, such as
	// []string{"--replicaof", "127.0.0.1", "6379"}, appended after the
	// ones this package sets.
	Args []string
}

// RedisServer is a redis-server that belongs to one test, for tests that
// stop, kill or restart the server. It keeps its port and folder across
// restarts. Its methods are safe for concurrent use.
type RedisServer struct {
	binary     string
	dir        string
	port       int
	configFile string
	args       []string

	mu      sync.Mutex
	process *redisProcess
}

// StartRedis starts a redis-server on a free 127.0.0.1 port in a temporary
// folder of tb, and stops it when tb ends. It skips or fails the test, as
// RequireBinary does, when redis-server is missing.
func StartRedis(tb testing.TB, cfg RedisConfig) *RedisServer {
	tb.Helper()

	binary := RequireBinary(tb, "redis-server", "redis-server")
	dir := tb.TempDir()

	var extra []string
	if cfg.AOF {
		extra = []string{"--appendonly", "yes", "--appendfsync", "always"}
	}
	extra = append(extra, cfg.Args...)

	process, err := startRedisOnFreePort(binary, dir, "", extra)
	if err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}

	server := &RedisServer{
		binary:  binary,
		dir:     dir,
		port:    process.port,
		args:    extra,
		process: process,
	}
	tb.Cleanup(server.Stop)

	return server
}

// Addr returns the server's "host:port" address. It stays the same across
// Restart.
func (s *RedisServer) Addr() string {
	return redisAddr(s.port)
}

// Stop shuts the server down with SIGTERM, which with AOF on flushes the
// file first, and waits for the process to exit. Stopping a stopped server
// does nothing.
func (s *RedisServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.process != nil {
		s.process.stop()
		s.process = nil
	}
}

// Kill ends the server with SIGKILL, as a crash or an out-of-memory kill
// would, and waits for the process to exit. Only writes already in the AOF
// survive. Killing a stopped server does nothing.
func (s *RedisServer) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.process != nil {
		s.process.kill()
		s.process = nil
	}
}

// Restart stops the server if it runs and starts it again on the same port
// and folder, so that with AOF on it reloads its data. It fails tb when the
// server does not serve again within a few seconds.
func (s *RedisServer) Restart(tb testing.TB) {
	tb.Helper()

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.process != nil {
		s.process.stop()
		s.process = nil
	}

	// The old process released the port a moment ago, but another process
	// may bind it first, so retry for a while before giving up.
	deadline := time.Now().Add(redisStartTimeout)
	for {
		process, err := startRedisProcess(s.binary, s.dir, s.port, s.configFile, s.args)
		if err == nil {
			s.process = process
			return
		}

		if !errors.Is(err, errPortInUse) || time.Now().After(deadline) {
			tb.Fatalf("restart redis-server on %s: %v", s.Addr(), err)
		}

		time.Sleep(100 * time.Millisecond)
	}
}

// startSharedRedis starts a redis-server in a new temporary folder and
// registers its shutdown and the folder's removal with Main.
func startSharedRedis(binary string, extra []string) (*redisProcess, error) {
	dir, err := os.MkdirTemp("", "testserver-redis-")
	if err != nil {
		return nil, fmt.Errorf("create a folder for redis-server: %w", err)
	}

	process, err := startRedisOnFreePort(binary, dir, "", extra)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}

	register(func() {
		process.stop()
		_ = os.RemoveAll(dir)
	})

	return process, nil
}

// startRedisOnFreePort starts redis-server on a free port, trying a new
// port when the chosen one turns out to be taken. A non-empty configFile is
// loaded first. With cluster mode on in
// extra it picks a free cluster bus port too.
func startRedisOnFreePort(binary, dir, configFile string, extra []string) (*redisProcess, error) {
	var lastErr error

	for range redisStartAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}

		args, busPort := extra, 0
		if isClusterNode(extra) {
			busPort, err = freePort()
			if err != nil {
				return nil, err
			}

			args = append(append([]string(nil), extra...), "--cluster-port", strconv.Itoa(busPort))
		}

		process, err := startRedisProcess(binary, dir, port, configFile, args)
		if err == nil {
			process.busPort = busPort
			return process, nil
		}

		lastErr = err
		if !errors.Is(err, errPortInUse) {
			return nil, err
		}
	}

	return nil, fmt.Errorf("after %d attempts: %w", redisStartAttempts, lastErr)
}

func isClusterNode(args []string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--cluster-enabled" && args[i+1] == "yes" {
			return true
		}
	}

	return false
}

func redisAddr(port int) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// redisProcess is one running redis-server.
type redisProcess struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	port    int
	addr    string
	logFile string

	// busPort is the cluster bus port of a cluster node, and 0 otherwise.
	busPort int
}

// startRedisProcess runs redis-server on port with dir as its working
// folder and waits until it serves there. A non-empty configFile is loaded
// first. The extra arguments follow the ones set here, so they override
// them.
func startRedisProcess(binary, dir string, port int, configFile string, extra []string) (*redisProcess, error) {
	logFile := filepath.Join(dir, "redis.log")

	var args []string
	if configFile != "" {
		args = append(args, configFile)
	}

	args = append(args,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--protected-mode", "yes",
		"--daemonize", "no",
		"--dir", dir,
		"--logfile", logFile,
		"--save", "",
		"--appendonly", "no",
	)
	args = append(args, extra...)

	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	killWithParent(cmd)

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", binary, err)
	}

	process := &redisProcess{
		cmd:     cmd,
		exited:  make(chan struct{}),
		port:    port,
		addr:    redisAddr(port),
		logFile: logFile,
	}
	go func() {
		_ = cmd.Wait()
		close(process.exited)
	}()

	if err := process.waitServing(); err != nil {
		process.kill()

		log := process.logTail()
		if strings.Contains(log, "Address already in use") {
			return nil, fmt.Errorf("redis-server on %s: %w", process.addr, errPortInUse)
		}

		return nil, fmt.Errorf("redis-server %s: %w; end of its log:\n%s", strings.Join(args, " "), err, log)
	}

	return process, nil
}

// waitServing polls the server until its INFO reply contains its own
// process id and loading:0. Another process that took the port would
// accept connections too, and a server still loading its AOF accepts INFO
// but rejects most commands.
func (p *redisProcess) waitServing() error {
	deadline := time.Now().Add(redisStartTimeout)

	for {
		select {
		case <-p.exited:
			return errors.New("the process exited during start-up")
		default:
		}

		info, err := redisCommandTimeout(p.addr, 500*time.Millisecond, "INFO", "server", "persistence")
		if err == nil {
			pid := infoField(info, "process_id")
			switch {
			case pid != strconv.Itoa(p.cmd.Process.Pid):
				err = fmt.Errorf("another redis-server (pid %s) serves on %s", pid, p.addr)
			case infoField(info, "loading") == "1":
				err = errors.New("still loading its data")
			default:
				return nil
			}
		}

		if time.Now().After(deadline) {
			return fmt.Errorf("not serving on %s within %v: %w", p.addr, redisStartTimeout, err)
		}

		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for the exit, and kills the process if it
// takes longer than redisStopTimeout.
func (p *redisProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)

	select {
	case <-p.exited:
	case <-time.After(redisStopTimeout):
		p.kill()
	}
}

func (p *redisProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// logTail returns the last lines of the server's log file for an error
// message.
func (p *redisProcess) logTail() string {
	data, err := os.ReadFile(p.logFile)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}

	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}

	return strings.Join(lines, "\n")
}

// startCluster starts three cluster-enabled nodes, gives each a third of the
// hash slots, joins them and waits until all of them report the cluster up.
func startCluster(binary string) ([]string, error) {
	extra := []string{
		"--cluster-enabled", "yes",
		"--cluster-config-file", "nodes.conf",
		"--cluster-node-timeout", "5000",
	}

	nodes := make([]*redisProcess, 0, 3)
	for range 3 {
		node, err := startSharedRedis(binary, extra)
		if err != nil {
			return nil, err
		}

		nodes = append(nodes, node)
	}

	slotRanges := [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}
	for i, node := range nodes {
		_, err := redisCommand(node.addr, "CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1))
		if err != nil {
			return nil, fmt.Errorf("set the config epoch of %s: %w", node.addr, err)
		}

		first, last := strconv.Itoa(slotRanges[i][0]), strconv.Itoa(slotRanges[i][1])
		if _, err := redisCommand(node.addr, "CLUSTER", "ADDSLOTSRANGE", first, last); err != nil {
			return nil, fmt.Errorf("assign slots %s-%s to %s: %w", first, last, node.addr, err)
		}
	}

	for _, node := range nodes[1:] {
		_, err := redisCommand(nodes[0].addr, "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(node.port), strconv.Itoa(node.busPort))
		if err != nil {
			return nil, fmt.Errorf("join %s to the cluster: %w", node.addr, err)
		}
	}

	addrs := make([]string, len(nodes))
	for i, node := range nodes {
		addrs[i] = node.addr
	}

	if err := waitClusterUp(addrs); err != nil {
		return nil, err
	}

	return addrs, nil
}

// waitClusterUp polls CLUSTER INFO on every node until each one counts all
// nodes in cluster_known_nodes and reports cluster_state:ok.
func waitClusterUp(addrs []string) error {
	deadline := time.Now().Add(clusterJoinTimeout)
	want := strconv.Itoa(len(addrs))

	for _, addr := range addrs {
		for {
			info, err := redisCommand(addr, "CLUSTER", "INFO")
			if err == nil {
				state, known := infoField(info, "cluster_state"), infoField(info, "cluster_known_nodes")
				if state == "ok" && known == want {
					break
				}

				err = fmt.Errorf("cluster_state:%s cluster_known_nodes:%s", state, known)
			}

			if time.Now().After(deadline) {
				return fmt.Errorf("node %s did not see the cluster up within %v: %w", addr, clusterJoinTimeout, err)
			}

			time.Sleep(50 * time.Millisecond)
		}
	}

	return nil
}

// infoField returns the value of name in the "name:value" lines of an INFO
// or CLUSTER INFO reply, or "" when it is absent.
func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return value
		}
	}

	return ""
}

// redisCommand sends one command to the server at addr on a new connection
// and returns its reply, which must be a simple string, an integer or a
// bulk string. An error reply becomes an error. It needs no client library,
// so that this package does not depend on the code it helps to test.
func redisCommand(addr string, args ...string) (string, error) {
	return redisCommandTimeout(addr, 5*time.Second, args...)
}

// redisCommandTimeout is redisCommand that gives up after timeout.
func redisCommandTimeout(addr string, timeout time.Duration, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", err
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}

	var request strings.Builder
	fmt.Fprintf(&request, "*%d\r\n", len(args))
	for _, arg := range args {
		fmt.Fprintf(&request, "$%d\r\n%s\r\n", len(arg), arg)
	}

	if _, err := io.WriteString(conn, request.String()); err != nil {
		return "", err
	}

	reader := bufio.NewReader(conn)
	line, err := reader.ReadString('\n')
	if err != nil {
		return "", err
	}

	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}

	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("%s replied: %s", addr, line[1:])
	case '$':
		size, err := strconv.Atoi(line[1:])
		if err != nil || size < 0 {
			return "", fmt.Errorf("unexpected bulk reply header %q", line)
		}

		body := make([]byte, size+2)
		if _, err := io.ReadFull(reader, body); err != nil {
			return "", err
		}

		return string(body[:size]), nil
	default:
		return "", fmt.Errorf("unexpected reply %q", line)
	}
}
