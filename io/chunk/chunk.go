// Package chunk defines the unit of reading shared by the input format readers
// (io/parquetio, io/arrowio, io/csvio, io/jsonlio) and io/dataset.
//
// Invariants:
//   - A file is read as a sequence of units. A unit's identity (file, index,
//     first row, row count) depends only on the file's contents and the
//     maximum rows per unit, so a rerun over the same file reproduces the same
//     units and can skip those already finished.
//   - Row numbers are 0-based and global within their file.
//   - The receiver of a Chunk owns its Record and must Release it.
package chunk

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Unit identifies one slice of one input file: rows [RowStart, RowStart+Rows)
// of File, the Index-th unit of that file (0-based).
type Unit struct {
	File     string
	Index    int
	RowStart int64
	Rows     int64
}

// String renders u as "file[index] rows a..b" for logs and errors.
func (u Unit) String() string {
	return fmt.Sprintf("%s[%d] rows %d..%d", u.File, u.Index, u.RowStart, u.RowStart+u.Rows)
}

// Chunk is one unit's rows as an Arrow record batch.
type Chunk struct {
	Unit Unit
	// Record holds the unit's rows; Record.NumRows() == Unit.Rows.
	Record arrow.RecordBatch
	// Problems lists rows the reader could not decode (sorted by row, at most
	// one per row); their values in Record are null.
	Problems []*RowError
}

// Row returns the file-global row number of the i-th row of the chunk.
func (c Chunk) Row(i int) int64 { return c.Unit.RowStart + int64(i) }

// Release releases the chunk's record.
func (c Chunk) Release() {
	if c.Record != nil {
		c.Record.Release()
	}
}

// Skip reports whether a unit is already done and need not be emitted.
// A nil Skip skips nothing.
type Skip func(Unit) bool

// Has reports whether s skips u.
func (s Skip) Has(u Unit) bool { return s != nil && s(u) }

// Emit receives each chunk in file order. It owns the chunk; returning an
// error stops the reading and is returned by the reader.
type Emit func(Chunk) error

// RowError is a problem with one row's value: the row cannot be used as it is.
type RowError struct {
	File   string
	Row    int64 // 0-based, global within File
	Column string
	Reason string
}

// Error names the file, row and column.
func (e *RowError) Error() string {
	return fmt.Sprintf("%s: row %d, column %q: %s", e.File, e.Row, e.Column, e.Reason)
}

// ChangedError reports a streamed file that ends inside unit u although a
// full unit of maxRows rows at u's place was recorded as done: the file
// changed since, and resuming would lose rows.
func ChangedError(u Unit, maxRows int64) error {
	return fmt.Errorf("%s: the file ends at row %d, inside unit %d, which an earlier run recorded as %d rows long; "+
		"the file changed since that run, so rerun the job with --overwrite", u.File, u.RowStart+u.Rows, u.Index, maxRows)
}
