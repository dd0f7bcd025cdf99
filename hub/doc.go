// Package hub resolves a model reference — a local folder or a Hugging Face Hub repository id —
// to a local folder holding the files a job needs, sharing the huggingface_hub cache with Python tools.
//
// Invariants:
//
//   - The cache layout is exactly huggingface_hub's: <cache>/models--{org}--{name}/{blobs,refs,snapshots,.no_exist}
//     with snapshot entries as relative symlinks into blobs/, and <cache>/.locks/models--{org}--{name}/<etag>.lock
//     flock(2) locks, so a cache filled by Python is read here and the other way round, and two processes
//     sharing a cache never corrupt it.
//   - A blob becomes visible (renamed to blobs/<etag>) only after its size and content hash were checked;
//     snapshot links are created only after every blob a resolution needs is in place, so a failed
//     resolution leaves nothing new under snapshots/.
//   - Every file name, revision and ETag coming from a user or a server is validated before it becomes a
//     path: nothing is written outside the repository's cache folder.
//   - In offline mode (Options.Offline or HF_HUB_OFFLINE) no HTTP request is made at all; a pinned
//     40-hex commit whose files are cached needs no request either.
//   - A token is sent only to the Hub's own origin, never to a download host of another origin, and is
//     never printed, logged or included in an error.
//
// The package knows nothing of model formats beyond file names: it selects files by name and returns paths.
package hub
