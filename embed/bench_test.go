package embed

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

// benchModel is all-MiniLM-L6-v2 when BERTBATCH_MODEL_DIR names it (`make model`, `make env`),
// else the committed tiny-bert.
func benchModel() string {
	if dir := os.Getenv("BERTBATCH_MODEL_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
			return dir
		}
	}
	return filepath.Join("..", "testdata", "models", "tiny-bert")
}

// benchRows are 256 rows of seeded random ids, 8 to 128 tokens long, past the special tokens.
func benchRows(vocab int) [][]int32 {
	r := rand.New(rand.NewPCG(1, 2))
	rows := make([][]int32, 256)
	lo := 5 // past the special tokens
	if vocab > 2000 {
		lo = 1000
	}
	for i := range rows {
		n := 8 + r.IntN(121)
		row := make([]int32, n)
		for j := range row {
			row[j] = int32(lo + r.IntN(vocab-lo))
		}
		rows[i] = row
	}
	return rows
}

// BenchmarkEncodeTokens compares the facade (one worker) with the engine called directly on one
// locked thread with the same batches: the difference is what the facade costs.
func BenchmarkEncodeTokens(b *testing.B) {
	ctx := context.Background()
	m, err := Open(ctx, benchModel(), WithWorkers(1))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	rows := benchRows(m.eng.Config.VocabSize)
	tokens := 0
	for _, r := range rows {
		tokens += len(r)
	}
	b.Run("engine", func(b *testing.B) {
		o := m.embedOptions()
		err := mlx.OnThread(CPU, func(s *mlx.Stream) error {
			for b.Loop() {
				for _, g := range groupRows(rows, m.cfg.maxTokens) {
					sc := mlx.NewScope(s)
					_, err := m.eng.Embed(sc, subBatch(&bert.Batch{InputIDs: rows}, g), o)
					sc.Close()
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(tokens*b.N)/b.Elapsed().Seconds(), "tokens/s")
	})
	b.Run("facade", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.EncodeTokens(ctx, rows, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(tokens*b.N)/b.Elapsed().Seconds(), "tokens/s")
	})
}
