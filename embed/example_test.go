package embed_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/bertbatch/bertbatch/embed"
	"github.com/bertbatch/bertbatch/hub"
	"github.com/bertbatch/bertbatch/hub/hubtest"
)

// The expected outputs below are printed by testdata/refembed.py from sentence-transformers and
// transformers on the same models and inputs.

// Open a sentence-transformers model and encode two sentences: mean pooling and L2 normalisation
// come from the checkpoint's modules.
func Example() {
	ctx := context.Background()
	m, err := embed.Open(ctx, "../testdata/models/tiny-bert")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	vecs, err := m.Encode(ctx, []string{"The cat sat on the mat.", "A dog ran in the park."})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d vectors of %d dimensions\n", len(vecs), len(vecs[0]))
	fmt.Printf("first: %.3f %.3f %.3f %.3f\n", vecs[0][0], vecs[0][1], vecs[0][2], vecs[0][3])
	fmt.Printf("cosine: %.3f\n", cosine(vecs[0], vecs[1]))
	// Output:
	// 2 vectors of 32 dimensions
	// first: 0.271 0.162 -0.322 -0.067
	// cosine: 0.966
}

// Classify texts with a sequence-classification checkpoint; labels come from its id2label.
func ExampleModel_Classify() {
	ctx := context.Background()
	dir := classifierFolder() // tiny-bert-binary with tiny-bert's tokenizer
	defer os.RemoveAll(dir)
	m, err := embed.Open(ctx, dir, embed.WithHead(embed.Binary))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	texts := []string{"I loved this film", "a dull and empty story"}
	preds, err := m.Classify(ctx, texts)
	if err != nil {
		log.Fatal(err)
	}
	for i, p := range preds {
		fmt.Printf("%s: %s %.3f\n", texts[i], p.Label, p.Score)
	}
	// Output:
	// I loved this film: NEGATIVE 0.690
	// a dull and empty story: POSITIVE 0.570
}

// Token ids in, last hidden state out: the seed's model(input_ids, attention_mask).last_hidden_state.
func ExampleModel_Forward() {
	ctx := context.Background()
	m, err := embed.Open(ctx, "../testdata/models/tiny-bert")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	hidden, err := m.Forward(ctx, [][]int32{{2, 45, 67, 89, 3}, {2, 120, 3}}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	for i, row := range hidden {
		fmt.Printf("row %d: %d tokens x %d, first token %.3f %.3f %.3f\n", i, len(row), len(row[0]), row[0][0], row[0][1], row[0][2])
	}
	// Output:
	// row 0: 5 tokens x 32, first token 0.256 0.081 -2.326
	// row 1: 3 tokens x 32, first token 0.284 0.550 -1.869
}

// A Hub id is resolved and downloaded into the Hub cache (here from a fake Hub on loopback), then
// found there offline.
func Example_hub() {
	fake, stop := fakeHub()
	defer stop()
	cache, _ := os.MkdirTemp("", "hub-cache")
	defer os.RemoveAll(cache)
	ctx := context.Background()
	m, err := embed.Open(ctx, "org/tiny-bert", embed.WithHubOptions(hub.Options{Endpoint: fake.URL}), embed.WithCacheDir(cache))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	snap := m.Snapshot()
	fmt.Println(snap.RepoID, snap.Revision)
	vecs, err := m.Encode(ctx, []string{"hello world"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d dimensions, first %.3f\n", len(vecs[0]), vecs[0][0])
	// Output:
	// org/tiny-bert main
	// 32 dimensions, first 0.226
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa) / math.Sqrt(bb)
}

// classifierFolder copies tiny-bert-binary and tiny-bert's tokenizer files into a new folder.
func classifierFolder() string {
	dir, err := os.MkdirTemp("", "classifier")
	if err != nil {
		log.Fatal(err)
	}
	copyFiles(dir, "../testdata/models/tiny-bert-binary", "config.json", "model.safetensors")
	copyFiles(dir, "../testdata/models/tiny-bert", "tokenizer.json", "tokenizer_config.json", "vocab.txt")
	return dir
}

func copyFiles(dst, src string, names ...string) {
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// tinyBertFiles is testdata/models/tiny-bert as Hub files.
func tinyBertFiles() []hubtest.File {
	dir := "../testdata/models/tiny-bert"
	var files []hubtest.File
	for _, name := range []string{"config.json", "model.safetensors", "modules.json", "1_Pooling/config.json",
		"sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"} {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			log.Fatal(err)
		}
		files = append(files, hubtest.File{Name: name, Content: data, LFS: strings.HasSuffix(name, ".safetensors")})
	}
	return files
}

// fakeHub serves tiny-bert as org/tiny-bert; stop closes it.
func fakeHub() (*hubtest.Hub, func()) {
	tb := &cleanupTB{}
	h := hubtest.New(tb)
	h.AddModel("org/tiny-bert", tinyBertFiles()...)
	return h, tb.run
}
