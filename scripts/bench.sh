#!/usr/bin/env bash
# Regenerates BENCHMARKS.md and its two charts from one run of the
# benchmarks in bench/.
#
# Every benchmark runs COUNT times, one full round after another, so that
# a slow spell of a shared machine hits every implementation alike. The
# ratios on the page divide medians from this one run.
#
# Environment:
#   COUNT              rounds of every benchmark (default 6)
#   BENCHTIME          go test -benchtime of each benchmark (default 200ms)
#   ANYKV_BENCH_SCALE  tokens for the scale test, such as 1000000; when
#                      unset, the page keeps the scale results of the last
#                      run that set it (bench/results/scale.json)
#   REPORT_ONLY=1      run nothing and rewrite the page from the results
#                      kept in bench/results
#
# redis-server and memcached must be installed; as root, the script
# installs them from Debian's packages, as scripts/test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-6}
benchtime=${BENCHTIME:-200ms}
results=bench/results
benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v memcached >/dev/null || need+=(memcached)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench.sh: installing ${need[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "bench.sh: ${need[*]} missing; install them first" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$results"

echo "bench.sh: building the benchmark binary and benchstat"
(cd bench && go test -c -o "$tmp/bench.test" .)
(cd bench && GOBIN="$tmp" go install "golang.org/x/perf/cmd/benchstat@$benchstat_version")

if [ "${REPORT_ONLY:-}" != 1 ]; then

{
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores visible to Go (GOMAXPROCS $(nproc))"
  echo "- Memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; kernel $(uname -r)"
  echo "- $(go version)"
  echo "- $(redis-server --version | cut -d' ' -f1-3); $(memcached -V)"
  echo "- Run on $(date -u '+%Y-%m-%d %H:%M UTC'): COUNT=$count, BENCHTIME=$benchtime"
} > "$results/machine.txt"

bench_args=(-test.run '^$' -test.bench . -test.benchtime "$benchtime" -test.timeout 60m)
: > "$results/bench.txt"
for round in $(seq "$count"); do
  echo "bench.sh: round $round of $count"
  (cd bench && "$tmp/bench.test" "${bench_args[@]}") >> "$results/bench.txt"
done

echo "bench.sh: counting round trips, writes and stored bytes"
(cd bench && "$tmp/bench.test" -test.run 'TestCheckRoundTrips|TestIssueRoundTrips|TestTrackedTokenBytes|TestLogoutEverywhereOneWrite' -test.v) > "$results/counts.txt"

if [ -n "${ANYKV_BENCH_SCALE:-}" ]; then
  echo "bench.sh: scale test with $ANYKV_BENCH_SCALE tokens"
  (cd bench && ANYKV_BENCH_OUT="$PWD/results" "$tmp/bench.test" -test.run TestScale -test.v -test.timeout 60m) > "$results/scale.txt"
fi

echo "bench.sh: profiles"
: > "$results/profiles.txt"
for profile in \
  'BenchmarkKV/backend=memory/op=get-hit/value=64/impl=anykv$' \
  'BenchmarkJWTCheck/alg=HS256/backend=memory/impl=anykv-track-all$' \
  'BenchmarkJWTCheck/alg=HS256/backend=memory/impl=golang-jwt$'; do
  (cd bench && "$tmp/bench.test" -test.run '^$' -test.bench "$profile" -test.benchtime 2s -test.cpuprofile "$tmp/cpu.prof") > /dev/null
  {
    echo "### $profile"
    echo
    echo '```'
    go tool pprof -top -cum -nodecount 30 "$tmp/bench.test" "$tmp/cpu.prof" 2>/dev/null | sed -n '/flat%/,$p'
    echo '```'
    echo
  } >> "$results/profiles.txt"
done

fi

# Each benchmark's columns start with its floor, which benchstat then
# compares every other implementation with.
{
  "$tmp/benchstat" -filter '.name:KV' -col '/impl@(raw anykv gokv gokv-json gofiber raw-batch)' "$results/bench.txt"
  echo
  "$tmp/benchstat" -filter '.name:(JWTCheck OR JWTIssue)' -table .name -col '/impl@(golang-jwt golang-jwt+get anykv-track-all anykv-denylist)' "$results/bench.txt"
  echo
  "$tmp/benchstat" -filter '.name:JWTRevoke' -col '/impl@(raw-put anykv-track-all anykv-denylist anykv)' "$results/bench.txt"
} > "$results/benchstat.txt"

scale_args=()
if [ -f "$results/scale.json" ]; then
  scale_args=(-scale "$PWD/$results/scale.json" -latency-chart "$PWD/BENCHMARKS-scale.png")
fi

(cd bench && go run ./cmd/report \
  -bench "$PWD/results/bench.txt" \
  -benchstat "$PWD/results/benchstat.txt" \
  -counts "$PWD/results/counts.txt" \
  -profiles "$PWD/results/profiles.txt" \
  -machine "$PWD/results/machine.txt" \
  -template BENCHMARKS.md.tmpl \
  -out ../BENCHMARKS.md \
  -ratio-chart ../BENCHMARKS-ratios.png \
  "${scale_args[@]}")

echo "bench.sh: wrote BENCHMARKS.md, BENCHMARKS-ratios.png and the raw results in $results"
