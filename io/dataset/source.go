package dataset

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/arrowio"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/csvio"
	"github.com/bertbatch/bertbatch/io/jsonlio"
	"github.com/bertbatch/bertbatch/io/parquetio"
)

// source is one open input file of any format.
type source interface {
	Schema() *arrow.Schema
	Read(ctx context.Context, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error
	Close() error
}

// openSource opens f with the reader of its format.
func openSource(f File, tokenColumns []string, inferRows int, mem memory.Allocator) (source, error) {
	switch f.Format {
	case FormatParquet:
		return parquetio.Open(f.Path, mem)
	case FormatArrow, FormatArrowStream:
		return arrowio.Open(f.Path, mem)
	case FormatCSV:
		return csvio.Open(f.Path, csvio.Options{TokenColumns: tokenColumns}, mem)
	case FormatTSV:
		return csvio.Open(f.Path, csvio.Options{Delimiter: '\t', TokenColumns: tokenColumns}, mem)
	case FormatJSONL:
		return jsonlio.Open(f.Path, jsonlio.Options{TokenColumns: tokenColumns, InferRows: inferRows}, mem)
	}
	return nil, fmt.Errorf("%s: unsupported format %q", f.Path, f.Format)
}
