package parquetio

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// writeUncompressed writes rows rows of an int64 id (every fifth null) and
// varied token lists, uncompressed so that damaged bytes reach the decoders.
func writeUncompressed(t *testing.T, rows int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plain.parquet")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "input_ids", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
	}, nil)
	w, err := Create(path, schema, WriterOptions{RowGroupRows: int64(rows) / 2, Compression: "none"})
	if err != nil {
		t.Fatal(err)
	}
	ids := array.NewInt64Builder(memory.DefaultAllocator)
	defer ids.Release()
	tokens := make([][]int32, rows)
	for i := range rows {
		if i%5 == 0 {
			ids.AppendNull()
		} else {
			ids.Append(int64(i))
		}
		tokens[i] = make([]int32, 1+i%17)
		for j := range tokens[i] {
			tokens[i][j] = int32(i*13 + j)
		}
	}
	cols := []arrow.Array{ids.NewArray(), NewTokenLists(nil, tokens)}
	rec := array.NewRecordBatch(schema, cols, int64(rows))
	defer rec.Release()
	for _, c := range cols {
		c.Release()
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDamagedPagesNeverPanic damages one byte at a time in the pages of a
// valid file and reads it: the read either succeeds or fails with a
// corrupt-file error naming the file; a panic inside the decoder never
// escapes.
func TestDamagedPagesNeverPanic(t *testing.T) {
	src := writeUncompressed(t, 400)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	// the pages lie between the leading magic and the footer, whose length
	// is stored before the trailing magic
	end := len(data) - 8 - int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	path := filepath.Join(t.TempDir(), "damaged.parquet")
	outcomes := map[string]int{}
	for pos := 4; pos < end; pos += 17 {
		for _, b := range []byte{0xff, data[pos] ^ 0x5a} {
			damaged := append([]byte(nil), data...)
			damaged[pos] = b
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			err := readAllUnits(path)
			switch {
			case err == nil:
				outcomes["read"]++
			case !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path):
				t.Fatalf("byte %d set to %#x: error %v, want a corrupt-file error naming %s", pos, b, err, path)
			case strings.Contains(err.Error(), "decoder panic"):
				if outcomes["panic turned into an error"] == 0 {
					t.Logf("e.g. %v", err)
				}
				outcomes["panic turned into an error"]++
			default:
				outcomes["error"]++
			}
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// readAllUnits reads every unit of path in units of 50 rows, some skipped.
func readAllUnits(path string) error {
	r, err := Open(path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	skip := func(u chunk.Unit) bool { return u.Index%3 == 1 }
	return r.Read(context.Background(), []string{"id", "input_ids"}, 50, skip, func(c chunk.Chunk) error {
		c.Release()
		return nil
	})
}
