package hub

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

// BenchmarkPull measures a cold pull of a model with 64 MiB of weights from the fake Hub on loopback:
// HEAD and info requests, the CDN redirect, hashing (sha256 and git-sha1) and the rename into the cache.
func BenchmarkPull(b *testing.B) {
	h := hubtest.New(b)
	const weights = 64 << 20
	h.AddModel(repoID, hubtest.SentenceTransformer(weights)...)
	b.SetBytes(weights)
	for i := 0; b.Loop(); i++ {
		opts := Options{Endpoint: h.URL, CacheDir: filepath.Join(b.TempDir(), "cache")}
		if _, err := Resolve(context.Background(), repoID, opts); err != nil {
			b.Fatal(err)
		}
	}
}
