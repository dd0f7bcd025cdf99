package stages

import (
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/bert"
)

// TestInputLayouts reads several input files at once — Hive-partitioned folders, and Parquet,
// CSV and JSON Lines side by side — and checks that the output has every row once, in the
// documented order (paths in the order given, folders in sorted path order), with the embeddings
// the engine gives for each text's tokens.
func TestInputLayouts(t *testing.T) {
	type file struct {
		path  string // relative to the input folder
		keys  []string
		texts []string
	}
	mk := func(path string, seed uint64, n int) file {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("%s#%d", path, i)
		}
		return file{path, keys, texts(seed, n, 12)}
	}
	tests := []struct {
		name        string
		files       []file // in the order the output must hold them
		paths       string // the job's input.paths
		passthrough string
		lang        []string // the lang column expected per file (Hive), or nil
	}{
		{
			name: "hive partitions",
			files: []file{mk("data/lang=de/split=a/0.parquet", 1, 9), mk("data/lang=en/split=a/0.parquet", 2, 13),
				mk("data/lang=en/split=b/0.parquet", 3, 4), mk("data/lang=fr/split=a/0.parquet", 4, 6)},
			paths: "[data]", passthrough: "[key, lang, split]", lang: []string{"de", "en", "en", "fr"},
		},
		{
			name:  "parquet, csv and jsonl in the order given",
			files: []file{mk("z.parquet", 5, 11), mk("b.csv", 6, 7), mk("a.jsonl", 7, 8), mk("more/x.parquet", 8, 3), mk("more/y.csv", 9, 5)},
			paths: "[z.parquet, b.csv, a.jsonl, more]", passthrough: "[key]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var keys, all []string
			for _, f := range tt.files {
				p := filepath.Join(dir, f.path)
				switch filepath.Ext(p) {
				case ".parquet":
					new(columns).strs("key", f.keys).strs("text", f.texts).write(t, p, 5)
				case ".csv":
					var b strings.Builder
					w := csv.NewWriter(&b)
					w.Write([]string{"text", "key"})
					for i := range f.keys {
						w.Write([]string{f.texts[i], f.keys[i]})
					}
					w.Flush()
					writeText(t, p, b.String())
				case ".jsonl":
					var rows []map[string]any
					for i := range f.keys {
						rows = append(rows, map[string]any{"key": f.keys[i], "text": f.texts[i], "other": i})
					}
					writeJSONL(t, p, rows)
				}
				keys, all = append(keys, f.keys...), append(all, f.texts...)
			}
			writeText(t, filepath.Join(dir, "data", "_SUCCESS"), "")
			job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: %s, text_column: text, passthrough: %s}
output: {dir: out, rows_per_file: 6}
batching: {max_batch_size: 4, sort_window: 4}
workers: 2
`, modelDir(t, "tiny-bert"), tt.paths, tt.passthrough))
			sum := mustRun(t, job)
			out := filepath.Join(dir, "out")
			got := readOutput(t, out)
			if g := got.strs(t, "key"); !slices.Equal(g, keys) {
				t.Errorf("keys in output order:\n%v\nwant\n%v", g, keys)
			}
			if tt.lang != nil {
				var wantLang []string
				for i, f := range tt.files {
					for range f.keys {
						wantLang = append(wantLang, tt.lang[i])
					}
				}
				if g := got.strs(t, "lang"); !slices.Equal(g, wantLang) {
					t.Errorf("lang column %v, want %v", g, wantLang)
				}
			}
			py := readback(t, pyRequest{Out: out, Tokenize: &pyTokenize{Model: modelDir(t, "tiny-bert"), Texts: all, MaxLength: 128}})
			rows := make([]row, len(all))
			for i := range rows {
				rows[i] = row{ids: py.TokenIDs[i], types: py.TokenTypeIDs[i]}
			}
			want, _ := direct(t, modelDir(t, "tiny-bert"), bert.HeadNone, rows, bert.EmbedOptions{})
			closeVectors(t, "embedding", got.vectors(t, "embedding"), want, 1e-5)
			if !slices.Equal(py.Columns["key"], toAny(keys)) {
				t.Errorf("pyarrow reads keys %v, want %v", py.Columns["key"], keys)
			}
			checkSummary(t, out, sum, wantSummary{rows: int64(len(all)), files: -1, tokens: tokenCount(py.TokenIDs)})
			if sum.Files != int64(len(got.parts)) {
				t.Errorf("summary files %d, but %d parts were written", sum.Files, len(got.parts))
			}
			for _, p := range got.parts {
				if n := readParquets(t, []string{p}).rows; n > 6 {
					t.Errorf("%s has %d rows, more than rows_per_file 6", p, n)
				}
			}
		})
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestEmptyAndOtherInputs: a valid input file of 0 rows adds nothing; a later run of the same job
// that reads other files resumes in the folder and warns that the folder holds results of files
// it does not read.
func TestEmptyAndOtherInputs(t *testing.T) {
	dir := t.TempDir()
	new(columns).int64s("id", nil).lists("input_ids", arrow.PrimitiveTypes.Int32, nil).write(t, filepath.Join(dir, "in", "a.parquet"), 5)
	new(columns).int64s("id", ids(0, 7)).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(3, 7, 3, 9)).write(t, filepath.Join(dir, "in", "b.parquet"), 5)
	new(columns).int64s("id", ids(7, 4)).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(4, 4, 3, 9)).write(t, filepath.Join(dir, "more", "c.parquet"), 5)
	const body = "model: {ref: %s}\ninput: {paths: [%s], passthrough: [id]}\noutput: {dir: out}\n"
	sum := mustRun(t, loadJob(t, dir, fmt.Sprintf(body, modelDir(t, "tiny-bert"), "in")))
	checkSummary(t, filepath.Join(dir, "out"), sum, wantSummary{rows: 7, files: 1, tokens: tokenCount(tokenRows(3, 7, 3, 9))})

	var logs []string
	job := loadJob(t, dir, fmt.Sprintf(body, modelDir(t, "tiny-bert"), "more"))
	sum, err := Run(context.Background(), job, Options{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }})
	if err != nil || sum.Rows != 4 || sum.SkippedRows != 7 {
		t.Fatalf("run on other inputs: %v, %+v", err, sum)
	}
	if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "does not read") && strings.Contains(l, "b.parquet") }) {
		t.Errorf("no warning about the results of files the run does not read; logs %q", logs)
	}
	if got := readOutput(t, filepath.Join(dir, "out")).int64s(t, "id"); len(got) != 11 {
		t.Errorf("output ids %v, want the 11 rows of both runs", got)
	}
}
