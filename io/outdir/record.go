package outdir

import (
	"fmt"
	"time"
)

// ManifestName is the manifest's file name inside the output folder.
const ManifestName = "_manifest.jsonl"

// manifestVersion is the format version written in the job record. Version
// 2 added the job's canonical text, file checksums, input fingerprints and
// the drop and remove records; a version-1 folder is refused (rerun with
// --overwrite).
const manifestVersion = 2

// SuccessName is the completion marker: committed when a run finishes the
// whole job, removed (and the removal recorded) when a run starts writing.
const SuccessName = "_SUCCESS"

// Identity is what ties an output folder to one job: results of a different
// job hash or model commit are never mixed into it.
type Identity struct {
	JobHash     string // hash of the job's output-affecting settings
	ModelCommit string // resolved model commit (or a content hash for a local folder)
	// JobText is the canonical text JobHash hashes, one "field=value" line per
	// setting; kept in the manifest so that a mismatch can name the settings
	// that changed. Optional.
	JobText string
}

// Unit is a piece of input whose results are committed together: a row range
// of one input file.
type Unit struct {
	Input string `json:"input"` // input file, as the caller names it
	Start int64  `json:"start"` // first row, counted from 0
	End   int64  `json:"end"`   // one past the last row
}

// String names the unit in messages: "input[start:end]".
func (u Unit) String() string { return fmt.Sprintf("%s[%d:%d]", u.Input, u.Start, u.End) }

func (u Unit) validate() error {
	if u.Input == "" || u.Start < 0 || u.End < u.Start {
		return fmt.Errorf("unit %s: need an input name and 0 ≤ start ≤ end", u)
	}
	return nil
}

// FileInfo is a committed file: its name in the folder, its size and the
// SHA-256 of its bytes (lowercase hex).
type FileInfo struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Input fingerprints the input a unit was made from, so that a later run can
// tell whether it changed. Digest decides; Size and ModTime are the input
// file's at commit time, reported when the digest differs. Method names how
// Digest was computed (the input format's own rule); outdir treats it as
// opaque.
type Input struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	Method  string    `json:"method"`
	Digest  string    `json:"digest"`
}

// Record is a finished unit as the manifest records it.
type Record struct {
	Unit        Unit
	Input       *Input     // the input's fingerprint at commit time; nil when none was given
	Files       []FileInfo // the unit's files, in the order they were committed
	Rows        int64      // rows written for the unit
	JobHash     string
	ModelCommit string
	Finished    time.Time
}

// Record kinds, one per manifest line.
const (
	kindJob    = "job"    // first line: which job the folder belongs to
	kindBegin  = "begin"  // files about to be renamed into place
	kindUnit   = "unit"   // a unit whose files are all in place
	kindFile   = "file"   // a file not tied to a unit (a summary), in place
	kindDrop   = "drop"   // a finished unit to be redone: its files are about to be removed
	kindRemove = "remove" // files not tied to a unit (the completion marker) about to be removed
)

// line is one manifest line; which fields are set depends on Kind.
type line struct {
	Kind        string     `json:"kind"`
	Version     int        `json:"version,omitempty"`
	JobHash     string     `json:"job_hash,omitempty"`
	ModelCommit string     `json:"model_commit,omitempty"`
	Job         string     `json:"job,omitempty"`    // the job's canonical text (job record)
	Shard       int        `json:"shard,omitempty"`  // the shard's index (job record of a shard)
	Shards      int        `json:"shards,omitempty"` // the shard count (job record of a shard)
	Unit        *Unit      `json:"unit,omitempty"`
	Input       *Input     `json:"input,omitempty"`
	Files       []FileInfo `json:"files,omitempty"`
	Rows        int64      `json:"rows,omitempty"`
	Time        time.Time  `json:"time"`
}
