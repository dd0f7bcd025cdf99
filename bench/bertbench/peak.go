package main

import (
	"runtime"
	"time"

	"github.com/bertbatch/bertbatch/mlx"
)

// measurePeak times an n×n×n matmul through MLX twenty times and keeps the best (the dense peak
// MFU is measured against): on a shared machine single runs vary by half.
func measurePeak(dev mlx.DeviceType, dt mlx.Dtype) map[string]any {
	n := 2048
	if dev == mlx.GPU {
		n = 8192
	}
	var best float64
	runtime.LockOSThread()
	s, err := mlx.NewStream(dev)
	check(err)
	defer s.Close()
	data := make([]float32, n*n)
	for i := range data {
		data[i] = float32(i%7) * 0.01
	}
	base := mlx.NewScope(s)
	defer base.Close()
	a := base.AsType(base.FromFloat32(data, n, n), dt)
	check(base.Err())
	check(mlx.Eval(a))
	for i := 0; i < 21; i++ {
		sc := mlx.NewScope(s)
		c := sc.Matmul(a, a)
		t := time.Now()
		check(sc.Err())
		check(mlx.Eval(c))
		sec := time.Since(t).Seconds()
		sc.Close()
		if i > 0 {
			best = max(best, 2*float64(n)*float64(n)*float64(n)/sec/1e9)
		}
	}
	return map[string]any{"bench": "matmul_peak", "device": dev.String(), "dtype": dt.String(), "n": n, "gflops": round(best, 1)}
}
