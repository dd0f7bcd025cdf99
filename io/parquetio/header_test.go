package parquetio

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// fullDisk fails every write as a full disk does.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: "/out/.part.tmp", Err: syscall.ENOSPC}
}

// TestNewWriterOnFullDisk: a file whose first bytes cannot be written fails with the write's
// error on one line, not with a dump of the schema.
func TestNewWriterOnFullDisk(t *testing.T) {
	tests := []struct {
		name   string
		fields []arrow.Field
	}{
		{"one column", []arrow.Field{{Name: "embedding", Type: arrow.FixedSizeListOf(4, arrow.PrimitiveTypes.Float32)}}},
		{"passthrough columns", []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "text", Type: arrow.BinaryTypes.String},
			{Name: "embedding", Type: arrow.FixedSizeListOf(4, arrow.PrimitiveTypes.Float32)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewWriter(fullDisk{}, arrow.NewSchema(tc.fields, nil), WriterOptions{})
			if err == nil {
				t.Fatal("NewWriter succeeded on a full disk")
			}
			msg := err.Error()
			if !errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "\n") || strings.Contains(msg, "schema") ||
				!strings.Contains(msg, "Parquet header") {
				t.Errorf("error %q: want one line about the Parquet header wrapping %v", msg, fmt.Sprint(syscall.ENOSPC))
			}
		})
	}
}
