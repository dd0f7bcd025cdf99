package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// Snapshot is a resolved model: a local folder holding the files a job needs.
type Snapshot struct {
	Ref      string   // what the user gave
	RepoID   string   // "" for a local folder
	Revision string   // the revision asked for ("main" by default); "" for a local folder
	Commit   string   // resolved 40-hex commit ("" for a local folder)
	Dir      string   // absolute local folder (snapshots/<commit> for Hub models)
	Files    []string // slash-separated paths relative to Dir of the files a job needs, sorted
}

// Resolve turns a model reference into a local folder: an existing folder is used as it is; a Hub id is
// resolved to a commit and its needed files are fetched into the cache (or found there, offline); an
// object-storage folder (s3://bucket/prefix) has its needed files copied into the cache once per version
// of them (see resolveRemote).
// See the package documentation for the cache, locking and offline rules.
func Resolve(ctx context.Context, ref string, opts Options) (*Snapshot, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	if r.LocalDir != "" {
		if opts.Revision != "" {
			return nil, &ReferenceError{Ref: ref, Reason: fmt.Sprintf(
				"is a local folder; revision %q applies to Hub models only, leave it empty", opts.Revision)}
		}
		return resolveLocal(ctx, ref, r.LocalDir, opts.Logf)
	}
	s, err := resolveSettings(opts)
	if err != nil {
		return nil, err
	}
	if r.Remote != "" {
		if opts.Revision != "" {
			return nil, &ReferenceError{Ref: ref, Reason: fmt.Sprintf(
				"is an object-storage folder; revision %q applies to Hub models only, leave it empty", opts.Revision)}
		}
		loc, err := objstore.Parse(r.Remote)
		if err != nil {
			return nil, &ReferenceError{Ref: ref, Reason: err.Error()}
		}
		return resolveRemote(ctx, ref, loc, s)
	}
	return resolveRepo(ctx, ref, r.RepoID, s)
}

// resolveRepo resolves a Hub repository: from the cache when offline or when a pinned commit is
// complete there, else from the Hub; when the Hub cannot be reached it falls back to the cache and
// says so through logf.
func resolveRepo(ctx context.Context, ref, repoID string, s *settings) (*Snapshot, error) {
	rc := newRepoCache(s.cacheDir, repoID)
	if s.offline {
		return resolveCached(ctx, ref, rc, s, nil)
	}
	if isCommit(s.revision) {
		if snap, err := resolveCached(ctx, ref, rc, s, nil); err == nil {
			return snap, nil
		}
	}
	snap, err := fetchSnapshot(ctx, ref, rc, s)
	if err == nil || !hubUnavailable(err) || ctx.Err() != nil {
		return snap, err
	}
	snap, cerr := resolveCached(ctx, ref, rc, s, err)
	if cerr != nil {
		return nil, cerr
	}
	s.logf("hub: %v; using the cached snapshot %s of %s", err, snap.Commit, repoID)
	return snap, nil
}

// hubUnavailable reports whether err means the Hub could not answer (network, 408, 429, 5xx) rather
// than a definite answer such as "not found".
func hubUnavailable(err error) bool {
	if errors.Is(err, ErrUnreachable) {
		return true
	}
	var he *HTTPError
	return errors.As(err, &he) && (retryableStatus(he.Status))
}

// resolveCached resolves through refs/<revision> (or the pinned commit) and the snapshot folder,
// without any request. cause is the error that sent resolution to the cache, if any.
func resolveCached(ctx context.Context, ref string, rc *repoCache, s *settings, cause error) (*Snapshot, error) {
	notCached := func(detail string) error {
		return &NotCachedError{RepoID: rc.repoID, Revision: s.revision, CacheDir: s.cacheDir, Detail: detail, Cause: cause}
	}
	commit := s.revision
	if !isCommit(commit) {
		c, ok, err := rc.readRef(s.revision)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notCached(fmt.Sprintf("no cached ref %q (refs/%s is absent)", s.revision, s.revision))
		}
		commit = c
	}
	dir := rc.snapshotDir(commit)
	names, err := listFiles(dir)
	if err != nil {
		return nil, notCached(fmt.Sprintf("no snapshot folder for commit %s", commit))
	}
	files, err := selectFiles(ctx, folderSource{dir: dir, files: names}, s.logf)
	if err != nil {
		var missing *missingError
		if errors.As(err, &missing) {
			return nil, notCached(fmt.Sprintf("the snapshot of commit %s lacks %s", commit, strings.Join(missing.files, ", ")))
		}
		return nil, notCached(fmt.Sprintf("the snapshot of commit %s: %v", commit, err))
	}
	return &Snapshot{Ref: ref, RepoID: rc.repoID, Revision: s.revision, Commit: commit, Dir: dir, Files: files}, nil
}

// fetchSnapshot asks the Hub which commit the revision is and which files it has, fetches the needed
// files' blobs, and only then links them into snapshots/<commit> and records refs/<revision>.
func fetchSnapshot(ctx context.Context, ref string, rc *repoCache, s *settings) (*Snapshot, error) {
	cl := newClient(s)
	info, err := cl.modelInfo(ctx, rc.repoID, s.revision)
	if err != nil {
		return nil, err
	}
	f := &fetcher{cl: cl, rc: rc, info: info, etags: map[string]string{}}
	files, err := selectFiles(ctx, hubSource{f: f}, s.logf)
	if err != nil {
		var missing *missingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("hub: model %q at %q (commit %s) lacks %s on %s",
				rc.repoID, s.revision, info.Commit, strings.Join(missing.files, ", "), s.endpoint)
		}
		return nil, fmt.Errorf("hub: model %q at %q (commit %s): %w", rc.repoID, s.revision, info.Commit, err)
	}
	for _, file := range files {
		if err := f.ensure(ctx, file); err != nil {
			return nil, err
		}
	}
	for _, file := range files {
		if etag := f.etags[file]; etag != "" {
			if err := rc.link(info.Commit, file, etag); err != nil {
				return nil, err
			}
		}
	}
	for _, file := range auxiliaryFiles {
		if _, listed := info.Files[file]; !listed {
			if err := rc.markAbsent(info.Commit, file); err != nil {
				s.logf("hub: %v", err)
			}
		}
	}
	if err := rc.writeRef(s.revision, info.Commit); err != nil {
		return nil, err
	}
	return &Snapshot{Ref: ref, RepoID: rc.repoID, Revision: s.revision, Commit: info.Commit,
		Dir: rc.snapshotDir(info.Commit), Files: files}, nil
}
