package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/bertbatch/bertbatch"
	"github.com/bertbatch/bertbatch/mlx"
)

func init() {
	register(&command{name: "version", summary: "print the bertbatch and MLX versions and the devices MLX sees", run: runVersion})
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch version")
		fmt.Fprintln(stderr, "\nIt takes no flags or arguments.")
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(rest) > 0 {
		fs.Usage()
		return exitUsage
	}
	gpus, err := mlx.DeviceCount(mlx.GPU)
	gpu := fmt.Sprintf("%d", gpus)
	if err != nil {
		gpu = "unknown (" + err.Error() + ")"
	}
	fmt.Fprintf(stdout, "bertbatch %s\nmlx %s\ndevices: cpu (%d cores), gpu: %s\ngo %s %s/%s\n",
		bertbatch.Version, mlx.Version(), runtime.NumCPU(), gpu, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
