#!/usr/bin/env bash
# What the OpenBLAS in the Linux wheel buys: the same embedding job run by the installed wheel's
# binary as shipped (OpenBLAS first among its libraries) and by a copy without that entry (the MLX
# wheel's bundled reference BLAS), each RUNS times, alternately.
#
# Usage: wheel-blas-bench.sh WHEEL PATCHELF REPO_PY MODEL_DIR [ROWS] [RUNS]
#   ROWS fortunes of testdata/demo (default 200), RUNS rounds (default 2). REPO_PY: a python with pyarrow.
# Prints one line per run: wall seconds, CPU seconds (user+system), rows/s from _summary.json.
set -euo pipefail
wheel=$(readlink -f "$1") patchelf=$2 repo_py=$3 model=$(readlink -f "$4") rows=${5:-200} runs=${6:-2}
root=$(cd "$(dirname "$0")/.." && pwd -P)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bertbatch-blas.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --disable-pip-version-check "$wheel"
bin=$("$tmp/venv/bin/python" -c 'import bertbatch; print(bertbatch.binary_path())')
ref=$(dirname "$bin")/bertbatch-reference # beside the original: its run path is relative to itself
cp "$bin" "$ref"
"$patchelf" --remove-needed libopenblas.so.0 "$ref"
"$repo_py" -c "import pyarrow.parquet as pq, sys; pq.write_table(pq.read_table(sys.argv[1]).slice(0, int(sys.argv[3])), sys.argv[2])" \
	"$root/testdata/demo/fortunes.parquet" "$tmp/fortunes.parquet" "$rows"
printf 'model: {ref: %s}\ninput: {paths: [%s], text_column: text, passthrough: [id]}\noutput: {dir: %s}\n' \
	"$model" "$tmp/fortunes.parquet" "$tmp/out" >"$tmp/job.yaml"
for _ in $(seq "$runs"); do
	for b in "$bin" "$ref"; do
		blas=$("$b" version | sed -n 's/^blas: \([a-z]*\).*/\1/p')
		/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$b" run --overwrite --quiet "$tmp/job.yaml" >/dev/null
		read -r wall user sys <"$tmp/time"
		rps=$(python3 -c "import json, sys; print(f\"{json.load(open(sys.argv[1]))['rows_per_second']:.2f}\")" "$tmp/out/_summary.json")
		echo "blas $blas: $rows rows, wall $wall s, cpu $(python3 -c "print(f'{$user + $sys:.2f}')") s, $rps rows/s"
	done
done
