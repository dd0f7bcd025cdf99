package stages

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bertbatch/bertbatch/io/outdir"
)

// TestFileError: errors writing an output file read as one line naming the file and the output
// folder, with the cause, and never the temporary path twice over.
func TestFileError(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	d, err := outdir.Open(out, outdir.Identity{JobHash: "h", ModelCommit: "c"}, outdir.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	w := &writer{dir: d}
	temp := filepath.Join(out, ".part-00000.parquet.tmp-1234")
	enospc := &fs.PathError{Op: "write", Path: temp, Err: syscall.ENOSPC}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"full disk while writing", fmt.Errorf("write %s: %w", temp, enospc), "no space left on device"},
		{"full disk at the header", fmt.Errorf("writing the Parquet header: %w", fmt.Errorf("write %s: %w", temp, enospc)), "no space left on device"},
		{"another error", errors.New("record column 1 is int64, the output file expects utf8"), "record column 1 is int64, the output file expects utf8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := w.fileError("part-00000.parquet", tc.err)
			want := "writing part-00000.parquet in the output folder " + out + ": " + tc.want
			if got.Error() != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
			if errors.Is(tc.err, syscall.ENOSPC) && !errors.Is(got, syscall.ENOSPC) {
				t.Errorf("%v no longer wraps ENOSPC", got)
			}
			if strings.Contains(got.Error(), ".tmp-") {
				t.Errorf("%v names the temporary file", got)
			}
		})
	}
}
