#!/usr/bin/env bash
# bertbatch run against its own engine and against sentence-transformers, in one call on the GPU
# machine, for each shape of E2E_SHAPES (default "minilm-l6 bert-base"; random weights, float16):
#
#   engine      gpuprof -pack 107520 -inflight 2 on E2E_BIG (200,000) rows of the log-normal mix
#               (lengths exp(N(4, 0.6)) clipped to 8..256, mean ≈ 64): the engine's steady tokens/s
#   tokens      bertbatch run, Parquet → Parquet, on E2E_BIG and E2E_SMALL (20,000) pre-tokenized rows
#               of the same mix (after one uncounted run that compiles the kernels)
#   text        bertbatch run from text on E2E_BIG real texts (bench/make_texts.py: English prose
#               of package documentation and the demo's fortunes, repeated to E2E_BIG rows)
#   st          sentence-transformers encode, float16, batch 256, on the same texts and model folder
#               (bench/peer_st_e2e.py)
#
# then prints one table with the ratios of the bars: tokens run ≥ 90% (E2E_BIG) and ≥ 60% (E2E_SMALL)
# of the engine's tokens/s, text ≥ 70%, and text rows/s ≥ 10× (minilm-l6) / 4× (bert-base) ST's.
# bertbatch's rates are its summary's (load excluded); each line of results.jsonl also holds the wall
# time and the run's timeline.
#
# On the GPU machine, after bench/gpu_pack.sh here (it puts bertbatch, the texts and the tokenizer
# into .gpu), in one call:
#
#   bench/device_run.sh setup "x bench/gpu_e2e.sh"
#
# Dry run of the host side on the CPU (small sizes, float32):
#
#   E2E_DEVICE=cpu E2E_DTYPE=float32 E2E_BIG=600 E2E_SMALL=200 E2E_PACK=4096 bench/gpu_e2e.sh
#
# Knobs: E2E_SHAPES, E2E_BIG, E2E_SMALL, E2E_DEVICE (gpu), E2E_DTYPE (float16), E2E_PACK (107520:
# gpuprof -pack and batching.max_tokens), E2E_WINDOW (sort_window, 20000), E2E_INFLIGHT (bertbatch
# run --inflight, 0: the device's default), E2E_WORK (/tmp/gpu-e2e), E2E_SKIP (steps to leave out:
# engine tokens text st), PYTHON (python3), GPU_BASE, GPU_PACK_DIR, OUT.
set -uo pipefail
base=${GPU_BASE:-/tmp/bertbatch-gpu}
pack=${GPU_PACK_DIR:-.gpu}
export LD_LIBRARY_PATH=$base/site/mlx/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} PATH=$base/bin:$PATH
py=${PYTHON:-python3}
shapes=${E2E_SHAPES:-minilm-l6 bert-base}
big=${E2E_BIG:-200000} small=${E2E_SMALL:-20000}
device=${E2E_DEVICE:-gpu} dtype=${E2E_DTYPE:-float16}
budget=${E2E_PACK:-107520} window=${E2E_WINDOW:-20000} inflight=${E2E_INFLIGHT:-0}
work=${E2E_WORK:-/tmp/gpu-e2e}
out=${OUT:-$work/out}
skip=" ${E2E_SKIP:-} "
want() { [[ "$skip" != *" $1 "* ]]; }
say() { echo "== $(date +%T) $*" >&2; }
mkdir -p "$work" "$out"
results=$out/e2e.jsonl
: >"$results"
for f in "$pack/e2e/texts.parquet" "$pack/e2e/tokenizer/tokenizer.json"; do
	[ -f "$f" ] || { echo "gpu_e2e: $f is missing: run bench/gpu_pack.sh here first" >&2; exit 2; }
done
command -v bertbatch >/dev/null || { echo "gpu_e2e: no bertbatch on PATH ($base/bin): run bench/device_run.sh setup" >&2; exit 2; }

say "inputs: $big and $small token rows, $big texts, model folders"
"$py" - "$work" "$big" "$small" "$pack/e2e/texts.parquet" <<'PY' || exit 1
import sys, pathlib
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
work, big, small, texts = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def tokens(n, path):
    if path.exists() and pq.read_metadata(path).num_rows == n:
        return
    rng = np.random.default_rng(7)
    lens = np.clip(np.exp(rng.normal(4.0, 0.6, n)), 8, 256).astype(int)
    ids = [np.concatenate(([101], rng.integers(1000, 30522, l - 2), [102])).astype(np.int32) for l in lens]
    pq.write_table(pa.table({"id": np.arange(n, dtype=np.int64), "input_ids": pa.array(ids, pa.list_(pa.int32()))}),
                   path, compression="zstd", row_group_size=10000)
tokens(big, work / f"tokens-{big}.parquet")
tokens(small, work / f"tokens-{small}.parquet")
distinct = pq.read_table(texts).column("text").to_pylist()
rows = (distinct * (big // len(distinct) + 1))[:big]
pq.write_table(pa.table({"id": np.arange(big, dtype=np.int64), "text": pa.array(rows, pa.string())}),
               work / f"texts-{big}.parquet", compression="zstd", row_group_size=10000)
PY
"$py" bench/make_e2e_models.py "$work/models" "$pack/e2e/tokenizer" $shapes || exit 1

# run NAME SHAPE INPUT COLUMNS: one bertbatch run, its summary as a JSON line.
run() {
	local name=$1 shape=$2 input=$3 columns=$4
	cat >"$work/$name.yaml" <<YAML
model: {ref: $work/models/$shape, device: $device, dtype: $dtype}
input: {paths: [$input], $columns, passthrough: [id]}
output: {dir: $work/out-$name, pooling: mean, normalize: false}
batching: {max_tokens: $budget, max_batch_size: 8192, sort_window: $window}
workers: 1
YAML
	local start end
	start=$(date +%s.%N)
	if ! bertbatch run --overwrite --quiet --inflight "$inflight" "$work/$name.yaml" >"$work/$name.log" 2>&1; then
		echo "gpu_e2e: bertbatch run $name failed:" >&2
		tail -5 "$work/$name.log" >&2
		return 1
	fi
	end=$(date +%s.%N)
	"$py" - "$work/out-$name/_summary.json" "$name" "$shape" "$start" "$end" <<'PY' | tee -a "$results"
import json, sys
s = json.load(open(sys.argv[1]))
print(json.dumps({"bench": "e2e-run", "name": sys.argv[2], "shape": sys.argv[3], "rows": s["rows"], "tokens": s["tokens"],
                  "rows_per_s": round(s["rows_per_second"], 1), "tokens_per_s": round(s["tokens_per_second"]),
                  "seconds": round(s["seconds"], 3), "load_seconds": round(s["load_seconds"], 3),
                  "wall_seconds": round(float(sys.argv[5]) - float(sys.argv[4]), 3), "timeline": s.get("timeline")}))
PY
}

fail=0
for shape in $shapes; do
	if want engine; then
		say "$shape: engine (gpuprof -pack $budget -inflight 2, $big rows)"
		gpuprof -shape "$shape" -device "$device" -dtype "$dtype" -rows "$big" -pack "$budget" -inflight 2 |
			"$py" -c "import json,sys; r=json.loads(sys.stdin.read()); r.update(bench='e2e-engine', shape='$shape'); print(json.dumps(r))" |
			tee -a "$results" || fail=1
	fi
	if want tokens; then
		say "$shape: bertbatch run on token ids (first an uncounted run: kernels)"
		run "warm-$shape" "$shape" "$work/tokens-$small.parquet" "input_ids_column: input_ids" >/dev/null || fail=1
		run "tokens-$small-$shape" "$shape" "$work/tokens-$small.parquet" "input_ids_column: input_ids" || fail=1
		run "tokens-$big-$shape" "$shape" "$work/tokens-$big.parquet" "input_ids_column: input_ids" || fail=1
	fi
	if want text; then
		say "$shape: bertbatch run from text"
		run "text-$big-$shape" "$shape" "$work/texts-$big.parquet" "text_column: text" || fail=1
	fi
	if want st; then
		say "$shape: sentence-transformers encode"
		st_device=cuda
		[ "$device" = cpu ] && st_device=cpu
		"$py" bench/peer_st_e2e.py "$work/models/$shape" "$work/texts-$big.parquet" "$st_device" 256 2>"$work/st-$shape.log" |
			"$py" -c "import json,sys; r=json.loads(sys.stdin.read()); r['shape']='$shape'; print(json.dumps(r))" |
			tee -a "$results" || { fail=1; tail -5 "$work/st-$shape.log" >&2; }
	fi
done
# The table goes to stderr (device_run.sh records stdout as JSON lines) and to $OUT/e2e.md.
"$py" bench/e2e_table.py "$results" "$big" "$small" >"$out/e2e.md" || fail=1
cat "$out/e2e.md" >&2
exit $fail
