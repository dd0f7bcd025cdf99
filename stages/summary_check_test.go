package stages

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// wantSummary is what a run's summary must say; negative counts are not checked.
type wantSummary struct {
	rows, rejected, truncated, skipped, files int64
	// tokens is the sum of the rows' lengths as the model saw them (after truncation).
	tokens int64
	// paddedTokens, when > 0, is the exact rows × padded length over all batches.
	paddedTokens int64
}

// checkSummary checks the returned summary against want and against _summary.json in dir.
func checkSummary(t testing.TB, dir string, got *Summary, want wantSummary) {
	t.Helper()
	if got == nil {
		t.Fatal("no summary")
	}
	check := func(name string, g, w int64) {
		t.Helper()
		if w >= 0 && g != w {
			t.Errorf("summary %s = %d, want %d", name, g, w)
		}
	}
	check("rows", got.Rows, want.rows)
	check("rejected_rows", got.Rejected, want.rejected)
	check("truncated_rows", got.Truncated, want.truncated)
	check("skipped_rows", got.SkippedRows, want.skipped)
	check("files", got.Files, want.files)
	check("tokens", got.Tokens, want.tokens)
	if want.paddedTokens > 0 {
		check("padded_tokens", got.PaddedTokens, want.paddedTokens)
	}
	if got.PaddedTokens < got.Tokens {
		t.Errorf("summary padded_tokens %d < tokens %d", got.PaddedTokens, got.Tokens)
	}
	if got.PaddedTokens > 0 {
		ratio := float64(got.PaddedTokens-got.Tokens) / float64(got.PaddedTokens)
		if math.Abs(got.PaddingRatio-ratio) > 1e-12 {
			t.Errorf("summary padding_ratio %g, want (padded-tokens)/padded = %g", got.PaddingRatio, ratio)
		}
	}
	if got.Seconds <= 0 {
		t.Errorf("summary seconds %g, want > 0", got.Seconds)
	} else {
		busy := got.Seconds - got.LoadSeconds
		if got.LoadSeconds <= 0 || busy <= 0 {
			t.Errorf("summary load_seconds %g of seconds %g", got.LoadSeconds, got.Seconds)
		}
		if r := float64(got.Rows) / busy; math.Abs(got.RowsPerSec-r) > 1e-9*r {
			t.Errorf("summary rows_per_second %g, want rows/(seconds-load_seconds) = %g", got.RowsPerSec, r)
		}
		if r := float64(got.Tokens) / busy; math.Abs(got.TokensPerSec-r) > 1e-9*r {
			t.Errorf("summary tokens_per_second %g, want tokens/(seconds-load_seconds) = %g", got.TokensPerSec, r)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "_summary.json"))
	if err != nil {
		t.Fatalf("_summary.json: %v", err)
	}
	var file Summary
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("_summary.json: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(file, *got) {
		t.Errorf("_summary.json differs from the returned summary:\n file %+v\n  run %+v", file, *got)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rows", "tokens", "padding_ratio", "truncated_rows", "rejected_rows", "seconds", "rows_per_second", "tokens_per_second", "model", "model_commit", "job_hash", "timeline"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("_summary.json has no %q field", k)
		}
	}
	checkTimeline(t, got)
}

// checkTimeline checks a summary's timeline: every stage once, in pipeline order, its times
// non-negative, busy at most wall × goroutines (a little clock slack allowed), idle the rest, the
// infer stage's host and device-wait split summing to its busy time, and a first batch within
// the pipeline's time when rows ran.
func checkTimeline(t testing.TB, s *Summary) {
	t.Helper()
	tl := s.Timeline
	if tl == nil {
		t.Fatal("summary has no timeline")
	}
	const slack = 0.05 // seconds: clocks read at slightly different moments
	if tl.WallSeconds <= 0 || tl.WallSeconds > s.Seconds {
		t.Errorf("timeline wall_seconds %g, want in (0, seconds %g]", tl.WallSeconds, s.Seconds)
	}
	if tl.ModelLoadSeconds <= 0 || tl.ModelLoadSeconds > s.LoadSeconds {
		t.Errorf("timeline model_load_seconds %g, want in (0, load_seconds %g]", tl.ModelLoadSeconds, s.LoadSeconds)
	}
	if tl.WarmupSeconds < 0 || tl.FirstBatchSeconds < 0 || tl.FirstBatchSeconds > tl.WallSeconds {
		t.Errorf("timeline warmup_seconds %g, first_batch_seconds %g of wall %g", tl.WarmupSeconds, tl.FirstBatchSeconds, tl.WallSeconds)
	}
	if s.Rows > 0 && s.SkippedRows == 0 && tl.FirstBatchSeconds == 0 {
		t.Errorf("timeline first_batch_seconds is 0 although %d rows ran", s.Rows)
	}
	if len(tl.Stages) != len(stageNames) {
		t.Fatalf("timeline has %d stages, want %d", len(tl.Stages), len(stageNames))
	}
	for i, st := range tl.Stages {
		if st.Stage != stageNames[i] {
			t.Errorf("timeline stage %d is %q, want %q", i, st.Stage, stageNames[i])
		}
		wantG := 1
		if st.Stage == "infer" {
			wantG = s.Workers
		}
		if st.Goroutines != wantG {
			t.Errorf("timeline %s: %d goroutines, want %d", st.Stage, st.Goroutines, wantG)
		}
		capacity := tl.WallSeconds * float64(st.Goroutines)
		if st.BusySeconds < 0 || st.BusySeconds > capacity+slack {
			t.Errorf("timeline %s: busy %g s, want in [0, wall × goroutines = %g]", st.Stage, st.BusySeconds, capacity)
		}
		if idle := max(0, capacity-st.BusySeconds); st.IdleSeconds < 0 || math.Abs(st.IdleSeconds-idle) > 1e-9 {
			t.Errorf("timeline %s: idle %g s, want wall × goroutines − busy = %g", st.Stage, st.IdleSeconds, idle)
		}
		split := st.HostSeconds != nil || st.DeviceWaitSeconds != nil
		if split != (st.Stage == "infer") {
			t.Errorf("timeline %s: host/device split present = %t", st.Stage, split)
		}
		if st.HostSeconds != nil && st.DeviceWaitSeconds != nil {
			if *st.HostSeconds < 0 || *st.DeviceWaitSeconds < 0 || math.Abs(*st.HostSeconds+*st.DeviceWaitSeconds-st.BusySeconds) > 1e-6 {
				t.Errorf("timeline infer: host %g + device wait %g, want busy %g", *st.HostSeconds, *st.DeviceWaitSeconds, st.BusySeconds)
			}
		}
	}
	if s.Rows > 0 && s.SkippedRows == 0 && tl.Stages[stageInfer].BusySeconds == 0 {
		t.Errorf("timeline infer busy 0 although %d rows ran", s.Rows)
	}
}

// tokenCount sums the rows' lengths.
func tokenCount(rows [][]int32) int64 {
	var n int64
	for _, r := range rows {
		n += int64(len(r))
	}
	return n
}
