package mlx

import (
	"fmt"
	"os"
)

// TF32Env is the variable MLX reads, once, at its first float32 matrix product on CUDA: "1" lets
// the GPU's tensor cores round float32 operands to TF32 (about 3 decimal digits; twice as fast),
// "0" keeps full float32. Float16 and bfloat16, the fast GPU dtypes, are unaffected. Unset, MLX
// uses TF32.
const TF32Env = "MLX_ENABLE_TF32"

// SetTF32Default sets MLX_ENABLE_TF32 to enabled unless the environment already sets it (a user's
// choice wins), and reports whether TF32 is now in effect. It changes the whole process and takes
// effect only before MLX's first float32 matrix product on CUDA, so a program calls it at start.
// bertbatch calls it with false, so that a float32 model matches transformers' float32 on a GPU
// as it does on the CPU (last hidden state |Δ| ~1e-5 instead of ~2e-3).
func SetTF32Default(enabled bool) (bool, error) {
	if v, set := os.LookupEnv(TF32Env); set {
		return v != "0", nil
	}
	v := "0"
	if enabled {
		v = "1"
	}
	if err := os.Setenv(TF32Env, v); err != nil {
		return false, fmt.Errorf("mlx: set %s: %w", TF32Env, err)
	}
	return enabled, nil
}
