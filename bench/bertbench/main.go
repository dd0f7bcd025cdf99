// Command bertbench measures bertbatch's engine alone (no reading or writing): a matmul peak and
// the forward-pass throughput of a model on a token workload, printing one JSON line per figure.
//
//	bertbench -peak
//	bertbench -model models/all-MiniLM-L6-v2 -rows 2000
//	bertbench -shape bert-base -dtype float16 -device gpu
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/bertbatch/bertbatch/bench/internal/shapes"
	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

func main() {
	var (
		peak      = flag.Bool("peak", false, "measure the matmul peak (GFLOP/s) and exit")
		modelDir  = flag.String("model", "", "model folder (real weights)")
		shape     = flag.String("shape", "", "random weights of a named shape: minilm-l6, bert-base, bert-large")
		dtypeName = flag.String("dtype", "float32", "compute dtype")
		device    = flag.String("device", "cpu", "cpu or gpu")
		rows      = flag.Int("rows", 2000, "rows in the workload")
		maxTokens = flag.Int("max-tokens", 8192, "padded tokens per batch")
		maxBatch  = flag.Int("max-batch", 256, "rows per batch")
		workers   = flag.Int("workers", 1, "MLX workers")
		quantize  = flag.Int("quantize", 0, "quantize linear layers to this many bits (0 = off)")
		cacheMB   = flag.Int("cache-mb", -2, "MLX buffer cache limit in MiB (-1: MLX's default; -2: 512 on the CPU as bertbatch run sets, MLX's default on a GPU)")
		lengths   = flag.String("lengths", "", "read row lengths from this file (one per line) instead of the built-in log-normal mix")
	)
	flag.Parse()
	_, err := mlx.SetTF32Default(false) // as bertbatch run
	check(err)
	dev, err := mlx.ParseDevice(*device)
	check(err)
	dt, err := mlx.ParseDtype(*dtypeName)
	check(err)
	if *peak {
		emit(measurePeak(dev, dt))
		return
	}
	if *cacheMB == -2 && dev == mlx.CPU {
		*cacheMB = 512
	}
	if *cacheMB >= 0 {
		_, err := mlx.SetCacheLimit(uint64(*cacheMB) << 20)
		check(err)
	}
	if dev == mlx.CPU && *workers > 1 {
		_, err := mlx.SetWorkerThreads(runtime.NumCPU() / *workers)
		check(err)
	}
	m, label := loadModel(*modelDir, *shape, dt, dev, *quantize)
	defer m.Close()
	lens := logNormalLengths(*rows, 0)
	if *lengths != "" {
		lens = readLengths(*lengths)
	}
	res := measureModel(m, label, lens, dev, *maxTokens, *maxBatch, *workers, *quantize)
	if *quantize > 0 || dt != mlx.Float32 {
		ref, _ := loadModel(*modelDir, *shape, mlx.Float32, dev, 0)
		sample := makeBatches(lens[:min(len(lens), 256)], *maxTokens, *maxBatch)
		minCos, meanCos := quality(ref, m, sample, dev)
		ref.Close()
		res["cosine_vs_fp32_min"], res["cosine_vs_fp32_mean"] = round(minCos, 6), round(meanCos, 6)
	}
	emit(res)
}

func loadModel(dir, shape string, dt mlx.Dtype, dev mlx.DeviceType, q int) (*bert.Model, string) {
	opts := bert.Options{Dtype: dt, Device: dev, Quantize: q}
	if shape != "" {
		tmp, err := shapes.Dir(shape)
		check(err)
		defer os.RemoveAll(tmp)
		opts.RandomInit = true
		m, err := bert.LoadDir(tmp, opts)
		check(err)
		return m, shape
	}
	m, err := bert.LoadDir(dir, opts)
	check(err)
	return m, filepath.Base(dir)
}

// measureModel runs the workload twice (warm-up, then timed) through n workers.
func measureModel(m *bert.Model, label string, lens []int, dev mlx.DeviceType, maxTokens, maxBatch, n, q int) map[string]any {
	batches := makeBatches(lens, maxTokens, maxBatch)
	realTokens, padded := 0, 0
	for _, b := range batches {
		L := 0
		for _, r := range b.InputIDs {
			realTokens += len(r)
			L = max(L, len(r))
		}
		padded += L * len(b.InputIDs)
	}
	run := func() time.Duration {
		work := make(chan *bert.Batch)
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < n; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				s, err := mlx.NewStream(dev)
				check(err)
				defer s.Close()
				for b := range work {
					sc := mlx.NewScope(s)
					_, err := m.Embed(sc, b, bert.EmbedOptions{Pooling: bert.PoolMean})
					sc.Close()
					check(err)
				}
			}()
		}
		for _, b := range batches {
			work <- b
		}
		close(work)
		wg.Wait()
		return time.Since(start)
	}
	run()
	check(mlx.ResetPeakMemory())
	dt := run().Seconds()
	peak, err := mlx.PeakMemory()
	check(err)
	cache, err := mlx.CacheMemory()
	check(err)
	c := m.Config
	flopTok := 2.0 * float64(c.NumHiddenLayers) * float64(4*c.HiddenSize*c.HiddenSize+2*c.HiddenSize*c.IntermediateSize)
	return map[string]any{
		"bench": "model", "model": label, "dtype": m.Dtype().String(), "device": dev.String(), "workers": n, "quantize_bits": q,
		"rows": len(lens), "tokens": realTokens, "padding_ratio": round(1-float64(realTokens)/float64(padded), 4),
		"seconds": round(dt, 3), "rows_per_s": round(float64(len(lens))/dt, 1), "tokens_per_s": round(float64(realTokens)/dt, 0),
		"dense_gflops": round(flopTok*float64(realTokens)/dt/1e9, 1), "max_tokens": maxTokens, "max_batch": maxBatch,
		"mlx_peak_mb": peak >> 20, "mlx_cache_mb": cache >> 20,
	}
}

// makeBatches sorts rows by length and cuts them into batches of at most maxTokens padded tokens.
func makeBatches(lens []int, maxTokens, maxBatch int) []*bert.Batch {
	order := make([]int, len(lens))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lens[order[a]] > lens[order[b]] })
	var out []*bert.Batch
	cur := &bert.Batch{}
	L := 0
	for _, i := range order {
		l := lens[i]
		if len(cur.InputIDs) > 0 && (max(L, l)*(len(cur.InputIDs)+1) > maxTokens || len(cur.InputIDs) >= maxBatch) {
			out = append(out, cur)
			cur, L = &bert.Batch{}, 0
		}
		row := make([]int32, l)
		for j := range row {
			row[j] = int32(1000 + (i*7919+j*104729)%29000)
		}
		row[0], row[l-1] = 101, 102
		cur.InputIDs = append(cur.InputIDs, row)
		L = max(L, l)
	}
	if len(cur.InputIDs) > 0 {
		out = append(out, cur)
	}
	return out
}

func emit(v map[string]any) {
	v["machine_cores"] = runtime.NumCPU()
	v["mlx"] = mlx.Version()
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func round(x float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bertbench:", err)
		os.Exit(1)
	}
}
