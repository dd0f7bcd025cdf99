package embed

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

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

// BenchmarkFacadeOverhead runs the engine directly (on the benchmark's own locked thread and
// stream) and the facade (one worker) alternately on the same rows, so that machine load falls on
// both alike, and reports the median of the per-pair ratios as overhead-%.
func BenchmarkFacadeOverhead(b *testing.B) {
	ctx := context.Background()
	m, err := Open(ctx, benchModel(), WithWorkers(1))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	rows := benchRows(m.eng.Config.VocabSize)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := mlx.NewStream(CPU)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	o := m.embedOptions()
	engine := func() error {
		for _, g := range groupRows(rows, m.cfg.maxTokens) {
			sc := mlx.NewScope(s)
			_, err := m.eng.Embed(sc, subBatch(&bert.Batch{InputIDs: rows}, g), o)
			sc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	facade := func() error { _, err := m.EncodeTokens(ctx, rows, nil, nil); return err }
	timed := func(f func() error) time.Duration {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	timed(engine) // warm both threads
	timed(facade)
	var ratios, eng, fac []float64
	i := 0
	for b.Loop() {
		var e, f time.Duration
		if i%2 == 0 {
			e, f = timed(engine), timed(facade)
		} else {
			f, e = timed(facade), timed(engine)
		}
		i++
		eng, fac = append(eng, e.Seconds()), append(fac, f.Seconds())
		ratios = append(ratios, f.Seconds()/e.Seconds())
	}
	b.ReportMetric(median(eng)*1e3, "engine-ms")
	b.ReportMetric(median(fac)*1e3, "facade-ms")
	b.ReportMetric((median(ratios)-1)*100, "overhead-%")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
