// Package csvio reads CSV and TSV files with a header row, in chunks of a
// fixed number of rows.
//
// Invariants:
//   - Every column is read as a string, exactly as written, except the token
//     columns the caller names: those hold a list of integers written as
//     "[101, 2023, 102]" (commas and/or spaces between the numbers) and are
//     read as list<int64>. An empty field in a token column is null.
//   - A unit is a run of at most maxRows data rows; unit k starts at row
//     k×maxRows. Units marked done are parsed (to find row boundaries) but
//     not decoded or emitted.
//   - A value that cannot be parsed makes its row a problem row (reported in
//     chunk.Chunk.Problems, value null); a malformed file (unbalanced quotes,
//     wrong field count) stops the reading with an error naming the line.
package csvio
