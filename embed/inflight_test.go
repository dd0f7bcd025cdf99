package embed_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/embed"
)

// Keep two batches handed to MLX per worker (the engine's StartEmbed before Wait on the batch
// before), as on a GPU: the vectors are those of one batch at a time. A small token budget makes
// the texts several batches. The values are sentence-transformers', as in Example.
func ExampleWithInFlight() {
	ctx := context.Background()
	m, err := embed.Open(ctx, "../testdata/models/tiny-bert", embed.WithInFlight(2), embed.WithMaxTokens(16))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	vecs, err := m.Encode(ctx, []string{"The cat sat on the mat.", "A dog ran in the park."})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("first: %.3f %.3f %.3f %.3f\n", vecs[0][0], vecs[0][1], vecs[0][2], vecs[0][3])
	fmt.Printf("cosine: %.3f\n", cosine(vecs[0], vecs[1]))
	// Output:
	// first: 0.271 0.162 -0.322 -0.067
	// cosine: 0.966
}

// TestInFlightIsBitwise encodes the same texts with one batch at a time per worker and with
// several batches in flight, and checks that every vector is the same, bit for bit, in order.
func TestInFlightIsBitwise(t *testing.T) {
	tests := []struct {
		name  string
		model func(t *testing.T) string
	}{
		{"tiny-bert", func(*testing.T) string { return tinyModel("tiny-bert") }},
		{"all-MiniLM-L6-v2", func(t *testing.T) string {
			dir := os.Getenv("BERTBATCH_MODEL_DIR")
			if dir == "" {
				t.Skip("BERTBATCH_MODEL_DIR is not set; run `make model` and eval \"$(make -s env)\" to test with all-MiniLM-L6-v2")
			}
			if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
				t.Skipf("BERTBATCH_MODEL_DIR %s holds no model (%v); run `make model`", dir, err)
			}
			return dir
		}},
	}
	texts := make([]string, 60)
	words := strings.Fields("the quick brown fox jumps over a lazy dog while seven bright stars slowly fade into morning light")
	for i := range texts {
		texts[i] = strings.Join(words[i%5:i%5+3+i%11], " ")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.model(t)
			encode := func(depth int) [][]float32 {
				ctx := context.Background()
				m, err := embed.Open(ctx, dir, embed.WithInFlight(depth), embed.WithWorkers(2), embed.WithMaxTokens(96))
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				vecs, err := m.Encode(ctx, texts)
				if err != nil {
					t.Fatalf("in flight %d: %v", depth, err)
				}
				return vecs
			}
			plain := encode(1)
			for _, depth := range []int{2, 4} {
				got := encode(depth)
				for i := range plain {
					for j := range plain[i] {
						if math.Float32bits(got[i][j]) != math.Float32bits(plain[i][j]) {
							t.Fatalf("in flight %d: text %d, dim %d: %g, one at a time %g", depth, i, j, got[i][j], plain[i][j])
						}
					}
				}
			}
		})
	}
}
