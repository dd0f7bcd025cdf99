package outdir

import (
	"fmt"
	"time"
)

// now is the time recorded in manifest records, in UTC to the second.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// CommitUnit commits files (created by d.Create, all written) as the results
// of unit u, rows rows in all, and records u finished. The steps, each
// durable before the next: fsync every file; record their names (begin);
// rename them into place; fsync the folder; record the unit. A crash at any
// step leaves either the unit finished with all its files, or the unit not
// finished and its files removed by the next Open. On error the files are
// aborted and d refuses further commits (reopen it to repair).
func (d *Dir) CommitUnit(u Unit, rows int64, files ...*PendingFile) error {
	return d.CommitUnitInput(u, nil, rows, files...)
}

// CommitUnitInput is CommitUnit recording also in, the fingerprint of u's
// input (nil records none), so that a later run can tell it changed.
func (d *Dir) CommitUnitInput(u Unit, in *Input, rows int64, files ...*PendingFile) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkUnit(u, rows, files); err != nil {
		d.abort(files)
		return err
	}
	finished := now()
	infos, err := d.place(files)
	if err == nil {
		err = d.manifest.append(line{Kind: kindUnit, Unit: &u, Input: in, Files: infos, Rows: rows,
			JobHash: d.id.JobHash, ModelCommit: d.id.ModelCommit, Time: finished})
	}
	if err != nil {
		d.broken = err
		return fmt.Errorf("output folder %s: commit unit %s: %w", d.path, u, err)
	}
	d.state.units[u] = len(d.state.records)
	d.state.records = append(d.state.records, Record{Unit: u, Input: in, Files: infos, Rows: rows,
		JobHash: d.id.JobHash, ModelCommit: d.id.ModelCommit, Finished: finished})
	for _, f := range infos {
		d.state.unitFiles[f.Name] = u
	}
	return nil
}

// CommitFile commits a file not tied to a unit, such as a run summary,
// replacing any earlier file of that name. Such files are removed by
// Overwrite but never checked on Open.
func (d *Dir) CommitFile(f *PendingFile) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkFiles([]*PendingFile{f}); err != nil {
		d.abort([]*PendingFile{f})
		return err
	}
	infos, err := d.place([]*PendingFile{f})
	if err == nil {
		err = d.manifest.append(line{Kind: kindFile, Files: infos, Time: now()})
	}
	if err != nil {
		d.broken = err
		return fmt.Errorf("output folder %s: commit %s: %w", d.path, f.Name(), err)
	}
	d.state.plain[f.Name()] = infos[0]
	d.state.named[f.Name()] = true
	return nil
}

// MarkComplete commits the completion marker _SUCCESS (an empty file): the
// job's every unit is finished. The first Create or Redo of a later run
// removes it.
func (d *Dir) MarkComplete() error {
	f, err := d.Create(d.names.success)
	if err != nil {
		return err
	}
	return d.CommitFile(f)
}

// Redo forgets finished units so that they are done again: for each, it
// records a drop record, then removes the unit's files. A crash in between
// leaves files that the next Open removes, since the manifest says they are
// dropped.
func (d *Dir) Redo(units []Unit) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return err
	}
	if err := d.unmarkComplete(); err != nil {
		return err
	}
	for _, u := range units {
		i, ok := d.state.units[u]
		if !ok {
			return fmt.Errorf("output folder %s: unit %s is not finished; there is nothing to redo", d.path, u)
		}
		files := d.state.records[i].Files
		if err := d.manifest.append(line{Kind: kindDrop, Unit: &u, Files: files, Time: now()}); err != nil {
			d.broken = err
			return fmt.Errorf("output folder %s: redo unit %s: %w", d.path, u, err)
		}
		if err := d.state.drop(u); err != nil {
			return err
		}
		crashPoint("dropped")
		names := make([]string, len(files))
		for j, f := range files {
			names[j] = f.Name
			delete(d.state.begun, f.Name)
		}
		if err := d.f.remove(names); err != nil {
			d.broken = err
			return fmt.Errorf("output folder %s: redo unit %s: %w", d.path, u, err)
		}
	}
	return nil
}

func (d *Dir) checkUnit(u Unit, rows int64, files []*PendingFile) error {
	if err := u.validate(); err != nil {
		return fmt.Errorf("output folder %s: %w", d.path, err)
	}
	if rows < 0 {
		return fmt.Errorf("output folder %s: unit %s: negative row count %d", d.path, u, rows)
	}
	if _, done := d.state.units[u]; done {
		return fmt.Errorf("output folder %s: unit %s is already finished; its rows would be written twice", d.path, u)
	}
	return d.checkFiles(files)
}

// checkFiles checks that files are d's own, uncommitted, with distinct names
// that no finished unit holds.
func (d *Dir) checkFiles(files []*PendingFile) error {
	if err := d.usable(); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, f := range files {
		switch {
		case !d.pending[f]:
			return fmt.Errorf("output folder %s: %s was not created by this folder or is already committed", d.path, f.Name())
		case names[f.Name()]:
			return fmt.Errorf("output folder %s: %s is given twice", d.path, f.Name())
		}
		if u, ok := d.state.unitFiles[f.Name()]; ok {
			return fmt.Errorf("output folder %s: %s already holds the results of unit %s", d.path, f.Name(), u)
		}
		names[f.Name()] = true
	}
	return nil
}

// place fsyncs files, records their names, renames them into place and
// fsyncs the folder.
func (d *Dir) place(files []*PendingFile) ([]FileInfo, error) {
	infos := make([]FileInfo, len(files))
	for i, f := range files {
		delete(d.pending, f)
		info, err := f.finish()
		if err != nil {
			abortAll(files)
			return nil, err
		}
		infos[i] = info
	}
	if err := d.manifest.append(line{Kind: kindBegin, Files: infos, Time: now()}); err != nil {
		abortAll(files)
		return nil, err
	}
	crashPoint("begun")
	for _, f := range files {
		if err := f.rename(); err != nil {
			abortAll(files)
			return nil, err
		}
		crashPoint("renamed")
	}
	if err := d.f.sync(); err != nil {
		return nil, err
	}
	crashPoint("placed")
	return infos, nil
}

// abort drops files that will not be committed; only files of d are dropped.
func (d *Dir) abort(files []*PendingFile) {
	for _, f := range files {
		if d.pending[f] {
			delete(d.pending, f)
			f.Abort()
		}
	}
}

func abortAll(files []*PendingFile) {
	for _, f := range files {
		f.Abort()
	}
}
