// Package arrowio reads Arrow IPC files (random-access format, .arrow/.feather)
// and Arrow IPC streams (.arrows, and the .arrow cache files of Hugging Face
// datasets), record batch by record batch.
//
// Invariants:
//   - Which of the two containers a file uses is read from its first bytes,
//     never trusted from its extension.
//   - Units are the file's record batches in order, each split into slices of
//     at most maxRows rows; only one record batch is in memory at a time.
//   - Malformed input gives an error naming the file; it never panics.
package arrowio
