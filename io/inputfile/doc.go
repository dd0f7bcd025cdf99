// Package inputfile opens the input files of a job, wherever they are: a
// local path, or an object-storage location (s3://bucket/key, gs://…,
// azblob://…) read through io/objstore. It is the one place the format
// readers (io/parquetio, io/arrowio, io/csvio, io/jsonlio) and the
// fingerprints of io/chunk open and stat a file, so each of them reads
// objects as it reads files.
//
// Invariants:
//   - An object's path is its store's scheme and bucket followed by its key
//     verbatim ("s3://bucket/" + key): no escape is decoded, so a key holding
//     %XX (a Hive partition value) is read back as listed.
//   - Each bucket is opened once per process and kept open: the first
//     location naming it (through Bucket, or an object path given to Open
//     or Stat) gives the query parameters (region, use_path_style) used for
//     all of it. Register puts a Store of one's own in its place.
//   - Open of an object costs one request (its attributes); ReadAt is one
//     ranged request, and sequential Reads share one streaming request.
package inputfile
