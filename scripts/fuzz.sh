#!/usr/bin/env bash
# Runs every fuzz target for a short time each, as in: bash scripts/fuzz.sh 5s
#
# go test -fuzz takes one target of one package at a time, so this script
# runs them one after another. DURATION is a Go duration (default 5s) or a
# count of executions such as 1000x. The seed corpora under each
# package's testdata/fuzz also run in every plain go test.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-5s}"

# Each line: package and target.
targets=(
  "./kv FuzzValidateKey"
  "./kv FuzzOpen"
  "./kv/bolt FuzzURL"
  "./jwtrevoke FuzzJTIKey"
  "./jwtrevoke FuzzDecodeRecord"
  "./jwtrevoke FuzzParseBearer"
  "./jwtrevoke FuzzScanClaims"
)

for entry in "${targets[@]}"; do
  read -r pkg target <<<"$entry"
  echo "fuzz.sh: $target in $pkg for $duration"
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" "$pkg"
done
