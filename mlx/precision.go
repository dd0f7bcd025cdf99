package mlx

import "os"

// TF32Env is the variable MLX reads, once, at its first float32 matrix product on CUDA: "1" lets
// the GPU's tensor cores round float32 operands to TF32 (about 3 decimal digits; twice as fast),
// "0" keeps full float32. This package sets it to "0" when the environment does not set it, so
// that a float32 model matches transformers' float32 on a GPU as it does on the CPU (last hidden
// state |Δ| ~1e-5 instead of ~2e-3). Float16 and bfloat16, the fast GPU dtypes, are unaffected.
// Set MLX_ENABLE_TF32=1 to trade that float32 accuracy for speed.
const TF32Env = "MLX_ENABLE_TF32"

func init() {
	if _, set := os.LookupEnv(TF32Env); !set {
		os.Setenv(TF32Env, "0")
	}
}
