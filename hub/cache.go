package hub

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// repoCache is one repository's folder in a huggingface_hub cache:
//
//	<root>/models--{org}--{name}/blobs/<etag>
//	<root>/models--{org}--{name}/refs/<revision>           (the commit, no newline)
//	<root>/models--{org}--{name}/snapshots/<commit>/<file>  (relative symlink into blobs/)
//	<root>/models--{org}--{name}/.no_exist/<commit>/<file>  (empty: the file is absent at that commit)
//	<root>/.locks/models--{org}--{name}/<etag>.lock
type repoCache struct {
	root    string
	repoID  string
	dir     string
	lockDir string
}

func newRepoCache(root, repoID string) *repoCache {
	folder := repoFolderName(repoID)
	return &repoCache{
		root:    root,
		repoID:  repoID,
		dir:     filepath.Join(root, folder),
		lockDir: filepath.Join(root, ".locks", folder),
	}
}

// repoFolderName is huggingface_hub's folder name for a model repository: "models--org--name".
func repoFolderName(repoID string) string {
	return "models--" + strings.ReplaceAll(repoID, "/", "--")
}

// within joins rel (slash-separated, already validated) under base and checks the result stays inside.
func within(base, rel string) (string, error) {
	p := filepath.Join(base, filepath.FromSlash(rel))
	r, err := filepath.Rel(base, p)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", fmt.Errorf("hub: refusing path %q: it leaves %s", rel, base)
	}
	return p, nil
}

func (c *repoCache) refPath(rev string) (string, error) {
	if err := validateRevision(rev); err != nil {
		return "", err
	}
	return within(filepath.Join(c.dir, "refs"), rev)
}

func (c *repoCache) snapshotDir(commit string) string {
	return filepath.Join(c.dir, "snapshots", commit)
}

func (c *repoCache) pointerPath(commit, file string) (string, error) {
	if err := validateFilename(file); err != nil {
		return "", err
	}
	return within(c.snapshotDir(commit), file)
}

func (c *repoCache) blobPath(etag string) string { return filepath.Join(c.dir, "blobs", etag) }

func (c *repoCache) lockPath(etag string) string { return filepath.Join(c.lockDir, etag+".lock") }

// readRef returns the commit refs/<rev> names; ok is false when the ref is not cached.
func (c *repoCache) readRef(rev string) (commit string, ok bool, err error) {
	p, err := c.refPath(rev)
	if err != nil {
		return "", false, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("hub: reading cached ref %s: %w", p, err)
	}
	commit = strings.TrimSpace(string(data))
	if !isCommit(commit) {
		return "", false, fmt.Errorf("hub: cached ref %s holds %q, not a 40-hex commit; delete the file and pull again", p, commit)
	}
	return commit, true, nil
}

// writeRef records rev → commit atomically (temporary file + rename), unless rev is the commit itself
// or the ref already says so, like huggingface_hub.
func (c *repoCache) writeRef(rev, commit string) error {
	if rev == commit {
		return nil
	}
	if cur, ok, err := c.readRef(rev); err == nil && ok && cur == commit {
		return nil
	}
	p, err := c.refPath(rev)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return fmt.Errorf("hub: writing ref: %w", err)
	}
	tmp := p + "." + randomSuffix() + ".tmp"
	if err := os.WriteFile(tmp, []byte(commit), 0o666); err != nil {
		return fmt.Errorf("hub: writing ref %s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return errors.Join(fmt.Errorf("hub: writing ref %s: %w", p, err), removeTemp(tmp))
	}
	return nil
}

// hasFile reports whether snapshots/<commit>/<file> resolves to a regular file.
func (c *repoCache) hasFile(commit, file string) bool {
	p, err := c.pointerPath(commit, file)
	if err != nil {
		return false
	}
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// hasBlob reports whether blobs/<etag> is a regular file.
func (c *repoCache) hasBlob(etag string) bool {
	info, err := os.Stat(c.blobPath(etag))
	return err == nil && info.Mode().IsRegular()
}

// link points snapshots/<commit>/<file> at blobs/<etag> with a relative symlink, replacing any
// previous entry atomically (symlink under a temporary name, then rename).
func (c *repoCache) link(commit, file, etag string) error {
	p, err := c.pointerPath(commit, file)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return fmt.Errorf("hub: creating snapshot folder: %w", err)
	}
	target, err := filepath.Rel(filepath.Dir(p), c.blobPath(etag))
	if err != nil {
		return fmt.Errorf("hub: linking %s: %w", file, err)
	}
	if cur, err := os.Readlink(p); err == nil && cur == target {
		return nil
	}
	tmp := p + "." + randomSuffix() + ".tmp"
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("hub: linking %s into the snapshot (the cache needs a file system with symlinks): %w", file, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return errors.Join(fmt.Errorf("hub: linking %s into the snapshot: %w", file, err), removeTemp(tmp))
	}
	return nil
}

// markAbsent records in .no_exist/<commit>/ that file does not exist at commit, as huggingface_hub does,
// so Python tools working offline know not to look for it.
func (c *repoCache) markAbsent(commit, file string) error {
	if err := validateFilename(file); err != nil {
		return err
	}
	p, err := within(filepath.Join(c.dir, ".no_exist", commit), file)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return fmt.Errorf("hub: recording absent %s: %w", file, err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return fmt.Errorf("hub: recording absent %s: %w", file, err)
	}
	return f.Close()
}

// listFiles returns the regular files (following symlinks) in dir and its direct subfolders, as
// slash-separated relative paths, sorted. Deeper files are never needed by a job.
func listFiles(dir string) ([]string, error) {
	var out []string
	var walk func(rel string, depth int) error
	walk = func(rel string, depth int) error {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := path.Join(rel, e.Name())
			info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				continue // broken link: not present
			}
			switch {
			case info.Mode().IsRegular():
				out = append(out, name)
			case info.IsDir() && depth == 0 && !strings.HasPrefix(e.Name(), "."):
				if err := walk(name, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk("", 0); err != nil {
		return nil, fmt.Errorf("hub: listing %s: %w", dir, err)
	}
	sort.Strings(out)
	return out, nil
}

// randomSuffix is 8 hex characters for temporary names unique to this process.
func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails since Go 1.24
	return hex.EncodeToString(b[:])
}

// removeTemp removes the temporary file of a failed write; one already gone is no error.
func removeTemp(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("hub: removing %s: %w", path, err)
	}
	return nil
}
