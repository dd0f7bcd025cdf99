// Command gpuprof measures the engine on a GPU the way a pipelined worker drives it: each worker
// builds a batch's graph and hands it to MLX (bert.Model.StartEmbed), keeping up to -inflight
// batches queued before it waits for the oldest (PendingEmbed.Wait). It prints one JSON line per
// configuration with tokens/s and the mean milliseconds per batch spent starting (building the
// graph and encoding its kernels; allocations that miss MLX's cache also wait for the device
// here) and waiting, so that host overhead, shape changes and overlap can be told apart.
//
//	gpuprof -shape bert-base -max-tokens 65536 -max-batch 1024
//	gpuprof -shape bert-base -const-len 64 -inflight 2 -workers 2
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
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
		shape     = flag.String("shape", "bert-base", "random weights of a named shape: minilm-l6, bert-base, bert-large")
		dtypeName = flag.String("dtype", "float16", "compute dtype")
		device    = flag.String("device", "gpu", "cpu or gpu")
		rows      = flag.Int("rows", 20000, "rows in the workload")
		maxTokens = flag.Int("max-tokens", 65536, "padded tokens per batch")
		maxBatch  = flag.Int("max-batch", 1024, "rows per batch")
		workers   = flag.Int("workers", 1, "worker threads, each with its own stream")
		inflight  = flag.Int("inflight", 1, "batches a worker keeps in flight (2 = build the next batch while the GPU runs this one)")
		constLen  = flag.Int("const-len", 0, "give every row this many tokens (0 = the log-normal 8..256 mix)")
		roundLen  = flag.Int("round-len", 1, "pad each batch's length up to a multiple of this")
		slots     = flag.Int("slots", 0, "shape batches with bert's GPUBatchShape for this many padded tokens (0 = cut by -max-tokens and -max-batch)")
		pack      = flag.Int("pack", 0, "fill batches with rows up to this many real tokens, for packed batches (0 = off; overrides -slots)")
	)
	flag.Parse()
	_, err := mlx.SetTF32Default(false) // as bertbatch run
	check(err)
	dev, err := mlx.ParseDevice(*device)
	check(err)
	dt, err := mlx.ParseDtype(*dtypeName)
	check(err)
	tmp, err := shapes.Dir(*shape)
	check(err)
	defer os.RemoveAll(tmp)
	m, err := bert.LoadDir(tmp, bert.Options{Dtype: dt, Device: dev, RandomInit: true})
	check(err)
	defer m.Close()

	lens := lengths(*rows, *constLen)
	var batches []*bert.Batch
	if *pack > 0 {
		batches = packBatches(lens, *pack)
	} else if *slots > 0 {
		batches = slotBatches(m, lens, *slots)
	} else {
		batches = makeBatches(lens, *maxTokens, *maxBatch, *roundLen)
	}
	real, padded, shapesSeen := 0, 0, map[[2]int]bool{}
	for _, b := range batches {
		L, batchTokens := 0, 0
		for _, r := range b.InputIDs {
			batchTokens += rowTokens(r)
			L = max(L, len(r))
		}
		real += batchTokens
		if *pack > 0 { // packed rows: the batch's real tokens, rounded up on a GPU
			padded += bert.PackedRows(dev, batchTokens)
		} else {
			padded += L * len(b.InputIDs)
		}
		shapesSeen[[2]int{len(b.InputIDs), L}] = true
	}
	run(m, batches, dev, *workers, *inflight) // warm-up: kernels, cuDNN graphs, caches
	check(mlx.ResetPeakMemory())
	t := run(m, batches, dev, *workers, *inflight)
	peak, err := mlx.PeakMemory()
	check(err)
	cache, err := mlx.CacheMemory()
	check(err)
	n := float64(len(batches))
	c := m.Config
	flopTok := 2.0 * float64(c.NumHiddenLayers) * float64(4*c.HiddenSize*c.HiddenSize+2*c.HiddenSize*c.IntermediateSize)
	out := map[string]any{
		"shape": *shape, "dtype": dt.String(), "rows": len(lens), "batches": len(batches), "distinct_shapes": len(shapesSeen),
		"max_tokens": *maxTokens, "max_batch": *maxBatch, "workers": *workers, "inflight": *inflight,
		"const_len": *constLen, "round_len": *roundLen, "slots": *slots, "pack": *pack,
		"padding_ratio": round(1-float64(real)/float64(padded), 4),
		"seconds":       round(t.wall.Seconds(), 3), "tokens_per_s": math.Round(float64(real) / t.wall.Seconds()),
		"start_ms": round(ms(t.build)/n, 3), "wait_ms": round(ms(t.wait)/n, 3),
		"rows_per_s":   math.Round(float64(len(lens)) / t.wall.Seconds()),
		"dense_tflops": round(flopTok*float64(real)/t.wall.Seconds()/1e12, 1),
		"peak_gb":      round(float64(peak)/1e9, 2), "cache_gb": round(float64(cache)/1e9, 2),
		"env": envSummary(),
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

// times adds up, over all batches of a pass, the three parts of each batch and the wall time.
type times struct {
	mu                  sync.Mutex
	build, encode, wait time.Duration
	wall                time.Duration
}

func (t *times) add(build, encode, wait time.Duration) {
	t.mu.Lock()
	t.build += build
	t.encode += encode
	t.wait += wait
	t.mu.Unlock()
}

// pending is a batch handed to MLX whose result is not read yet.
type pending struct {
	sc *mlx.Scope
	p  *bert.PendingEmbed
}

func run(m *bert.Model, batches []*bert.Batch, dev mlx.DeviceType, workers, inflight int) *times {
	t := &times{}
	work := make(chan *bert.Batch)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			s, err := mlx.NewStream(dev)
			check(err)
			defer s.Close()
			var queue []pending
			finish := func() {
				p := queue[0]
				queue = queue[1:]
				t0 := time.Now()
				_, err := p.p.Wait()
				check(err)
				p.sc.Close()
				t.add(0, 0, time.Since(t0))
			}
			for b := range work {
				t0 := time.Now()
				sc := mlx.NewScope(s)
				p, err := m.StartEmbed(sc, b, bert.EmbedOptions{Pooling: bert.PoolMean})
				check(err)
				t.add(time.Since(t0), 0, 0)
				queue = append(queue, pending{sc, p})
				if len(queue) >= inflight {
					finish()
				}
			}
			for len(queue) > 0 {
				finish()
			}
		}()
	}
	for _, b := range batches {
		work <- b
	}
	close(work)
	wg.Wait()
	t.wall = time.Since(start)
	return t
}

func lengths(n, constLen int) []int {
	r := rand.New(rand.NewPCG(0, 1))
	out := make([]int, n)
	for i := range out {
		if constLen > 0 {
			out[i] = constLen
			continue
		}
		out[i] = int(min(max(math.Exp(r.NormFloat64()*0.6+4.0), 8), 256))
	}
	return out
}

// makeBatches sorts rows by length and cuts them into batches of at most maxTokens padded
// tokens, as bertbench does; with roundLen > 1 each batch's rows are padded (attention mask 0)
// to a multiple of roundLen, so that fewer distinct shapes occur.
func makeBatches(lens []int, maxTokens, maxBatch, roundLen int) []*bert.Batch {
	order := longestFirst(lens)
	up := func(l int) int { return (l + roundLen - 1) / roundLen * roundLen }
	var out []*bert.Batch
	cur, L := &bert.Batch{}, 0
	flush := func() {
		if len(cur.InputIDs) == 0 {
			return
		}
		if roundLen > 1 {
			cur.AttentionMask = make([][]int32, len(cur.InputIDs))
			for i, row := range cur.InputIDs {
				mask := make([]int32, L)
				for j := range row {
					mask[j] = 1
				}
				cur.AttentionMask[i] = mask
				cur.InputIDs[i] = append(row, make([]int32, L-len(row))...)
			}
		}
		out = append(out, cur)
		cur, L = &bert.Batch{}, 0
	}
	for _, i := range order {
		l := lens[i]
		if len(cur.InputIDs) > 0 && (up(max(L, l))*(len(cur.InputIDs)+1) > maxTokens || len(cur.InputIDs) >= maxBatch) {
			flush()
		}
		cur.InputIDs = append(cur.InputIDs, syntheticRow(i, l, l))
		L = up(max(L, l))
	}
	flush()
	return out
}

// slotBatches sorts rows by length and gives every batch the shape m.GPUBatchShape picks for its
// longest row: exactly slots padded tokens (rows padded with attention mask 0), except the last.
func slotBatches(m *bert.Model, lens []int, slots int) []*bert.Batch {
	order := longestFirst(lens)
	var out []*bert.Batch
	for start := 0; start < len(order); {
		L, rows := m.GPUBatchShape(lens[order[start]], slots)
		end := min(start+rows, len(order))
		b := &bert.Batch{}
		for _, i := range order[start:end] {
			mask := make([]int32, L)
			for j := 0; j < lens[i]; j++ {
				mask[j] = 1
			}
			b.InputIDs = append(b.InputIDs, syntheticRow(i, lens[i], L))
			b.AttentionMask = append(b.AttentionMask, mask)
		}
		out = append(out, b)
		start = end
	}
	return out
}

// packBatches sorts rows by length and fills each batch with rows up to budget real tokens; the
// rows are not padded, so the model packs them (bert's packed batches).
func packBatches(lens []int, budget int) []*bert.Batch {
	order := longestFirst(lens)
	var out []*bert.Batch
	cur, tokens := &bert.Batch{}, 0
	for _, i := range order {
		if len(cur.InputIDs) > 0 && tokens+lens[i] > budget {
			out = append(out, cur)
			cur, tokens = &bert.Batch{}, 0
		}
		cur.InputIDs = append(cur.InputIDs, syntheticRow(i, lens[i], lens[i]))
		tokens += lens[i]
	}
	if len(cur.InputIDs) > 0 {
		out = append(out, cur)
	}
	return out
}

// longestFirst returns the indices of lens, longest first (ties in index order).
func longestFirst(lens []int) []int {
	order := make([]int, len(lens))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lens[order[a]] > lens[order[b]] })
	return order
}

// syntheticRow is row i of the workload: n token ids from a fixed formula between [CLS] and
// [SEP], zero-padded to width.
func syntheticRow(i, n, width int) []int32 {
	row := make([]int32, width)
	for j := 0; j < n; j++ {
		row[j] = int32(1000 + (i*7919+j*104729)%29000)
	}
	row[0], row[n-1] = 101, 102
	return row
}

// rowTokens counts a row's real tokens (padding added by makeBatches has id 0).
func rowTokens(r []int32) int {
	n := len(r)
	for n > 0 && r[n-1] == 0 {
		n--
	}
	return n
}

func envSummary() string {
	s := ""
	for _, k := range []string{"MLX_CUDA_USE_CUDNN_SDPA", "MLX_USE_CUDA_GRAPHS", "MLX_MAX_OPS_PER_BUFFER", "MLX_MAX_MB_PER_BUFFER", "MLX_CUDA_GRAPH_CACHE_SIZE"} {
		if v, ok := os.LookupEnv(k); ok {
			s += k + "=" + v + " "
		}
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gpuprof:", err)
		os.Exit(1)
	}
}
