#!/usr/bin/env bash
# Prepare the folder that travels to an NVIDIA machine without a Go toolchain or package registry
# (the accelerator machine of bench/device_run.sh). Run here, from the repository root:
#
#   bench/gpu_pack.sh [mlx_cuda_13-0.32.4-...whl]
#
# It writes, into $GPU_PACK_DIR (default .gpu/, git-ignored through .git/info/exclude):
#   site.tar.xz  libmlx.so of the mlx-cuda-13 wheel (symbols stripped, GPU code kept only for the
#                architectures in $GPU_ARCHS, default 90 = H100/H200: bench/fatbin_keep.py), the
#                CCCL headers its run-time compiler needs and the wheel's bundled libraries, laid
#                out as in site-packages so that libmlx.so finds them relative to itself; made once
#                (delete it to make it again)
#   bin.tar.xz   bertbatch, bertbench, gpucheck and gpuprof, built here against the CPU wheel's
#                libmlx.so (same version, same C++ API and soname; their RUNPATH lets
#                LD_LIBRARY_PATH pick the CUDA one there), and any programs named in $GPU_PACK_EXTRA
#   e2e/         the inputs of bench/gpu_e2e.sh: texts.parquet (bench/make_texts.py, made once with
#                .venv-ref) and tokenizer/ (all-MiniLM-L6-v2's tokenizer files)
#   torch_peer_bench.py  the transformers peer, when ../shared/bench has it
# Without a wheel argument the wheel is fetched with pip (the version pinned by
# python/requirements-cuda.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${GPU_PACK_DIR:-$root/.gpu}
archs=${GPU_ARCHS:-90}
version=$(grep -o 'mlx\[cuda13\]==[0-9.]*' python/requirements-cuda.txt | cut -d= -f3)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$out/site.tar.xz" ]; then
	wheel=${1:-}
	if [ -z "$wheel" ]; then
		python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_35_x86_64 \
			-d "$work/dl" "mlx-cuda-13==$version"
		wheel=$(ls "$work"/dl/mlx_cuda_13-*.whl)
	fi
	mkdir -p "$work/site"
	unzip -q "$wheel" 'mlx/lib/*' 'mlx/include/cccl/*' 'mlx_cuda_13.libs/*' -d "$work/site"
	strip --strip-unneeded "$work/site/mlx/lib/libmlx.so"
	# shellcheck disable=SC2086
	python3 bench/fatbin_keep.py "$work/site/mlx/lib/libmlx.so" $archs
	tar -C "$work" -cf - site | xz -T0 -6 >"$out/site.tar.xz.tmp"
	mv "$out/site.tar.xz.tmp" "$out/site.tar.xz"
fi

eval "$(make -s env)"
mkdir -p "$work/bin"
for prog in bertbench gpucheck gpuprof; do
	go build -ldflags "-s -w" -o "$work/bin/$prog" "./bench/$prog"
done
go build -ldflags "-s -w" -o "$work/bin/bertbatch" ./cmd/bertbatch
# Extra programs to compare against (for example a bertbench built from another commit).
for extra in ${GPU_PACK_EXTRA:-}; do
	cp "$extra" "$work/bin/"
done
tar -C "$work" -cf - bin | xz -T0 -6 >"$out/bin.tar.xz"
model=${BERTBATCH_MODEL_DIR:-models/all-MiniLM-L6-v2}
mkdir -p "$out/e2e/tokenizer"
for f in tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt; do
	cp "$model/$f" "$out/e2e/tokenizer/"
done
if [ ! -f "$out/e2e/texts.parquet" ]; then
	.venv-ref/bin/python bench/make_texts.py "$out/e2e/texts.parquet.tmp" 0
	mv "$out/e2e/texts.parquet.tmp" "$out/e2e/texts.parquet"
fi
if [ -f ../shared/bench/torch_peer_bench.py ]; then
	cp ../shared/bench/torch_peer_bench.py "$out/"
fi
du -sh "$out"/*
