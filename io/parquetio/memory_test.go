package parquetio

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// peakAllocator counts the bytes allocated and not yet freed, and their peak.
type peakAllocator struct {
	memory.Allocator
	live, peak atomic.Int64
}

func (a *peakAllocator) Allocate(n int) []byte {
	a.add(int64(n))
	return a.Allocator.Allocate(n)
}

func (a *peakAllocator) Reallocate(n int, b []byte) []byte {
	a.add(int64(n - len(b)))
	return a.Allocator.Reallocate(n, b)
}

func (a *peakAllocator) Free(b []byte) {
	a.add(-int64(len(b)))
	a.Allocator.Free(b)
}

func (a *peakAllocator) add(n int64) {
	live := a.live.Add(n)
	for {
		peak := a.peak.Load()
		if live <= peak || a.peak.CompareAndSwap(peak, live) {
			return
		}
	}
}

// writeTokens writes groups row groups of rows rows, each row holding width
// int32 token ids, and returns the path.
func writeTokens(t *testing.T, groups, rows, width int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens.parquet")
	schema := arrow.NewSchema([]arrow.Field{{Name: "input_ids", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}}, nil)
	w, err := Create(path, schema, WriterOptions{RowGroupRows: int64(rows), Compression: "snappy"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([][]int32, rows)
	for g := range groups {
		for i := range tokens {
			tokens[i] = make([]int32, width)
			for j := range tokens[i] {
				tokens[i][j] = int32(g*7919 + i*31 + j)
			}
		}
		col := NewTokenLists(nil, tokens)
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(rows))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		col.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadMemoryBounded reads a file of 24 row groups and checks that the
// peak of live allocator bytes stays within a few times one row group's
// decoded size, far below the file's. (Read in slices, the peak is set by
// the decompressed page, here one per row group, not by the slice.)
func TestReadMemoryBounded(t *testing.T) {
	const groups, rows, width = 24, 2000, 64
	path := writeTokens(t, groups, rows, width)
	group := int64(rows * (width*4 + 4)) // decoded values + offsets of one row group
	tests := []struct {
		name     string
		unitRows int64
		bound    int64
	}{
		{name: "row groups", unitRows: rows, bound: 4 * group},
		{name: "slices of 250 rows", unitRows: 250, bound: 4 * group},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := &peakAllocator{Allocator: memory.NewGoAllocator()}
			r, err := Open(path, mem)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got int64
			err = r.Read(context.Background(), []string{"input_ids"}, tc.unitRows, nil, func(c chunk.Chunk) error {
				got += c.Unit.Rows
				c.Release()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != groups*rows {
				t.Fatalf("read %d rows, want %d", got, groups*rows)
			}
			t.Logf("peak %d bytes live; one row group decodes to %d, the file to %d", mem.peak.Load(), group, groups*group)
			if p := mem.peak.Load(); p > tc.bound {
				t.Fatalf("peak live bytes %d exceed %d", p, tc.bound)
			}
			if l := mem.live.Load(); l != 0 {
				t.Fatalf("%d bytes still allocated after reading", l)
			}
		})
	}
}
