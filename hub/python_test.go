package hub

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

// pythonOrSkip returns BERTBATCH_PYTHON, an interpreter with huggingface_hub, or skips the test.
func pythonOrSkip(t *testing.T) string {
	t.Helper()
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Skip("BERTBATCH_PYTHON is not set: the huggingface_hub interop tests need it (eval \"$(make -s env)\")")
	}
	return py
}

// pythonCmd prepares testdata/hf_interop.py with the current environment minus empty variables (an empty
// HF_HUB_CACHE means "unset" here but "the current folder" to Python) plus extra.
func pythonCmd(t *testing.T, extra []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(pythonOrSkip(t), append([]string{filepath.Join("testdata", "hf_interop.py")}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasSuffix(kv, "=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HF_HUB_DISABLE_TELEMETRY=1", "HF_HUB_DISABLE_PROGRESS_BARS=1",
		"HF_HUB_DISABLE_UPDATE_CHECK=1", "HF_HUB_DISABLE_XET=1")
	cmd.Env = append(cmd.Env, extra...)
	return cmd
}

// runPython runs testdata/hf_interop.py and decodes its JSON answer into out.
func runPython(t *testing.T, extra []string, out any, args ...string) {
	t.Helper()
	cmd := pythonCmd(t, extra, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("python %v: %v\n%s", args, err, stderr.String())
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("python %v printed %q: %v", args, data, err)
	}
}

func TestPythonFilledCacheResolvesOffline(t *testing.T) {
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(500_000)
	commit := e.hub.AddModel(repoID, files...)
	e.hub.AllowToken("hf_python_side")
	var got struct{ Path string }
	runPython(t, []string{"HF_ENDPOINT=" + e.hub.URL, "HF_TOKEN=hf_python_side"}, &got, "snapshot", repoID, e.cache)
	if want := filepath.Join(e.repoDir(repoID), "snapshots", commit); got.Path != want {
		t.Fatalf("huggingface_hub filled %s, want %s", got.Path, want)
	}
	// The fake must serve what huggingface_hub asks for: the info and tree APIs, HEAD on resolve, CDN GETs
	// without the token.
	var sawInfo, sawTree, sawHead, sawCDN bool
	for _, r := range e.hub.Requests() {
		sawInfo = sawInfo || strings.HasPrefix(r.Path, "/api/models/acme/mini-bert/revision/main")
		sawTree = sawTree || strings.HasPrefix(r.Path, "/api/models/acme/mini-bert/tree/"+commit)
		sawHead = sawHead || (r.Method == "HEAD" && strings.Contains(r.Path, "/resolve/"+commit+"/"))
		if r.Server == "cdn" {
			sawCDN = true
			if r.Authorization != "" {
				t.Errorf("huggingface_hub sent Authorization to the CDN: the fake's redirect is not foreign to it")
			}
		}
	}
	if !sawInfo || !sawTree || !sawHead || !sawCDN {
		t.Errorf("huggingface_hub requests: info %v tree %v head %v cdn %v; the fake no longer matches its protocol",
			sawInfo, sawTree, sawHead, sawCDN)
	}

	before := e.hub.Count()
	opts := e.opts()
	opts.Offline = true
	snap, err := Resolve(context.Background(), repoID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if e.hub.Count() != before {
		t.Errorf("offline resolution sent %d requests", e.hub.Count()-before)
	}
	if snap.Commit != commit || snap.Dir != got.Path || !slices.Equal(snap.Files, hubtest.NeededByJob) {
		t.Errorf("resolved %+v from the Python-filled cache", snap)
	}
	checkIntactCache(t, e.repoDir(repoID), commit, files, hubtest.NeededByJob)
}

func TestGoFilledCacheIsReadByPythonOffline(t *testing.T) {
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(500_000)
	commit := e.hub.AddModel(repoID, files...)
	snap, err := Resolve(context.Background(), repoID, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Snapshot string
		Files    map[string]struct {
			Path, SHA256       string
			TryToLoadFromCache string `json:"try_to_load_from_cache"`
		}
		TF   string `json:"tf_model.h5"`
		Scan struct {
			Warnings []string
			Repos    []struct {
				RepoID    string `json:"repo_id"`
				RepoType  string `json:"repo_type"`
				Revisions []struct {
					Commit string
					Refs   []string
					Files  []string
				}
			}
		}
	}
	before := e.hub.Count()
	runPython(t, []string{"HF_HUB_OFFLINE=1", "HF_ENDPOINT=" + e.hub.URL}, &got,
		append([]string{"read-offline", repoID, e.cache}, snap.Files...)...)
	if e.hub.Count() != before {
		t.Errorf("huggingface_hub offline sent %d requests", e.hub.Count()-before)
	}
	if got.Snapshot != snap.Dir {
		t.Errorf("snapshot_download(local_files_only=True) = %s, want %s", got.Snapshot, snap.Dir)
	}
	contents := fileContents(files)
	for _, f := range snap.Files {
		g := got.Files[f]
		want := filepath.Join(snap.Dir, filepath.FromSlash(f))
		if g.Path != want || g.TryToLoadFromCache != want || g.SHA256 != hubtest.SHA256(contents[f]) {
			t.Errorf("%s as huggingface_hub sees it: %+v, want path %s and the Hub's content", f, g, want)
		}
	}
	if got.TF != "LocalEntryNotFoundError" {
		t.Errorf("tf_model.h5 (never pulled): %s, want LocalEntryNotFoundError", got.TF)
	}
	if len(got.Scan.Warnings) != 0 {
		t.Errorf("scan_cache_dir warnings: %v", got.Scan.Warnings)
	}
	repos := got.Scan.Repos
	if len(repos) != 1 || repos[0].RepoID != repoID || repos[0].RepoType != "model" || len(repos[0].Revisions) != 1 {
		t.Fatalf("scan_cache_dir repos = %+v", repos)
	}
	rev := repos[0].Revisions[0]
	var names []string
	for _, f := range snap.Files {
		names = append(names, filepath.Base(f))
	}
	slices.Sort(names)
	if rev.Commit != commit || !slices.Equal(rev.Refs, []string{"main"}) || !slices.Equal(rev.Files, names) {
		t.Errorf("scan_cache_dir revision = %+v, want commit %s, refs [main], files %v", rev, commit, names)
	}
}

func TestGoAndPythonPullingTogetherShareTheLocks(t *testing.T) {
	pythonOrSkip(t)
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(2 << 20)
	commit := e.hub.AddModel(repoID, files...)
	e.hub.HoldDownloads("model.safetensors", 2)
	pyCmd := pythonCmd(t, []string{"HF_ENDPOINT=" + e.hub.URL}, "snapshot", repoID, e.cache)
	var pyErr strings.Builder
	pyCmd.Stderr = &pyErr
	if err := pyCmd.Start(); err != nil {
		t.Fatal(err)
	}
	goCmd, _, goErr := startChild(t, repoID, e.hub.URL, e.cache)
	if err := goCmd.Wait(); err != nil {
		t.Errorf("Go process: %v\n%s", err, goErr)
	}
	if err := pyCmd.Wait(); err != nil {
		t.Errorf("huggingface_hub process: %v\n%s", err, pyErr.String())
	}
	if n := e.hub.Downloads("model.safetensors"); n != 1 {
		t.Errorf("model.safetensors downloaded %d times; Go and huggingface_hub must exclude each other on the blob lock", n)
	}
	var all []string
	for _, f := range files {
		all = append(all, f.Name)
	}
	checkIntactCache(t, e.repoDir(repoID), commit, files, all)
}

func TestValidationMatchesHuggingfaceHub(t *testing.T) {
	var ids []string
	for _, tc := range repoIDCases {
		if tc.id != "" {
			ids = append(ids, tc.id)
		}
	}
	var idVerdicts map[string]bool
	runPython(t, nil, &idVerdicts, append([]string{"validate-ids"}, ids...)...)
	for _, tc := range repoIDCases {
		if v, ok := idVerdicts[tc.id]; ok && v != tc.valid {
			t.Errorf("repo id %q: huggingface_hub says valid=%v, this table says %v", tc.id, v, tc.valid)
		}
	}
	var names []string
	for _, tc := range filenameCases {
		if !tc.stricter {
			names = append(names, tc.name)
		}
	}
	var nameVerdicts map[string]bool
	runPython(t, nil, &nameVerdicts, append([]string{"validate-filenames"}, names...)...)
	for _, tc := range filenameCases {
		if v, ok := nameVerdicts[tc.name]; ok && v != tc.valid {
			t.Errorf("file name %q: huggingface_hub says valid=%v, this table says %v", tc.name, v, tc.valid)
		}
	}
	var folders map[string]string
	runPython(t, nil, &folders, "folder-name", "bert-base-uncased", "sentence-transformers/all-MiniLM-L6-v2")
	for id, want := range folders {
		if got := repoFolderName(id); got != want {
			t.Errorf("repoFolderName(%q) = %q, huggingface_hub says %q", id, got, want)
		}
	}
}

func TestCacheFolderAndTokenMatchHuggingfaceHub(t *testing.T) {
	pythonOrSkip(t)
	for _, tc := range []struct {
		name      string
		env       map[string]string
		tokenFile string // written at $HF_HOME/token, or at HF_TOKEN_PATH when that is set
	}{
		{name: "defaults"},
		{name: "XDG_CACHE_HOME", env: map[string]string{"XDG_CACHE_HOME": "{tmp}/xdg"}},
		{name: "HF_HOME", env: map[string]string{"HF_HOME": "{tmp}/hfhome", "XDG_CACHE_HOME": "{tmp}/xdg"}},
		{name: "HF_HOME with tilde", env: map[string]string{"HF_HOME": "~/hfhome"}},
		{name: "HUGGINGFACE_HUB_CACHE", env: map[string]string{"HUGGINGFACE_HUB_CACHE": "{tmp}/legacy", "HF_HOME": "{tmp}/h"}},
		{name: "HF_HUB_CACHE first", env: map[string]string{"HF_HUB_CACHE": "{tmp}/new", "HUGGINGFACE_HUB_CACHE": "{tmp}/legacy"}},
		{name: "HF_TOKEN first", env: map[string]string{"HF_TOKEN": "hf_a", "HUGGING_FACE_HUB_TOKEN": "hf_b"}, tokenFile: "hf_c"},
		{name: "legacy token variable", env: map[string]string{"HUGGING_FACE_HUB_TOKEN": "hf_b"}, tokenFile: "hf_c"},
		{name: "token file", env: map[string]string{"HF_HOME": "{tmp}/hfhome"}, tokenFile: "  hf_c\r\n"},
		{name: "HF_TOKEN_PATH", env: map[string]string{"HF_TOKEN_PATH": "{tmp}/elsewhere/tok"}, tokenFile: "hf_d\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			for _, v := range append(hubEnvVars, "HF_HOME") {
				t.Setenv(v, "")
			}
			t.Setenv("HOME", tmp)
			for k, v := range tc.env {
				t.Setenv(k, strings.ReplaceAll(v, "{tmp}", tmp))
			}
			if tc.tokenFile != "" {
				p, err := tokenPath()
				if err != nil {
					t.Fatal(err)
				}
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte(tc.tokenFile), 0o600)
			}
			var py struct {
				Cache string
				Token *string
			}
			runPython(t, nil, &py, "settings")
			cache, err := CacheDir("")
			if err != nil {
				t.Fatal(err)
			}
			if cache != py.Cache {
				t.Errorf("cache folder = %s, huggingface_hub uses %s", cache, py.Cache)
			}
			tok, err := findToken("")
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if py.Token != nil {
				want = *py.Token
			}
			if tok.value != want {
				t.Errorf("token from %s differs from huggingface_hub's choice", tok.source)
			}
		})
	}
}
