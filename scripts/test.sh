#!/usr/bin/env bash
# Runs every test of anykv, with the race detector, against real servers.
#
# The tests start their own redis-server and memcached processes on free
# loopback ports in temporary folders, and stop them when they finish. This
# script installs the two servers from Debian's packages when they are
# missing and it runs as root; otherwise the backend tests skip with a
# message, unless CI=true, where a missing server fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v memcached >/dev/null || need+=(memcached)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing ${need[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test.sh: ${need[*]} missing and cannot install them (not root, or no apt-get); backend tests will skip" >&2
  fi
fi

echo "test.sh: go vet"
go vet ./...
if [ -f bench/go.mod ]; then
  (cd bench && go vet ./...)
fi

# go test runs verbose into a log so that the summary below can count
# every test and subtest; the terminal gets one line per package.
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "test.sh: go test -race"
status=0
go test -race -count=1 -timeout 30m -v ./... >"$log" 2>&1 || status=$?

# The router examples are a module of their own, so that anykv does not
# depend on chi or gorilla/mux; ./... above does not reach them.
echo "test.sh: go test -race in examples/routers"
(cd examples/routers && go vet ./... && go test -race -count=1 -v ./...) >>"$log" 2>&1 || status=$?

grep -E '^(ok|FAIL|\?|---) ' "$log" | grep -v '^--- PASS' | grep -v '^--- SKIP' || true
if [ "$status" -ne 0 ]; then
  echo "test.sh: go test failed; the failing tests' output:"
  grep -E -B2 -A20 -e '--- FAIL' -e '^panic:' -e 'build failed' "$log" | head -300
fi

passed=$(grep -c -E '^ *--- PASS' "$log" || true)
failed=$(grep -c -E '^ *--- FAIL' "$log" || true)
skipped=$(grep -c -E '^ *--- SKIP' "$log" || true)
echo "test.sh: tests and subtests: $passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] || exit "$status"

if [ -f bench/go.mod ]; then
  # One iteration of every benchmark, so that bench/ cannot rot; the
  # measured runs are scripts/bench.sh's.
  echo "test.sh: benchmark smoke run"
  if ! (cd bench && go test -run '^$' -bench . -benchtime 1x ./...) >"$log" 2>&1; then
    cat "$log"
    exit 1
  fi
  grep -E '^(ok|FAIL|\?) ' "$log" || true
fi

if [ -f scripts/fuzz.sh ]; then
  echo "test.sh: short fuzz runs"
  # A count of inputs, not a duration: with -fuzztime 5s, go test
  # sometimes failed a clean run with "context deadline exceeded" as the
  # time ran out.
  bash scripts/fuzz.sh 50000x
fi

echo "test.sh: $passed passed, $failed failed"
