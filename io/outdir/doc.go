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
//
// The folder may also be a prefix of an object store (s3://bucket/prefix,
// gs://, azblob://), which has no rename, no append and no flock. Every
// step above goes through one seam, folder (folder.go), and the object
// store keeps each invariant this way (remote.go, lease.go):
//   - The lock is a lease: generation objects LOCK/NNNNNNNNNN.json, each
//     created only if absent and holding the holder and an expiry, renewed
//     every third of its duration (LeaseTTLEnv, DefaultLeaseTTL). A live
//     lease refuses a second run with a *LockedError naming the holder; an
//     expired one is taken over by creating the next generation, so two
//     takers cannot both win. A holder records nothing once its last renewal
//     is older than three quarters of the duration or a later generation
//     exists.
//   - A file is written to a local temporary file, then uploaded to its
//     final name after its begin record: it is visible only once complete,
//     and an upload that stops leaves nothing.
//   - The manifest NAME.jsonl is the record objects NAME/NNNNNNNNNN.jsonl,
//     numbered from 0, each created only if absent: a record is durable once
//     created and never torn, and of two writers of one manifest only one
//     creates record N; the other stops with a *LockedError. Readers
//     concatenate the records; a missing number is ErrDamaged. A manifest is
//     removed from its last record down.
//   - Removal is a Delete, durable on return; repair, the checks of finished
//     files (size, then SHA-256 read back) and the refusal of unknown
//     visible names work as on disk, on the names the listing gives.
//   - Completion markers and the merged manifest of Commit are created only
//     if absent; summaries are overwritten.
package outdir
