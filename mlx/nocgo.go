//go:build !cgo

package mlx

// The mlx package is a cgo binding: build with CGO_ENABLED=1 and the flags from `make env`.
var _ = mlx_package_needs_cgo__run_eval_make_env
