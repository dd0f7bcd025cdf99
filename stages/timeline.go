package stages

import (
	"sync/atomic"
	"time"
)

// stage is a part of a run's pipeline whose time the summary's timeline reports.
type stage int

const (
	stageRead     stage = iota // reading input chunks (files, row groups, decoding to Arrow)
	stageTokenize              // turning chunks into model rows: decoding, tokenizing, row checks
	stageBatch                 // sorting rows by length and cutting batches
	stageInfer                 // running batches: graph building (host) and waiting for the device
	stageEncode                // turning results into output columns and encoding Parquet
	stageCommit                // closing parts, fingerprinting their input, committing the manifest
	numStages
)

// stageNames are the stages' names in the summary, in pipeline order.
var stageNames = [numStages]string{"read", "tokenize", "batch", "infer", "encode", "commit"}

// timeline sums, per stage, the monotonic-clock time spent in the stage's work, over every
// goroutine that does it. Safe for concurrent use; the zero value is ready once started.
type timeline struct {
	start      time.Time
	goroutines [numStages]int
	busy       [numStages]atomic.Int64 // nanoseconds
	inferHost  atomic.Int64            // of busy[stageInfer]: building graphs, handing them to MLX
	inferWait  atomic.Int64            // of busy[stageInfer]: waiting for the device, reading results
	warmup     atomic.Int64            // warm-up forwards before the first batches (inside inferHost and inferWait)
	firstBatch atomic.Int64            // from start to the first batch's result, nanoseconds; 0 before
}

// begin starts the pipeline's clock; goroutines says how many goroutines do each stage.
func (t *timeline) begin(goroutines [numStages]int) {
	t.start = time.Now()
	t.goroutines = goroutines
}

// add counts the time since from as busy in s, and returns it. A nil timeline counts nothing.
func (t *timeline) add(s stage, from time.Time) time.Duration {
	d := time.Since(from)
	if t != nil {
		t.busy[s].Add(int64(d))
	}
	return d
}

// batchDone records the first finished batch.
func (t *timeline) batchDone() {
	if t.firstBatch.Load() == 0 {
		t.firstBatch.CompareAndSwap(0, int64(time.Since(t.start)))
	}
}

// Timeline is where a run's pipeline spent its time, in _summary.json. Busy time is measured
// with the monotonic clock around each stage's work and summed over the goroutines doing it;
// idle time is the rest of those goroutines' time over the pipeline's wall time (waiting for the
// stage before or after, or doing another stage's work on a shared goroutine).
type Timeline struct {
	// WallSeconds is the pipeline's time, from its start to its end (the run's seconds less its
	// start, which LoadSeconds and ModelLoadSeconds cover).
	WallSeconds float64 `json:"wall_seconds"`
	// ModelLoadSeconds is resolving and loading the model, weights evaluated.
	ModelLoadSeconds float64 `json:"model_load_seconds"`
	// FirstBatchSeconds is from the pipeline's start to the first batch's result: reading,
	// tokenizing and batching the first rows, warm-up forwards and kernel compilation included.
	FirstBatchSeconds float64 `json:"first_batch_seconds"`
	// WarmupSeconds is the workers' warm-up forwards (GPU only; part of the infer stage's time).
	WarmupSeconds float64 `json:"warmup_seconds"`
	// Stages lists read, tokenize, batch, infer, encode and commit, in pipeline order.
	Stages []StageTime `json:"stages"`
}

// StageTime is one stage's share of a run.
type StageTime struct {
	Stage string `json:"stage"`
	// Goroutines is how many goroutines do the stage's work (infer: the workers).
	Goroutines  int     `json:"goroutines"`
	BusySeconds float64 `json:"busy_seconds"`
	// IdleSeconds is WallSeconds × Goroutines less BusySeconds (never below 0).
	IdleSeconds float64 `json:"idle_seconds"`
	// HostSeconds and DeviceWaitSeconds split the infer stage's busy time: building a batch's
	// graph and handing it to MLX, and waiting for the device to finish it and reading the
	// result back. Absent for other stages.
	HostSeconds       *float64 `json:"host_seconds,omitempty"`
	DeviceWaitSeconds *float64 `json:"device_wait_seconds,omitempty"`
}

// report is the timeline of a pipeline that ran for wall after the model took load to load.
func (t *timeline) report(wall, load time.Duration) *Timeline {
	out := &Timeline{WallSeconds: wall.Seconds(), ModelLoadSeconds: load.Seconds(),
		FirstBatchSeconds: time.Duration(t.firstBatch.Load()).Seconds(), WarmupSeconds: time.Duration(t.warmup.Load()).Seconds()}
	for s := range numStages {
		busy := time.Duration(t.busy[s].Load()).Seconds()
		st := StageTime{Stage: stageNames[s], Goroutines: t.goroutines[s], BusySeconds: busy,
			IdleSeconds: max(0, wall.Seconds()*float64(t.goroutines[s])-busy)}
		if s == stageInfer {
			host, wait := time.Duration(t.inferHost.Load()).Seconds(), time.Duration(t.inferWait.Load()).Seconds()
			st.HostSeconds, st.DeviceWaitSeconds = &host, &wait
		}
		out.Stages = append(out.Stages, st)
	}
	return out
}
