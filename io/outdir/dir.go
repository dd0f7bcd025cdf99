package outdir

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/bertbatch/bertbatch/io/shard"
)

// Options says how Open treats a folder that already holds results.
type Options struct {
	// Overwrite removes every file the manifest names, temporary files and
	// the manifest, then starts afresh, whatever job wrote the folder.
	Overwrite bool
	// Shard makes the Dir one shard's share of the folder: its own manifest,
	// lock, completion marker and temporary files, beside the other shards'
	// (see Commit). The zero Spec is the whole job.
	Shard shard.Spec
}

// Dir is an open, locked output folder. Its methods are safe for concurrent use.
type Dir struct {
	mu       sync.Mutex
	path     string
	f        folder
	id       Identity
	shard    shard.Spec
	names    names
	lock     *DirLock
	manifest appender
	state    *folderState
	pending  map[*PendingFile]bool // created and not yet committed
	broken   error                 // set when a commit failed half-way
	closed   bool
}

// Open creates path if needed, locks it, repairs what a crash left (see the
// package doc), and checks that the folder belongs to the job id names. With
// opts.Overwrite it empties the folder of bertbatch's files first. A path
// such as s3://bucket/prefix is a folder on an object store (see
// remote.go); its bucket must exist, and an *objstore.OpenError says when it
// cannot be used. It fails with a *LockedError, a *MismatchError,
// ErrUnknownFiles or ErrDamaged (test with errors.Is), or an I/O error
// naming the file.
func Open(path string, id Identity, opts Options) (_ *Dir, err error) {
	if id.JobHash == "" || id.ModelCommit == "" {
		return nil, fmt.Errorf("output folder %s: the job hash and model commit must both be set", path)
	}
	f, err := openFolder(path, true)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.close()
		}
	}()
	if opts.Shard.Sharded() {
		if err := opts.Shard.Validate(); err != nil {
			return nil, fmt.Errorf("output folder %s: %w", path, err)
		}
	}
	nm := namesFor(opts.Shard)
	lock, err := f.lock(nm.lock)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Unlock()
		}
	}()
	d := &Dir{path: path, f: f, id: id, shard: opts.Shard, names: nm, lock: lock, pending: map[*PendingFile]bool{}}
	if err := d.prepare(opts); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", path, err)
	}
	return d, nil
}

// prepare repairs the folder and opens or creates its manifest.
func (d *Dir) prepare(opts Options) error {
	entries, err := d.f.list()
	if err != nil {
		return err
	}
	if !opts.Overwrite || d.shard.Sharded() {
		if err := checkLayout(d.path, d.shard, entries); err != nil {
			return err
		}
	}
	if !d.shard.Sharded() {
		if err := checkNoShardRunning(d.f, entries); err != nil {
			return err
		}
	}
	if err := removeTemps(d.f, d.names.tag, entries); err != nil {
		return err
	}
	others, err := otherShardsNamed(d.f, d.names.manifest, entries)
	if err != nil {
		return err
	}
	if opts.Overwrite {
		return d.overwrite(entries, others)
	}
	lines, err := readManifest(d.f, d.names.manifest)
	if err != nil {
		return err
	}
	if d.state, err = replay(d.f, d.names.manifest, lines); err != nil {
		return err
	}
	if err := checkUnknown(d.path, entries, union(d.state.named, others)); err != nil {
		return err
	}
	if d.state.job == nil {
		return d.start(nil)
	}
	if diffs := d.state.differences(d.id); len(diffs) > 0 {
		return &MismatchError{Dir: d.path, Differences: diffs}
	}
	if err := d.f.remove(keys(d.state.begun)); err != nil {
		return fmt.Errorf("remove files of unfinished units: %w", err)
	}
	if err := checkFinished(d.f, d.state); err != nil {
		return err
	}
	d.manifest, err = d.f.openManifest(d.names.manifest)
	return err
}

// union returns the names in a or b.
func union(a, b map[string]bool) map[string]bool {
	u := make(map[string]bool, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// Unmark removes the completion marker of an earlier run, recording the
// removal first: a run calls it once its checks passed and it starts on the
// job, which it may not complete. Create and Redo call it too. A run refused
// before that leaves the folder as it was.
func (d *Dir) Unmark() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return err
	}
	if err := d.unmarkComplete(); err != nil {
		return err
	}
	return nil
}

// unmarkComplete removes the completion marker, if any (see Unmark). A
// failure leaves the Dir broken.
func (d *Dir) unmarkComplete() error {
	marker, ok := d.state.plain[d.names.success]
	if !ok {
		return nil
	}
	err := d.manifest.append(line{Kind: kindRemove, Files: []FileInfo{marker}, Time: now()})
	if err == nil {
		delete(d.state.plain, d.names.success)
		err = d.f.remove([]string{d.names.success})
	}
	if err != nil {
		d.broken = err
		return fmt.Errorf("output folder %s: remove the completion marker: %w", d.path, err)
	}
	return nil
}

// overwrite removes every file the manifest names — reading what it can of
// a damaged one — and starts afresh. Visible files it cannot attribute make
// it fail before anything is removed.
func (d *Dir) overwrite(entries []string, others map[string]bool) error {
	named, err := namedInManifest(d.f, d.names.manifest)
	if err != nil {
		return err
	}
	if err := checkUnknown(d.path, entries, union(named, others)); err != nil {
		return err
	}
	if !d.shard.Sharded() {
		// The whole job's overwrite removes the shards' results too.
		named = union(named, others)
		found, _ := shardManifests(entries)
		for _, m := range found {
			named[m] = true
		}
	}
	return d.start(named)
}

// start removes the named files and the manifest, and writes a new manifest
// for d's job. Files go first: a crash in between leaves a manifest naming
// missing files, which Open reports, rather than files no manifest names.
func (d *Dir) start(named map[string]bool) error {
	if err := d.f.remove(keys(named)); err != nil {
		return fmt.Errorf("overwrite: %w", err)
	}
	if err := d.f.removeManifest(d.names.manifest); err != nil {
		return fmt.Errorf("overwrite: %w", err)
	}
	state, err := replay(d.f, d.names.manifest, nil)
	if err != nil {
		return fmt.Errorf("overwrite: %w", err)
	}
	d.state = state
	m, err := d.f.createManifest(d.names.manifest, d.names.tag, []line{{Kind: kindJob, Version: manifestVersion,
		JobHash: d.id.JobHash, ModelCommit: d.id.ModelCommit, Job: d.id.JobText,
		Shard: d.shard.Index, Shards: d.shard.Count, Time: now()}})
	d.manifest = m
	return err
}

func keys(m map[string]bool) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Path returns the folder's path.
func (d *Dir) Path() string { return d.path }

// Done reports whether u is recorded finished.
func (d *Dir) Done(u Unit) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.state.units[u]
	return ok
}

// Records returns the finished units in commit order.
func (d *Dir) Records() []Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.state.records)
}

// Create starts a file that becomes dir/name when committed. The name must be
// a plain file name that does not start with a dot and is not the manifest
// or a finished unit's file.
func (d *Dir) Create(name string) (*PendingFile, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return nil, err
	}
	if err := validateName(name); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", d.path, err)
	}
	if err := d.unmarkComplete(); err != nil {
		return nil, err
	}
	if u, ok := d.state.unitFiles[name]; ok {
		return nil, fmt.Errorf("output folder %s: %s already holds the results of unit %s", d.path, name, u)
	}
	f, err := d.f.create(d.names.tag, name)
	if err != nil {
		return nil, fmt.Errorf("output folder %s: %w", d.path, err)
	}
	d.pending[f] = true
	return f, nil
}

func (d *Dir) usable() error {
	switch {
	case d.closed:
		return errors.New("output folder " + d.path + " is closed")
	case d.broken != nil:
		return fmt.Errorf("output folder %s: an earlier commit failed: %w", d.path, d.broken)
	}
	return d.lock.lost()
}

// Close aborts files created and not committed, closes the manifest and
// releases the lock. It is safe to call more than once.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	for f := range d.pending {
		errs = append(errs, f.Abort())
	}
	d.pending = nil
	if d.manifest != nil {
		errs = append(errs, d.manifest.close())
	}
	errs = append(errs, d.lock.Unlock(), d.f.close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close output folder %s: %w", d.path, err)
	}
	return nil
}
