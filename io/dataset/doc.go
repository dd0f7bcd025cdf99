// Package dataset finds input files and reads them as one ordered sequence of
// chunks, whatever their format (Parquet, Arrow IPC file or stream, CSV/TSV,
// JSON Lines).
//
// Invariants:
//   - Discover returns files in a deterministic order: the paths in the order
//     given, each folder or glob expanded in sorted path order; hidden files
//     and folders (".x") and those starting with "_" (_SUCCESS, _temporary)
//     are skipped inside folders and globs.
//   - Open checks every file's columns before any row is read: each required
//     column exists with an acceptable type, optional columns have an
//     acceptable type when present, and every passthrough column exists with
//     the same type in every file. Problems name the file(s) and the column.
//   - Reading follows the file order; within a file, units come in row order
//     with stable identities (see io/chunk), and at most one unit per file is
//     decoded at a time.
//   - Hive partition folders (key=value) become string columns that can be
//     passed through; they are never silently added otherwise.
package dataset

import "github.com/bertbatch/bertbatch/io/chunk"

// Unit identifies one slice of one input file (see io/chunk).
type Unit = chunk.Unit

// Chunk is one unit's rows (see io/chunk).
type Chunk = chunk.Chunk

// RowError is a problem with one row's value (see io/chunk).
type RowError = chunk.RowError

// Skip reports whether a unit is already done (see io/chunk).
type Skip = chunk.Skip

// Emit receives each chunk in order (see io/chunk).
type Emit = chunk.Emit
