package outdir

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Report is what Verify found in an output folder.
type Report struct {
	Dir      string
	Complete bool     // the completion marker is committed: the run that wrote the folder finished the job
	Units    int      // finished units
	Rows     int64    // rows the finished units wrote
	Files    int      // committed files checked, the marker and summary included
	Problems []string // each problem found, in the order checked; empty when the folder is sound
}

// OK reports whether the folder is sound and complete.
func (r *Report) OK() bool { return r.Complete && len(r.Problems) == 0 }

// Verify checks an output folder without changing it: the manifest parses;
// every file it names exists with its recorded size and SHA-256; no visible
// file is unattributed; no temporary file or file of an unfinished commit is
// left; and the completion marker is there. A folder whose lock a run holds
// is reported as such and not checked further. The error is for a folder
// that cannot be read at all; everything else is a problem in the report.
func Verify(path string) (_ *Report, err error) {
	r := &Report{Dir: path}
	dir, err := openFolder(path, false)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, dir.close()) }()
	entries, err := dir.list()
	if err != nil {
		return nil, fmt.Errorf("verify output folder: %w", err)
	}
	if holder, locked := dir.holder(LockName); locked {
		r.Problems = append(r.Problems, fmt.Sprintf("a run is writing the folder (%s); verify it once the run ends", holder))
		return r, nil
	}
	s, problem := readOnlyState(dir)
	if found, specs := shardManifests(entries); problem != "" && len(found) > 0 {
		problem = fmt.Sprintf("%s is missing, and the folder holds %d manifest(s) of a run split into %d shards: "+
			"see `bertbatch status %s`, then merge them with `bertbatch commit %s job.yaml`", ManifestName, len(found), specs[0].Count, dir, dir)
	}
	if problem != "" {
		r.Problems = append(r.Problems, problem)
		return r, nil
	}
	var files []ownedFile
	for _, rec := range s.records {
		r.Units++
		r.Rows += rec.Rows
		for _, f := range rec.Files {
			files = append(files, ownedFile{f, "of unit " + rec.Unit.String()})
		}
	}
	for _, name := range keys(s.namedPlain()) {
		files = append(files, ownedFile{s.plain[name], ""})
	}
	r.Files = len(files)
	r.Problems = append(r.Problems, checkFiles(dir, files)...)
	for _, name := range entries {
		switch {
		case isTemp(name):
			r.Problems = append(r.Problems, fmt.Sprintf("temporary file %s is left by a run that stopped (the next run removes it)", name))
		case s.begun[name]:
			r.Problems = append(r.Problems, fmt.Sprintf("%s is left by a commit that did not finish (the next run removes it)", name))
		}
	}
	for _, name := range unknownFiles(entries, s.named) {
		r.Problems = append(r.Problems, fmt.Sprintf("%s is not named by the manifest: bertbatch did not write it", name))
	}
	_, r.Complete = s.plain[SuccessName]
	return r, nil
}

// namedPlain returns the committed files not tied to a unit, as a set.
func (s *folderState) namedPlain() map[string]bool {
	names := map[string]bool{}
	for name := range s.plain {
		names[name] = true
	}
	return names
}

// readOnlyState reads and replays dir's manifest without repairing it: a
// torn last line is a problem here, where Open would cut it off.
func readOnlyState(dir folder) (*folderState, string) {
	path := dir.at(ManifestName)
	data, err := dir.readManifest(ManifestName)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Sprintf("%s is missing: the folder holds no bertbatch output", ManifestName)
	}
	if err != nil {
		return nil, fmt.Sprintf("%s cannot be read: %v", ManifestName, err)
	}
	complete := bytes.LastIndexByte(data, '\n') + 1
	if complete < len(data) {
		return nil, fmt.Sprintf("%s ends with a record cut short: a run stopped while appending it (the next run repairs it)", ManifestName)
	}
	lines, err := parseManifest(path, data)
	if err == nil && len(lines) == 0 {
		err = errors.New("it is empty")
	}
	if err != nil {
		return nil, fmt.Sprintf("%s: %v", ManifestName, err)
	}
	if v := lines[0].Version; v != manifestVersion {
		return nil, fmt.Sprintf("%s is version %d, written by another version of bertbatch; this one reads version %d",
			ManifestName, v, manifestVersion)
	}
	s, err := replay(dir, ManifestName, lines)
	if err != nil {
		return nil, err.Error()
	}
	return s, ""
}

// lockedByName reports whether a run holds the lock file dir/name, and
// who. It never creates the lock file.
func lockedByName(dir, name string) (string, bool) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close() // releases the lock if tryLock took it
	if err := tryLock(f); errors.Is(err, errWouldBlock) {
		holder, _ := os.ReadFile(path)
		return string(holder), true
	}
	return "", false
}
