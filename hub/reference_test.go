package hub

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseReference(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	os.MkdirAll(filepath.Join(root, "acme", "local-model"), 0o755)
	os.WriteFile(filepath.Join(root, "weights.bin"), []byte("x"), 0o644)
	t.Setenv("HOME", root)
	for _, tc := range []struct {
		ref, local, repo, err string
	}{
		{ref: "acme/local-model", local: filepath.Join(root, "acme", "local-model")}, // an existing path wins
		{ref: "./acme/local-model", local: filepath.Join(root, "acme", "local-model")},
		{ref: "~/acme", local: filepath.Join(root, "acme")},
		{ref: root, local: root},
		{ref: ".", local: root},
		{ref: "sentence-transformers/all-MiniLM-L6-v2", repo: "sentence-transformers/all-MiniLM-L6-v2"},
		{ref: "bert-base-uncased", repo: "bert-base-uncased"},
		{ref: "./missing", err: "local model folder does not exist"},
		{ref: "../missing", err: "local model folder does not exist"},
		{ref: "/no/such/folder", err: "local model folder does not exist"},
		{ref: "~/missing", err: "local model folder does not exist"},
		{ref: "weights.bin", err: "is a file"},
		{ref: "", err: "empty"},
		{ref: "org/name/extra", err: "at most one '/'"},
		{ref: "org--name", err: `cannot contain "--"`},
		{ref: "org/name.git", err: `".git"`},
		{ref: "café/model", err: "not a valid Hub id part"},
		{ref: "org/-name", err: "not a valid Hub id part"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			got, err := ParseReference(tc.ref)
			if tc.err != "" {
				if err == nil || !errors.Is(err, ErrInvalidReference) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrInvalidReference saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.LocalDir != tc.local || got.RepoID != tc.repo {
				t.Errorf("got %+v, want local %q repo %q", got, tc.local, tc.repo)
			}
		})
	}
}

// repoIDCases are checked here and, with BERTBATCH_PYTHON, against huggingface_hub's validate_repo_id.
var repoIDCases = []struct {
	id    string
	valid bool
}{
	{"a", true}, {"bert-base-uncased", true}, {"google-bert/bert-base-uncased", true}, {"Org_1/model.v2", true},
	{"_x/y_", true}, {"1/2", true}, {strings.Repeat("a", 96), true}, {"org/" + strings.Repeat("b", 96), true},
	{"a/b/c", false}, {"-a", false}, {"a-", false}, {".a", false}, {"a.", false}, {"a--b", false}, {"a..b", false},
	{"a.git", false}, {"org/a.git", false}, {"café", false}, {"a b", false}, {"a/", false}, {"/a", false},
	{strings.Repeat("a", 97), false}, {"org/" + strings.Repeat("b", 97), false}, {"a/.b", false}, {"a/b-", false},
	{"", false}, {"datasets/org/name", false},
}

func TestValidateRepoID(t *testing.T) {
	for _, tc := range repoIDCases {
		if err := ValidateRepoID(tc.id); (err == nil) != tc.valid {
			t.Errorf("ValidateRepoID(%q) = %v, want valid=%v", tc.id, err, tc.valid)
		}
	}
}

// filenameCases are checked here and, except where this package is stricter, against huggingface_hub.
var filenameCases = []struct {
	name     string
	valid    bool
	stricter bool // refused here, accepted by huggingface_hub
}{
	{name: "config.json", valid: true}, {name: "1_Pooling/config.json", valid: true}, {name: "a/b/c.bin", valid: true},
	{name: "weird name.json", valid: true}, {name: `a\b`, valid: true}, {name: "..a/b..", valid: true},
	{name: "../x"}, {name: "a/../x"}, {name: `a\..\x`}, {name: ".."}, {name: "/etc/passwd"}, {name: `\\host\share\x`},
	{name: `C:\x`}, {name: "C:x"}, {name: "a/c:x"}, {name: `\x`},
	{name: "", stricter: true}, {name: "a//b", stricter: true}, {name: "./a", stricter: true}, {name: "a\x01b", stricter: true},
}

func TestValidateFilename(t *testing.T) {
	for _, tc := range filenameCases {
		if err := validateFilename(tc.name); (err == nil) != tc.valid {
			t.Errorf("validateFilename(%q) = %v, want valid=%v", tc.name, err, tc.valid)
		}
	}
}

func TestValidateRevision(t *testing.T) {
	for _, tc := range []struct {
		rev   string
		valid bool
	}{
		{"main", true}, {"v1.0", true}, {"refs/pr/12", true}, {strings.Repeat("f", 40), true},
		{"", false}, {"..", false}, {"../x", false}, {"a/../../x", false}, {"/abs", false}, {"a//b", false},
		{`a\b`, false}, {"C:x", false}, {"a\nb", false}, {strings.Repeat("r", 256), false},
	} {
		if err := validateRevision(tc.rev); (err == nil) != tc.valid {
			t.Errorf("validateRevision(%q) = %v, want valid=%v", tc.rev, err, tc.valid)
		}
	}
}

func TestEtagNormalizationAndSafety(t *testing.T) {
	for _, tc := range []struct {
		header, want string
		safe         bool
	}{
		{`"abc123"`, "abc123", true},
		{`W/"abc123"`, "abc123", true},
		{`"` + strings.Repeat("e", 64) + `"`, strings.Repeat("e", 64), true},
		{`"../../evil"`, "../../evil", false},
		{`"a/b"`, "a/b", false},
		{`".."`, "..", false},
	} {
		got := normalizeEtag(tc.header)
		if got != tc.want || safeEtag.MatchString(got) != tc.safe {
			t.Errorf("normalizeEtag(%s) = %q (safe %v), want %q (safe %v)", tc.header, got, safeEtag.MatchString(got), tc.want, tc.safe)
		}
	}
}

func TestRetryAfterAndBackoff(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   string
		ok     bool
	}{
		{"3", "3s", true}, {"0", "0s", true}, {"", "0s", false}, {"soon", "0s", false}, {"-1", "0s", false},
		{"86400", "5m1s", true},
	} {
		h := make(map[string][]string)
		if tc.header != "" {
			h["Retry-After"] = []string{tc.header}
		}
		got, ok := retryAfter(h)
		if got.String() != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
	var got []string
	for i := range 6 {
		got = append(got, backoff(1e9, 8e9, i).String())
	}
	if strings.Join(got, " ") != "1s 2s 4s 8s 8s 8s" {
		t.Errorf("backoff = %v, want 1s 2s 4s 8s 8s 8s", got)
	}
}
