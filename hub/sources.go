package hub

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// maxReadBytes bounds the JSON files (modules.json, weight indexes) read during selection.
const maxReadBytes = 64 << 20

// fetcher brings one commit's files into the cache's blobs/, remembering each file's blob.
type fetcher struct {
	cl    *client
	rc    *repoCache
	info  *repoInfo
	etags map[string]string // file → blob etag fetched by this run; "" when already in the snapshot
}

// ensure makes the file's blob present and verified (no request when the snapshot already has it).
func (f *fetcher) ensure(ctx context.Context, file string) error {
	if _, done := f.etags[file]; done {
		return nil
	}
	commit := f.info.Commit
	if f.rc.hasFile(commit, file) {
		f.etags[file] = ""
		return nil
	}
	if err := validateFilename(file); err != nil {
		return err
	}
	meta, err := f.cl.headFile(ctx, f.rc.repoID, commit, file)
	if err != nil {
		return err
	}
	if meta.commit != commit {
		return fmt.Errorf("hub: %s of %q: the Hub answered for commit %s, not %s; retry", file, f.rc.repoID, meta.commit, commit)
	}
	listed, inListing := f.info.Files[file]
	exp, err := expectationFor(file, meta, listed, inListing)
	if err != nil {
		return err
	}
	if exp.sha256 == "" && exp.gitSHA1 == "" {
		f.cl.s.logf("hub: %s of %q: the Hub gave no hash (ETag %q); only its size is checked", file, f.rc.repoID, meta.etag)
	}
	if err := f.cl.fetchBlob(ctx, f.rc, file, meta, exp); err != nil {
		return err
	}
	f.etags[file] = meta.etag
	return nil
}

// path is where the file's content is now: its blob, or its snapshot entry.
func (f *fetcher) path(file string) (string, error) {
	if etag := f.etags[file]; etag != "" {
		return f.rc.blobPath(etag), nil
	}
	return f.rc.pointerPath(f.info.Commit, file)
}

// hubSource selects from the Hub's listing; reading a file fetches it into the cache.
type hubSource struct{ f *fetcher }

func (h hubSource) has(name string) bool {
	_, ok := h.f.info.Files[name]
	return ok
}

func (h hubSource) names() []string {
	out := make([]string, 0, len(h.f.info.Files))
	for n := range h.f.info.Files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (h hubSource) read(ctx context.Context, name string) ([]byte, error) {
	if err := h.f.ensure(ctx, name); err != nil {
		return nil, err
	}
	p, err := h.f.path(name)
	if err != nil {
		return nil, err
	}
	return readSmall(p, name)
}

// folderSource selects from the files present in a folder (a cached snapshot or a local model).
type folderSource struct {
	dir   string
	files []string // sorted, as listFiles returns them
}

func (s folderSource) has(name string) bool {
	i := sort.SearchStrings(s.files, name)
	return i < len(s.files) && s.files[i] == name
}

func (s folderSource) names() []string { return s.files }

func (s folderSource) read(_ context.Context, name string) ([]byte, error) {
	if err := validateFilename(name); err != nil {
		return nil, err
	}
	p, err := within(s.dir, name)
	if err != nil {
		return nil, err
	}
	return readSmall(p, name)
}

// readSmall reads a JSON file selection needs, refusing one too large to be such a file.
func readSmall(p, name string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("hub: reading %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("hub: reading %s: %w", filepath.Base(p), err)
	}
	if len(data) > maxReadBytes {
		return nil, fmt.Errorf("hub: %s is larger than %d MiB; it cannot be a model index", name, maxReadBytes>>20)
	}
	return data, nil
}
