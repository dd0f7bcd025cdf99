package hub

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

// testEnv is a fake Hub, an empty cache and an environment cleared of every variable this package reads.
type testEnv struct {
	hub   *hubtest.Hub
	cache string

	mu     sync.Mutex
	logs   []string
	sleeps []time.Duration
}

// hubEnvVars are the variables that would change a resolution; tests start with all of them empty.
var hubEnvVars = []string{"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
	"HF_TOKEN_PATH", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "XDG_CACHE_HOME"}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	for _, v := range hubEnvVars {
		t.Setenv(v, "")
	}
	t.Setenv("HF_HOME", filepath.Join(t.TempDir(), "hf-home")) // no token file from the real home
	return &testEnv{hub: hubtest.New(t), cache: filepath.Join(t.TempDir(), "hub-cache")}
}

func (e *testEnv) opts() Options {
	return Options{
		Endpoint:  e.hub.URL,
		CacheDir:  e.cache,
		RetryBase: time.Millisecond,
		Logf: func(format string, args ...any) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.logs = append(e.logs, fmt.Sprintf(format, args...))
		},
		sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			e.sleeps = append(e.sleeps, d)
			e.mu.Unlock()
			return ctx.Err()
		},
	}
}

func (e *testEnv) logText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.logs, "\n")
}

func (e *testEnv) recordedSleeps() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

// repoDir is the model's folder in the test cache.
func (e *testEnv) repoDir(repoID string) string {
	return filepath.Join(e.cache, "models--"+strings.ReplaceAll(repoID, "/", "--"))
}

// filesUnder lists every entry (files, links, folders) under dir, slash-separated and sorted; none when
// dir does not exist.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if os.IsNotExist(err) && p == dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	sort.Strings(out)
	return out
}

// fileContents maps each repository file name to its content.
func fileContents(files []hubtest.File) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range files {
		m[f.Name] = f.Content
	}
	return m
}

// withFile returns files with name's content replaced (or added).
func withFile(files []hubtest.File, f hubtest.File) []hubtest.File {
	out := []hubtest.File{}
	for _, g := range files {
		if g.Name != f.Name {
			out = append(out, g)
		}
	}
	return append(out, f)
}

// without returns files minus the named ones.
func without(files []hubtest.File, names ...string) []hubtest.File {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	var out []hubtest.File
	for _, f := range files {
		if !drop[f.Name] {
			out = append(out, f)
		}
	}
	return out
}
