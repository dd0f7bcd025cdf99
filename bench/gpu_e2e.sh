#!/usr/bin/env bash
# bertbatch run end to end on the GPU: 20,000 pre-tokenized rows (log-normal lengths 8–256, ids
# below 2,048, made here with numpy and pyarrow as .gpu/tokens.parquet when missing) through the
# shrunk MiniLM in .gpu/minilm-v2048 (bench/shrink_model.py) in float16, one and two workers, each
# run E2E_PASSES times (default 2; the first compiles the kernels). Run from the repository root
# after `bench/device_run.sh setup`, with a bertbatch binary in .gpu/bin.tar.xz (GPU_PACK_EXTRA):
#
#   bench/device_run.sh setup "x bench/gpu_e2e.sh"
#
# Knobs: E2E_WORKERS ("1 2"), E2E_TOKENS (batching.max_tokens, 65536), E2E_COPIES (the file this
# many times, as a folder), E2E_WINDOW (sort_window, 20000), E2E_PASSES.
set -uo pipefail
base=${GPU_BASE:-/tmp/bertbatch-gpu}
export LD_LIBRARY_PATH=$base/site/mlx/lib PATH=$base/bin:$PATH
out=${OUT:-/tmp/e2e}
if [ ! -f .gpu/tokens.parquet ]; then
	python3 - <<'PY'
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
rng = np.random.default_rng(7)
lens = np.clip(np.round(rng.lognormal(np.log(56), 0.55, 20000)), 8, 256).astype(int)
ids = []
for l in lens:
    row = rng.integers(1000, 2048, l).astype(np.int32)
    row[0], row[-1] = 101, 102
    ids.append(row)
pq.write_table(pa.table({"id": np.arange(len(lens), dtype=np.int64), "input_ids": pa.array(ids, type=pa.list_(pa.int32()))}),
               ".gpu/tokens.parquet", compression="zstd")
PY
fi
input=$PWD/.gpu/tokens.parquet
if [ "${E2E_COPIES:-1}" -gt 1 ]; then
	rm -rf /tmp/e2e-in && mkdir -p /tmp/e2e-in
	for i in $(seq "$E2E_COPIES"); do cp .gpu/tokens.parquet /tmp/e2e-in/part-$i.parquet; done
	input=/tmp/e2e-in
fi
for w in ${E2E_WORKERS:-1 2}; do
	cat >/tmp/e2e-$w.yaml <<EOF
model: {ref: $PWD/.gpu/minilm-v2048, device: gpu, dtype: float16}
input: {paths: [$input], passthrough: [id]}
output: {dir: /tmp/e2e-out-$w, pooling: mean, normalize: false}
batching: {max_tokens: ${E2E_TOKENS:-65536}, max_batch_size: 2048, sort_window: ${E2E_WINDOW:-20000}}
workers: $w
EOF
	for pass in $(seq "${E2E_PASSES:-2}"); do
		/usr/bin/time -f '%e s %M KB' bertbatch run --overwrite --quiet --cpuprofile "$out/cpu-$w-$pass.pprof" /tmp/e2e-$w.yaml || echo "e2e workers $w failed"
		python3 -c "import json,sys; s=json.load(open('/tmp/e2e-out-$w/_summary.json')); s['bench']='e2e-gpu'; s['pass']=$pass; print(json.dumps(s))" | tee -a "$out/results.jsonl"
	done
done
