#!/usr/bin/env bash
# Runs every fuzz target of the project, one after the other, for FUZZTIME each (an execution
# count such as 200000x, or a duration such as 60s).
# Usage: scripts/fuzz.sh [FUZZTIME]
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-200000x}
targets=(
  "./bert/checkpoint FuzzSafetensorsHeader"
  "./bert/checkpoint FuzzUnpickle"
  "./bert/checkpoint FuzzNPY"
  "./bert/wordpiece FuzzEncode"
  "./bert/autotokenizer FuzzEncode"
  "./jobs FuzzParse"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $name ($pkg, $time)"
  go test -run '^$' -fuzz "^$name\$" -fuzztime "$time" "$pkg"
done
