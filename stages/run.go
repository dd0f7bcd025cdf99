package stages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch"
	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/hub"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/io/parquetio"
	"github.com/bertbatch/bertbatch/io/shard"
	"github.com/bertbatch/bertbatch/jobs"
	"github.com/bertbatch/bertbatch/mlx"
	"github.com/bertbatch/bertbatch/pipeline"
)

// Options are a run's settings beyond the job file.
type Options struct {
	// Overwrite empties the output folder of an earlier run's results first (--overwrite).
	Overwrite bool
	// Progress receives the progress display; nil means none.
	Progress io.Writer
	// Terminal draws a redrawn progress bar instead of periodic log lines.
	Terminal bool
	// Logf receives warnings and notices; nil discards them.
	Logf func(format string, args ...any)
	// Hub holds Hub client settings (endpoint, token, HTTP client); the job fills in the rest.
	Hub hub.Options
	// TuneCPU applies TuneCPU for the run's workers when the model runs on the CPU, before they
	// start. It changes MLX's settings for the whole process: bertbatch run sets it; a program
	// that shares the process with other MLX work may leave it off and keep MLX's defaults.
	TuneCPU bool
	// Shard makes the run one worker's share of the job (--shard I/N): it does only the row blocks
	// its shard owns, under its own manifest in the shared output folder. The zero Spec is the
	// whole job.
	Shard shard.Spec
	// InFlight is how many batches each inference worker keeps handed to MLX at once: it builds
	// batch k+1's graph while the device runs batch k, on its one stream. 0 means
	// bert.DefaultInFlight for the model's device. Results, their order and the output do not depend
	// on it.
	InFlight int
	// Warmup runs each worker's first batch once, uncounted, before its batches are kept in
	// flight, so that kernel compilation and first allocations happen there (on a GPU always).
	Warmup bool
}

// tokenizeAhead is how many input chunks are read and tokenized ahead of the rows batched.
const tokenizeAhead = 2

// Run executes a job: it resolves and loads the model once, then streams the input through the
// workers into the output folder, skipping units an earlier run of the same job finished. It
// returns the run's summary, also when it fails part-way (with the counts so far).
func Run(ctx context.Context, job *jobs.Job, opts Options) (_ *Summary, err error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	start := time.Now()
	if err := outdir.CheckLocation(job.Output.Dir); err != nil {
		return nil, err
	}
	lm, err := loadModel(ctx, job, opts.Hub, logf)
	if err != nil {
		return nil, err
	}
	defer lm.model.Close()
	modelLoad := time.Since(start)
	r, err := newRun(job, lm, opts)
	if err != nil {
		return nil, err
	}
	r.warnOtherInputs(logf)
	defer func() {
		if cerr := r.dir.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	defer func() {
		if cerr := r.prints.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	if err := r.checkInputs(logf); err != nil {
		return nil, err
	}
	if err := r.dir.Unmark(); err != nil {
		return nil, err
	}
	loaded := time.Since(start)
	err = r.execute(ctx, opts)
	sum := r.summary(time.Since(start), loaded)
	sum.Timeline = r.clock.report(time.Since(r.clock.start), modelLoad)
	if err == nil {
		err = r.writeSummary(sum)
	}
	if err == nil {
		err = r.dir.MarkComplete()
	}
	return sum, err
}

// run holds a job's open resources.
type run struct {
	job       *jobs.Job
	lm        *loaded
	ds        *dataset.Dataset
	dir       *outdir.Dir
	prints    *dataset.Fingerprints // of the input files: recorded with each unit, checked on resume
	jobHash   string
	embed     bert.EmbedOptions
	layout    *layout
	blocks    shard.Blocks // the row blocks parts never cross, and which of them this run does
	maxLength int
	workers   int
	stats     Stats
	clock     timeline
	mem       memory.Allocator
}

func newRun(job *jobs.Job, lm *loaded, opts Options) (*run, error) {
	r := &run{job: job, lm: lm, mem: memory.DefaultAllocator}
	var err error
	if r.maxLength, err = lm.maxLength(job); err != nil {
		return nil, err
	}
	files, err := dataset.Discover(job.Input.Paths, dataset.Format(job.Input.Format))
	if err != nil {
		return nil, err
	}
	r.ds, err = dataset.Open(files, dataset.Options{Spec: inputSpec(job), UnitRows: unitRows(job)})
	if err != nil {
		return nil, err
	}
	dim, classify, err := r.outputs()
	if err != nil {
		return nil, err
	}
	r.layout = newLayout(job, r.ds.PassthroughSchema(), dim, classify)
	r.blocks = Blocks(job, opts.Shard)
	// The folder is tied to the job's hash alone: resuming skips committed rows, not units, so
	// the read unit size (which follows rows_per_file) may change between runs.
	r.jobHash = job.Hash()
	r.prints = r.ds.Fingerprints()
	r.dir, err = outdir.Open(job.Output.Dir, outdir.Identity{JobHash: r.jobHash, ModelCommit: lm.commit, JobText: job.Canonical()},
		outdir.Options{Overwrite: opts.Overwrite || job.Mode == jobs.ModeOverwrite, Shard: opts.Shard})
	if err != nil {
		return nil, err
	}
	r.workers = job.Workers
	if r.workers == 0 {
		r.workers = autoWorkers(lm.device)
	}
	if opts.TuneCPU && lm.device == mlx.CPU {
		if err := TuneCPU(r.workers); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// warnOtherInputs tells when the folder holds results of input files this run does not read
// (files moved, renamed or left out of input.paths): they stay in the output beside this run's.
func (r *run) warnOtherInputs(logf func(string, ...any)) {
	reading := map[string]bool{}
	for _, f := range r.ds.Files() {
		reading[f.Path] = true
	}
	var other []string
	for _, rec := range r.dir.Records() {
		if !reading[rec.Unit.Input] && !slices.Contains(other, rec.Unit.Input) {
			other = append(other, rec.Unit.Input)
		}
	}
	if len(other) > 0 {
		logf("warning: output folder %s holds results of %d input file(s) this run does not read, such as %s; "+
			"they stay in the output (if the files moved, the rows are now there twice: rerun with --overwrite)",
			r.job.Output.Dir, len(other), other[0])
	}
}

// autoWorkers: one per core on the CPU (MLX's element-wise work runs on the stream's thread),
// one on a GPU: its worker keeps bert.DefaultInFlight batches in flight on one stream, preparing
// the next while the device runs the current one (a second worker adds a stream and more
// distinct shapes in flight, which measured slower: docs/gpu.md).
func autoWorkers(d mlx.DeviceType) int {
	if d == mlx.GPU {
		return 1
	}
	return max(1, min(runtime.NumCPU(), 4))
}

func inputSpec(job *jobs.Job) dataset.Spec {
	in := job.Input
	spec := dataset.Spec{Passthrough: in.Passthrough}
	if in.TextColumn != "" {
		spec.Columns = append(spec.Columns, dataset.Column{Name: in.TextColumn, Kind: dataset.KindText, Required: true})
		if in.TextPairColumn != "" {
			spec.Columns = append(spec.Columns, dataset.Column{Name: in.TextPairColumn, Kind: dataset.KindText, Required: true})
		}
		return spec
	}
	spec.Columns = []dataset.Column{
		{Name: in.InputIDsColumn, Kind: dataset.KindTokens, Required: true},
		{Name: in.AttentionMaskColumn, Kind: dataset.KindTokens},
		{Name: in.TokenTypeIDsColumn, Kind: dataset.KindTokens},
	}
	return spec
}

// outputs settles the embedding options (or head) and the output width.
func (r *run) outputs() (dim int, classify bool, err error) {
	m := r.lm.model
	if m.Head != bert.HeadNone {
		return m.NumLabels(), true, nil
	}
	r.embed = bert.EmbedOptions{Pooling: bert.Pooling(r.job.Output.Pooling), TruncateDims: r.job.Output.TruncateDims}
	if r.lm.prompt != "" {
		r.embed.PromptLength = bert.PromptLength(r.lm.tokenizer, r.lm.prompt, r.maxLength)
	}
	switch r.job.Output.Normalize {
	case jobs.NormalizeOn:
		t := true
		r.embed.Normalize = &t
	case jobs.NormalizeOff:
		f := false
		r.embed.Normalize = &f
	}
	dim, err = m.EmbeddingDim(r.embed)
	return dim, false, err
}

// execute runs the pipeline over every unit not finished yet.
func (r *run) execute(ctx context.Context, opts Options) error {
	done := r.finishedRows()
	total, _ := r.ds.Rows()
	if r.blocks.Spec.Sharded() {
		total /= int64(r.blocks.Spec.Count) // an estimate: blocks are spread by hash
	}
	for _, rec := range r.dir.Records() {
		total -= rec.Unit.End - rec.Unit.Start // committed rows, rejected ones included
	}
	var prog *progress
	if opts.Progress != nil {
		prog = startProgress(opts.Progress, opts.Terminal, &r.stats, max(total, 0))
		defer prog.finish()
	}
	depth := opts.InFlight
	if depth <= 0 {
		depth = bert.DefaultInFlight(r.lm.device)
	}
	r.clock.begin([numStages]int{stageRead: 1, stageTokenize: 1, stageBatch: 1, stageInfer: r.workers, stageEncode: 1, stageCommit: 1})
	g, ctx := errgroup.WithContext(ctx)
	packs := r.lm.model.Packs(r.lm.device) // the batch's cost is its real tokens, not rows × longest
	var batchStats pipeline.BatchStats
	batcher := pipeline.Batcher[item]{MaxTokens: r.job.Batching.MaxTokens, MaxItems: r.job.Batching.MaxBatchSize,
		SortWindow: max(r.job.Batching.SortWindow, r.job.Batching.MaxBatchSize), Length: itemLength, Starts: startsUnit, Packed: packs,
		Stats: &batchStats}
	// Room for the batches each worker keeps in flight beyond the two WindowFor allows for.
	window := pipeline.NewWindow(batcher.WindowFor(r.workers) + (depth-1)*r.workers*r.job.Batching.MaxBatchSize)
	batcher.InFlight = window

	items := pipeline.Generate(ctx, g, 1, func(ctx context.Context, emit func(item) error) error {
		return r.read(ctx, done, emit)
	})
	inf := &inferer{model: r.lm.model, device: r.lm.device, embed: r.embed, classify: r.layout.classify, packs: packs,
		warmup: opts.Warmup || r.lm.device == mlx.GPU, stats: &r.stats, clock: &r.clock}
	results := pipeline.Pipelined[*worker, pipeline.Batch[item], *started, []pipeline.Seq[result]]{
		Workers: r.workers, Depth: depth, LockOSThread: true,
		Open: inf.open, Start: inf.start, Finish: inf.finish, Abandon: inf.abandon, Close: inf.close,
	}.Run(ctx, g, batcher.Run(ctx, g, pipeline.Number(ctx, g, items, window)))
	w := &writer{dir: r.dir, prints: r.prints, blocks: r.blocks, layout: r.layout, rowsPerFile: int64(r.job.Output.RowsPerFile), mem: r.mem, stats: &r.stats,
		clock: &r.clock, opts: parquetio.WriterOptions{Compression: string(r.job.Output.Compression), Metadata: r.metadata()}}
	asm := &assembler{w: w}
	pipeline.Consume(ctx, g, pipeline.Reorder(ctx, g, pipeline.Unbatch(ctx, g, results), window), asm.consume)
	err := g.Wait()
	r.clock.busy[stageBatch].Add(batchStats.BusyNanos.Load())
	if err == nil {
		err = asm.finish()
	}
	if err != nil {
		if aerr := w.abort(); aerr != nil {
			err = errors.Join(err, aerr)
		}
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped before the end; finished parts are kept and a rerun resumes: %w", err)
		}
	}
	return err
}

// read emits the rows of every piece of input no earlier run committed, the piece on its first
// item (an item without a row when the piece has no good rows). Chunks are read and tokenized
// (on every core, see tokenizer.EncodeBatch) on one goroutine, up to tokenizeAhead chunks ahead
// of the rows emitted, so that tokenizing overlaps batching and inference.
func (r *run) read(ctx context.Context, done finished, emit func(item) error) error {
	p := &preparer{job: r.job, ds: r.ds, tokenizer: r.lm.tokenizer, prompt: r.lm.prompt, model: r.lm.model.Config,
		maxLength: r.maxLength, keepIDs: r.job.Output.WriteTokenIDs,
		fileIndex: map[string]int{}, done: done, stats: &r.stats}
	for i, f := range r.ds.Files() {
		p.fileIndex[f.Path] = i
	}
	g, ctx := errgroup.WithContext(ctx)
	prepared := pipeline.Generate(ctx, g, tokenizeAhead, func(ctx context.Context, send func([]*piece) error) error {
		var inCallback time.Duration
		began := time.Now()
		defer func() { r.clock.busy[stageRead].Add(int64(time.Since(began) - inCallback)) }()
		return r.ds.Read(ctx, done.covers, func(c chunk.Chunk) error {
			called := time.Now()
			defer func() { inCallback += time.Since(called) }()
			defer c.Release()
			pieces, err := p.prepare(c)
			r.clock.add(stageTokenize, called)
			if err != nil {
				return err
			}
			if err := send(pieces); err != nil {
				releasePieces(pieces)
				return err
			}
			return nil
		})
	})
	g.Go(func() error {
		for {
			pieces, ok, err := pipeline.Receive(ctx, prepared)
			if err != nil || !ok {
				return err
			}
			if err := emitPieces(pieces, emit); err != nil {
				return err
			}
		}
	})
	err := g.Wait()
	for pieces := range prepared { // left behind by a run that stopped
		releasePieces(pieces)
	}
	return err
}

// emitPieces emits the items of pieces; when emit fails it releases the pieces not emitted.
func emitPieces(pieces []*piece, emit func(item) error) error {
	for i, pc := range pieces {
		first := item{unit: pc.u}
		if len(pc.rows) > 0 {
			first.row = &pc.rows[0]
		}
		if err := emit(first); err != nil {
			releasePieces(pieces[i:])
			return err
		}
		for j := 1; j < len(pc.rows); j++ {
			if err := emit(item{row: &pc.rows[j]}); err != nil {
				return err
			}
		}
	}
	return nil
}

// releasePieces releases the passthrough columns of pieces that will not be emitted.
func releasePieces(pieces []*piece) {
	for _, pc := range pieces {
		pc.u.passthrough.Release()
	}
}

// finishedRows returns the rows earlier runs committed, and counts them.
func (r *run) finishedRows() finished {
	recs := r.dir.Records()
	for _, rec := range recs {
		r.stats.SkippedRows.Add(rec.Rows)
	}
	return newFinished(recs, r.blocks)
}

// metadata is written into every output file.
func (r *run) metadata() map[string]string {
	m := map[string]string{
		"bertbatch.version":      bertbatch.Version,
		"bertbatch.model":        r.job.Model.Ref,
		"bertbatch.model_commit": r.lm.commit,
		"bertbatch.dtype":        string(r.job.Model.DType),
		"bertbatch.max_length":   strconv.Itoa(r.maxLength),
		"bertbatch.job_hash":     r.jobHash,
		"bertbatch.mlx":          mlx.Version(),
	}
	if r.layout.classify {
		m["bertbatch.head"] = string(r.job.Model.Head)
	} else {
		m["bertbatch.pooling"] = string(r.job.Output.Pooling)
		m["bertbatch.normalize"] = string(r.job.Output.Normalize)
		m["bertbatch.output_dtype"] = string(r.job.Output.DType)
		m["bertbatch.truncate_dims"] = strconv.Itoa(r.job.Output.TruncateDims)
		if r.job.Output.Pooling == jobs.PoolingModel && r.lm.model.Pooling != nil {
			m["bertbatch.pooling"] = fmt.Sprintf("model (%v)", r.lm.model.Pooling.Modes)
		}
		if r.lm.prompt != "" {
			// The prompt the job or the model's default chose, and how many of its tokens pooling left out.
			m["bertbatch.prompt"] = r.lm.prompt
			if r.lm.model.Pooling != nil && !r.lm.model.Pooling.IncludePrompt {
				m["bertbatch.prompt_tokens_not_pooled"] = strconv.Itoa(r.embed.PromptLength)
			}
		}
		if r.job.Output.Normalize == jobs.NormalizeModel {
			// What "model" resolved to: whether the vectors have unit length.
			m["bertbatch.normalize"] = fmt.Sprintf("model (%t)", r.lm.model.Pooling != nil && r.lm.model.Pooling.Normalize)
		}
	}
	return m
}

func (r *run) summary(elapsed, load time.Duration) *Summary {
	s := &Summary{Job: r.job.File, JobHash: r.jobHash, Model: r.job.Model.Ref, ModelCommit: r.lm.commit,
		Device: string(r.job.Model.Device), DType: string(r.job.Model.DType), Workers: r.workers, Output: r.job.Output.Dir,
		Rows: r.stats.Rows.Load(), Rejected: r.stats.Rejected.Load(), Truncated: r.stats.Truncated.Load(),
		SkippedRows: r.stats.SkippedRows.Load(), Files: r.stats.Files.Load(),
		Tokens: r.stats.InferredTokens.Load(), PaddedTokens: r.stats.PaddedTokens.Load(),
		PaddingRatio: r.stats.PaddingRatio(), Seconds: elapsed.Seconds(), LoadSeconds: load.Seconds(),
		Version: bertbatch.Version, MLX: mlx.Version()}
	if busy := s.Seconds - s.LoadSeconds; busy > 0 {
		s.RowsPerSec = float64(s.Rows) / busy
		s.TokensPerSec = float64(s.Tokens) / busy
	}
	return s
}

// writeSummary commits _summary.json beside the output.
func (r *run) writeSummary(s *Summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	f, err := r.dir.Create(summaryName(r.blocks.Spec))
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return errors.Join(err, f.Abort())
	}
	return r.dir.CommitFile(f)
}

// CPUCacheLimit is the bound TuneCPU sets on MLX's buffer cache: large enough that a batch's
// activations are reused rather than returned to the kernel and faulted in again (a quarter of the
// run time went to page faults without it), small enough to keep the resident set near 2 GB.
const CPUCacheLimit = 512 << 20

// TuneCPU sets MLX's process-wide CPU settings for workers concurrent CPU workers: the buffer
// cache bounded to CPUCacheLimit (MLX's default: its memory limit), and with more than one worker,
// runtime.NumCPU()/workers threads for each worker's matrix products and kernels (the default:
// every core each), since idle BLAS threads would spin on the cores the other workers need.
func TuneCPU(workers int) error {
	if _, err := mlx.SetCacheLimit(CPUCacheLimit); err != nil {
		return fmt.Errorf("tune the CPU backend: %w", err)
	}
	if workers > 1 {
		if _, err := mlx.SetWorkerThreads(runtime.NumCPU() / workers); err != nil {
			return fmt.Errorf("tune the CPU backend: %w", err)
		}
	}
	return nil
}
