package outdir

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// PendingFile is a file being written under a temporary name: in a local
// output folder, .bertbatch-tmp-RANDOM-NAME beside the results; for a folder
// on an object store, a local temporary file uploaded when committed. Commit
// it with Dir.CommitUnit or Dir.CommitFile, or drop it with Abort; Open
// removes it if the process dies first. The SHA-256 of its bytes is computed
// as they are written.
type PendingFile struct {
	mu      sync.Mutex
	dir     string
	name    string // final name
	temp    string // temporary path
	file    *os.File
	written int64
	sum     hash.Hash
	state   pendingState
	// publish puts the finished temporary file in place under its final
	// name; nil renames it within dir.
	publish func(temp, name string) error
}

type pendingState int

const (
	writing   pendingState = iota
	finished               // fsynced and closed, not yet renamed
	committed              // renamed into place
	aborted
)

// TempPrefix starts the name of every temporary file bertbatch writes in an
// output folder; only names with this prefix are ever removed as temporary
// files, so a user's hidden file such as .mydata.tmp-123 is left alone.
const TempPrefix = ".bertbatch-tmp-"

// isTemp reports whether name is one of bertbatch's temporary files.
func isTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// validateName checks that name can be a committed file's name: one path
// element, not hidden (hidden names are the lock's and temporary files'), not
// the manifest.
func validateName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("file name %q is not a file name", name)
	case strings.ContainsAny(name, `/\`) || filepath.Base(name) != name:
		return fmt.Errorf("file name %q must not hold a path separator", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("file name %q must not start with a dot", name)
	case name == ManifestName || isShardManifest(name):
		return fmt.Errorf("file name %q is the manifest's", name)
	}
	return nil
}

// createPending creates dir/.bertbatch-tmp-TAGRANDOM-NAME for writing; a
// shard's tag keeps its temporary files apart from other shards'.
func createPending(dir, tag, name string) (*PendingFile, error) {
	var random [8]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, err
	}
	temp := filepath.Join(dir, TempPrefix+tag+hex.EncodeToString(random[:])+"-"+name)
	f, err := os.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create temporary file for %s: %w", name, err)
	}
	return &PendingFile{dir: dir, name: name, temp: temp, file: f, sum: sha256.New()}, nil
}

// Name returns the name the file gets when committed.
func (f *PendingFile) Name() string { return f.name }

// Write appends p to the file.
func (f *PendingFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != writing {
		return 0, fmt.Errorf("write %s: the file is already committed or aborted", f.name)
	}
	n, err := f.file.Write(p)
	f.written += int64(n)
	f.sum.Write(p[:n])
	if err != nil {
		return n, fmt.Errorf("write %s: %w", f.temp, err)
	}
	return n, nil
}

// Abort closes and removes the temporary file. It does nothing once the file
// is committed, and is safe to call more than once.
func (f *PendingFile) Abort() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == committed || f.state == aborted {
		return nil
	}
	var closeErr error
	if f.state == writing {
		closeErr = f.file.Close()
	}
	f.state = aborted
	if err := os.Remove(f.temp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", f.temp, err)
	}
	return closeErr
}

// finish fsyncs and closes the temporary file and returns what it holds.
func (f *PendingFile) finish() (FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != writing {
		return FileInfo{}, fmt.Errorf("commit %s: the file is already committed or aborted", f.name)
	}
	if err := f.file.Sync(); err != nil {
		return FileInfo{}, fmt.Errorf("fsync %s: %w", f.temp, err)
	}
	if err := f.file.Close(); err != nil {
		return FileInfo{}, fmt.Errorf("close %s: %w", f.temp, err)
	}
	f.state = finished
	return FileInfo{Name: f.name, Bytes: f.written, SHA256: hex.EncodeToString(f.sum.Sum(nil))}, nil
}

// rename moves a finished file to its final name (for an object store:
// uploads it). The caller fsyncs the folder.
func (f *PendingFile) rename() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.publish != nil {
		if err := f.publish(f.temp, f.name); err != nil {
			return err
		}
	} else if err := os.Rename(f.temp, filepath.Join(f.dir, f.name)); err != nil {
		return fmt.Errorf("rename %s to %s: %w", f.temp, f.name, err)
	}
	f.state = committed
	return nil
}

// commit finishes, renames and fsyncs the folder, recording nothing: used
// for the manifest itself.
func (f *PendingFile) commit() error {
	if _, err := f.finish(); err != nil {
		return err
	}
	if err := f.rename(); err != nil {
		return err
	}
	return syncDir(f.dir)
}

// syncDir fsyncs a folder so that renames and removals in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open folder %s to fsync it: %w", dir, err)
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("fsync folder %s: %w", dir, err)
	}
	return d.Close()
}
