package stages

import (
	"github.com/bertbatch/bertbatch/pipeline"
)

// Stats are a run's live counters, read by the progress reporter and the summary.
type Stats struct {
	// Rows written, rows rejected, rows truncated and output files, counted as their parts are
	// committed: a run that stops part-way counts what it committed.
	Rows, Rejected, Truncated, Files pipeline.Counter
	// Bad counts the bad rows found as the input is read (rejected with bad_rows: reject).
	Bad pipeline.Counter
	// SkippedRows were finished by an earlier run.
	SkippedRows pipeline.Counter
	// Inferred and InferredTokens count rows and real tokens the workers have finished;
	// PaddedTokens sums each finished batch's rows × its longest row. They count rows only (the
	// batcher's counts include the item of each unit without good rows).
	Inferred, InferredTokens, PaddedTokens pipeline.Counter
}

// PaddingRatio is the share of the padded tokens that are padding (0 when nothing ran).
func (s *Stats) PaddingRatio() float64 {
	padded := s.PaddedTokens.Load()
	if padded == 0 {
		return 0
	}
	return float64(padded-s.InferredTokens.Load()) / float64(padded)
}

// Summary is the record of a finished (or stopped) run, printed and written beside the output
// as _summary.json.
type Summary struct {
	Job          string  `json:"job"`
	JobHash      string  `json:"job_hash"`
	Model        string  `json:"model"`
	ModelCommit  string  `json:"model_commit"`
	Device       string  `json:"device"`
	DType        string  `json:"dtype"`
	Workers      int     `json:"workers"`
	Output       string  `json:"output"`
	Rows         int64   `json:"rows"`
	Rejected     int64   `json:"rejected_rows"`
	Truncated    int64   `json:"truncated_rows"`
	SkippedRows  int64   `json:"skipped_rows"`
	Files        int64   `json:"files"`
	Tokens       int64   `json:"tokens"`
	PaddedTokens int64   `json:"padded_tokens"`
	PaddingRatio float64 `json:"padding_ratio"`
	// Seconds is the whole run; LoadSeconds its start (resolving and loading the model, opening
	// the input and the output folder). The rates are over the rest, the pipeline's own time.
	Seconds      float64 `json:"seconds"`
	LoadSeconds  float64 `json:"load_seconds"`
	RowsPerSec   float64 `json:"rows_per_second"`
	TokensPerSec float64 `json:"tokens_per_second"`
	Version      string  `json:"bertbatch_version"`
	MLX          string  `json:"mlx_version"`
	// Timeline is where the pipeline spent its time, stage by stage (see Timeline).
	Timeline *Timeline `json:"timeline,omitempty"`
}
