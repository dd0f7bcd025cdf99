package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

func TestPull(t *testing.T) {
	for _, v := range []string{"HF_HUB_OFFLINE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH"} {
		t.Setenv(v, "")
	}
	t.Setenv("HF_HOME", t.TempDir())
	const secret = "hf_do_not_print_me_42"
	fake := hubtest.New(t)
	commit := fake.AddModel("acme/mini", hubtest.SentenceTransformer(1000)...)
	fake.AddModel("acme/pytorch-only", append(hubtest.SentenceTransformer(1000)[:11],
		hubtest.File{Name: "pytorch_model.bin", Content: []byte("weights"), LFS: true})...)
	fake.AllowToken(secret)
	t.Setenv("HF_ENDPOINT", fake.URL)
	cache := filepath.Join(t.TempDir(), "cache")
	snapshot := filepath.Join(cache, "models--acme--mini", "snapshots", commit)

	tests := []struct {
		name   string
		token  string
		args   []string
		code   int
		stdout []string // parts stdout must have
		stderr []string // parts stderr must have
	}{
		{name: "pull", token: secret, args: []string{"acme/mini", "--cache-dir", cache}, code: exitOK,
			stdout: []string{"model     acme/mini\nrevision  main\ncommit    " + commit + "\nfolder    " + snapshot + "\nfiles     10\n",
				"  1_Pooling/config.json\n", "  model.safetensors\n", "  vocab.txt\n"}},
		{name: "offline after pull", args: []string{"--offline", "--cache-dir", cache, "acme/mini"}, code: exitOK,
			stdout: []string{"commit    " + commit}},
		{name: "pinned commit", args: []string{"acme/mini", "--revision", commit, "--cache-dir", cache}, code: exitOK,
			stdout: []string{"revision  " + commit}},
		{name: "pytorch weights warn", args: []string{"acme/pytorch-only", "--cache-dir", cache}, code: exitOK,
			stdout: []string{"  pytorch_model.bin\n"}, stderr: []string{"warning: hub: the model has no safetensors weights"}},
		{name: "offline not cached", args: []string{"acme/other", "--offline", "--cache-dir", cache}, code: exitFailed,
			stderr: []string{"not usable from the cache", "bertbatch pull acme/other"}},
		{name: "bad token", token: "hf_bad_" + secret, args: []string{"acme/mini", "--cache-dir", t.TempDir()}, code: exitFailed,
			stderr: []string{"rejected the token from HF_TOKEN"}},
		{name: "missing repository", args: []string{"acme/nope", "--cache-dir", cache}, code: exitFailed,
			stderr: []string{`model "acme/nope" was not found`}},
		{name: "no model", args: nil, code: exitUsage, stderr: []string{"usage: bertbatch pull"}},
		{name: "two models", args: []string{"a/b", "c/d"}, code: exitUsage, stderr: []string{"want exactly one model"}},
		{name: "unknown flag", args: []string{"a/b", "--endpoint", "x"}, code: exitUsage},
		{name: "malformed id", args: []string{"a/b/c"}, code: exitUsage, stderr: []string{"at most one '/'"}},
		{name: "missing local folder", args: []string{"./nowhere"}, code: exitUsage, stderr: []string{"does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HF_TOKEN", tt.token)
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), append([]string{"pull"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, part := range tt.stdout {
				if !strings.Contains(stdout.String(), part) {
					t.Errorf("stdout lacks %q:\n%s", part, stdout.String())
				}
			}
			for _, part := range tt.stderr {
				if !strings.Contains(stderr.String(), part) {
					t.Errorf("stderr lacks %q:\n%s", part, stderr.String())
				}
			}
			if strings.Contains(stdout.String()+stderr.String(), secret) {
				t.Errorf("the token was printed")
			}
		})
	}
}
