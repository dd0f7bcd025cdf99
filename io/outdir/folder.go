package outdir

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// folder is where an output folder lives: a local folder (localFolder) or a
// prefix of an object store (remoteFolder). Everything else in the package
// reads and writes the folder through it, so the invariants of the package
// doc are argued once, above this seam, and each side says how it keeps the
// steps they rely on (see remote.go for the object store).
type folder interface {
	// String is the folder's path or URL, for messages.
	String() string
	// at is the path or URL of name in the folder, for messages.
	at(name string) string
	// list returns the names in the folder; a remote manifest's records are
	// listed as the manifest's name.
	list() ([]string, error)
	// lock takes the lock name without waiting; a *LockedError when another
	// run holds it.
	lock(name string) (*DirLock, error)
	// holder reports whether a run holds the lock name, and who, without
	// taking it.
	holder(name string) (string, bool)
	// readManifest returns the manifest's lines; the error wraps
	// os.ErrNotExist when there is none.
	readManifest(name string) ([]byte, error)
	// cutManifest cuts a torn last line off the manifest at size bytes.
	cutManifest(name string, size int64) error
	// createManifest writes a new manifest holding lines and opens it for
	// appending; tag keeps a shard's temporary files apart.
	createManifest(name, tag string, lines []line) (appender, error)
	// openManifest opens the existing manifest for appending.
	openManifest(name string) (appender, error)
	// removeManifest removes the manifest; one that is not there is fine.
	removeManifest(name string) error
	// create starts a file committed later as name.
	create(tag, name string) (*PendingFile, error)
	// remove removes the named files, making the removal durable; names
	// already gone are fine.
	remove(names []string) error
	// sync makes the renames into place done so far durable.
	sync() error
	// check says what is wrong with the committed file f ("is missing", …),
	// or "" when it has its recorded size and SHA-256 (see checkFile).
	check(f FileInfo) string
	// close releases what the folder holds open.
	close() error
}

// appender appends records to an open manifest.
type appender interface {
	// append records l durably, or fails.
	append(l line) error
	close() error
}

// openFolder opens the folder at path: an object-store prefix when path is
// s3://, gs:// or azblob:// (see objstore), else a local folder, created
// when create is set.
func openFolder(path string, create bool) (folder, error) {
	if objstore.IsRemote(path) {
		return openRemote(path)
	}
	if create {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, fmt.Errorf("create output folder: %w", err)
		}
	}
	return localFolder{path: path}, nil
}

// CheckLocation reports an output location that cannot be used, before a
// run spends time on anything else: for an object store, a missing bucket,
// missing credentials or an unreachable endpoint (an *objstore.OpenError).
// It writes nothing. A local folder is left to Open, which creates it.
func CheckLocation(path string) error {
	if !objstore.IsRemote(path) {
		return nil
	}
	f, err := openFolder(path, false)
	if err != nil {
		return err
	}
	return f.close()
}

// localFolder is an output folder on a local file system: files are written
// under temporary names, fsynced and renamed into place; the manifest is one
// file appended to; the lock is an flock.
type localFolder struct {
	path string
}

func (l localFolder) String() string        { return l.path }
func (l localFolder) at(name string) string { return filepath.Join(l.path, name) }

func (l localFolder) list() ([]string, error) {
	entries, err := os.ReadDir(l.path)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

func (l localFolder) lock(name string) (*DirLock, error) { return lockFile(l.path, name) }

func (l localFolder) holder(name string) (string, bool) { return lockedByName(l.path, name) }

func (l localFolder) readManifest(name string) ([]byte, error) { return os.ReadFile(l.at(name)) }

func (l localFolder) cutManifest(name string, size int64) error { return truncate(l.at(name), size) }

// createManifest writes the manifest through a temporary file and a rename,
// and opens it for appending.
func (l localFolder) createManifest(name, tag string, lines []line) (appender, error) {
	pending, err := createPending(l.path, tag, name)
	if err != nil {
		return nil, err
	}
	for _, ln := range lines {
		text, err := marshalLine(ln)
		if err == nil {
			_, err = pending.Write(text)
		}
		if err != nil {
			pending.Abort()
			return nil, fmt.Errorf("write manifest in %s: %w", l.path, err)
		}
	}
	if err := pending.commit(); err != nil {
		pending.Abort()
		return nil, fmt.Errorf("write manifest in %s: %w", l.path, err)
	}
	return l.openManifest(name)
}

func (l localFolder) openManifest(name string) (appender, error) {
	f, err := os.OpenFile(l.at(name), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	return &manifestFile{file: f}, nil
}

func (l localFolder) removeManifest(name string) error { return removeFiles(l.path, []string{name}) }

func (l localFolder) create(tag, name string) (*PendingFile, error) {
	return createPending(l.path, tag, name)
}

func (l localFolder) remove(names []string) error { return removeFiles(l.path, names) }
func (l localFolder) sync() error                 { return syncDir(l.path) }
func (l localFolder) check(f FileInfo) string     { return checkFile(l.path, f) }
func (l localFolder) close() error                { return nil }
