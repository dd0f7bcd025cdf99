package outdir

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrLocked means another process holds the output folder's lock.
	ErrLocked = errors.New("output folder is in use by another run")
	// ErrMismatch means the folder holds results of a different job or model.
	ErrMismatch = errors.New("output folder holds results of a different job")
	// ErrUnknownFiles means the folder holds visible files bertbatch did not write.
	ErrUnknownFiles = errors.New("output folder holds files bertbatch did not write")
	// ErrShardLayout: a run would mix shards and a whole-job run, or shards of
	// different counts, in one folder.
	ErrShardLayout = errors.New("output folder was written with another split into shards")
	// ErrDamaged means the folder no longer matches its manifest in a way no
	// crash can cause: a finished unit's file is missing or changed, or a
	// manifest line in the middle is unreadable.
	ErrDamaged = errors.New("output folder does not match its manifest")
	// ErrInputChanged means a finished unit's input no longer matches the
	// fingerprint recorded when it was committed.
	ErrInputChanged = errors.New("input changed since its results were committed")
)

// LockedError says who holds the lock. errors.Is(err, ErrLocked) is true.
type LockedError struct {
	Dir    string // the output folder
	Holder string // the lock file's content: pid, host and start time, if written yet
}

func (e *LockedError) Error() string {
	holder := e.Holder
	if holder == "" {
		holder = "a process that has not written its details yet"
	}
	return fmt.Sprintf("output folder %s is in use by another run (%s); wait for it to finish or stop it, or choose another output folder",
		e.Dir, holder)
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Difference is one value that differs between the folder's job and this run.
type Difference struct {
	Field string // a job setting ("output.pooling"), "job hash", "model commit" or "manifest version"
	Have  string // the value recorded in the folder
	Want  string // this run's value
	// Setting is true for a job setting; Have and Want are then written as
	// in the job's canonical text (strings quoted).
	Setting bool
}

// String renders d for messages: `output.pooling: "mean" → "cls"` for a
// setting, `its model commit is "a", this run's is "b"` otherwise.
func (d Difference) String() string {
	if d.Setting {
		return fmt.Sprintf("%s: %s → %s", d.Field, d.Have, d.Want)
	}
	return fmt.Sprintf("its %s is %q, this run's is %q", d.Field, d.Have, d.Want)
}

// MismatchError says what differs between the folder's job and this run.
// errors.Is(err, ErrMismatch) is true.
type MismatchError struct {
	Dir         string
	Differences []Difference
}

func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "output folder %s holds results of a different job:", e.Dir)
	settings := false
	for i, d := range e.Differences {
		if i > 0 {
			b.WriteString(";")
		}
		if d.Setting && !settings {
			b.WriteString(" job settings changed:")
			settings = true
		}
		b.WriteString(" " + d.String())
		if d.Field == "manifest version" {
			b.WriteString(" (written by another version of bertbatch, whose records this one does not read)")
		}
	}
	b.WriteString("; run with --overwrite (or mode: overwrite) to replace them, or choose another output folder")
	return b.String()
}

// Is reports whether target is ErrMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// InputChangedError reports finished units whose input no longer matches
// the fingerprint recorded when they were committed. errors.Is(err,
// ErrInputChanged) is true.
type InputChangedError struct {
	Dir     string
	Changes []InputChange
}

// InputChange is one finished unit whose input changed.
type InputChange struct {
	Unit   Unit
	Rows   int64  // rows the unit wrote
	Reason string // what differs, as the format's fingerprint says
}

func (e *InputChangedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "input changed since its results were committed in output folder %s:", e.Dir)
	shown := e.Changes[:min(len(e.Changes), 5)]
	for i, c := range shown {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s rows %d to %d: %s", c.Unit.Input, c.Unit.Start, c.Unit.End, c.Reason)
	}
	if more := len(e.Changes) - len(shown); more > 0 {
		fmt.Fprintf(&b, "; and %d more unit(s)", more)
	}
	b.WriteString("; the output would mix rows of the old and the new input: restore the input, " +
		"set resume.on_input_change: redo to redo the changed units, or run with --overwrite to start over")
	return b.String()
}

// Is reports whether target is ErrInputChanged.
func (e *InputChangedError) Is(target error) bool { return target == ErrInputChanged }
