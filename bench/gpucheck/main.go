// Command gpucheck compares a model's outputs on the GPU with the same model's float32 outputs on
// the CPU, on one fixed padded batch, and prints one JSON line per GPU dtype: the smallest and
// mean cosine of the mean-pooled embeddings and the largest |Δ| of last_hidden_state over
// attended tokens. With -dump it also writes the batch's token ids and every pooled embedding
// as JSON, for bench/gpu_parity.py to check against transformers on the same machine.
//
//	gpucheck -shape bert-base -dtypes float32,float16
//	gpucheck -model testdata/models/tiny-bert -dump out/tiny-bert.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/bertbatch/bertbatch/bench/internal/shapes"
	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

func main() {
	var (
		modelDir = flag.String("model", "", "model folder (real weights)")
		shape    = flag.String("shape", "", "random weights of a named shape: minilm-l6, bert-base, bert-large")
		dtypes   = flag.String("dtypes", "float32,float16,bfloat16", "GPU compute dtypes to compare with CPU float32")
		rows     = flag.Int("rows", 16, "rows in the batch")
		seed     = flag.Uint64("seed", 7, "seed of the row lengths and token ids")
		dump     = flag.String("dump", "", "write the batch and the pooled embeddings to this JSON file")
		device   = flag.String("device", "gpu", "device of the compared runs (cpu only to try this program)")
	)
	flag.Parse()
	_, err := mlx.SetTF32Default(false) // as bertbatch run
	check(err)
	runtime.LockOSThread()
	dev, err := mlx.ParseDevice(*device)
	check(err)
	dir, label := *modelDir, filepath.Base(*modelDir)
	if *shape != "" {
		tmp, err := shapes.Dir(*shape)
		check(err)
		defer os.RemoveAll(tmp)
		dir, label = tmp, *shape
	}
	if dir == "" {
		check(fmt.Errorf("give -model DIR or -shape NAME"))
	}
	ref := run(dir, *shape != "", mlx.CPU, mlx.Float32, nil, *rows, *seed)
	out := dumpFile{Model: label, InputIDs: ref.batch.InputIDs, Pooled: map[string][][]float32{"cpu/float32": ref.pooled}}
	for _, name := range strings.Split(*dtypes, ",") {
		dt, err := mlx.ParseDtype(name)
		check(err)
		got := run(dir, *shape != "", dev, dt, ref.batch, *rows, *seed)
		out.Pooled[dev.String()+"/"+name] = got.pooled
		emit(compare(label, dev.String(), name, ref, got))
	}
	if *dump != "" {
		data, err := json.Marshal(out)
		check(err)
		check(os.WriteFile(*dump, data, 0o644))
	}
}

// dumpFile is what -dump writes: the batch and each device/dtype's pooled embeddings.
type dumpFile struct {
	Model    string                 `json:"model"`
	InputIDs [][]int32              `json:"input_ids"`
	Pooled   map[string][][]float32 `json:"pooled"`
}

// result is one model run: the batch, its mean-pooled embeddings and its last hidden states.
type result struct {
	batch  *bert.Batch
	pooled [][]float32
	hidden []float32 // [rows, length, hidden] as float32
	length int
	width  int
}

// run loads the model on device d in dtype dt and runs the batch (a new one when batch is nil).
func run(dir string, random bool, d mlx.DeviceType, dt mlx.Dtype, batch *bert.Batch, rows int, seed uint64) result {
	m, err := bert.LoadDir(dir, bert.Options{Dtype: dt, Device: d, RandomInit: random})
	check(err)
	defer m.Close()
	if batch == nil {
		batch = fixedBatch(m.Config, rows, seed)
	}
	s, err := mlx.NewStream(d)
	check(err)
	defer s.Close()
	sc := mlx.NewScope(s)
	defer sc.Close()
	no := false
	e, err := m.Forward(sc, batch)
	check(err)
	pooled, err := m.Pool(sc, e, bert.EmbedOptions{Pooling: bert.PoolMean, Normalize: &no})
	check(err)
	hidden, err := sc.AsType(e.LastHidden, mlx.Float32).Float32s(s)
	check(err)
	flat, err := pooled.Float32s(s)
	check(err)
	r := result{batch: batch, hidden: hidden, width: m.Config.HiddenSize}
	r.length = len(hidden) / (len(batch.InputIDs) * r.width)
	d0 := len(flat) / len(batch.InputIDs)
	for i := range batch.InputIDs {
		r.pooled = append(r.pooled, flat[i*d0:(i+1)*d0])
	}
	return r
}

// fixedBatch draws rows of log-normal lengths (clipped to the model's positions) and token ids
// spread over the vocabulary, all in one padded batch.
func fixedBatch(c *bert.Config, rows int, seed uint64) *bert.Batch {
	r := rand.New(rand.NewPCG(seed, 3))
	b := &bert.Batch{}
	maxLen := min(256, c.MaxSequenceLength())
	for i := 0; i < rows; i++ {
		n := int(min(max(math.Exp(r.NormFloat64()*0.6+4.0), 4), float64(maxLen)))
		row := make([]int32, n)
		for j := range row {
			row[j] = int32(r.IntN(c.VocabSize))
		}
		b.InputIDs = append(b.InputIDs, row)
	}
	return b
}

func compare(model, device, dtype string, ref, got result) map[string]any {
	minCos, sumCos, maxPooled := 1.0, 0.0, 0.0
	for i := range ref.pooled {
		c := cosine(ref.pooled[i], got.pooled[i])
		minCos = math.Min(minCos, c)
		sumCos += c
		for j := range ref.pooled[i] {
			maxPooled = math.Max(maxPooled, math.Abs(float64(ref.pooled[i][j]-got.pooled[i][j])))
		}
	}
	maxHidden := 0.0
	for i, row := range ref.batch.InputIDs {
		for t := range row {
			base := (i*ref.length + t) * ref.width
			gbase := (i*got.length + t) * got.width
			for k := 0; k < ref.width; k++ {
				maxHidden = math.Max(maxHidden, math.Abs(float64(ref.hidden[base+k]-got.hidden[gbase+k])))
			}
		}
	}
	return map[string]any{
		"check": "vs_cpu_fp32", "model": model, "device": device, "dtype": dtype, "rows": len(ref.pooled),
		"cos_min": minCos, "cos_mean": sumCos / float64(len(ref.pooled)),
		"pooled_max_abs": maxPooled, "hidden_max_abs": maxHidden,
	}
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func emit(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gpucheck:", err)
		os.Exit(1)
	}
}
