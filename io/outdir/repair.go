package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// removeTemps removes the temporary files a crashed run left behind. The
// caller holds the lock, so no live run is writing them.
func removeTemps(dir string, entries []os.DirEntry) error {
	var names []string
	for _, e := range entries {
		if isTemp(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return removeFiles(dir, names)
}

// removeFiles removes dir/name for every name; names already gone are fine.
func removeFiles(dir string, names []string) error {
	for _, name := range names {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", filepath.Join(dir, name), err)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return syncDir(dir)
}

// visible reports whether dataset readers see an entry: pyarrow and DuckDB
// skip names starting with "." or "_".
func visible(name string) bool {
	return !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_")
}

// checkUnknown fails with ErrUnknownFiles when dir holds visible entries the
// manifest does not name.
func checkUnknown(dir string, entries []os.DirEntry, named map[string]bool) error {
	var unknown []string
	for _, e := range entries {
		if visible(e.Name()) && !named[e.Name()] {
			unknown = append(unknown, e.Name())
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	shown := unknown[:min(len(unknown), 5)]
	more := ""
	if len(unknown) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(unknown)-len(shown))
	}
	return fmt.Errorf("%w: %s holds %s%s, which dataset readers would mix with the results; "+
		"move them away or choose an empty output folder (bertbatch never deletes files it did not write)",
		ErrUnknownFiles, dir, strings.Join(shown, ", "), more)
}

// checkFinished fails with ErrDamaged when a finished unit's file is missing
// or does not have its recorded size. Files not tied to a unit (a summary)
// are rewritten by every run and not checked.
func checkFinished(dir string, s *folderState) error {
	var problems []string
	check := func(name string, want int64, owner string) {
		info, err := os.Stat(filepath.Join(dir, name))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s of %s is missing", name, owner))
		case info.Size() != want:
			problems = append(problems, fmt.Sprintf("%s of %s has %d bytes, recorded %d", name, owner, info.Size(), want))
		}
	}
	for _, r := range s.records {
		for _, f := range r.Files {
			check(f.Name, f.Bytes, "unit "+r.Unit.String())
		}
	}
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return fmt.Errorf("%w: in %s, %s; something other than bertbatch changed the folder; run with --overwrite to start over",
		ErrDamaged, dir, strings.Join(problems, "; "))
}
