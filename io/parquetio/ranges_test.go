package parquetio

import (
	"context"
	"testing"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/parquetio/rangetest"
)

// readFile is the unit API of Reader as a rangetest.ReadFunc.
func readFile(ctx context.Context, path string, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	r, err := Open(path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Read(ctx, columns, maxRows, skip, emit)
}

// TestReadRowRanges reads units at every place of files that pyarrow wrote
// (see rangetest.Check) and compares each row with pyarrow's reading.
func TestReadRowRanges(t *testing.T) {
	rangetest.Python(t)
	dir := t.TempDir()
	for _, tc := range rangetest.Cases {
		t.Run(tc.Case.Name, func(t *testing.T) {
			f := rangetest.Generate(t, dir, tc.Case)
			rangetest.Check(t, readFile, f, tc.UnitRows, 8)
		})
	}
}
