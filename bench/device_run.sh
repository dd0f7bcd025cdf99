#!/usr/bin/env bash
# Run bertbatch's GPU checks and benchmarks on an NVIDIA machine that has a CUDA 13 driver and a
# Python with torch's nvidia-* CUDA 13 wheels (cuBLAS, cuDNN, NVRTC, cuFFT, cuSOLVER, NCCL), but
# no Go toolchain and no package registry. bench/gpu_pack.sh prepares what it needs in .gpu/.
# Run from the repository root; each argument is one step, run in order:
#
#   bench/device_run.sh setup parity peak "bench bert-base -max-tokens 65536" peer
#
#   setup            unpack .gpu/site.tar.xz and .gpu/bin.tar.xz to $GPU_BASE (default /tmp/bertbatch-gpu), link the
#                    nvidia-* wheels of python3's site-packages beside it, check the libraries load
#   info             GPU, driver and library versions
#   "parity [SHAPE:ROWS...]"  GPU against CPU float32 (gpucheck) for the tiny test models, the shrunk
#                    real MiniLM in .gpu/minilm-v2048 and the folders of .gpu/models
#                    (bench/make_arch_models.py) when present, and random-weight shapes
#                    (default minilm-l6:8 bert-base:4); the real-weight ones also against
#                    transformers (bench/gpu_parity.py)
#   peak             the float16 and float32 matmul peak through MLX
#   "bench ARGS"     bertbench -device gpu -dtype float16 ARGS (e.g. "bench bert-base -rows 20000")
#   "prof ARGS"      gpuprof ARGS: host (graph building, encoding) and device (waiting) time per
#                    batch; leading NAME=VALUE words set the environment, as for bench
#   peer             the transformers peer, float16, the three shapes (.gpu/torch_peer_bench.py)
#   "x CMD ARGS"     any command, with the programs and libraries set up (JSON lines recorded)
#   "profile ARGS"   per-kernel times of a short bert-base run through ncu (ARGS go to ncu, e.g.
#                    "--launch-skip 1000 --launch-count 400"), to $OUT/ncu.csv
#
# Every JSON line goes to $OUT/results.jsonl (when OUT is set) and the whole log to $OUT/log.txt.
set -uo pipefail
pack=${GPU_PACK_DIR:-.gpu}
base=${GPU_BASE:-/tmp/bertbatch-gpu}
out=${OUT:-/tmp/bertbatch-gpu-out}
mkdir -p "$out"
results=$out/results.jsonl
log=$out/log.txt
exec > >(tee -a "$log") 2>&1

say() { echo "== $(date +%T) $*"; }
record() { tee -a "$results"; }

setup() {
	mkdir -p "$base"
	if [ ! -f "$base/site/mlx/lib/libmlx.so" ] || [ "$pack/site.tar.xz" -nt "$base/site/mlx/lib/libmlx.so" ]; then
		rm -rf "$base/site"
		xz -dc "$pack/site.tar.xz" | tar -C "$base" -xf - || return 1
	fi
	rm -rf "$base/bin"
	xz -dc "$pack/bin.tar.xz" | tar -C "$base" -xf - || return 1
	local nv
	nv=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])') || return 1
	ln -sfn "$nv" "$base/site/nvidia"
	if ldd "$base/site/mlx/lib/libmlx.so" | grep 'not found'; then
		say "libmlx.so misses libraries (above): install the nvidia-* CUDA 13 wheels into python3"
		return 1
	fi
	say "setup ok: $base, nvidia libraries from $nv"
}

env_up() {
	export LD_LIBRARY_PATH=$base/site/mlx/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export PATH=$base/bin:$PATH
}

info() {
	nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
	python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'
	ldd "$base/site/mlx/lib/libmlx.so" | grep -E 'cudnn|cublasLt|nvrtc|nccl'
}

parity() {
	local m
	# $pack/models: bench/make_arch_models.py (MPNet, ModernBERT with a head size the packed kernel takes).
	for m in testdata/models/tiny-bert testdata/models/tiny-distilbert "$pack/minilm-v2048" "$pack"/models/*; do
		[ -d "$m" ] || continue
		say "parity $m"
		gpucheck -model "$m" -dump "$out/parity-$(basename "$m").json" | record
		python3 bench/gpu_parity.py "$m" "$out/parity-$(basename "$m").json" 2>/dev/null | record
	done
	# Random-weight shapes as SHAPE:ROWS; the CPU reference of the CUDA wheel uses its bundled
	# reference BLAS, so large shapes get few rows.
	local spec
	for spec in "${@:-minilm-l6:8 bert-base:4}"; do
		for m in $spec; do
			say "parity ${m%%:*} (random weights, ${m##*:} rows)"
			gpucheck -shape "${m%%:*}" -rows "${m##*:}" | record
		done
	done
}

peak() {
	say "matmul peak"
	bertbench -peak -device gpu -dtype float16 | record
	bertbench -peak -device gpu -dtype bfloat16 | record
	bertbench -peak -device gpu -dtype float32 | record
}

bench() {
	# Leading NAME=VALUE words set the environment of this run only (MLX_* switches, or
	# BERTBENCH=another-binary-in-bin).
	local vars=()
	while [[ ${1:-} == *=* ]]; do
		vars+=("$1")
		shift
	done
	local shape=$1
	shift
	local rows=20000
	[ "$shape" = bert-large ] && rows=10000
	local tag="${vars[*]}"
	say "bertbench $tag $shape $*"
	env "${vars[@]}" timeout "${STEP_TIMEOUT:-240}" sh -c '"${BERTBENCH:-bertbench}" "$@"' bertbench -shape "$shape" -device gpu -dtype float16 \
		-rows "$rows" "$@" | sed "s|^{|{\"env\":\"$tag\",|" | record
}

prof() {
	# gpuprof: host and device time per batch. Leading NAME=VALUE words set the environment
	# (GPUPROF=another-binary-in-bin runs that one).
	local vars=()
	while [[ ${1:-} == *=* ]]; do
		vars+=("$1")
		shift
	done
	say "gpuprof ${vars[*]} $*"
	env "${vars[@]}" timeout "${STEP_TIMEOUT:-240}" sh -c '"${GPUPROF:-gpuprof}" "$@"' gpuprof "$@" |
		sed "s|^{|{\"vars\":\"${vars[*]}\",|" | record
}

profile() {
	# Per-kernel GPU times of part of a bert-base run, through Nsight Compute (one metric, clocks
	# left as they are).
	say "ncu kernel times, bert-base float16 $*"
	timeout 300 ncu --clock-control none --metrics gpu__time_duration.sum --csv "$@" \
		bertbench -shape bert-base -device gpu -dtype float16 -rows 2000 -max-tokens 65536 -max-batch 1024 \
		>"$out/ncu.csv" 2>"$out/ncu.err"
	echo "ncu exit $?, $(wc -l <"$out/ncu.csv") lines"
}

peer() {
	say "transformers peer (float16)"
	python3 - "$pack/torch_peer_bench.py" <<'EOF' | record
import json, sys, torch
src = open(sys.argv[1]).read()
# Run the peer's definitions only, then its float16 configurations (its float32 ones are skipped).
src = src[: src.index("dev = sys.argv[1]")]
g = {"__name__": "peer"}
exec(compile(src, sys.argv[1], "exec"), g)
print(json.dumps(dict(gpu=torch.cuda.get_device_name(0), torch=torch.__version__)), flush=True)
for name, cfg in [("minilm-l6", g["minilm"]), ("bert-base", g["base"]), ("bert-large", g["large"])]:
    g["run"](name, cfg, torch.float16, "cuda", 20000 if name != "bert-large" else 10000, 256, "sdpa")
EOF
}

for step in "$@"; do
	read -r -a words <<<"$step"
	case ${words[0]} in
	setup) setup || exit 1 ;;
	info | parity | peak | bench | prof | peer | profile)
		env_up
		"${words[@]}"
		;;
	x)
		env_up
		say "${words[*]:1}"
		"${words[@]:1}" | record
		;;
	*)
		echo "unknown step ${words[0]}" >&2
		exit 2
		;;
	esac
done
