"""Compile the CUDA kernels of mlx/shim_cuda_*.cpp with NVRTC, without a GPU.

    python3 bench/nvrtc_check.py NVRTC_LIB_DIR CUDA_INCLUDE_DIR CCCL_INCLUDE_DIR

MLX compiles these kernel bodies at run time on the GPU machine, so a typo there only shows up
as an error from the first batch. This script wraps each body the way MLX's fast::cuda_kernel
does (the kernel signature from the input and output names, `using T = ...` and the integer
template constants) and compiles it for sm_90 in float16, bfloat16 and float32 (the attention
kernel in the two half types it supports), printing NVRTC's log. The libraries and headers come from wheels that pip can fetch on any Linux machine:

    pip download --no-deps --only-binary=:all: --platform manylinux2014_x86_64 -d /tmp/nv \\
        "nvidia-cuda-nvrtc==13.0.*" "nvidia-cuda-runtime==13.0.*"
    unzip the two wheels into /tmp/nv/site; the CCCL headers are mlx/include/cccl of the
    mlx-cuda-13 wheel. Then, with LD_LIBRARY_PATH=/tmp/nv/site/nvidia/cu13/lib:
    python3 bench/nvrtc_check.py /tmp/nv/site/nvidia/cu13/lib /tmp/nv/site/nvidia/cu13/include CCCL
"""
import ctypes
import os
import re
import sys

HALF_TYPES = ["__half", "__nv_bfloat16"]
# name: (inputs, outputs, template constants, element types); inputs named in SCALARS are float32
# (scalars, or the attention's bias table), those in INTS int32 arrays. A constant given as a dict is picked by element type.
KERNELS = {
    "kAddLayerNorm": (["x", "r", "w", "b", "eps"], ["y"], {"H": 768, "PER": 32}, HALF_TYPES + ["float"]),
    "kMaskedSoftmax": (["s", "mask", "scale"], ["p"], {"PER": 8}, HALF_TYPES + ["float"]),
    "kAttentionVarlen": (["qkv", "offsets", "meta", "scale", "bias"], ["out"],
                         {"HD": 64, "H": 768, "BF16": {"__half": 0, "__nv_bfloat16": 1}}, HALF_TYPES),
}
SCALARS = {"eps", "scale", "bias"}
INTS = {"offsets", "meta"}
SOURCES = ["shim_cuda_kernels.cpp", "shim_cuda_attention.cpp"]
HEADER = """#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda/std/array>
#include <cuda/std/limits>
#include <cooperative_groups.h>
namespace mlx::core::cu {
using Shape = cuda::std::array<int32_t, 10>;
using Strides = cuda::std::array<int64_t, 10>;
namespace cg = cooperative_groups;
"""


def wrap(name, body, inputs, outputs, consts, T):
    params = []
    for n in inputs:
        params.append(f"const float* {n}" if n in SCALARS else f"const int32_t* {n}" if n in INTS else f"const {T}* {n}")
        if n + "_shape" in body:
            params.append(f"const __grid_constant__ Shape {n}_shape")
    params += [f"{T}* {n}" for n in outputs]
    lines = "".join(f"  constexpr int {k} = {v[T] if isinstance(v, dict) else v};\n" for k, v in consts.items())
    return f"__global__ void {name}({', '.join(params)}) {{\n  using T = {T};\n{lines}{body}\n}}\n"


def main() -> int:
    lib_dir, cuda_inc, cccl_inc = sys.argv[1:4]
    here = os.path.join(os.path.dirname(__file__), "..", "mlx")
    src = "".join(open(os.path.join(here, f)).read() for f in SOURCES)
    bodies = dict(re.findall(r'constexpr const char\* (k\w+) = R"\((.*?)\)";', src, re.S))
    nvrtc = ctypes.CDLL(os.path.join(lib_dir, "libnvrtc.so.13"))
    failed = 0
    for T in ["__half", "__nv_bfloat16", "float"]:
        code = HEADER
        for name, (inputs, outputs, consts, types) in KERNELS.items():
            if T not in types:
                continue
            code += wrap(name, bodies[name], inputs, outputs, consts, T)
        code += "}\n"
        prog = ctypes.c_void_p()
        nvrtc.nvrtcCreateProgram(ctypes.byref(prog), code.encode(), b"kernels.cu", 0, None, None)
        opts = [b"--gpu-architecture=compute_90", b"-std=c++17", f"-I{cuda_inc}".encode(), f"-I{cccl_inc}".encode()]
        status = nvrtc.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
        size = ctypes.c_size_t()
        nvrtc.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        nvrtc.nvrtcGetProgramLog(prog, log)
        print(f"{T}: {'ok' if status == 0 else 'FAILED'} {log.value.decode().strip()}")
        failed += status != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
