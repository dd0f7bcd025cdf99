package jobs

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestAllProblemsTogether checks that one file with many kinds of problems reports every one, in file order.
func TestAllProblemsTogether(t *testing.T) {
	src := `model:
  ref: ./models/m
  revision: v2
  dtype: fp16
  head: binary
input:
  paths: ["${NOPE}/in", data]
  text_column: body
  input_ids_column: ids
  pasthrough: [id]
output:
  dir: data/out
  pooling: mean
  rows_per_file: 0
batching:
  max_tokens: many
workers: 2
workers: 3
`
	want := []string{
		"3:13: model.revision: applies to Hub models only",
		"4:10: model.dtype: unknown value \"fp16\"",
		"7:11: input.paths[0]: environment variable NOPE is not set",
		"9:21: input.input_ids_column: cannot be combined with input.text_column",
		"10:3: input.pasthrough: unknown field \"pasthrough\" (did you mean \"passthrough\"?)",
		"12:8: output.dir: overlaps input.paths[1] (/jobs/data)",
		"13:12: output.pooling: applies to embeddings, but model.head is binary",
		"14:18: output.rows_per_file: 0 is out of range",
		"16:15: batching.max_tokens: want a whole number, got the string \"many\"",
		"18:1: workers: given twice (first at line 17)",
	}
	ps := parseProblems(t, src)
	if len(ps) != len(want) {
		t.Fatalf("want %d problems, got %d:\n%v", len(want), len(ps), ps)
	}
	for i, p := range ps {
		if got := strings.TrimPrefix(p.String(), testFile+":"); !strings.HasPrefix(got, want[i]) {
			t.Errorf("problem %d:\n got  %s\n want %s…", i, got, want[i])
		}
	}
}

// TestDefaults checks that a minimal job comes back with every default written out and paths resolved.
func TestDefaults(t *testing.T) {
	got := mustParse(t, "model: {ref: org/m}\ninput: {paths: [data/*.parquet]}\noutput: {dir: out}\n")
	want := &Job{
		Model: Model{Ref: "org/m", Revision: "main", DType: DTypeFloat32, Device: DeviceCPU, Head: HeadNone},
		Input: Input{Paths: []string{"/jobs/data/*.parquet"}, Format: FormatAuto, InputIDsColumn: "input_ids",
			AttentionMaskColumn: "attention_mask", TokenTypeIDsColumn: "token_type_ids", Passthrough: []string{}},
		Output: Output{Dir: "/jobs/out", EmbeddingColumn: "embedding", Pooling: PoolingModel,
			Normalize: NormalizeModel, DType: OutputFloat32, Compression: CompressionZstd, RowsPerFile: 100000},
		Batching: Batching{MaxTokens: 16384, MaxBatchSize: 256, SortWindow: 4096, TooLong: TooLongTruncate},
		Resume:   Resume{OnInputChange: OnInputChangeFail},
		BadRows:  BadRowsFail,
		Mode:     ModeResume,
		File:     testFile,
		Dir:      "/jobs",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestKinds checks how the kind of job clears the fields that do not apply to it.
func TestKinds(t *testing.T) {
	t.Run("text input clears token columns", func(t *testing.T) {
		j := mustParse(t, "model: {ref: org/m}\ninput: {paths: [d], text_column: body, text_pair_column: b2}\n"+
			"output: {dir: o, write_token_ids: true}\n")
		if j.Input.InputIDsColumn != "" || j.Input.AttentionMaskColumn != "" || j.Input.TokenTypeIDsColumn != "" {
			t.Errorf("token columns kept with text input: %+v", j.Input)
		}
		if j.Input.TextColumn != "body" || j.Input.TextPairColumn != "b2" || !j.Output.WriteTokenIDs {
			t.Errorf("text fields lost: %+v %+v", j.Input, j.Output)
		}
	})
	t.Run("head clears embedding options", func(t *testing.T) {
		j := mustParse(t, "model: {ref: org/m, head: multilabel}\ninput: {paths: [d]}\noutput: {dir: o}\n")
		o := j.Output
		if o.EmbeddingColumn != "" || o.Pooling != "" || o.Normalize != "" || o.TruncateDims != 0 || o.DType != OutputFloat32 {
			t.Errorf("embedding options kept with a head: %+v", o)
		}
	})
	t.Run("local folder has no revision", func(t *testing.T) {
		j := mustParse(t, "model: {ref: ../models/m}\ninput: {paths: [d]}\noutput: {dir: o}\n")
		if j.Model.Ref != "/models/m" || !j.Model.IsLocal() || j.Model.Revision != "" {
			t.Errorf("got %+v", j.Model)
		}
	})
	t.Run("hub id kept as written", func(t *testing.T) {
		j := mustParse(t, "model: {ref: sentence-transformers/all-MiniLM-L6-v2, revision: v1.0}\n"+
			"input: {paths: [d]}\noutput: {dir: o}\n")
		if j.Model.Ref != "sentence-transformers/all-MiniLM-L6-v2" || j.Model.IsLocal() || j.Model.Revision != "v1.0" {
			t.Errorf("got %+v", j.Model)
		}
	})
	t.Run("normalize spellings", func(t *testing.T) {
		for src, want := range map[string]Normalize{"true": NormalizeOn, "False": NormalizeOff, `"true"`: NormalizeOn,
			"model": NormalizeModel} {
			j := mustParse(t, fmt.Sprintf("model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o, normalize: %s}\n", src))
			if j.Output.Normalize != want {
				t.Errorf("normalize: %s gave %q, want %q", src, j.Output.Normalize, want)
			}
		}
	})
	t.Run("anchors and aliases", func(t *testing.T) {
		j := mustParse(t, "model: {ref: org/m}\ninput: {paths: &p [a, b], passthrough: [id]}\noutput: {dir: o}\n")
		if want := []string{"/jobs/a", "/jobs/b"}; !reflect.DeepEqual(j.Input.Paths, want) {
			t.Errorf("paths %v, want %v", j.Input.Paths, want)
		}
	})
}

// TestRelativeToJobFile checks that relative paths resolve against the job file's folder, not the working folder.
func TestRelativeToJobFile(t *testing.T) {
	src := []byte("model: {ref: org/m, cache_dir: cache}\ninput: {paths: [in, /abs/x.parquet]}\noutput: {dir: ../out}\n")
	j, err := Parse("/srv/jobs/nightly.yaml", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{j.Model.CacheDir, j.Input.Paths[0], j.Input.Paths[1], j.Output.Dir, j.Dir}
	want := []string{"/srv/jobs/cache", "/srv/jobs/in", "/abs/x.parquet", "/srv/out", "/srv/jobs"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestFieldTags checks every struct tag once: defaults lie in their enumeration and range, required fields have
// no default, path kinds are known, and every field has a type the decoder handles.
func TestFieldTags(t *testing.T) {
	var walk func(rt reflect.Type, prefix string)
	walk = func(rt reflect.Type, prefix string) {
		for _, s := range fieldsOf(rt) {
			path, ft := joinPath(prefix, s.name), rt.Field(s.index).Type
			if s.required && s.hasDefault {
				t.Errorf("%s: required and defaulted", path)
			}
			if !s.required && !s.hasDefault && ft.Kind() != reflect.Struct && ft.Kind() != reflect.Pointer && s.pathKind == "" {
				t.Errorf("%s: optional without a default", path)
			}
			if ft.Kind() == reflect.Pointer && (s.hasDefault || s.required || ft.Elem().Kind() != reflect.String) {
				t.Errorf("%s: a pointer field must be an optional *string without a default", path)
			}
			if s.pathKind != "" && s.pathKind != "ref" && s.pathKind != "dir" && s.pathKind != "outdir" && s.pathKind != "glob" {
				t.Errorf("%s: unknown path kind %q", path, s.pathKind)
			}
			if values := enumOf(ft); values != nil && s.hasDefault && !contains(values, s.def) {
				t.Errorf("%s: default %q not in %v", path, s.def, values)
			}
			if s.hasDefault && ft.Kind() == reflect.Int {
				var n int
				if _, err := fmt.Sscan(s.def, &n); err != nil || s.hasMin && n < s.min || s.hasMax && n > s.max {
					t.Errorf("%s: default %q outside [%d, %d]", path, s.def, s.min, s.max)
				}
			}
			switch ft.Kind() {
			case reflect.Struct:
				walk(ft, path)
			case reflect.String, reflect.Int, reflect.Bool, reflect.Pointer:
			case reflect.Slice:
				if ft.Elem().Kind() != reflect.String {
					t.Errorf("%s: lists must hold strings", path)
				}
			default:
				t.Errorf("%s: unsupported kind %s", path, ft.Kind())
			}
		}
	}
	walk(reflect.TypeFor[Job](), "")
}

func TestOverlaps(t *testing.T) {
	tests := []struct {
		in, out string
		want    bool
	}{
		{"/d", "/d", true},
		{"/d", "/d/out", true},
		{"/d/x.parquet", "/d/out", false},
		{"/d/out/x.parquet", "/d/out", true},
		{"/data", "/data2/out", false},
		{"/d/*.parquet", "/d/out", false},
		{"/d/*", "/d/out", true},
		{"/d/o?t/x", "/d/out", true},
		{"/d/out/*.parquet", "/d/out", true},
		{"/d/out/part=*/x", "/d", true},
		{"/e/*", "/d/out", false},
	}
	for _, tt := range tests {
		if got := overlaps(tt.in, tt.out); got != tt.want {
			t.Errorf("overlaps(%q, %q) = %v, want %v", tt.in, tt.out, got, tt.want)
		}
	}
}
