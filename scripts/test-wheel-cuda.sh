#!/usr/bin/env bash
# The Linux wheel on MLX's CUDA backend (mlx-cuda-13), the same binary as on mlx-cpu.
#
# Usage: test-wheel-cuda.sh WHEEL
#
# Everywhere: every MLX symbol the binary imports must be defined by mlx-cuda-13's libmlx.so (the
# wheel downloaded without its nvidia-* dependencies). Where an NVIDIA driver answers (nvidia-smi):
# the documented CUDA install in a fresh venv (bertbatch without dependencies, then mlx-cuda-13),
# `bertbatch version` must see a GPU and the tiny test model must run on it in float16 and float32;
# then `pip install WHEEL[cuda]` in another venv must warn that both backend wheels are installed.
# Each check prints "ok NAME" or "FAIL NAME"; the last line counts them. Exit 1 when one failed.
set -uo pipefail
wheel=$(readlink -f "$1")
root=$(cd "$(dirname "$0")/.." && pwd -P)
mlx_version=$(grep -Eo '^mlx(\[[a-z0-9]+\])?==[0-9.]+' "$root/python/requirements-cpu.txt" | sed 's/.*==//')
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bertbatch-cuda.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
check() { # NAME COMMAND...
	local name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		echo "ok   $name"
		sed 's/^/     /' "$tmp/check.log" | tail -3
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		sed 's/^/     /' "$tmp/check.log" | tail -30
		failed=$((failed + 1))
	fi
}

symbols() {
	python3 -m pip download -q --disable-pip-version-check --no-deps "mlx-cuda-13==$mlx_version" -d "$tmp/dl" || return 1
	python3 - "$wheel" "$tmp"/dl/mlx_cuda_13-*.whl "$tmp" <<'PY' || return 1
import sys, zipfile
ours, cuda, tmp = sys.argv[1:]
zipfile.ZipFile(ours).extract("bertbatch/bin/bertbatch", tmp)
zipfile.ZipFile(cuda).extract("mlx/lib/libmlx.so", tmp + "/cuda")
PY
	nm -D --undefined-only "$tmp/bertbatch/bin/bertbatch" | awk '{print $2}' | sort -u >"$tmp/imports"
	nm -D --defined-only "$tmp/cuda/mlx/lib/libmlx.so" | awk '{print $3}' | sort -u >"$tmp/cuda-defs"
	# The binary's imports that are MLX's: functions, methods, typeinfo and vtables of namespace mlx::core.
	grep -E '^_Z(T[ISV])?NK?3mlx4core' "$tmp/imports" >"$tmp/mlx-imports"
	local missing
	missing=$(comm -23 "$tmp/mlx-imports" "$tmp/cuda-defs")
	[ -s "$tmp/mlx-imports" ] || { echo "no mlx::core imports found in the binary"; return 1; }
	if [ -n "$missing" ]; then
		echo "mlx-cuda-13's libmlx.so lacks:"
		c++filt <<<"$missing"
		return 1
	fi
	echo "$(wc -l <"$tmp/mlx-imports") mlx::core symbols imported, all defined by mlx-cuda-13 $mlx_version"
}
check "mlx-cuda-13's libmlx.so defines every MLX symbol the binary imports" symbols

if ! nvidia-smi -L >/dev/null 2>&1; then
	echo "skip GPU runs: no NVIDIA driver here (nvidia-smi)"
	skipped=2
else
	gpu_runs() {
		python3 -m venv "$tmp/venv" && "$tmp/venv/bin/pip" install -q --no-deps "$wheel" &&
			"$tmp/venv/bin/pip" install -q "mlx-cuda-13==$mlx_version" || return 1
		local bb=$tmp/venv/bin/bertbatch
		"$bb" version | tee "$tmp/version" && grep -Eq 'gpu: [1-9]' "$tmp/version" || return 1
		"$(dirname "$bb")/python" -c "import pyarrow" 2>/dev/null || "$tmp/venv/bin/pip" install -q pyarrow || return 1
		"$tmp/venv/bin/python" -c "import pyarrow.parquet as pq, sys; pq.write_table(pq.read_table(sys.argv[1]).slice(0, 300), sys.argv[2])" \
			"$root/testdata/demo/fortunes.parquet" "$tmp/fortunes.parquet" || return 1
		for dtype in float16 float32; do
			printf 'model: {ref: %s, device: gpu, dtype: %s}\ninput: {paths: [%s], text_column: text, passthrough: [id]}\noutput: {dir: %s}\n' \
				"$root/testdata/models/tiny-bert" "$dtype" "$tmp/fortunes.parquet" "$tmp/out-$dtype" >"$tmp/$dtype.yaml"
			"$bb" run --quiet "$tmp/$dtype.yaml" || return 1
			"$tmp/venv/bin/python" -c "import pyarrow.dataset as ds, sys; n = ds.dataset(sys.argv[1]).count_rows(); print(sys.argv[2], n, 'rows'); assert n == 300" \
				"$tmp/out-$dtype" "$dtype" || return 1
		done
	}
	check "pip install --no-deps bertbatch + mlx-cuda-13: a GPU, the tiny model in float16 and float32" gpu_runs
	extra_warns() {
		python3 -m venv "$tmp/venv2" && "$tmp/venv2/bin/pip" install -q "$wheel[cuda]" || return 1
		"$tmp/venv2/bin/bertbatch" version 2>&1 | tee "$tmp/extra"
		grep -q "warning: mlx-cpu and mlx-cuda-13 are both installed" "$tmp/extra"
	}
	check "pip install bertbatch[cuda]: a warning names both backend wheels" extra_warns
fi
echo "test-wheel-cuda: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
