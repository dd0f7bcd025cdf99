// Package parquetio reads Parquet files row group by row group and writes the
// job's output and rejects files.
//
// Invariants:
//   - Reading never holds more than one row group of a file in memory: a unit
//     is one row group, or a slice of at most maxRows rows of a larger one,
//     and only the unit being read is held decoded. A row group whose units
//     the caller all marks as done is skipped from the file's metadata
//     without reading its pages; in a row group read in part, the done units
//     before the last one to read are decoded from the group's start and
//     dropped, never reached by seeking inside the group.
//   - Corrupt or truncated files give an error naming the file; they never
//     panic.
//   - A Writer writes exactly the records it is given into one file, in
//     order, and stores the Arrow schema in the file so that fixed-size lists
//     and float16 read back with their Arrow types.
package parquetio
