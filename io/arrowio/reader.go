package arrowio

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// fileMagic starts (and ends) every Arrow IPC file; a stream has no magic.
var fileMagic = []byte("ARROW1")

// ErrCorrupt marks input that is not valid Arrow IPC. Test with errors.Is.
var ErrCorrupt = errors.New("not a valid Arrow IPC file or stream")

// Reader reads one Arrow IPC file or stream. It is not safe for concurrent use.
type Reader struct {
	path   string
	mem    memory.Allocator
	stream bool
	schema *arrow.Schema
}

// Open opens path, detects the container from its first bytes and reads the
// schema. mem allocates the decoded data (nil means the default Go allocator).
func Open(path string, mem memory.Allocator) (*Reader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	r := &Reader{path: path, mem: mem}
	err := r.withBatches(func(schema *arrow.Schema, _ func() (arrow.RecordBatch, error)) error {
		r.schema = schema
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Schema returns the file's Arrow schema.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// IsStream reports whether the file is an IPC stream rather than an IPC file.
func (r *Reader) IsStream() bool { return r.stream }

// Close releases nothing: each Read opens the file afresh. It exists so that
// every format reader closes the same way.
func (r *Reader) Close() error { return nil }

// Read emits the named columns of every unit not skipped, in file order.
// Units are the record batches, split into slices of at most maxRows rows.
func (r *Reader) Read(ctx context.Context, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	if maxRows <= 0 {
		return fmt.Errorf("arrowio: maxRows must be positive, got %d", maxRows)
	}
	idx, err := r.columnIndices(columns)
	if err != nil {
		return err
	}
	return r.withBatches(func(_ *arrow.Schema, next func() (arrow.RecordBatch, error)) error {
		u := chunk.Unit{File: r.path}
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			u, err = r.emitSlices(rec, columns, idx, maxRows, u, skip, emit)
			rec.Release()
			if err != nil {
				return err
			}
		}
	})
}

// emitSlices emits rec in slices of at most maxRows rows, numbering units on
// from u (the unit after the last one emitted); it returns the next unit.
func (r *Reader) emitSlices(rec arrow.RecordBatch, columns []string, idx []int, maxRows int64,
	u chunk.Unit, skip chunk.Skip, emit chunk.Emit) (chunk.Unit, error) {
	for off := int64(0); off < rec.NumRows(); off += maxRows {
		u.Rows = min(maxRows, rec.NumRows()-off)
		if !skip.Has(u) {
			if err := emit(chunk.Chunk{Unit: u, Record: project(rec, columns, idx, off, u.Rows)}); err != nil {
				return u, err
			}
		}
		u.Index++
		u.RowStart += u.Rows
	}
	return u, nil
}

// project returns rows [off, off+n) of the columns idx of rec, named columns.
func project(rec arrow.RecordBatch, columns []string, idx []int, off, n int64) arrow.RecordBatch {
	fields := make([]arrow.Field, len(idx))
	cols := make([]arrow.Array, len(idx))
	for i, c := range idx {
		fields[i] = rec.Schema().Field(c)
		cols[i] = array.NewSlice(rec.Column(c), off, off+n)
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
	for _, c := range cols {
		c.Release()
	}
	return out
}

// columnIndices maps column names to their positions in the schema.
func (r *Reader) columnIndices(columns []string) ([]int, error) {
	idx := make([]int, len(columns))
	for i, name := range columns {
		found := r.schema.FieldIndices(name)
		if len(found) != 1 {
			return nil, fmt.Errorf("%s: column %q not found once in the file (found %d times)", r.path, name, len(found))
		}
		idx[i] = found[0]
	}
	return idx, nil
}

// withBatches opens the file and calls fn with its schema and a function
// returning its record batches in order (io.EOF after the last). The batches
// returned are owned by the caller.
func (r *Reader) withBatches(fn func(*arrow.Schema, func() (arrow.RecordBatch, error)) error) error {
	f, err := inputfile.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(fileMagic))
	n, err := io.ReadFull(f, head)
	if n == 0 {
		return fmt.Errorf("%s: file is empty (0 bytes), not Arrow IPC; remove it or rewrite it", r.path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if bytes.Equal(head, fileMagic) {
		return r.withFile(f, fn)
	}
	r.stream = true
	return r.withStream(f, fn)
}

func (r *Reader) withFile(f inputfile.File, fn func(*arrow.Schema, func() (arrow.RecordBatch, error)) error) error {
	var fr *ipc.FileReader
	err := r.guard(func() (err error) {
		fr, err = ipc.NewFileReader(f, ipc.WithAllocator(r.mem))
		return err
	})
	if err != nil {
		return r.corrupt(err)
	}
	defer fr.Close()
	i := 0
	return fn(fr.Schema(), func() (rec arrow.RecordBatch, err error) {
		if i == fr.NumRecords() {
			return nil, io.EOF
		}
		err = r.guard(func() (err error) {
			rec, err = fr.RecordBatch(i)
			return err
		})
		if err != nil {
			return nil, r.corrupt(fmt.Errorf("record batch %d: %w", i, err))
		}
		i++
		rec.Retain()
		return rec, nil
	})
}

func (r *Reader) withStream(f inputfile.File, fn func(*arrow.Schema, func() (arrow.RecordBatch, error)) error) error {
	var sr *ipc.Reader
	err := r.guard(func() (err error) {
		sr, err = ipc.NewReader(bufio.NewReaderSize(f, 1<<16), ipc.WithAllocator(r.mem))
		return err
	})
	if err != nil {
		return r.corrupt(err)
	}
	defer sr.Release()
	i := 0
	return fn(sr.Schema(), func() (arrow.RecordBatch, error) {
		var more bool
		err := r.guard(func() error {
			more = sr.Next()
			return sr.Err()
		})
		if err != nil && err != io.EOF {
			return nil, r.corrupt(fmt.Errorf("record batch %d: %w", i, err))
		}
		if !more {
			return nil, io.EOF
		}
		i++
		rec := sr.RecordBatch()
		rec.Retain()
		return rec, nil
	})
}

// guard runs decode, turning a panic of the IPC decoder on malformed input
// into an error.
func (r *Reader) guard(decode func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panic: %v", p)
		}
	}()
	return decode()
}

func (r *Reader) corrupt(err error) error {
	return fmt.Errorf("%s: %w: %w; check that the file was written completely, or regenerate it", r.path, ErrCorrupt, err)
}
