package testserver

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain runs the package's tests through Main, so that it stops the
// shared servers the tests start.
func TestMain(m *testing.M) {
	Main(m)
}

func TestRedisServesPing(t *testing.T) {
	addr := Redis(t)

	reply, err := redisCommand(addr, "PING")
	if err != nil {
		t.Fatalf("PING %s: %v", addr, err)
	}

	if reply != "PONG" {
		t.Fatalf("PING %s = %q, want PONG", addr, reply)
	}

	if again := Redis(t); again != addr {
		t.Fatalf("second Redis call = %s, want the shared server %s", again, addr)
	}
}

func TestRedisHasNoPersistence(t *testing.T) {
	addr := Redis(t)

	for name, want := range map[string]string{"save": "", "appendonly": "no", "protected-mode": "yes", "bind": "127.0.0.1"} {
		got, err := configGet(addr, name)
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v", name, err)
		}

		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestRedisClusterIsUp(t *testing.T) {
	addrs := RedisCluster(t)

	if len(addrs) != 3 {
		t.Fatalf("RedisCluster returned %d addresses, want 3", len(addrs))
	}

	for _, addr := range addrs {
		info, err := redisCommand(addr, "CLUSTER", "INFO")
		if err != nil {
			t.Fatalf("CLUSTER INFO %s: %v", addr, err)
		}

		for field, want := range map[string]string{"cluster_state": "ok", "cluster_known_nodes": "3", "cluster_size": "3", "cluster_slots_assigned": "16384"} {
			if got := infoField(info, field); got != want {
				t.Errorf("%s: %s = %q, want %q", addr, field, got, want)
			}
		}
	}

	// Exactly one master owns the slot of a key; the others redirect a
	// write to it with MOVED.
	accepted := 0
	for _, addr := range addrs {
		_, err := redisCommand(addr, "SET", "testserver:cluster", "v")
		switch {
		case err == nil:
			accepted++
		case !strings.Contains(err.Error(), "MOVED"):
			t.Errorf("SET on %s: %v, want OK or MOVED", addr, err)
		}
	}

	if accepted != 1 {
		t.Errorf("%d masters accepted the SET, want exactly 1", accepted)
	}
}

func TestStartRedisRestartKeepsAOF(t *testing.T) {
	server := StartRedis(t, RedisConfig{AOF: true})
	addr := server.Addr()

	if _, err := redisCommand(addr, "SET", "kept", "value"); err != nil {
		t.Fatalf("SET: %v", err)
	}

	server.Kill()

	if _, err := redisCommand(addr, "PING"); err == nil {
		t.Fatal("PING succeeded after Kill")
	}

	server.Restart(t)

	if server.Addr() != addr {
		t.Fatalf("address after Restart = %s, want %s", server.Addr(), addr)
	}

	got, err := redisCommand(addr, "GET", "kept")
	if err != nil {
		t.Fatalf("GET after Restart: %v", err)
	}

	if got != "value" {
		t.Fatalf("GET after Restart = %q, want %q", got, "value")
	}
}

func TestStartRedisRestartWithoutAOFIsEmpty(t *testing.T) {
	server := StartRedis(t, RedisConfig{})

	if _, err := redisCommand(server.Addr(), "SET", "lost", "value"); err != nil {
		t.Fatalf("SET: %v", err)
	}

	server.Stop()
	server.Stop()
	server.Restart(t)

	size, err := redisCommand(server.Addr(), "DBSIZE")
	if err != nil {
		t.Fatalf("DBSIZE: %v", err)
	}

	if size != "0" {
		t.Fatalf("DBSIZE after Restart without AOF = %s, want 0", size)
	}
}

func TestRedisBusyPortDetected(t *testing.T) {
	RequireBinary(t, "redis-server", "redis-server")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	port := l.Addr().(*net.TCPAddr).Port

	_, err = startRedisProcess("redis-server", t.TempDir(), port, "", nil)
	if !errors.Is(err, errPortInUse) {
		t.Fatalf("start on the busy port %d = %v, want errPortInUse", port, err)
	}
}

func TestStartRedisStopClosesPort(t *testing.T) {
	server := StartRedis(t, RedisConfig{})
	addr := server.Addr()

	server.Stop()

	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after Stop", addr)
	}
}

// configGet returns the value of one configuration parameter. CONFIG GET
// replies with an array, which redisCommand does not read, so this reads
// the two bulk strings itself.
func configGet(addr, name string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}

	request := "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$" + strconv.Itoa(len(name)) + "\r\n" + name + "\r\n"
	if _, err := conn.Write([]byte(request)); err != nil {
		return "", err
	}

	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return "", err
	}

	// The reply is *2 $len name $len value, one element a line.
	lines := strings.Split(string(buf[:n]), "\r\n")
	if len(lines) < 5 || lines[0] != "*2" {
		return "", errors.New("unexpected CONFIG GET reply " + strconv.Quote(string(buf[:n])))
	}

	return lines[4], nil
}

func TestStartRedisSentinelMonitorsMaster(t *testing.T) {
	setup := StartRedisSentinel(t)

	info, err := redisCommand(setup.Sentinel.Addr(), "INFO", "sentinel")
	if err != nil {
		t.Fatalf("INFO sentinel: %v", err)
	}

	status := infoField(info, "master0")
	if !strings.Contains(status, "address="+setup.Master.Addr()) {
		t.Errorf("Sentinel status %q does not name the master %s", status, setup.Master.Addr())
	}

	role, err := redisCommand(setup.Replica.Addr(), "INFO", "replication")
	if err != nil {
		t.Fatal(err)
	}

	if got := infoField(role, "role"); got != "slave" {
		t.Errorf("replica role = %q, want slave", got)
	}
}
