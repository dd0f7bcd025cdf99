package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

func TestHubErrorsAreTyped(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(h *hubtest.Hub)
		ref     string
		rev     string
		token   string
		want    error
		message []string // parts the message must have
	}{
		{name: "missing repository", ref: "acme/nope", want: ErrRepoNotFound,
			message: []string{`"acme/nope" was not found`, "set HF_TOKEN"}},
		{name: "private without token", ref: repoID, setup: func(h *hubtest.Hub) { h.SetPrivate(repoID) },
			want: ErrRepoNotFound, message: []string{"private"}},
		{name: "gated", ref: repoID, token: "hf_valid", setup: func(h *hubtest.Hub) {
			h.AllowToken("hf_valid")
			h.SetGated(repoID)
		}, want: ErrGatedRepo, message: []string{"gated", "request access at", "/acme/mini-bert", "HF_TOKEN", "the token from HF_TOKEN"}},
		{name: "bad token", ref: repoID, token: "hf_expired_0123", want: ErrBadToken,
			message: []string{"rejected the token from HF_TOKEN", "settings/tokens"}},
		{name: "missing revision", ref: repoID, rev: "v9", want: ErrRevisionNotFound,
			message: []string{`revision "v9" does not exist`}},
		{name: "listed file missing at download", ref: repoID, setup: func(h *hubtest.Hub) {
			h.FailNext(hubtest.Failure{Server: "hub", Method: "HEAD", PathHas: "/vocab.txt", Status: 404, Code: "EntryNotFound", Times: 1})
		}, want: ErrEntryNotFound, message: []string{`file "vocab.txt" does not exist`}},
		{name: "forbidden without code", ref: repoID, setup: func(h *hubtest.Hub) {
			h.FailNext(hubtest.Failure{Server: "hub", Method: "GET", PathHas: "/api/", Status: 403, Times: 1})
		}, message: []string{"HTTP 403", "permissions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.hub.AddModel(repoID, hubtest.SentenceTransformer(1000)...)
			if tc.setup != nil {
				tc.setup(e.hub)
			}
			t.Setenv("HF_TOKEN", tc.token)
			opts := e.opts()
			opts.Revision = tc.rev
			_, err := Resolve(context.Background(), tc.ref, opts)
			if err == nil {
				t.Fatal("resolved; want an error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Errorf("err %T is not an *HTTPError", err)
			}
			for _, part := range tc.message {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("message %q lacks %q", err, part)
				}
			}
			if tc.token != "" && (strings.Contains(err.Error(), tc.token) || strings.Contains(e.logText(), tc.token)) {
				t.Errorf("the token appears in the error or the log: %v", err)
			}
			if entries := filesUnder(t, filepath.Join(e.repoDir(tc.ref), "snapshots")); len(entries) != 0 {
				t.Errorf("snapshots/ holds %v after a failure", entries)
			}
		})
	}
}

func TestRetriesHonourRetryAfterAndBackoff(t *testing.T) {
	e := newTestEnv(t)
	e.hub.AddModel(repoID, hubtest.SentenceTransformer(1000)...)
	e.hub.FailNext(hubtest.Failure{Server: "hub", Method: "GET", PathHas: "/api/", Status: 429, RetryAfter: "7", Times: 1})
	e.hub.FailNext(hubtest.Failure{Server: "hub", Method: "HEAD", PathHas: "/config.json", Status: 503, Times: 2})
	e.hub.FailNext(hubtest.Failure{Server: "cdn", Method: "GET", Status: 502, Times: 1})
	opts := e.opts()
	opts.RetryBase = 100 * time.Millisecond
	if _, err := Resolve(context.Background(), repoID, opts); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{7 * time.Second, 100 * time.Millisecond, 200 * time.Millisecond, 100 * time.Millisecond}
	if got := e.recordedSleeps(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v (Retry-After, then backoff doubling per request)", got, want)
	}
	if !strings.Contains(e.logText(), "429") || !strings.Contains(e.logText(), "retrying in 7s") {
		t.Errorf("log lacks the retry notes:\n%s", e.logText())
	}
}

func TestRetriesGiveUpAndFallBackToTheCache(t *testing.T) {
	e := newTestEnv(t)
	e.hub.AddModel(repoID, hubtest.SentenceTransformer(1000)...)
	e.hub.FailNext(hubtest.Failure{Server: "hub", Status: 503, Times: 3})
	opts := e.opts()
	opts.Retries = 2
	_, err := Resolve(context.Background(), repoID, opts)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 503 || !errors.Is(err, ErrNotCached) {
		t.Fatalf("err = %v, want HTTP 503 and ErrNotCached", err)
	}
	if n := len(e.recordedSleeps()); n != 2 {
		t.Errorf("waited %d times, want 2 (Retries)", n)
	}

	cached, err := Resolve(context.Background(), repoID, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	e.hub.FailNext(hubtest.Failure{Server: "hub", Status: 500, Times: 1})
	opts.Retries = -1
	snap, err := Resolve(context.Background(), repoID, opts)
	if err != nil {
		t.Fatalf("with the model cached, an unavailable Hub should fall back to the cache: %v", err)
	}
	if snap.Commit != cached.Commit || !strings.Contains(e.logText(), "using the cached snapshot") {
		t.Errorf("fallback snapshot %+v, log:\n%s", snap, e.logText())
	}
}

func TestCutDownloadResumesWithRange(t *testing.T) {
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(1 << 20)
	e.hub.AddModel(repoID, files...)
	e.hub.CutDownloads("model.safetensors", 300_000, 1)
	e.hub.CutDownloads("vocab.txt", 10, 1)
	snap, err := Resolve(context.Background(), repoID, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(snap.Dir, "model.safetensors"))
	if err != nil || hubtest.SHA256(got) != hubtest.SHA256(fileContents(files)["model.safetensors"]) {
		t.Fatalf("resumed weights differ from the Hub's (err %v)", err)
	}
	var ranges []string
	for _, r := range e.hub.Requests() {
		if r.Range != "" {
			ranges = append(ranges, r.File+" "+r.Range)
		}
	}
	want := []string{"vocab.txt bytes=10-", "model.safetensors bytes=300000-"}
	slices.Sort(ranges)
	slices.Sort(want)
	if !slices.Equal(ranges, want) {
		t.Errorf("range requests = %v, want %v", ranges, want)
	}
}

func TestCorruptedDownloadLeavesNothingVisible(t *testing.T) {
	for _, tc := range []struct{ file, check string }{
		{"model.safetensors", "sha256"},
		{"config.json", "git-sha1"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			e := newTestEnv(t)
			files := hubtest.SentenceTransformer(200_000)
			e.hub.AddModel(repoID, files...)
			e.hub.CorruptDownloads(tc.file)
			_, err := Resolve(context.Background(), repoID, e.opts())
			var ie *IntegrityError
			if !errors.As(err, &ie) || !errors.Is(err, ErrIntegrity) || ie.Check != tc.check || ie.File != tc.file {
				t.Fatalf("err = %v, want a %s IntegrityError on %s", err, tc.check, tc.file)
			}
			dir := e.repoDir(repoID)
			if entries := filesUnder(t, filepath.Join(dir, "snapshots")); len(entries) != 0 {
				t.Errorf("snapshots/ holds %v", entries)
			}
			if entries := filesUnder(t, filepath.Join(dir, "refs")); len(entries) != 0 {
				t.Errorf("refs/ holds %v", entries)
			}
			content := fileContents(files)[tc.file]
			for _, b := range filesUnder(t, filepath.Join(dir, "blobs")) {
				if strings.Contains(b, ".incomplete") || b == hubtest.SHA256(content) || b == hubtest.GitBlobID(content) {
					t.Errorf("blobs/%s left behind", b)
				}
			}
		})
	}
}

func TestUnsafeNamesAreRefusedBeforeTouchingTheDisk(t *testing.T) {
	for _, tc := range []struct {
		name  string
		file  hubtest.File
		rev   string
		wants string
	}{
		{name: "module folder escaping", file: hubtest.File{Name: "modules.json",
			Content: []byte(`[{"path":"../../../../evil"}]`)}, wants: "not a plain folder name"},
		{name: "shard escaping", file: hubtest.File{Name: "model.safetensors.index.json",
			Content: []byte(`{"weight_map":{"w":"../../../evil.safetensors"}}`)}, wants: "not a plain file name"},
		{name: "absolute shard", file: hubtest.File{Name: "model.safetensors.index.json",
			Content: []byte(`{"weight_map":{"w":"/etc/passwd"}}`)}, wants: "not a plain file name"},
		{name: "revision escaping refs", rev: "../../../etc", wants: "not a usable revision"},
		{name: "revision with backslash", rev: `..\evil`, wants: "not a usable revision"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			files := hubtest.SentenceTransformer(1000)
			if tc.file.Name != "" {
				files = withFile(files, tc.file)
			}
			e.hub.AddModel(repoID, files...)
			opts := e.opts()
			opts.Revision = tc.rev
			_, err := Resolve(context.Background(), repoID, opts)
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("err = %v, want one saying %q", err, tc.wants)
			}
			if tc.rev != "" && e.hub.Count() != 0 {
				t.Errorf("a bad revision sent %d requests", e.hub.Count())
			}
			root := filepath.Dir(e.cache)
			for _, f := range filesUnder(t, root) {
				if strings.Contains(f, "evil") || strings.Contains(f, "etc") {
					t.Errorf("%s was created", f)
				}
			}
		})
	}
}

func TestWeightSelection(t *testing.T) {
	base := without(hubtest.SentenceTransformer(100), "model.safetensors", "pytorch_model.bin")
	shard := func(name string, seed uint64) hubtest.File {
		return hubtest.File{Name: name, Content: hubtest.Bytes(seed, 500), LFS: true}
	}
	for _, tc := range []struct {
		name    string
		extra   []hubtest.File
		weights []string
		warn    string
		err     error
	}{
		{name: "single safetensors", extra: []hubtest.File{shard("model.safetensors", 1), shard("pytorch_model.bin", 2)},
			weights: []string{"model.safetensors"}},
		{name: "sharded safetensors", extra: []hubtest.File{
			{Name: "model.safetensors.index.json", Content: []byte(`{"metadata":{"total_size":1000},"weight_map":` +
				`{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors","c":"model-00001-of-00002.safetensors"}}`)},
			shard("model-00001-of-00002.safetensors", 1), shard("model-00002-of-00002.safetensors", 2), shard("pytorch_model.bin", 3)},
			weights: []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"}},
		{name: "pytorch only", extra: []hubtest.File{shard("pytorch_model.bin", 2)},
			weights: []string{"pytorch_model.bin"}, warn: "using pytorch_model.bin"},
		{name: "mlx-examples npz", extra: []hubtest.File{shard("weights.npz", 2)}, weights: []string{"weights.npz"}},
		{name: "tf and onnx only", err: ErrNoWeights},
		{name: "loose shards without index", extra: []hubtest.File{shard("a.safetensors", 1), shard("b.safetensors", 2)}, err: ErrNoWeights},
		{name: "module with its own weights", extra: []hubtest.File{shard("model.safetensors", 1),
			{Name: "modules.json", Content: []byte(`[{"path":""},{"path":"1_Pooling"},{"path":"2_Dense"}]`)},
			{Name: "2_Dense/config.json", Content: []byte(`{"in_features":32,"out_features":16}`)},
			shard("2_Dense/model.safetensors", 4), shard("2_Dense/pytorch_model.bin", 5)},
			weights: []string{"2_Dense/config.json", "2_Dense/model.safetensors", "model.safetensors"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			files := base
			for _, f := range tc.extra {
				files = withFile(files, f)
			}
			e.hub.AddModel(repoID, files...)
			snap, err := Resolve(context.Background(), repoID, e.opts())
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range snap.Files {
				if !slices.Contains(auxiliaryFiles, f) {
					got = append(got, f)
				}
			}
			if !slices.Equal(got, tc.weights) {
				t.Errorf("weights = %v, want %v", got, tc.weights)
			}
			if !strings.Contains(e.logText(), tc.warn) {
				t.Errorf("log %q lacks %q", e.logText(), tc.warn)
			}
		})
	}
}

func TestStalledDownloadIsResumed(t *testing.T) {
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(400_000)
	e.hub.AddModel(repoID, files...)
	e.hub.StallDownloads("model.safetensors", 150_000, 1)
	opts := e.opts()
	opts.stall = 200 * time.Millisecond
	snap, err := Resolve(context.Background(), repoID, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(snap.Dir, "model.safetensors"))
	if err != nil || hubtest.SHA256(got) != hubtest.SHA256(fileContents(files)["model.safetensors"]) {
		t.Fatalf("weights after a stall differ from the Hub's (err %v)", err)
	}
	if !strings.Contains(e.logText(), "no data for 200ms after 150000 of 400000 bytes") {
		t.Errorf("log lacks the stall note:\n%s", e.logText())
	}
}

func TestPrivateAndGatedRepositoriesWithAccess(t *testing.T) {
	e := newTestEnv(t)
	e.hub.AddModel("acme/private", hubtest.SentenceTransformer(1000)...)
	e.hub.AddModel("acme/gated", hubtest.SentenceTransformer(1000)...)
	e.hub.SetPrivate("acme/private")
	e.hub.SetGated("acme/gated", "hf_granted")
	e.hub.AllowToken("hf_granted")
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("hf_granted\n"), 0o600)
	t.Setenv("HF_TOKEN_PATH", tokenFile)
	for _, id := range []string{"acme/private", "acme/gated"} {
		if _, err := Resolve(context.Background(), id, e.opts()); err != nil {
			t.Errorf("%s with the token file: %v", id, err)
		}
	}
}

func TestAbsentOptionalFilesAreRecordedLikeHuggingfaceHub(t *testing.T) {
	e := newTestEnv(t)
	commit := e.hub.AddModel(repoID, without(hubtest.SentenceTransformer(1000), "special_tokens_map.json", "tokenizer.json")...)
	if _, err := Resolve(context.Background(), repoID, e.opts()); err != nil {
		t.Fatal(err)
	}
	got := filesUnder(t, filepath.Join(e.repoDir(repoID), ".no_exist", commit))
	if !slices.Equal(got, []string{"special_tokens_map.json", "tokenizer.json"}) {
		t.Errorf(".no_exist/%s holds %v", commit, got)
	}
	if os.Getenv("BERTBATCH_PYTHON") == "" {
		return
	}
	var absent map[string]bool
	runPython(t, []string{"HF_HUB_OFFLINE=1"}, &absent, "cached-absent", repoID, e.cache, "tokenizer.json", "vocab.txt")
	if !absent["tokenizer.json"] || absent["vocab.txt"] {
		t.Errorf("huggingface_hub's view of absent files: %v, want tokenizer.json only", absent)
	}
}
