package csvio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// Options configure a Reader.
type Options struct {
	// Delimiter separates fields; 0 means ','.
	Delimiter rune
	// TokenColumns are read as list<int64> from "[1, 2, 3]" strings.
	TokenColumns []string
}

// Reader reads one CSV file. It is not safe for concurrent use.
type Reader struct {
	path   string
	opts   Options
	mem    memory.Allocator
	header []string
	schema *arrow.Schema
}

// TokenListType is the Arrow type token columns are read as.
var TokenListType = arrow.ListOf(arrow.PrimitiveTypes.Int64)

// Open opens path and reads its header row. mem allocates the decoded data
// (nil means the default Go allocator).
func Open(path string, opts Options, mem memory.Allocator) (*Reader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if opts.Delimiter == 0 {
		opts.Delimiter = ','
	}
	r := &Reader{path: path, opts: opts, mem: mem}
	err := r.withRecords(func(header []string, _ *csv.Reader) error {
		r.header = slices.Clone(header)
		return nil
	})
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(r.header))
	for i, name := range r.header {
		fields[i] = arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}
		if slices.Contains(opts.TokenColumns, name) {
			fields[i].Type = TokenListType
		}
	}
	r.schema = arrow.NewSchema(fields, nil)
	return r, nil
}

// Schema returns the columns as they are read (see the package doc).
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Close releases nothing: each Read opens the file afresh.
func (r *Reader) Close() error { return nil }

// Read emits the named columns of every unit not skipped, in file order.
func (r *Reader) Read(ctx context.Context, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	if maxRows <= 0 {
		return fmt.Errorf("csvio: maxRows must be positive, got %d", maxRows)
	}
	b, err := r.newBatch(columns)
	if err != nil {
		return err
	}
	defer b.Release()
	return r.withRecords(func(_ []string, cr *csv.Reader) error {
		u := chunk.Unit{File: r.path}
		skipping := skip.Has(chunk.Unit{File: r.path, Rows: maxRows})
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return r.malformed(err)
			}
			if !skipping {
				line, _ := cr.FieldPos(0)
				b.append(rec, u.RowStart+u.Rows, line)
			}
			if u.Rows++; u.Rows == maxRows {
				if err := r.flush(b, u, skipping, skip, emit); err != nil {
					return err
				}
				u = chunk.Unit{File: r.path, Index: u.Index + 1, RowStart: u.RowStart + u.Rows}
				skipping = skip.Has(chunk.Unit{File: r.path, Index: u.Index, RowStart: u.RowStart, Rows: maxRows})
			}
		}
		if skipping && u.Rows > 0 && !skip.Has(u) {
			return chunk.ChangedError(u, maxRows)
		}
		if u.Rows > 0 {
			return r.flush(b, u, skipping, skip, emit)
		}
		return nil
	})
}

// flush emits the rows gathered in b as unit u, unless u is done. skipped
// says the rows of u were not gathered because a full unit at u's place is
// done.
func (r *Reader) flush(b *batch, u chunk.Unit, skipped bool, skip chunk.Skip, emit chunk.Emit) error {
	if skipped {
		return nil
	}
	c := b.Finish(u)
	if skip.Has(u) {
		c.Release()
		return nil
	}
	return emit(c)
}

// withRecords opens the file, reads the header row and calls fn with it and
// a reader positioned on the first data row.
func (r *Reader) withRecords(fn func(header []string, cr *csv.Reader) error) error {
	f, err := inputfile.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = r.opts.Delimiter
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: file is empty; a CSV input needs a header row naming its columns", r.path)
	}
	if err != nil {
		return r.malformed(err)
	}
	return fn(header, cr)
}

// malformed wraps a CSV syntax error, which names the line.
func (r *Reader) malformed(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: malformed CSV at line %d: %w; fix the file (quotes must be balanced, every row needs as many fields as the header)", r.path, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", r.path, err)
}
