#!/usr/bin/env bash
# Rows/s of one job run as N = 1 and N = 2 local CPU processes on the same input (docs/scale-out.md).
# Each process uses one worker; wall time includes each process's model load. Usage: scripts/scaleout-figure.sh [ROWS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-4000}
eval "$(make -s -C "$root" env 2>/dev/null)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/bertbatch" ./cmd/bertbatch)
"$BERTBATCH_PYTHON" - "$work/in" "$rows" <<'PY'
import json, os, random, sys
out, rows = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
words = "the water people first day night house small great world city school team river light paper music".split()
rng = random.Random(7)
for f in range(4):
    with open(f"{out}/f{f}.jsonl", "w") as fh:
        for r in range(rows // 4):
            fh.write(json.dumps({"id": f * 1_000_000 + r, "text": " ".join(rng.choice(words) for _ in range(rng.randint(8, 40)))}) + "\n")
PY
job() { # job NAME: a job file writing into $work/NAME
  printf 'model: {ref: %s}\ninput: {paths: [%s], text_column: text, passthrough: [id]}\noutput: {dir: %s, rows_per_file: 250}\nworkers: 1\n' \
    "$BERTBATCH_MODEL_DIR" "$work/in" "$work/$1" > "$work/$1.yaml"
  echo "$work/$1.yaml"
}
now() { date +%s.%N; }
j1=$(job one); t0=$(now)
"$work/bertbatch" run --quiet "$j1" > /dev/null
t1=$(now)
j2=$(job two); t2=$(now)
"$work/bertbatch" run --quiet --shard 0/2 "$j2" > /dev/null & p0=$!
"$work/bertbatch" run --quiet --shard 1/2 "$j2" > /dev/null & p1=$!
wait $p0 && wait $p1
t3=$(now)
"$work/bertbatch" commit "$work/two" "$j2"
"$BERTBATCH_PYTHON" - "$work" "$rows" "$t0" "$t1" "$t2" "$t3" <<'PY'
import glob, json, sys
work, rows = sys.argv[1], int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:])
def shards(pattern):
    for p in sorted(glob.glob(f"{work}/{pattern}")):
        s = json.load(open(p))
        print(f"  {p.split('/')[-1]}: {s['rows']} rows, load {s['load_seconds']:.2f} s, {s['rows_per_second']:.1f} rows/s after load")
print(f"N=1: {rows} rows in {t1 - t0:.1f} s wall = {rows / (t1 - t0):.1f} rows/s")
shards("one/_summary.json")
print(f"N=2: {rows} rows in {t3 - t2:.1f} s wall = {rows / (t3 - t2):.1f} rows/s")
shards("two/_summary-*.json")
PY
