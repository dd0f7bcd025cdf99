package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/bertbatch/bertbatch"
	"github.com/bertbatch/bertbatch/mlx"
)

func init() {
	register(&command{name: "version", summary: "print the bertbatch and MLX versions, the libraries loaded and the devices MLX sees", run: runVersion})
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch version")
		fmt.Fprintln(stderr, "\nIt takes no flags or arguments.")
	}
	_, code, ok := parseOperands(fs, args, 0)
	if !ok {
		return code
	}
	gpus, err := mlx.DeviceCount(mlx.GPU)
	gpu := fmt.Sprintf("%d", gpus)
	if err != nil {
		gpu = "unknown (" + err.Error() + ")"
	}
	libs := loadedLibraries()
	fmt.Fprintf(stdout, "bertbatch %s\nmlx %s%s\n", bertbatch.Version, mlx.Version(), inParens(findLibrary(libs, "libmlx.")))
	if name, path := blasLibrary(libs); name != "" {
		fmt.Fprintf(stdout, "blas: %s%s\n", name, inParens(path))
	}
	fmt.Fprintf(stdout, "devices: cpu (%d cores), gpu: %s\ngo %s %s/%s\n",
		runtime.NumCPU(), gpu, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

func inParens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// loadedLibraries lists the shared libraries mapped into this process, from /proc/self/maps
// (Linux); nil where that file does not exist.
func loadedLibraries() []string {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil
	}
	return librariesInMaps(string(b))
}

// librariesInMaps returns the distinct shared-library paths of a /proc/<pid>/maps listing, in
// order of first appearance.
func librariesInMaps(maps string) []string {
	var libs []string
	seen := map[string]bool{}
	for _, line := range strings.Split(maps, "\n") {
		// address perms offset dev inode path: the path is the sixth field and may hold spaces.
		f := strings.SplitN(line, " ", 6)
		if len(f) < 6 {
			continue
		}
		path := strings.TrimSpace(f[5])
		base := path[strings.LastIndexByte(path, '/')+1:]
		if !strings.HasPrefix(path, "/") || !(strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")) || seen[path] {
			continue
		}
		seen[path] = true
		libs = append(libs, path)
	}
	return libs
}

// findLibrary returns the first path whose file name starts with prefix, or "".
func findLibrary(libs []string, prefix string) string {
	for _, l := range libs {
		if strings.HasPrefix(l[strings.LastIndexByte(l, '/')+1:], prefix) {
			return l
		}
	}
	return ""
}

// blasLibraries are the BLAS implementations `version` names, most specific first: a process that
// maps OpenBLAS beside the reference BLAS (the MLX wheel's own) calls OpenBLAS, which is loaded first.
var blasLibraries = []struct{ prefix, name string }{
	{"libopenblas", "openblas"},
	{"libmkl_rt", "mkl"},
	{"libblis", "blis"},
	{"libblas", "reference"},
}

// blasLibrary names the BLAS among the loaded libraries and its path; "" when none is mapped
// (macOS, where MLX calls Accelerate).
func blasLibrary(libs []string) (name, path string) {
	for _, b := range blasLibraries {
		if p := findLibrary(libs, b.prefix); p != "" {
			return b.name, p
		}
	}
	return "", ""
}
