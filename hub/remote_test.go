package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/objstore/s3test"
)

// TestResolveObjectStorageFolder copies a model folder from a real S3 server into the cache once
// per version of its files, selecting the files a local folder's resolution selects.
func TestResolveObjectStorageFolder(t *testing.T) {
	srv := s3test.Require(t)
	if err := srv.CreateBucket("models"); err != nil {
		t.Fatal(err)
	}
	srv.Setenv(t)
	src := filepath.Join("..", "testdata", "models", "tiny-bert")
	if err := srv.Upload(src, "models", "team/tiny-bert"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Put("models", "team/no-config/model.safetensors", []byte("x")); err != nil {
		t.Fatal(err)
	}
	localSnap, err := Resolve(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	var log []string
	opts := Options{CacheDir: cache, Logf: func(f string, a ...any) { log = append(log, fmt.Sprintf(f, a...)) }}
	resolve := func(ref string, o Options) (*Snapshot, bool, error) {
		log = nil
		snap, err := Resolve(context.Background(), ref, o)
		return snap, slices.ContainsFunc(log, func(s string) bool { return strings.Contains(s, "copied") }), err
	}
	const ref = "s3://models/team/tiny-bert"

	first, copied, err := resolve(ref, opts)
	if err != nil || !copied {
		t.Fatalf("first resolution: %v, copied %v", err, copied)
	}
	if first.Ref != ref || !slices.Equal(first.Files, localSnap.Files) || !strings.HasPrefix(first.Dir, cache) {
		t.Fatalf("snapshot %+v; want the files %v in the cache %s", first, localSnap.Files, cache)
	}
	for _, f := range first.Files {
		want, _ := os.ReadFile(filepath.Join(src, f))
		got, err := os.ReadFile(filepath.Join(first.Dir, f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: copy differs from the uploaded file (%v)", f, err)
		}
	}

	t.Run("again: no copy", func(t *testing.T) {
		snap, copied, err := resolve(ref, opts)
		if err != nil || copied || snap.Dir != first.Dir {
			t.Fatalf("second resolution: %v, copied %v, folder %s (first %s)", err, copied, snap.Dir, first.Dir)
		}
	})
	t.Run("offline: no request", func(t *testing.T) {
		t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
		o := opts
		o.Offline = true
		snap, copied, err := resolve(ref, o)
		if err != nil || copied || snap.Dir != first.Dir {
			t.Fatalf("offline resolution: %v, copied %v, folder %s", err, copied, snap.Dir)
		}
		_, _, err = resolve("s3://models/team/other", o)
		if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "bertbatch pull s3://models/team/other") {
			t.Fatalf("offline, never copied: %v; want ErrNotCached saying what to run", err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name, ref, revision, want string
		}{
			{"no config.json", "s3://models/team/no-config", "", "s3://models/team/no-config lacks config.json"},
			{"empty prefix", "s3://models/team/nothing", "", "lacks config.json"},
			{"no bucket", "s3://no-such-bucket/m", "", "s3://no-such-bucket/m: the bucket does not exist"},
			{"revision", ref, "v1", "applies to Hub models only"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o := opts
				o.Revision = tt.revision
				_, _, err := resolve(tt.ref, o)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Resolve(%s) = %v; want an error with %q", tt.ref, err, tt.want)
				}
			})
		}
	})
	t.Run("changed object: a new copy", func(t *testing.T) {
		config, err := os.ReadFile(filepath.Join(src, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		changed := append(bytes.TrimRight(config, "\n} "), []byte(",\n  \"note\": \"changed\"\n}\n")...)
		if err := srv.Put("models", "team/tiny-bert/config.json", changed); err != nil {
			t.Fatal(err)
		}
		snap, copied, err := resolve(ref, opts)
		if err != nil || !copied || snap.Dir == first.Dir {
			t.Fatalf("after a change: %v, copied %v, folder %s (first %s)", err, copied, snap.Dir, first.Dir)
		}
		got, _ := os.ReadFile(filepath.Join(snap.Dir, "config.json"))
		if !bytes.Equal(got, changed) {
			t.Errorf("the new copy holds the old config.json")
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(snap.Dir), ".*incomplete*")); len(left) > 0 {
			t.Errorf("temporary folders left: %v", left)
		}
	})
}
