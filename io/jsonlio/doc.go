// Package jsonlio reads JSON Lines files (one JSON object per line) in chunks
// of a fixed number of rows.
//
// Invariants:
//   - Rows are the non-blank lines, numbered from 0; error reasons also give
//     the 1-based line number.
//   - Column types are inferred from the first InferRows rows, in the order
//     keys first appear: all booleans → bool, all integers → int64, all
//     numbers → float64, all strings → string, only nulls → null; anything
//     else (objects, arrays, mixed kinds) → string holding each value's JSON
//     text. Token columns named by the caller are always list<int64> and
//     accept arrays of integers or "[101, 2023]" strings.
//   - A value that does not fit its column's type (a number in a column of
//     strings, a decimal in an int64 column; a column of JSON text takes any
//     value), or a line that is not a JSON object, makes its row a problem row
//     (chunk.Chunk.Problems, value null) rather than stopping the reading.
//   - A unit is a run of at most maxRows rows; unit k starts at row k×maxRows.
//     Units marked done are scanned but not decoded or emitted.
package jsonlio
