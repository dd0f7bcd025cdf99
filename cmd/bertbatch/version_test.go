package main

import (
	"reflect"
	"testing"
)

func TestLibrariesInMaps(t *testing.T) {
	maps := `55d0c0000000-55d0c1000000 r--p 00000000 08:01 1 /opt/v/bin/bertbatch
7f0000000000-7f0000100000 r--p 00000000 08:01 2 /opt/v/site/bertbatch.libs/libopenblas.so.0
7f0000100000-7f0000200000 r-xp 00100000 08:01 2 /opt/v/site/bertbatch.libs/libopenblas.so.0
7f0000200000-7f0000300000 r--p 00000000 08:01 3 /opt/v/site/mlx/lib/libmlx.so
7f0000300000-7f0000400000 r--p 00000000 08:01 4 /opt/v/site/mlx_cpu.libs/libblas-bd8a282c.so.3.10.0
7f0000400000-7f0000500000 rw-p 00000000 00:00 0 
7f0000500000-7f0000600000 r--p 00000000 08:01 5 /opt/my dir/libfoo.so
7f0000600000-7f0000700000 r--p 00000000 08:01 6 /usr/share/locale/locale.alias
7ffd00000000-7ffd00100000 rw-p 00000000 00:00 0                          [stack]
`
	want := []string{
		"/opt/v/site/bertbatch.libs/libopenblas.so.0",
		"/opt/v/site/mlx/lib/libmlx.so",
		"/opt/v/site/mlx_cpu.libs/libblas-bd8a282c.so.3.10.0",
		"/opt/my dir/libfoo.so",
	}
	if got := librariesInMaps(maps); !reflect.DeepEqual(got, want) {
		t.Fatalf("librariesInMaps:\n got %q\nwant %q", got, want)
	}
}

func TestBLASLibrary(t *testing.T) {
	tests := []struct {
		name     string
		libs     []string
		wantName string
		wantPath string
	}{
		{"openblas beside the wheel's reference BLAS", []string{"/s/mlx_cpu.libs/libblas-bd8a.so.3", "/s/bertbatch.libs/libopenblas.so.0"}, "openblas", "/s/bertbatch.libs/libopenblas.so.0"},
		{"reference BLAS only", []string{"/s/mlx/lib/libmlx.so", "/s/mlx_cpu.libs/libblas-bd8a.so.3"}, "reference", "/s/mlx_cpu.libs/libblas-bd8a.so.3"},
		{"mkl", []string{"/o/libmkl_rt.so.2"}, "mkl", "/o/libmkl_rt.so.2"},
		{"none (macOS, Accelerate)", nil, "", ""},
		{"a directory name is not a library name", []string{"/libopenblas/libfoo.so"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, path := blasLibrary(tt.libs)
			if name != tt.wantName || path != tt.wantPath {
				t.Fatalf("blasLibrary = %q, %q; want %q, %q", name, path, tt.wantName, tt.wantPath)
			}
		})
	}
}
