#!/usr/bin/env bash
# bertbatch run on the GPU for each architecture folder given (default: the tiny test models and
# .gpu/models/*): 3,000 pre-tokenized rows (lengths 4–300, ids below 500; rows past a model's positions are truncated) in float16 and float32,
# then a rerun that must find every unit finished, then `bertbatch verify`. Run from the repository
# root after `bench/device_run.sh setup`, with a bertbatch binary in .gpu/bin.tar.xz (GPU_PACK_EXTRA):
#
#   bench/device_run.sh setup "x bench/gpu_jobs.sh"
set -uo pipefail
base=${GPU_BASE:-/tmp/bertbatch-gpu}
export LD_LIBRARY_PATH=$base/site/mlx/lib PATH=$base/bin:$PATH
work=${GPU_JOBS_DIR:-/tmp/gpu-jobs}
rm -rf "$work" && mkdir -p "$work"
python3 - "$work/tokens.parquet" <<'PY'
import sys
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
rng = np.random.default_rng(11)
lens = rng.integers(4, 300, 3000)
ids = [rng.integers(5, 500, n).astype(np.int32) for n in lens]
pq.write_table(pa.table({"id": np.arange(len(ids), dtype=np.int64), "input_ids": pa.array(ids, type=pa.list_(pa.int32()))}),
               sys.argv[1], row_group_size=1000, data_page_size=4096)
PY
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(testdata/models/tiny-bert testdata/models/tiny-distilbert testdata/models/tiny-mpnet testdata/models/tiny-modernbert testdata/models/tiny-jina .gpu/models/*)
fail=0
for m in "${models[@]}"; do
	[ -d "$m" ] || continue
	for dt in float16 float32; do
		name=$(basename "$m")-$dt
		cat >"$work/$name.yaml" <<YAML
model: {ref: $PWD/$m, device: gpu, dtype: $dt}
input: {paths: [$work/tokens.parquet], passthrough: [id]}
output: {dir: $work/out-$name, rows_per_file: 500}
YAML
		start=$(date +%s.%N)
		if bertbatch run --quiet "$work/$name.yaml" >"$work/$name.log" 2>&1 &&
			bertbatch run --quiet "$work/$name.yaml" >>"$work/$name.log" 2>&1 &&
			bertbatch verify "$work/out-$name" >>"$work/$name.log" 2>&1; then
			echo "{\"gpu_job\": \"$name\", \"ok\": true, \"seconds\": $(echo "$(date +%s.%N) - $start" | bc)}"
		else
			fail=1
			echo "{\"gpu_job\": \"$name\", \"ok\": false}"
			tail -5 "$work/$name.log"
		fi
	done
done
exit $fail
