package stages

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/bert"
)

// reject is a row expected in the rejects files.
type reject struct {
	row    int64
	column string
	reason string // a part of the reason
}

// TestRejectBadRows: with bad_rows: reject, bad rows go to the rejects files with their file,
// row, column, reason and passthrough values, and every other row is embedded and written in
// order; the summary counts both.
func TestRejectBadRows(t *testing.T) {
	const n = 40
	toks := tokenRows(70, n, 3, 14)
	toks[2] = []int32{2, 17, 600, 3} // outside the vocabulary
	toks[7] = []int32{}              // empty
	long := tokenRows(71, 1, 20, 20)[0]
	toks[9] = long // too long
	for i := 16; i < 24; i++ {
		toks[i] = []int32{2, 9999, 3} // a whole unit of bad rows
	}
	masks := make([][]int32, n)
	for i, r := range toks {
		masks[i] = make([]int32, len(r))
		for j := range masks[i] {
			masks[i][j] = 1
		}
	}
	masks[12] = masks[12][1:]
	clear(masks[25]) // no token attended
	masks[30][0] = 2
	want := []reject{{2, "input_ids", "id 600"}, {5, "input_ids", "null"}, {7, "input_ids", "empty"},
		{9, "input_ids", "longer than max_length 16"}, {12, "attention_mask", "values but input_ids has"}}
	for i := int64(16); i < 24; i++ {
		want = append(want, reject{i, "input_ids", "id 9999"})
	}
	want = append(want, reject{25, "attention_mask", "no token is attended"}, reject{30, "attention_mask", "mask 2"})

	dir := t.TempDir()
	in := filepath.Join(dir, "in", "a.parquet")
	new(columns).int64s("id", ids(500, n)).strs("note", texts(72, n, 2)).
		lists("input_ids", arrow.PrimitiveTypes.Int32, toks, 5).lists("attention_mask", arrow.PrimitiveTypes.Int8, masks).write(t, in, 8)
	job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], passthrough: [id, note]}
output: {dir: out, rows_per_file: 8}
batching: {max_length: 16, too_long: reject, max_batch_size: 4}
bad_rows: reject
workers: 2
`, modelDir(t, "tiny-bert")))
	sum := mustRun(t, job)
	out := filepath.Join(dir, "out")

	var goodIDs []int64
	var goodRows []row
	bad := map[int64]bool{}
	for _, r := range want {
		bad[r.row] = true
	}
	for i := range n {
		if !bad[int64(i)] {
			goodIDs = append(goodIDs, int64(500+i))
			goodRows = append(goodRows, row{ids: toks[i]})
		}
	}
	got := readOutput(t, out)
	if g := got.int64s(t, "id"); !slices.Equal(g, goodIDs) {
		t.Errorf("ids written %v, want %v", g, goodIDs)
	}
	vecs, _ := direct(t, modelDir(t, "tiny-bert"), bert.HeadNone, goodRows, bert.EmbedOptions{})
	closeVectors(t, "embedding", got.vectors(t, "embedding"), vecs, 1e-5)

	rej := readRejects(t, out)
	if rej == nil {
		t.Fatal("no rejects file")
	}
	files, rows, cols, reasons, rids := rej.strs(t, "source_file"), rej.int64s(t, "source_row"), rej.strs(t, "source_column"), rej.strs(t, "reason"), rej.int64s(t, "id")
	if len(rows) != len(want) {
		t.Fatalf("%d rejected rows %v, want %d", len(rows), rows, len(want))
	}
	for i, w := range want {
		if files[i] != in || rows[i] != w.row || cols[i] != w.column || !strings.Contains(reasons[i], w.reason) || rids[i] != 500+w.row {
			t.Errorf("reject %d: %s row %d column %q reason %q id %d; want row %d column %q reason with %q id %d",
				i, files[i], rows[i], cols[i], reasons[i], rids[i], w.row, w.column, w.reason, 500+w.row)
		}
	}
	if !slices.Equal(rej.strs(t, "note"), pick(texts(72, n, 2), want)) {
		t.Errorf("rejects' note column %v does not hold the rejected rows' values", rej.strs(t, "note"))
	}
	checkSummary(t, out, sum, wantSummary{rows: int64(len(goodIDs)), rejected: int64(len(want)), files: -1, tokens: tokenCount(rowIDs(goodRows))})
	if wantFiles := int64(len(got.parts) + len(rej.parts)); sum.Files != wantFiles {
		t.Errorf("summary files %d, want %d parts and rejects files", sum.Files, wantFiles)
	}
}

// TestTooLong: with too_long: truncate, rows longer than max_length keep their first
// max_length-1 tokens and their last, are counted, and embed as the engine embeds the cut rows.
func TestTooLong(t *testing.T) {
	const n, maxLen = 30, 12
	toks := tokenRows(80, n, 3, 20)
	dir := t.TempDir()
	new(columns).int64s("id", ids(0, n)).lists("input_ids", arrow.PrimitiveTypes.Int32, toks).write(t, filepath.Join(dir, "in", "a.parquet"), 10)
	job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], passthrough: [id]}
output: {dir: out}
batching: {max_length: %d, too_long: truncate}
`, modelDir(t, "tiny-bert"), maxLen))
	sum := mustRun(t, job)
	cut := make([]row, n)
	var truncated int64
	for i, r := range toks {
		cut[i].ids = r
		if len(r) > maxLen {
			truncated++
			cut[i].ids = append(slices.Clone(r[:maxLen-1]), r[len(r)-1])
		}
	}
	if truncated == 0 || truncated == n {
		t.Fatalf("%d of %d rows are too long; the test needs some of each", truncated, n)
	}
	out := filepath.Join(dir, "out")
	want, _ := direct(t, modelDir(t, "tiny-bert"), bert.HeadNone, cut, bert.EmbedOptions{})
	closeVectors(t, "embedding", readOutput(t, out).vectors(t, "embedding"), want, 1e-5)
	checkSummary(t, out, sum, wantSummary{rows: n, truncated: truncated, files: 1, tokens: tokenCount(rowIDs(cut))})
}

func pick(values []string, rows []reject) []string {
	var out []string
	for _, r := range rows {
		out = append(out, values[r.row])
	}
	return out
}

func rowIDs(rows []row) [][]int32 {
	out := make([][]int32, len(rows))
	for i, r := range rows {
		out[i] = r.ids
	}
	return out
}

// TestSummaryPadding: rows of one length need no padding whatever the batches, so the summary
// must report padded_tokens equal to tokens and a padding ratio of 0.
func TestSummaryPadding(t *testing.T) {
	const n = 45
	toks := tokenRows(90, n, 10, 10)
	dir := t.TempDir()
	new(columns).int64s("id", ids(0, n)).lists("input_ids", arrow.PrimitiveTypes.Int32, toks).write(t, filepath.Join(dir, "in", "a.parquet"), 5)
	job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], passthrough: [id]}
output: {dir: out, rows_per_file: 10}
batching: {max_batch_size: 4, sort_window: 8}
workers: 2
`, modelDir(t, "tiny-bert")))
	sum := mustRun(t, job)
	checkSummary(t, filepath.Join(dir, "out"), sum, wantSummary{rows: n, files: 5, tokens: 10 * n, paddedTokens: 10 * n})
	if sum.PaddingRatio != 0 {
		t.Errorf("padding ratio %g, want 0", sum.PaddingRatio)
	}
}
