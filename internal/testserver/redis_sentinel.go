package testserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sentinelReadyTimeout bounds how long a new Sentinel may take to find
// the master and its replica.
const sentinelReadyTimeout = 30 * time.Second

// RedisSentinel is a master, one replica of it and one Sentinel that
// monitors them with a quorum of 1, all belonging to one test. Killing the
// master makes the Sentinel promote the replica a few seconds later (7 s
// in one run on a loaded two-core machine).
type RedisSentinel struct {
	// MasterName is the name under which the Sentinel monitors the master.
	MasterName string

	Master   *RedisServer
	Replica  *RedisServer
	Sentinel *RedisServer
}

// StartRedisSentinel starts a master, a replica and a Sentinel on free
// 127.0.0.1 ports, waits until the Sentinel has found the replica, and
// stops all three when tb ends. It skips or fails the test, as
// RequireBinary does, when redis-server is missing.
func StartRedisSentinel(tb testing.TB) *RedisSentinel {
	tb.Helper()

	const masterName = "testmaster"

	master := StartRedis(tb, RedisConfig{})
	replica := StartRedis(tb, RedisConfig{Args: []string{"--replicaof", "127.0.0.1", strconv.Itoa(master.port)}})

	sentinel := startSentinel(tb, masterName, master.port)

	if err := waitSentinelReady(sentinel.Addr(), masterName); err != nil {
		tb.Fatalf("Sentinel %s: %v", sentinel.Addr(), err)
	}

	return &RedisSentinel{MasterName: masterName, Master: master, Replica: replica, Sentinel: sentinel}
}

// startSentinel starts a Sentinel that monitors the master on masterPort.
// A Sentinel rewrites its configuration file, so the file lives in the
// Sentinel's own folder.
func startSentinel(tb testing.TB, masterName string, masterPort int) *RedisServer {
	tb.Helper()

	binary := RequireBinary(tb, "redis-server", "redis-server")
	dir := tb.TempDir()
	configFile := filepath.Join(dir, "sentinel.conf")

	config := fmt.Sprintf(strings.Join([]string{
		"sentinel monitor %[1]s 127.0.0.1 %[2]d 1",
		"sentinel down-after-milliseconds %[1]s 1000",
		"sentinel failover-timeout %[1]s 10000",
		"",
	}, "\n"), masterName, masterPort)
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		tb.Fatalf("write the Sentinel configuration: %v", err)
	}

	args := []string{"--sentinel"}

	process, err := startRedisOnFreePort(binary, dir, configFile, args)
	if err != nil {
		tb.Fatalf("start the Sentinel: %v", err)
	}

	server := &RedisServer{binary: binary, dir: dir, port: process.port, configFile: configFile, args: args, process: process}
	tb.Cleanup(server.Stop)

	return server
}

// waitSentinelReady polls INFO sentinel until the Sentinel reports the
// master up with one replica, the state in which it can fail over.
func waitSentinelReady(addr, masterName string) error {
	deadline := time.Now().Add(sentinelReadyTimeout)

	for {
		info, err := redisCommand(addr, "INFO", "sentinel")
		if err == nil {
			status := infoField(info, "master0")
			if strings.Contains(status, "name="+masterName+",status=ok") && strings.Contains(status, "slaves=1") {
				return nil
			}

			err = fmt.Errorf("master0:%s", status)
		}

		if time.Now().After(deadline) {
			return fmt.Errorf("no master with one replica within %v: %w", sentinelReadyTimeout, err)
		}

		time.Sleep(50 * time.Millisecond)
	}
}
