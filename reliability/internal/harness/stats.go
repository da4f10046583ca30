package harness

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// statTimeout bounds one statistics request to a local test server.
const statTimeout = 5 * time.Second

// MemcachedStats returns the numeric fields of memcached's "stats" reply,
// read over a connection of its own.
func MemcachedStats(tb testing.TB, addr string) map[string]int64 {
	tb.Helper()

	lines := request(tb, addr, "stats\r\n", "END")
	stats := map[string]int64{}

	for _, line := range lines {
		fields := strings.Fields(line)
		if len(fields) != 3 || fields[0] != "STAT" {
			continue
		}

		if n, err := strconv.ParseInt(fields[2], 10, 64); err == nil {
			stats[fields[1]] = n
		}
	}

	return stats
}

// RedisInfo returns the numeric fields of Redis's INFO reply for section,
// read over a connection of its own with the inline protocol.
func RedisInfo(tb testing.TB, addr, section string) map[string]int64 {
	tb.Helper()

	lines := request(tb, addr, "INFO "+section+"\r\n", "")
	info := map[string]int64{}

	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}

		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			info[name] = n
		}
	}

	return info
}

// request sends one command and returns the reply's lines. With an empty
// end it reads one RESP bulk string, the form of an INFO reply.
func request(tb testing.TB, addr, command, end string) []string {
	tb.Helper()

	conn, err := net.DialTimeout("tcp", addr, statTimeout)
	if err != nil {
		tb.Fatalf("connect to %s for statistics: %v", addr, err)
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(statTimeout)); err != nil {
		tb.Fatalf("set deadline on %s: %v", addr, err)
	}

	if _, err := conn.Write([]byte(command)); err != nil {
		tb.Fatalf("send %q to %s: %v", strings.TrimSpace(command), addr, err)
	}

	r := bufio.NewReader(conn)

	if end == "" {
		return readBulk(tb, r, addr)
	}

	var lines []string

	for {
		line, err := r.ReadString('\n')
		if err != nil {
			tb.Fatalf("read statistics from %s: %v", addr, err)
		}

		line = strings.TrimRight(line, "\r\n")
		if line == end {
			return lines
		}

		lines = append(lines, line)
	}
}

func readBulk(tb testing.TB, r *bufio.Reader, addr string) []string {
	tb.Helper()

	header, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(header, "$") {
		tb.Fatalf("read INFO from %s: reply starts %q, %v", addr, header, err)
	}

	size, err := strconv.Atoi(strings.TrimSpace(header[1:]))
	if err != nil {
		tb.Fatalf("read INFO from %s: bad length in %q", addr, header)
	}

	body := make([]byte, size+2)
	if _, err := io.ReadFull(r, body); err != nil {
		tb.Fatalf("read INFO from %s: %v", addr, err)
	}

	return strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
}
