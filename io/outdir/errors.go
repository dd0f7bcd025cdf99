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
	// ErrDamaged means the folder no longer matches its manifest in a way no
	// crash can cause: a finished unit's file is missing or changed, or a
	// manifest line in the middle is unreadable.
	ErrDamaged = errors.New("output folder does not match its manifest")
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
	Field string // "job hash", "model commit" or "manifest version"
	Have  string // the value recorded in the folder
	Want  string // this run's value
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
	for i, d := range e.Differences {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " its %s is %q, this run's is %q", d.Field, d.Have, d.Want)
	}
	b.WriteString("; run with --overwrite (or mode: overwrite) to replace them, or choose another output folder")
	return b.String()
}

// Is reports whether target is ErrMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }
