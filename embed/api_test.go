package embed_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bertbatch/bertbatch/embed"
	"github.com/bertbatch/bertbatch/hub"
	"github.com/bertbatch/bertbatch/hub/hubtest"
)

func tinyModel(name string) string { return filepath.Join("..", "testdata", "models", name) }

// Errors from the Hub keep their kind through Open, so a caller can branch with errors.Is.
func TestOpenErrors(t *testing.T) {
	fake := hubtest.New(t)
	fake.AddModel("org/tiny-bert", tinyBertFiles()...)
	fake.AddModel("org/gated", tinyBertFiles()...)
	fake.SetGated("org/gated")
	online := embed.WithHubOptions(hub.Options{Endpoint: fake.URL, Retries: -1})
	for _, tc := range []struct {
		name string
		ref  string
		opts []embed.Option
		want error
	}{
		{"not found", "org/missing", []embed.Option{online}, embed.ErrModelNotFound},
		{"gated", "org/gated", []embed.Option{online}, embed.ErrGated},
		{"revision", "org/tiny-bert", []embed.Option{online, embed.WithRevision("v9")}, embed.ErrRevisionNotFound},
		{"offline miss", "org/tiny-bert", []embed.Option{online, embed.WithOffline(true)}, embed.ErrNotCached},
		{"bad reference", "org/../x", nil, embed.ErrInvalidReference},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]embed.Option{embed.WithCacheDir(t.TempDir())}, tc.opts...)
			m, err := embed.Open(context.Background(), tc.ref, opts...)
			if err == nil {
				m.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v, want errors.Is %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.ref) {
				t.Errorf("%v does not name %s", err, tc.ref)
			}
		})
	}
	t.Run("offline miss names the cache", func(t *testing.T) {
		_, err := embed.Open(context.Background(), "org/tiny-bert", embed.WithCacheDir(t.TempDir()), embed.WithOffline(true))
		var nc *hub.NotCachedError
		if !errors.As(err, &nc) {
			t.Fatalf("%v, want a *hub.NotCachedError", err)
		}
	})
}

// A bad row is reported by its index in the caller's input, whichever batch it ran in.
func TestRowErrors(t *testing.T) {
	m, err := embed.Open(context.Background(), tinyModel("tiny-bert"), embed.WithMaxTokens(8))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ok := []int32{2, 10, 3}
	for _, tc := range []struct {
		name   string
		ids    [][]int32
		mask   [][]int32
		index  int
		reason string
	}{
		{"token outside the vocabulary", [][]int32{ok, ok, ok, {2, 9999, 3}, ok}, nil, 3, "outside the model's vocabulary"},
		{"empty row", [][]int32{ok, {}, ok}, nil, 1, "no token to embed"},
		{"mask length", [][]int32{ok, ok}, [][]int32{{1, 1, 1}, {1, 1}}, 1, "attention_mask"},
		{"nothing attended", [][]int32{ok, ok, ok}, [][]int32{{1, 1, 1}, {1, 1, 1}, {0, 0, 0}}, 2, "no token is attended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.EncodeTokens(context.Background(), tc.ids, tc.mask, nil)
			var re *embed.RowError
			if !errors.As(err, &re) {
				t.Fatalf("%v, want a *embed.RowError", err)
			}
			if re.Index != tc.index || !strings.Contains(re.Reason, tc.reason) {
				t.Fatalf("row %d %q, want row %d with %q", re.Index, re.Reason, tc.index, tc.reason)
			}
		})
	}
}

func TestMisuse(t *testing.T) {
	ctx := context.Background()
	enc, err := embed.Open(ctx, tinyModel("tiny-bert"))
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	cls, err := embed.Open(ctx, tinyModel("tiny-bert-binary"), embed.WithHead(embed.Binary))
	if err != nil {
		t.Fatal(err)
	}
	defer cls.Close()
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"classify without a head", func() error { _, err := enc.Classify(ctx, []string{"a"}); return err }, "WithHead"},
		{"text without a tokenizer", func() error { _, err := cls.Classify(ctx, []string{"a"}); return err }, "tokenizer"},
		{"unequal pairs", func() error { _, err := enc.EncodePairs(ctx, []string{"a", "b"}, []string{"c"}); return err }, "2 first texts but 1"},
		{"pooling unknown", func() error {
			m, err := embed.Open(ctx, tinyModel("tiny-bert"), embed.WithPooling("median"))
			if err == nil {
				defer m.Close()
				_, err = m.Encode(ctx, []string{"a"})
			}
			return err
		}, "unknown pooling"},
		{"max length past the positions", func() error {
			m, err := embed.Open(ctx, tinyModel("tiny-bert"), embed.WithMaxLength(4096))
			if err == nil {
				defer m.Close()
				_, err = m.Encode(ctx, []string{"a"})
			}
			return err
		}, "128 positions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want an error with %q", err, tc.want)
			}
		})
	}
}

// Many goroutines share one model; each gets the reference's vectors for its own rows.
func TestConcurrentUse(t *testing.T) {
	g := loadGolden(t, "tiny-bert")
	ids, types := g.rows()
	m, err := embed.Open(context.Background(), tinyModel("tiny-bert"), embed.WithWorkers(3), embed.WithMaxTokens(40))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for c := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo := c % len(ids)
			vecs, err := m.EncodeTokens(context.Background(), ids[lo:], nil, types[lo:])
			if err != nil {
				errs <- err
				return
			}
			for i, v := range vecs {
				for k := range v {
					if !near(v[k], g.SentenceEmbedding[lo+i][k]) {
						errs <- fmt.Errorf("caller %d row %d dim %d: %v, reference %v", c, lo+i, k, v[k], g.SentenceEmbedding[lo+i][k])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Close is idempotent, safe beside calls in flight, and later calls return ErrClosed.
func TestClose(t *testing.T) {
	m, err := embed.Open(context.Background(), tinyModel("tiny-bert"), embed.WithWorkers(2), embed.WithMaxTokens(16))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"one", "two words", "three words here", "four"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := m.Encode(context.Background(), texts); err != nil {
					if !errors.Is(err, embed.ErrClosed) {
						t.Errorf("during Close: %v", err)
					}
					return
				}
			}
		}()
	}
	if _, err := m.Encode(context.Background(), texts); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.Encode(context.Background(), texts); !errors.Is(err, embed.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// A cancelled context stops a call; the model stays usable.
func TestCancel(t *testing.T) {
	m, err := embed.Open(context.Background(), tinyModel("tiny-bert"), embed.WithMaxTokens(8))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	texts := make([]string, 200)
	for i := range texts {
		texts[i] = fmt.Sprintf("sentence number %d", i)
	}
	if _, err := m.Encode(ctx, texts); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
	if _, err := m.Encode(context.Background(), texts[:3]); err != nil {
		t.Fatalf("after a cancelled call: %v", err)
	}
}

// A Hub id is fetched into the cache once; opened again offline it makes no request, and a
// revision pinned to the commit is found there too.
func TestHubCache(t *testing.T) {
	fake := hubtest.New(t)
	commit := fake.AddModel("org/tiny-bert", tinyBertFiles()...)
	cache := t.TempDir()
	ctx := context.Background()
	online := embed.WithHubOptions(hub.Options{Endpoint: fake.URL})
	m, err := embed.Open(ctx, "org/tiny-bert", online, embed.WithCacheDir(cache))
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if got := m.Snapshot().Commit; got != commit {
		t.Fatalf("commit %s, want %s", got, commit)
	}
	before := fake.Count()
	for _, tc := range []struct {
		name string
		opts []embed.Option
	}{
		{"offline", []embed.Option{embed.WithOffline(true)}},
		{"pinned commit", []embed.Option{embed.WithRevision(commit)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]embed.Option{online, embed.WithCacheDir(cache)}, tc.opts...)
			m, err := embed.Open(ctx, "org/tiny-bert", opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if _, err := m.Encode(ctx, []string{"hello"}); err != nil {
				t.Fatal(err)
			}
			if n := fake.Count() - before; n != 0 {
				t.Fatalf("%d requests to the Hub", n)
			}
		})
	}
}
