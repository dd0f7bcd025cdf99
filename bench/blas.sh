#!/usr/bin/env bash
# sgemm GFLOP/s through MLX (2048³ float32) with the mlx[cpu] wheel's bundled reference BLAS (a
# scratch venv) and with the project's .venv (OpenBLAS, see scripts/use-openblas.sh).
# Usage: bench/blas.sh SCRATCH_VENV   — prints two JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$1
if [ ! -x "$scratch/bin/python" ]; then
  python3 -m venv "$scratch"
  "$scratch/bin/pip" install -q --disable-pip-version-check -r python/requirements-cpu.txt
fi
probe='
import json, sys, time, mlx.core as mx
n = 2048 if sys.argv[2] == "openblas" else 1024
a = mx.random.normal((n, n)); mx.eval(a)
best = 0
for i in range(4):
    t = time.perf_counter(); mx.eval(a @ a); dt = time.perf_counter() - t
    if i: best = max(best, 2 * n ** 3 / dt / 1e9)
print(json.dumps({"bench": "sgemm", "blas": sys.argv[1], "n": n, "gflops": round(best, 1)}))
'
"$scratch/bin/python" -c "$probe" "bundled reference BLAS" reference
.venv/bin/python -c "$probe" "Debian OpenBLAS 0.3.21 (pthreads)" openblas
