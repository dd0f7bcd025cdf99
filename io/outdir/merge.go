package outdir

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/bertbatch/bertbatch/io/shard"
)

// ShardStatus is what one shard's manifest says, read without changing it.
type ShardStatus struct {
	Spec     shard.Spec
	Manifest string // the manifest's file name
	Units    int    // finished units
	Rows     int64  // rows they wrote
	Finished bool   // the shard's completion marker is committed
	Running  string // the lock holder when a run holds the shard's lock, else ""
	Problem  string // why the manifest could not be read, else ""
}

// Shards reports on every shard manifest in dir, in shard order. A folder
// with none yields none.
func Shards(path string) (_ []ShardStatus, err error) {
	dir, err := openFolder(path, false)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, dir.close()) }()
	entries, err := dir.list()
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	found, specs := shardManifests(entries)
	out := make([]ShardStatus, len(found))
	for i, name := range found {
		st := ShardStatus{Spec: specs[i], Manifest: name}
		st.Running, _ = dir.holder(namesFor(specs[i]).lock)
		s, err := readShardState(dir, name)
		if err != nil {
			st.Problem = err.Error()
		} else {
			for _, r := range s.records {
				st.Units++
				st.Rows += r.Rows
			}
			_, st.Finished = s.plain[ShardSuccessName(specs[i])]
		}
		out[i] = st
	}
	slices.SortFunc(out, func(a, b ShardStatus) int { return cmp.Compare(a.Spec.Index, b.Spec.Index) })
	return out, nil
}

// readShardState replays the complete lines of a shard manifest without
// repairing it (a run may be appending to it).
func readShardState(dir folder, name string) (*folderState, error) {
	path := dir.at(name)
	data, err := dir.readManifest(name)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	lines, err := parseManifest(path, data[:bytes.LastIndexByte(data, '\n')+1])
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("manifest %s is empty", path)
	}
	if v := lines[0].Version; v != manifestVersion {
		return nil, fmt.Errorf("manifest %s is version %d; this bertbatch reads version %d", path, v, manifestVersion)
	}
	return replay(dir, name, lines)
}

// ErrShardsUnfinished means Commit found a shard missing, running or not
// finished.
var ErrShardsUnfinished = errors.New("not every shard has finished")

// Commit merges the shards of dir into one folder of the whole job: it
// checks that every shard 0..N-1 has a manifest of one job and finished, and
// that check (given every finished unit of every shard) accepts the units as
// covering the input exactly once; then it writes the merged manifest
// _manifest.jsonl naming every shard's files, and commits _SUCCESS. The
// folder then reads, resumes and verifies as one unsharded run's. The shard
// manifests stay (they are hidden from dataset readers). Committing a
// folder already committed does nothing. It fails with ErrShardsUnfinished,
// ErrMismatch, ErrDamaged or the error of check.
func Commit(dir string, check func([]Record) error) (err error) {
	f, err := openFolder(dir, false)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.close()) }()
	if done, err := alreadyMerged(f); err != nil || done {
		return err
	}
	id, err := mergeShards(f, check)
	if err != nil {
		return fmt.Errorf("commit output folder %s: %w", dir, err)
	}
	d, err := Open(dir, id, Options{})
	if err != nil {
		return fmt.Errorf("commit output folder %s: reopen the merged folder: %w", dir, err)
	}
	err = d.MarkComplete()
	return errors.Join(err, d.Close())
}

// alreadyMerged reports whether dir already has its merged manifest; when it
// has, it commits the completion marker if a crash left it out.
func alreadyMerged(dir folder) (bool, error) {
	lines, err := readManifest(dir, ManifestName)
	if err != nil || len(lines) == 0 {
		return false, err
	}
	job := lines[0]
	d, err := Open(dir.String(), Identity{JobHash: job.JobHash, ModelCommit: job.ModelCommit, JobText: job.Job}, Options{})
	if err != nil {
		return true, fmt.Errorf("commit output folder %s: %w", dir, err)
	}
	if _, ok := d.state.plain[SuccessName]; !ok {
		err = d.MarkComplete()
	}
	return true, errors.Join(err, d.Close())
}

// mergeShards writes the merged manifest under every lock and returns the
// job's identity.
func mergeShards(dir folder, check func([]Record) error) (Identity, error) {
	main, err := dir.lock(LockName)
	if err != nil {
		return Identity{}, err
	}
	defer main.Unlock()
	entries, err := dir.list()
	if err != nil {
		return Identity{}, err
	}
	found, specs := shardManifests(entries)
	if len(found) == 0 {
		return Identity{}, fmt.Errorf("%w: the folder holds no shard manifest (_manifest-I-of-N.jsonl): no run with --shard wrote it", ErrShardsUnfinished)
	}
	count := specs[0].Count
	present := map[int]string{}
	for i, s := range specs {
		if s.Count != count {
			return Identity{}, fmt.Errorf("%w: %s and %s are of runs split into %d and %d shards",
				ErrShardLayout, found[0], found[i], count, s.Count)
		}
		present[s.Index] = found[i]
	}
	for i := range count {
		if _, ok := present[i]; !ok {
			return Identity{}, fmt.Errorf("%w: shard %d of %d never ran (no %s)", ErrShardsUnfinished, i, count,
				ShardManifestName(shard.Spec{Index: i, Count: count}))
		}
	}
	var job *line
	var records []Record
	var plain []FileInfo
	for i := range count {
		spec := shard.Spec{Index: i, Count: count}
		lock, err := dir.lock(namesFor(spec).lock)
		if err != nil {
			return Identity{}, fmt.Errorf("%w: shard %s is running: %w", ErrShardsUnfinished, spec, err)
		}
		defer lock.Unlock()
		s, err := shardState(dir, spec)
		if err != nil {
			return Identity{}, err
		}
		if job == nil {
			job = s.job
		} else if diffs := s.differences(Identity{JobHash: job.JobHash, ModelCommit: job.ModelCommit, JobText: job.Job}); len(diffs) > 0 {
			return Identity{}, &MismatchError{Dir: dir.String(), Differences: diffs}
		}
		records = append(records, s.records...)
		for _, name := range keys(s.namedPlain()) {
			plain = append(plain, s.plain[name])
		}
	}
	slices.SortFunc(records, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Unit.Input, b.Unit.Input), cmp.Compare(a.Unit.Start, b.Unit.Start))
	})
	if err := check(records); err != nil {
		return Identity{}, err
	}
	lines := []line{{Kind: kindJob, Version: manifestVersion, JobHash: job.JobHash, ModelCommit: job.ModelCommit, Job: job.Job, Time: now()}}
	for _, r := range records {
		lines = append(lines, line{Kind: kindUnit, Unit: &r.Unit, Input: r.Input, Files: r.Files, Rows: r.Rows,
			JobHash: r.JobHash, ModelCommit: r.ModelCommit, Time: r.Finished})
	}
	for _, f := range plain {
		lines = append(lines, line{Kind: kindFile, Files: []FileInfo{f}, Time: now()})
	}
	if _, err := replay(dir, ManifestName, lines); err != nil {
		return Identity{}, err
	}
	if err := main.lost(); err != nil {
		return Identity{}, err
	}
	return Identity{JobHash: job.JobHash, ModelCommit: job.ModelCommit, JobText: job.Job}, writeManifest(dir, lines)
}

// shardState reads a shard's manifest (under its lock) and checks that the
// shard finished with nothing left half-committed.
func shardState(dir folder, spec shard.Spec) (*folderState, error) {
	name := ShardManifestName(spec)
	lines, err := readManifest(dir, name)
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: shard %s: manifest %s is empty", ErrShardsUnfinished, spec, name)
	}
	if v := lines[0].Version; v != manifestVersion {
		return nil, fmt.Errorf("%w: manifest %s is version %d; this bertbatch reads version %d", ErrDamaged, name, v, manifestVersion)
	}
	s, err := replay(dir, name, lines)
	if err != nil {
		return nil, err
	}
	if _, ok := s.plain[ShardSuccessName(spec)]; !ok {
		return nil, fmt.Errorf("%w: shard %s has not finished (%d units so far); rerun it with --shard %s",
			ErrShardsUnfinished, spec, len(s.records), spec)
	}
	if len(s.begun) > 0 {
		return nil, fmt.Errorf("%w: shard %s left files of an unfinished commit, such as %s; rerun it with --shard %s",
			ErrShardsUnfinished, spec, keys(s.begun)[0], spec)
	}
	if err := checkFinished(dir, s); err != nil {
		return nil, err
	}
	return s, nil
}

// writeManifest writes lines as dir's merged manifest at once: through a
// temporary file and a rename in a local folder, as one record object
// created only if none is there on an object store.
func writeManifest(dir folder, lines []line) error {
	m, err := dir.createManifest(ManifestName, "", lines)
	if err != nil {
		return err
	}
	return m.close()
}
