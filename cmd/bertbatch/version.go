package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/bertbatch/bertbatch"
	"github.com/bertbatch/bertbatch/mlx"
)

func init() {
	register(&command{name: "version", summary: "print the bertbatch and MLX versions and the devices MLX sees", run: runVersion})
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) int {
	gpus, err := mlx.DeviceCount(mlx.GPU)
	gpu := fmt.Sprintf("%d", gpus)
	if err != nil {
		gpu = "unknown (" + err.Error() + ")"
	}
	fmt.Fprintf(stdout, "bertbatch %s\nmlx %s\ndevices: cpu (%d cores), gpu: %s\ngo %s %s/%s\n",
		bertbatch.Version, mlx.Version(), runtime.NumCPU(), gpu, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
