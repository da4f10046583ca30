package testserver_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
)

// memcachedCommand sends one text-protocol command to addr and returns the
// first line of the reply, without its line ending.
func memcachedCommand(t *testing.T, addr, command string) string {
	t.Helper()

	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("connect to memcached at %s: %v", addr, err)
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}

	if _, err := conn.Write([]byte(command)); err != nil {
		t.Fatalf("send %q to %s: %v", command, addr, err)
	}

	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("read the reply to %q from %s: %v", command, addr, err)
	}

	return strings.TrimRight(line, "\r\n")
}

func setValue(t *testing.T, addr, key, value string) {
	t.Helper()

	reply := memcachedCommand(t, addr, fmt.Sprintf("set %s 0 0 %d\r\n%s\r\n", key, len(value), value))
	if reply != "STORED" {
		t.Fatalf("set %s on %s: reply %q, want STORED", key, addr, reply)
	}
}

func TestMemcachedSharedAndServing(t *testing.T) {
	first := testserver.Memcached(t)
	second := testserver.Memcached(t)

	if first != second {
		t.Fatalf("Memcached returned %s, then %s; want one shared server", first, second)
	}

	if !strings.HasPrefix(first, "127.0.0.1:") {
		t.Errorf("address %s is not on 127.0.0.1", first)
	}

	setValue(t, first, "testserver:shared", "v")

	reply := memcachedCommand(t, first, "get testserver:shared\r\n")
	if reply != "VALUE testserver:shared 0 1" {
		t.Errorf("get reply %q, want the stored value", reply)
	}
}

func TestMemcachedPoolDistinct(t *testing.T) {
	pool := testserver.MemcachedPool(t)
	shared := testserver.Memcached(t)

	if len(pool) != 2 {
		t.Fatalf("MemcachedPool returned %d addresses, want 2", len(pool))
	}

	seen := map[string]bool{shared: true}
	for _, addr := range pool {
		if seen[addr] {
			t.Errorf("address %s is used twice among %v and %s", addr, pool, shared)
		}

		seen[addr] = true

		if reply := memcachedCommand(t, addr, "version\r\n"); !strings.HasPrefix(reply, "VERSION ") {
			t.Errorf("version reply from %s is %q", addr, reply)
		}
	}

	again := testserver.MemcachedPool(t)
	if again[0] != pool[0] || again[1] != pool[1] {
		t.Errorf("second MemcachedPool call returned %v, want %v", again, pool)
	}
}

func TestMemcachedRestartKeepsAddressLosesData(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{MemoryMB: 16})
	addr := server.Addr()

	setValue(t, addr, "before-restart", "v")
	server.Restart(t)

	if server.Addr() != addr {
		t.Fatalf("address changed from %s to %s on restart", addr, server.Addr())
	}

	if reply := memcachedCommand(t, addr, "get before-restart\r\n"); reply != "END" {
		t.Errorf("get after restart replied %q, want END (a miss)", reply)
	}
}

func TestMemcachedStopRefusesConnections(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{})
	server.Stop()
	server.Stop()

	conn, err := net.DialTimeout("tcp", server.Addr(), time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("%s accepted a connection after Stop", server.Addr())
	}
}

func TestMemcachedMaxItemSize(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{MaxItemSize: "2m"})

	// At the default limit of 1 MiB the server rejects this value.
	value := strings.Repeat("x", 1_500_000)
	setValue(t, server.Addr(), "big", value)
}

func TestMemcachedPauseAndResume(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{})
	server.Pause(t)

	conn, err := net.DialTimeout("tcp", server.Addr(), time.Second)
	if err != nil {
		t.Fatalf("connect to the paused server: %v", err)
	}
	defer conn.Close()

	if _, err := conn.Write([]byte("version\r\n")); err != nil {
		t.Fatal(err)
	}

	reader := bufio.NewReader(conn)

	if err := conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}

	if line, err := reader.ReadString('\n'); err == nil {
		t.Fatalf("the paused server replied %q", line)
	}

	server.Resume(t)

	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}

	line, err := reader.ReadString('\n')
	if err != nil {
		t.Fatalf("no reply after Resume: %v", err)
	}

	if !strings.HasPrefix(line, "VERSION ") {
		t.Errorf("reply after Resume is %q, want VERSION", line)
	}
}
