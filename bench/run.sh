#!/usr/bin/env bash
# `make bench`: every figure in one run on this machine, bertbatch beside its peers, printed as
# markdown tables (bench/report.py). Results land in bench/results/<time>/ (git-ignored).
#
# Knobs: BENCH_ROWS (token-workload rows, default 2000), BENCH_THREADS (default: all cores),
# BENCH_LARGE_ROWS (rows for bert-base/bert-large shapes, default 64), BENCH_MPNET_ROWS (texts for
# all-mpnet-base-v2, default 256), BENCH_RSS_ROWS (default "100000 1000000"), BENCH_SKIP (space-separated
# step names to skip: blas peers mpnet shapes rss tokenizer),
# BENCH_QUANT=1 (also time 8-bit weights and their cosine against float32).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BERTBATCH_PYTHON:?run through make bench}" "${BERTBATCH_MODEL_DIR:?run through make bench}"
: "${BERTBATCH_MPNET_DIR:?run through make bench}"
out=${BENCH_OUT:-bench/results/$(date -u +%Y%m%d-%H%M%S)}
rows=${BENCH_ROWS:-2000}
threads=${BENCH_THREADS:-$(nproc)}
large_rows=${BENCH_LARGE_ROWS:-64}
mpnet_rows=${BENCH_MPNET_ROWS:-256}
rss_rows=${BENCH_RSS_ROWS:-100000 1000000}
skip=" ${BENCH_SKIP:-} "
py=$BERTBATCH_PYTHON ref=.venv-ref/bin/python model=$BERTBATCH_MODEL_DIR mpnet=$BERTBATCH_MPNET_DIR
res=$out/results.jsonl
mkdir -p "$out"
out=$(cd "$out" && pwd)
res=$out/results.jsonl
: >"$res"
want() { [[ "$skip" != *" $1 "* ]]; }
log() { echo "== $*" >&2; }

log "machine"
"$py" - "$threads" >>"$res" <<'PY'
import json, platform, subprocess, sys, datetime
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(json.dumps({"bench": "machine", "date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu,
                  "cores": int(sys.argv[1]), "os": platform.platform()}))
PY
log "workloads"
# shellcheck disable=SC2086
"$py" bench/make_workloads.py "$out/work" "$rows" $rss_rows >&2

if want blas; then
  log "sgemm through MLX: the wheel's bundled reference BLAS vs OpenBLAS"
  bench/blas.sh "$out/blas-venv" >>"$res"
fi

log "matmul peak (bertbench -peak)"
bin/bertbench -peak >>"$res"

log "bertbatch model only: all-MiniLM-L6-v2 on the token workload"
for w in 1 2; do
  bin/bertbench -model "$model" -lengths "$out/work/lengths.txt" -workers "$w" -max-tokens 8192 >>"$res"
done

e2e() { # name job.yaml
  /usr/bin/time -f '%M' -o "$out/$1.rss" bin/bertbatch run --overwrite --quiet "$2" >/dev/null
  "$py" - "$1" "$out/$1.rss" "$(dirname "$2")/out-$1/_summary.json" >>"$res" <<'PY'
import json, sys
s = json.load(open(sys.argv[3]))
rss = int(open(sys.argv[2]).read().split()[-1]) // 1024
print(json.dumps({"bench": "e2e", "name": sys.argv[1], "rows": s["rows"], "tokens": s["tokens"], "seconds": round(s["seconds"], 2),
                  "rows_per_s": round(s["rows_per_second"], 1), "tokens_per_s": round(s["tokens_per_second"]),
                  "padding_ratio": round(s["padding_ratio"], 3), "workers": s["workers"], "peak_rss_mb": rss}))
PY
}
job() { # name model input column-spec
  cat >"$out/$1.yaml" <<YAML
model: {ref: $2}
input: {paths: [$3], $4}
output: {dir: out-$1}
YAML
  echo "$out/$1.yaml"
}
log "bertbatch end to end (Parquet -> Parquet)"
e2e tokens "$(job tokens "$model" "$out/work/tokens.parquet" "passthrough: [id]")"
e2e texts "$(job texts "$model" "$out/work/texts.parquet" "text_column: text, passthrough: [id]")"

if want peers; then
  log "peers: sentence-transformers, transformers BertModel, python MLX loop"
  "$ref" bench/peer_st.py "$model" "$out/work/texts.parquet" "$threads" >>"$res"
  "$ref" bench/peer_torch.py "$out/work/tokens.parquet" "$threads" 32 "$model" >>"$res"
  "$py" bench/peer_mlx.py "$model" "$out/work/tokens.parquet" 32 >>"$res"
  "$py" bench/peer_mlx.py "$model" "$out/work/texts.parquet" 32 >>"$res"
fi

# all-mpnet-base-v2 (bert-base's shape, 12 layers of 768) on the first texts of the same workload.
if want mpnet; then
  log "all-mpnet-base-v2 end to end beside sentence-transformers encode, $mpnet_rows texts"
  "$py" - "$out/work/texts.parquet" "$out/work/texts_mpnet.parquet" "$mpnet_rows" <<'PY'
import sys
import pyarrow.parquet as pq
pq.write_table(pq.read_table(sys.argv[1]).slice(0, int(sys.argv[3])), sys.argv[2])
PY
  e2e mpnet "$(job mpnet "$mpnet" "$out/work/texts_mpnet.parquet" "text_column: text, passthrough: [id]")"
  want peers && "$ref" bench/peer_st.py "$mpnet" "$out/work/texts_mpnet.parquet" "$threads" >>"$res"
fi

head -n "$large_rows" "$out/work/lengths.txt" >"$out/work/lengths_large.txt"
if want shapes; then
  log "bert-base and bert-large shapes (random weights), $large_rows rows"
  for shape in bert-base bert-large; do
    bin/bertbench -shape "$shape" -lengths "$out/work/lengths_large.txt" -workers 2 >>"$res"
    want peers && "$ref" bench/peer_torch.py "$out/work/tokens.parquet" "$threads" 32 "$shape" "$large_rows" >>"$res"
  done
fi

# 8-bit weights run through MLX's CPU quantized matmul, which is far slower than float32 (minutes for a
# few rows): opt in with BENCH_QUANT=1.
if want quant && [ -n "${BENCH_QUANT:-}" ]; then
  log "8-bit weights (opt-in) and their quality, $large_rows rows"
  bin/bertbench -model "$model" -lengths "$out/work/lengths_large.txt" -workers 2 -quantize 8 >>"$res"
fi

if want rss; then
  log "peak RSS against input size (tiny-bert, short rows)"
  for n in $rss_rows; do
    e2e "rss-$n" "$(job "rss-$n" "$PWD/testdata/models/tiny-bert" "$out/work/tokens_$n.parquet" "passthrough: [id]")"
  done
fi

if want tokenizer; then
  log "tokenizer: bert/wordpiece and bert/autotokenizer vs HF tokenizers"
  bench/tokenizer.sh "$threads" >"$out/tokenizer.txt" 2>&1 || true
fi

"$py" bench/report.py "$out"
