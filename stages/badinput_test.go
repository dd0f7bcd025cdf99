package stages

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestBadInput: input the job cannot use stops the run with an error that names the file (and
// the row and column when one is at fault), and leaves no partial output.
func TestBadInput(t *testing.T) {
	good := tokenRows(60, 20, 3, 12)
	tooBig := slices.Clone(good)
	tooBig[5] = []int32{2, 17, 600, 3}
	tests := []struct {
		name  string
		setup func(t *testing.T, in string) // writes the input under in
		job   string                        // input and other sections; output is out
		want  []string                      // in the error, with IN standing for the input folder
	}{
		{
			name: "missing column",
			setup: func(t *testing.T, in string) {
				new(columns).int64s("id", ids(0, 20)).lists("tokens", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in], passthrough: [id]}",
			want: []string{"IN/a.parquet", `column "input_ids"`, "missing", `"tokens"`},
		},
		{
			name: "missing passthrough column",
			setup: func(t *testing.T, in string) {
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in], passthrough: [id]}",
			want: []string{"IN/a.parquet", `column "id"`},
		},
		{
			name: "token ids of floats",
			setup: func(t *testing.T, in string) {
				new(columns).int64s("id", ids(0, 20)).lists("input_ids", arrow.PrimitiveTypes.Float32, good).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in], passthrough: [id]}",
			want: []string{"IN/a.parquet", `column "input_ids"`, "float"},
		},
		{
			name: "text column of integers",
			setup: func(t *testing.T, in string) {
				new(columns).int64s("id", ids(0, 20)).int64s("text", ids(0, 20)).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in], text_column: text, passthrough: [id]}",
			want: []string{"IN/a.parquet", `column "text"`, "int64"},
		},
		{
			name: "corrupt Parquet",
			setup: func(t *testing.T, in string) {
				writeText(t, filepath.Join(in, "a.parquet"), "PAR1 this is not what a Parquet file holds PAR1")
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "not a valid Parquet file"},
		},
		{
			name: "truncated Parquet",
			setup: func(t *testing.T, in string) {
				p := filepath.Join(in, "a.parquet")
				new(columns).int64s("id", ids(0, 20)).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, p, 20)
				data, _ := os.ReadFile(p)
				writeText(t, p, string(data[:len(data)/2]))
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "not a valid Parquet file"},
		},
		{
			name: "Parquet with damaged pages",
			setup: func(t *testing.T, in string) {
				p := filepath.Join(in, "a.parquet")
				new(columns).int64s("id", ids(0, 20)).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, p, 20)
				data, _ := os.ReadFile(p)
				for i := 8; i < len(data)/2; i++ { // the footer at the end stays whole
					data[i] = byte(i * 7)
				}
				writeText(t, p, string(data))
			},
			job:  "input: {paths: [in], passthrough: [id]}",
			want: []string{"IN/a.parquet", "not a valid Parquet file", "row group 0"},
		},
		{
			name: "empty file beside a good one",
			setup: func(t *testing.T, in string) {
				new(columns).int64s("id", ids(0, 20)).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "a.parquet"), 20)
				writeText(t, filepath.Join(in, "b.parquet"), "")
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/b.parquet", "empty (0 bytes)"},
		},
		{
			name: "empty JSON Lines file",
			setup: func(t *testing.T, in string) {
				writeText(t, filepath.Join(in, "a.jsonl"), "")
			},
			job:  "input: {paths: [in], text_column: text}",
			want: []string{"IN/a.jsonl", "empty"},
		},
		{
			name: "passthrough types differ across files",
			setup: func(t *testing.T, in string) {
				new(columns).int64s("id", ids(0, 20)).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "a.parquet"), 20)
				new(columns).strs("id", texts(1, 20, 1)).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "b.parquet"), 20)
			},
			job:  "input: {paths: [in], passthrough: [id]}",
			want: []string{"IN/b.parquet", "IN/a.parquet", `column "id"`},
		},
		{
			name: "token id types differ across files",
			setup: func(t *testing.T, in string) {
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "a.parquet"), 20)
				new(columns).strs("input_ids", texts(1, 20, 3)).write(t, filepath.Join(in, "b.parquet"), 20)
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/b.parquet", `column "input_ids"`},
		},
		{
			name: "token id outside the vocabulary",
			setup: func(t *testing.T, in string) {
				new(columns).int64s("id", ids(0, 20)).lists("input_ids", arrow.PrimitiveTypes.Int32, tooBig).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in], passthrough: [id]}",
			want: []string{"IN/a.parquet", "row 5", `column "input_ids"`, "600", "vocabulary", "bad_rows: reject"},
		},
		{
			name: "null token list",
			setup: func(t *testing.T, in string) {
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int64, good, 7).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "row 7", `column "input_ids"`, "null"},
		},
		{
			name: "empty token list",
			setup: func(t *testing.T, in string) {
				rows := slices.Clone(good)
				rows[3] = []int32{}
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int64, rows).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "row 3", `column "input_ids"`, "empty"},
		},
		{
			name: "attention mask of another length",
			setup: func(t *testing.T, in string) {
				masks := make([][]int32, len(good))
				for i, r := range good {
					masks[i] = make([]int32, len(r))
					for j := range masks[i] {
						masks[i][j] = 1
					}
				}
				masks[9] = masks[9][1:]
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, good).lists("attention_mask", arrow.PrimitiveTypes.Int8, masks).
					write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "row 9", `column "attention_mask"`},
		},
		{
			name: "attention mask of zeros",
			setup: func(t *testing.T, in string) {
				masks := make([][]int32, len(good))
				for i, r := range good {
					masks[i] = make([]int32, len(r))
					for j := range masks[i] {
						masks[i][j] = int32(min(i, 1)) // row 0 attends no token
					}
				}
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, good).lists("attention_mask", arrow.PrimitiveTypes.Int8, masks).
					write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "row 0", `column "attention_mask"`, "no token is attended", "bad_rows: reject"},
		},
		{
			name: "token type outside the model's",
			setup: func(t *testing.T, in string) {
				types := make([][]int32, len(good))
				for i, r := range good {
					types[i] = make([]int32, len(r))
				}
				types[4][1] = 2
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, good).lists("token_type_ids", arrow.PrimitiveTypes.Int32, types).
					write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in]}",
			want: []string{"IN/a.parquet", "row 4", `column "token_type_ids"`, "type 2"},
		},
		{
			name: "null text",
			setup: func(t *testing.T, in string) {
				new(columns).strs("text", texts(1, 20, 5), 11).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in], text_column: text}",
			want: []string{"IN/a.parquet", "row 11", `column "text"`, "null"},
		},
		{
			name: "empty text in CSV",
			setup: func(t *testing.T, in string) {
				writeText(t, filepath.Join(in, "a.csv"), "id,text\n1,hello\n2,\n3,world\n")
			},
			job:  "input: {paths: [in], text_column: text}",
			want: []string{"IN/a.csv", "row 1", `column "text"`, "empty"},
		},
		{
			name: "JSON Lines line that is no object",
			setup: func(t *testing.T, in string) {
				writeText(t, filepath.Join(in, "a.jsonl"), "{\"text\": \"hello\"}\n[1, 2]\n{\"text\": \"world\"}\n")
			},
			job:  "input: {paths: [in], text_column: text}",
			want: []string{"IN/a.jsonl", "row 1", `column "text"`, "line 2"},
		},
		{
			name: "row too long with too_long: reject",
			setup: func(t *testing.T, in string) {
				new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, good).write(t, filepath.Join(in, "a.parquet"), 20)
			},
			job:  "input: {paths: [in]}\nbatching: {max_length: 8, too_long: reject}",
			want: []string{"IN/a.parquet", "row ", `column "input_ids"`, "max_length 8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in")
			tt.setup(t, in)
			job := loadJob(t, dir, fmt.Sprintf("model: {ref: %s}\noutput: {dir: out}\n%s\n", modelDir(t, "tiny-bert"), tt.job))
			_, err := runJob(t, job, Options{})
			if err == nil {
				t.Fatal("the run succeeded")
			}
			t.Log(err)
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "IN", in); !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			checkNoPartial(t, filepath.Join(dir, "out"))
		})
	}
}

// TestUnwritableOutput: an output folder that cannot be made or written stops the run before
// any row is read, naming the folder.
func TestUnwritableOutput(t *testing.T) {
	type place struct {
		name  string
		setup func(t *testing.T, dir string) string // returns output.dir
	}
	places := []place{
		{"under a file", func(t *testing.T, dir string) string {
			writeText(t, filepath.Join(dir, "file"), "x")
			return filepath.Join(dir, "file", "out")
		}},
		{"is a file", func(t *testing.T, dir string) string {
			writeText(t, filepath.Join(dir, "out"), "x")
			return filepath.Join(dir, "out")
		}},
	}
	if os.Geteuid() != 0 { // permissions do not stop root
		places = append(places, place{"read-only folder", func(t *testing.T, dir string) string {
			ro := filepath.Join(dir, "ro")
			if err := os.Mkdir(ro, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(ro, 0o755) })
			return filepath.Join(ro, "out")
		}})
	}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			dir := t.TempDir()
			new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(1, 5, 3, 9)).write(t, filepath.Join(dir, "in", "a.parquet"), 5)
			out := p.setup(t, dir)
			job := loadJob(t, dir, fmt.Sprintf("model: {ref: %s}\ninput: {paths: [in]}\noutput: {dir: %s}\n", modelDir(t, "tiny-bert"), out))
			_, err := runJob(t, job, Options{})
			if err == nil || !strings.Contains(err.Error(), "output folder") || !strings.Contains(err.Error(), filepath.Dir(out)) {
				t.Fatalf("run into %s: %v; want an error naming the output folder", out, err)
			}
		})
	}
}

// TestHubIDNotFound: a model.ref read as a Hub id that the Hub (here an empty offline cache) does
// not have fails the run with the hint for writing a local folder.
func TestHubIDNotFound(t *testing.T) {
	dir := t.TempDir()
	new(columns).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(1, 5, 3, 9)).write(t, filepath.Join(dir, "in", "a.parquet"), 5)
	job := loadJob(t, dir, "model: {ref: models/x, offline: true, cache_dir: cache}\ninput: {paths: [in]}\noutput: {dir: out}\n")
	_, err := runJob(t, job, Options{})
	if err == nil || !strings.Contains(err.Error(), "read as a Hub id") || !strings.Contains(err.Error(), "written ./models/x") {
		t.Fatalf("run: %v; want an error saying models/x is read as a Hub id and how to write a folder", err)
	}
}
