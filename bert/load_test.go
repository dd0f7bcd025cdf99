package bert

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/hub"
	"github.com/bertbatch/bertbatch/hub/hubtest"
)

func TestLoadLocalFolderByReference(t *testing.T) {
	local, err := filepath.Abs(filepath.Join("..", "testdata", "models", "tiny-bert-cls"))
	if err != nil {
		t.Fatal(err)
	}
	m, snap, err := LoadWithHead(context.Background(), local, HeadMulticlass, hub.Options{Offline: true}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if snap.Dir != local || m.NumLabels() != 3 {
		t.Fatalf("loaded %s with %d labels", snap.Dir, m.NumLabels())
	}
}

// A Hub id is fetched through the shared cache, then loads offline from it.
func TestLoadHubIDThroughTheCache(t *testing.T) {
	dir := filepath.Join("..", "testdata", "models", "tiny-bert")
	fake := hubtest.New(t)
	var files []hubtest.File
	for _, name := range []string{"config.json", "model.safetensors", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json"} {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		files = append(files, hubtest.File{Name: name, Content: data, LFS: strings.HasSuffix(name, ".safetensors")})
	}
	commit := fake.AddModel("org/tiny-bert", files...)
	cache := t.TempDir()
	m, snap, err := LoadCore(context.Background(), "org/tiny-bert", hub.Options{Endpoint: fake.URL, CacheDir: cache}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if snap.Commit != commit {
		t.Fatalf("commit %s, want %s", snap.Commit, commit)
	}
	before := fake.Count()
	m, _, err = LoadCore(context.Background(), "org/tiny-bert", hub.Options{Endpoint: fake.URL, CacheDir: cache, Offline: true}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if fake.Count() != before {
		t.Fatalf("offline load made %d requests", fake.Count()-before)
	}
	_, _, err = LoadCore(context.Background(), "org/not-cached", hub.Options{Offline: true, CacheDir: cache}, Options{})
	if !errors.Is(err, hub.ErrNotCached) {
		t.Fatalf("offline load of an uncached Hub id: %v, want hub.ErrNotCached", err)
	}
}
