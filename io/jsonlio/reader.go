package jsonlio

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// DefaultInferRows is how many rows Open scans to infer column types.
const DefaultInferRows = 1000

// TokenListType is the Arrow type token columns are read as.
var TokenListType = arrow.ListOf(arrow.PrimitiveTypes.Int64)

// Options configure a Reader.
type Options struct {
	// TokenColumns are read as list<int64>.
	TokenColumns []string
	// InferRows is how many rows are scanned to infer column types; 0 means
	// DefaultInferRows.
	InferRows int
}

// Reader reads one JSON Lines file. It is not safe for concurrent use.
type Reader struct {
	path     string
	mem      memory.Allocator
	schema   *arrow.Schema
	jsonText map[string]bool // string columns holding each value's JSON text (see inference.jsonText)
}

// Open opens path and infers its schema (see the package doc). mem allocates
// the decoded data (nil means the default Go allocator).
func Open(path string, opts Options, mem memory.Allocator) (*Reader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if opts.InferRows <= 0 {
		opts.InferRows = DefaultInferRows
	}
	r := &Reader{path: path, mem: mem}
	inf := newInference(opts.TokenColumns)
	rows := 0
	err := r.eachLine(func(line []byte, lineNo int) (bool, error) {
		inf.add(line)
		rows++
		return rows < opts.InferRows, nil
	})
	if err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, fmt.Errorf("%s: no JSON object found: the file is empty or blank; a JSON Lines input needs one object per line", path)
	}
	if inf.empty() {
		return nil, fmt.Errorf("%s: no JSON object with any key found in the first %d rows; a JSON Lines input needs one object per line", path, opts.InferRows)
	}
	r.schema, r.jsonText = inf.schema(), inf.jsonText()
	return r, nil
}

// Schema returns the inferred columns (see the package doc).
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Close releases nothing: each Read opens the file afresh.
func (r *Reader) Close() error { return nil }

// Read emits the named columns of every unit not skipped, in file order.
func (r *Reader) Read(ctx context.Context, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	if maxRows <= 0 {
		return fmt.Errorf("jsonlio: maxRows must be positive, got %d", maxRows)
	}
	b, err := r.newBatch(columns)
	if err != nil {
		return err
	}
	defer b.Release()
	u := chunk.Unit{File: r.path}
	skipping := skip.Has(chunk.Unit{File: r.path, Rows: maxRows})
	flush := func() error {
		if skipping {
			return nil
		}
		c := b.Finish(u)
		if skip.Has(u) {
			c.Release()
			return nil
		}
		return emit(c)
	}
	err = r.eachLine(func(line []byte, lineNo int) (bool, error) {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if !skipping {
			b.append(line, u.RowStart+u.Rows, lineNo)
		}
		if u.Rows++; u.Rows == maxRows {
			if err := flush(); err != nil {
				return false, err
			}
			u = chunk.Unit{File: r.path, Index: u.Index + 1, RowStart: u.RowStart + u.Rows}
			skipping = skip.Has(chunk.Unit{File: r.path, Index: u.Index, RowStart: u.RowStart, Rows: maxRows})
		}
		return true, nil
	})
	if err != nil || u.Rows == 0 {
		return err
	}
	if skipping && !skip.Has(u) {
		return chunk.ChangedError(u, maxRows)
	}
	return flush()
}

// eachLine calls fn with every non-blank line and its 1-based line number
// until fn returns false or an error.
func (r *Reader) eachLine(fn func(line []byte, lineNo int) (bool, error)) error {
	f, err := inputfile.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: line %d: %w", r.path, lineNo, err)
		}
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			more, ferr := fn(t, lineNo)
			if ferr != nil || !more {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}
