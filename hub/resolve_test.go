package hub

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

const repoID = "acme/mini-bert"

func TestResolvePullsOnlyNeededFilesIntoTheHubLayout(t *testing.T) {
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(300_000)
	commit := e.hub.AddModel(repoID, files...)
	e.hub.AllowToken("hf_secret_pull")
	opts := e.opts()
	opts.Token = "hf_secret_pull"

	snap, err := Resolve(context.Background(), repoID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Commit != commit || snap.RepoID != repoID || snap.Revision != "main" {
		t.Errorf("snapshot = %+v, want commit %s of %s at main", snap, commit, repoID)
	}
	if !slices.Equal(snap.Files, hubtest.NeededByJob) {
		t.Errorf("files = %v, want %v", snap.Files, hubtest.NeededByJob)
	}
	dir := e.repoDir(repoID)
	if snap.Dir != filepath.Join(dir, "snapshots", commit) {
		t.Errorf("dir = %s, want %s", snap.Dir, filepath.Join(dir, "snapshots", commit))
	}
	contents := fileContents(files)
	for _, f := range snap.Files {
		p := filepath.Join(snap.Dir, filepath.FromSlash(f))
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, contents[f]) {
			t.Errorf("%s: content differs from the Hub's (err %v)", f, err)
		}
		// Each snapshot entry is a relative link to blobs/<etag>: sha256 for LFS files, git blob id otherwise.
		target, err := os.Readlink(p)
		if err != nil || filepath.IsAbs(target) {
			t.Errorf("%s: want a relative symlink, got %q (%v)", f, target, err)
			continue
		}
		want := hubtest.GitBlobID(contents[f])
		if f == "model.safetensors" {
			want = hubtest.SHA256(contents[f])
		}
		if abs := filepath.Join(filepath.Dir(p), target); abs != filepath.Join(dir, "blobs", want) {
			t.Errorf("%s links to %s, want blobs/%s", f, abs, want)
		}
	}
	if ref, err := os.ReadFile(filepath.Join(dir, "refs", "main")); err != nil || string(ref) != commit {
		t.Errorf("refs/main = %q (%v), want %q without newline", ref, err, commit)
	}
	for _, f := range filesUnder(t, dir) {
		if strings.Contains(f, ".incomplete") || strings.HasSuffix(f, ".tmp") {
			t.Errorf("left-over temporary file %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(e.cache, ".locks", "models--acme--mini-bert", hubtest.SHA256(contents["model.safetensors"])+".lock")); err != nil {
		t.Errorf("lock file of the weights blob: %v", err)
	}
	for _, r := range e.hub.Requests() {
		if r.Method == "GET" && r.File != "" && !slices.Contains(hubtest.NeededByJob, r.File) {
			t.Errorf("downloaded %s, which a job does not need", r.File)
		}
		wantAuth := r.Server == "hub"
		if (r.Authorization == "Bearer hf_secret_pull") != wantAuth {
			t.Errorf("%s %s %s: Authorization %q; the token goes to the Hub only, never to the CDN", r.Server, r.Method, r.Path, r.Authorization)
		}
	}
	if n := e.hub.Downloads("model.safetensors"); n != 1 {
		t.Errorf("model.safetensors downloaded %d times, want 1", n)
	}
}

func TestResolveAgainFetchesNothingAndPinnedCommitSendsNoRequest(t *testing.T) {
	e := newTestEnv(t)
	commit := e.hub.AddModel(repoID, hubtest.SentenceTransformer(10_000)...)
	if _, err := Resolve(context.Background(), repoID, e.opts()); err != nil {
		t.Fatal(err)
	}
	before := e.hub.Count()
	again, err := Resolve(context.Background(), repoID, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if reqs := e.hub.Requests()[before:]; len(reqs) != 1 || !strings.Contains(reqs[0].Path, "/api/models/") {
		t.Errorf("second resolution of main sent %+v, want only the info request", reqs)
	}
	before = e.hub.Count()
	opts := e.opts()
	opts.Revision = commit
	pinned, err := Resolve(context.Background(), repoID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.hub.Count() - before; n != 0 {
		t.Errorf("pinned cached commit sent %d requests, want 0", n)
	}
	if pinned.Dir != again.Dir || !slices.Equal(pinned.Files, again.Files) {
		t.Errorf("pinned %+v differs from %+v", pinned, again)
	}
}

func TestOfflineResolutionSendsNoRequest(t *testing.T) {
	e := newTestEnv(t)
	commit := e.hub.AddModel(repoID, hubtest.SentenceTransformer(10_000)...)
	online, err := Resolve(context.Background(), repoID, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		offline  bool
		envValue string
	}{
		{"option", true, ""},
		{"HF_HUB_OFFLINE=1", false, "1"},
		{"HF_HUB_OFFLINE=yes", false, "yes"},
		{"HF_HUB_OFFLINE=ON", false, "ON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HF_HUB_OFFLINE", tc.envValue)
			opts := e.opts()
			opts.Offline = tc.offline
			before := e.hub.Count()
			snap, err := Resolve(context.Background(), repoID, opts)
			if err != nil {
				t.Fatal(err)
			}
			if n := e.hub.Count() - before; n != 0 {
				t.Errorf("offline resolution sent %d requests", n)
			}
			if snap.Commit != commit || snap.Dir != online.Dir || !slices.Equal(snap.Files, online.Files) {
				t.Errorf("offline %+v, online %+v", snap, online)
			}
		})
	}
	t.Run("not cached", func(t *testing.T) {
		opts := e.opts()
		opts.Offline = true
		before := e.hub.Count()
		_, err := Resolve(context.Background(), "acme/never-pulled", opts)
		if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "bertbatch pull acme/never-pulled") {
			t.Errorf("err = %v, want ErrNotCached telling how to pull", err)
		}
		if n := e.hub.Count() - before; n != 0 {
			t.Errorf("sent %d requests", n)
		}
	})
	t.Run("incomplete snapshot", func(t *testing.T) {
		os.Remove(filepath.Join(online.Dir, "model.safetensors"))
		opts := e.opts()
		opts.Offline = true
		_, err := Resolve(context.Background(), repoID, opts)
		if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "no weights") {
			t.Errorf("err = %v, want ErrNotCached naming the missing weights", err)
		}
	})
}

func TestRevisionsBranchesTagsAndPullRequestRefs(t *testing.T) {
	e := newTestEnv(t)
	first := e.hub.AddModel(repoID, hubtest.SentenceTransformer(5_000)...)
	second := e.hub.AddCommit(repoID, withFile(hubtest.SentenceTransformer(5_000),
		hubtest.File{Name: "config.json", Content: []byte(`{"model_type":"bert","v":2}`)})...)
	e.hub.SetRef(repoID, "v1.0", first)
	e.hub.SetRef(repoID, "refs/pr/1", first)
	for _, tc := range []struct{ rev, commit, refFile string }{
		{"", second, "main"},
		{"v1.0", first, "v1.0"},
		{"refs/pr/1", first, "refs/pr/1"},
		{second, second, ""},
	} {
		t.Run(tc.rev, func(t *testing.T) {
			opts := e.opts()
			opts.Revision = tc.rev
			snap, err := Resolve(context.Background(), repoID, opts)
			if err != nil {
				t.Fatal(err)
			}
			if snap.Commit != tc.commit {
				t.Errorf("commit = %s, want %s", snap.Commit, tc.commit)
			}
			if tc.refFile != "" {
				ref, err := os.ReadFile(filepath.Join(e.repoDir(repoID), "refs", filepath.FromSlash(tc.refFile)))
				if err != nil || string(ref) != tc.commit {
					t.Errorf("refs/%s = %q (%v), want %s", tc.refFile, ref, err, tc.commit)
				}
			}
		})
	}
}

func TestRenamedRepositoryFollowsTheRelativeRedirect(t *testing.T) {
	e := newTestEnv(t)
	commit := e.hub.AddModel("acme/old-name", hubtest.SentenceTransformer(5_000)...)
	e.hub.Rename("acme/old-name", "acme/new-name")
	snap, err := Resolve(context.Background(), "acme/old-name", e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Commit != commit || !strings.Contains(snap.Dir, "models--acme--old-name") {
		t.Errorf("snapshot %+v: want commit %s cached under the name asked for, as huggingface_hub does", snap, commit)
	}
	var followed bool
	for _, r := range e.hub.Requests() {
		followed = followed || strings.HasPrefix(r.Path, "/acme/new-name/resolve/")
	}
	if !followed {
		t.Error("no request reached /acme/new-name/resolve/")
	}
}

func TestLocalFolderIsUsedAsItIs(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	for _, f := range hubtest.SentenceTransformer(1000) {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := Resolve(context.Background(), dir, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Dir != dir || snap.RepoID != "" || snap.Commit != "" || !slices.Equal(snap.Files, hubtest.NeededByJob) {
		t.Errorf("snapshot %+v", snap)
	}
	if e.hub.Count() != 0 {
		t.Errorf("a local folder sent %d requests", e.hub.Count())
	}
	opts := e.opts()
	opts.Revision = "v2"
	if _, err := Resolve(context.Background(), dir, opts); !errors.Is(err, ErrInvalidReference) {
		t.Errorf("revision with a local folder: err = %v, want ErrInvalidReference", err)
	}
	os.Remove(filepath.Join(dir, "model.safetensors"))
	os.Remove(filepath.Join(dir, "pytorch_model.bin"))
	_, err = Resolve(context.Background(), dir, e.opts())
	if !errors.Is(err, ErrNoWeights) || !strings.Contains(err.Error(), "tf_model.h5") {
		t.Errorf("folder without readable weights: err = %v, want ErrNoWeights naming tf_model.h5", err)
	}
}

func TestRealModelFolder(t *testing.T) {
	dir := os.Getenv("BERTBATCH_MODEL_DIR")
	if dir == "" {
		t.Skip("BERTBATCH_MODEL_DIR is not set (make model; eval \"$(make -s env)\")")
	}
	if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err != nil {
		t.Skipf("BERTBATCH_MODEL_DIR has no model.safetensors yet (make model): %v", err)
	}
	snap, err := Resolve(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"config.json", "model.safetensors", "vocab.txt", "1_Pooling/config.json", "modules.json"} {
		if !slices.Contains(snap.Files, want) {
			t.Errorf("files %v lack %s", snap.Files, want)
		}
	}
}
