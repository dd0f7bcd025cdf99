package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
)

// folderState is what a manifest says about its folder.
type folderState struct {
	job       *line
	records   []Record            // finished units, in commit order
	units     map[Unit]int        // index into records
	unitFiles map[string]Unit     // files of finished units
	plain     map[string]FileInfo // finished files not tied to a unit
	begun     map[string]bool     // files named by a begin record and not finished since: orphans
	named     map[string]bool     // every file any record names
}

// replay rebuilds the folder state from manifest lines, checking that no
// unit is finished twice and no file belongs to two units.
func replay(dir folder, name string, lines []line) (*folderState, error) {
	s := &folderState{
		units: map[Unit]int{}, unitFiles: map[string]Unit{}, plain: map[string]FileInfo{},
		begun: map[string]bool{}, named: map[string]bool{},
	}
	manifest := dir.at(name)
	for i, l := range lines {
		damaged := func(format string, args ...any) error {
			return fmt.Errorf("%w: manifest %s line %d: %s; run with --overwrite to start over",
				ErrDamaged, manifest, i+1, fmt.Sprintf(format, args...))
		}
		if (l.Kind == kindUnit || l.Kind == kindDrop) && l.Unit == nil {
			return nil, damaged("a %s record without its unit", l.Kind)
		}
		if _, dup := s.units[ptrValue(l.Unit)]; dup && l.Kind == kindUnit {
			return nil, damaged("unit %s is recorded twice", *l.Unit)
		}
		for _, f := range l.Files {
			if err := validateName(f.Name); err != nil {
				return nil, damaged("%v", err)
			}
			if u, ok := s.unitFiles[f.Name]; ok && (l.Kind != kindDrop || u != *l.Unit) {
				return nil, damaged("file %s already belongs to unit %s", f.Name, u)
			}
			s.named[f.Name] = true
		}
		switch l.Kind {
		case kindDrop:
			if err := s.drop(*l.Unit); err != nil {
				return nil, damaged("%v", err)
			}
		case kindRemove:
			for _, f := range l.Files {
				delete(s.plain, f.Name)
				s.begun[f.Name] = true // removed next, or by the next Open if the run stopped first
			}
		case kindJob:
			s.job = &lines[i]
		case kindBegin:
			for _, f := range l.Files {
				delete(s.plain, f.Name) // being replaced: in doubt until its file record
				s.begun[f.Name] = true
			}
		case kindUnit:
			s.units[*l.Unit] = len(s.records)
			s.records = append(s.records, Record{Unit: *l.Unit, Input: l.Input, Files: l.Files, Rows: l.Rows,
				JobHash: l.JobHash, ModelCommit: l.ModelCommit, Finished: l.Time})
			for _, f := range l.Files {
				s.unitFiles[f.Name] = *l.Unit
				delete(s.begun, f.Name)
			}
		case kindFile:
			for _, f := range l.Files {
				s.plain[f.Name] = f
				delete(s.begun, f.Name)
			}
		default:
			return nil, damaged("unknown record kind %q", l.Kind)
		}
	}
	return s, nil
}

// drop forgets finished unit u: its files become orphans, removed by Open.
func (s *folderState) drop(u Unit) error {
	i, ok := s.units[u]
	if !ok {
		return fmt.Errorf("unit %s is dropped but not finished", u)
	}
	for _, f := range s.records[i].Files {
		delete(s.unitFiles, f.Name)
		s.begun[f.Name] = true
	}
	s.records = slices.Delete(s.records, i, i+1)
	delete(s.units, u)
	for j := i; j < len(s.records); j++ {
		s.units[s.records[j].Unit] = j
	}
	return nil
}

// differences lists how the folder's job differs from id. When both sides
// have the job's canonical text, a different job hash is reported as the
// settings that changed.
func (s *folderState) differences(id Identity) []Difference {
	var diffs []Difference
	if s.job.Version != manifestVersion {
		// Nothing else in a manifest of another version can be relied on.
		return []Difference{{Field: "manifest version", Have: fmt.Sprint(s.job.Version), Want: fmt.Sprint(manifestVersion)}}
	}
	if s.job.JobHash != id.JobHash {
		if settings := diffJobText(s.job.Job, id.JobText); len(settings) > 0 {
			diffs = append(diffs, settings...)
		} else {
			diffs = append(diffs, Difference{Field: "job hash", Have: s.job.JobHash, Want: id.JobHash})
		}
	}
	if s.job.ModelCommit != id.ModelCommit {
		diffs = append(diffs, Difference{Field: "model commit", Have: s.job.ModelCommit, Want: id.ModelCommit})
	}
	return diffs
}

func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// namedInManifest returns every valid file name dir's manifest names,
// skipping lines it cannot read: what Overwrite may remove even from a
// damaged manifest. Files it cannot attribute stay, and Open then refuses
// them as unknown.
func namedInManifest(dir folder, name string) (map[string]bool, error) {
	data, err := dir.readManifest(name)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	named := map[string]bool{}
	for _, text := range bytes.Split(data, []byte("\n")) {
		var l line
		if json.Unmarshal(text, &l) != nil {
			continue
		}
		for _, f := range l.Files {
			if validateName(f.Name) == nil {
				named[f.Name] = true
			}
		}
	}
	return named, nil
}
