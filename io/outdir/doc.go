// Package outdir keeps an output folder consistent across crashes, Ctrl-C,
// kill -9 and re-runs. It knows nothing of the files' format: they are
// opaque bytes written through PendingFile.
//
// A folder opened with Open holds:
//
//	.bertbatch.lock               an flock held for as long as the Dir is open; it names the holder
//	_manifest.jsonl               one JSON record a line: the job, then what was committed
//	.bertbatch-tmp-RANDOM-NAME    a file being written; renamed to NAME when committed
//	NAME …                        committed files, each named by a manifest record with its size and SHA-256
//	_SUCCESS                      the completion marker, committed by MarkComplete
//
// Invariants:
//   - Only one Dir is open on a folder at a time (an exclusive flock, released
//     by the kernel when its holder dies, so a killed run leaves no stale lock).
//   - A file appears under its final name only complete and fsynced: it is
//     written under a temporary name, fsynced, renamed, and the folder fsynced.
//   - The manifest names a file (a "begin" record) before the file is renamed
//     into place, and records a unit finished (a "unit" record) only after its
//     files are renamed and the folder fsynced. Every record is one line,
//     fsynced once appended.
//   - Open repairs what a crash can leave: it truncates a torn last manifest
//     line, removes temporary files, and removes files named by a begin record
//     whose unit was never recorded finished (or was dropped by Redo). After
//     Open, every finished unit's files exist with the recorded sizes and
//     SHA-256 checksums, no unit is recorded twice, and no partial file remains.
//   - Only names starting with TempPrefix are removed as temporary files; any
//     other hidden file is the user's and is left alone.
//   - Files are removed only after a record says so (begin without unit,
//     drop, remove), so a crash in between leaves files the next Open removes.
//   - The completion marker is committed last by a run that finished the
//     job, and removed (the removal recorded first) by Unmark, Create or Redo
//     of the next run; Verify reports the folder complete when it is there.
//   - Open never deletes a file the manifest does not name. It refuses a
//     folder holding visible files (names not starting with "." or "_", which
//     dataset readers such as pyarrow and DuckDB skip) that bertbatch did not
//     write, since a reader would mix them into the dataset.
//   - A folder is tied to one job (job hash and model commit, recorded in the
//     manifest's first line); opening it for another job fails with
//     ErrMismatch unless Overwrite is set, which removes what the manifest
//     names and starts a new manifest.
package outdir
