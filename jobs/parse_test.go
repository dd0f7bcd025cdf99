package jobs

import (
	"errors"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/dataset"
)

// testFile is the name every test job is parsed under; relative paths resolve against /jobs.
const testFile = "/jobs/job.yaml"

var testEnv = map[string]string{"DATA": "/srv/data", "HOME": "/home/u", "EMPTY": ""}

func lookupTestEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

// parseProblems parses src and returns its problems, failing the test when there are none.
func parseProblems(t *testing.T, src string) Problems {
	t.Helper()
	job, err := Parse(testFile, []byte(src), lookupTestEnv)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got job %+v, error %v", job, err)
	}
	if job != nil {
		t.Fatalf("a job came back beside problems: %+v", job)
	}
	return ps
}

func mustParse(t *testing.T, src string) *Job {
	t.Helper()
	job, err := Parse(testFile, []byte(src), lookupTestEnv)
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return job
}

// TestParseProblems has one bad job per case and checks the single problem's position, path and message.
func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		path      string
		msg       string // a substring of the message
	}{
		{"typo in field", "model:\n  ref: org/m\n  revison: v1\ninput:\n  paths: [d]\noutput:\n  dir: o\n",
			3, 3, "model.revison", `unknown field "revison" (did you mean "revision"?)`},
		{"field in the wrong section", "model:\n  ref: org/m\n  pooling: mean\ninput:\n  paths: [d]\noutput:\n  dir: o\n",
			3, 3, "model.pooling", `belongs under output (output.pooling)`},
		{"unknown top-level field", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nworker: 2\n",
			4, 1, "worker", `did you mean "workers"?`},
		{"unknown field far from any", "model: {ref: org/m, colour: red}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 21, "model.colour", `known fields: ref, revision, cache_dir, offline, dtype, device, head`},
		{"section at the wrong level", "model: {ref: org/m}\ninput: {paths: [d], batching: {max_tokens: 8}}\noutput: {dir: o}\n",
			2, 21, "input.batching", `belongs under the top level (batching)`},
		{"string for a number", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nbatching:\n  max_tokens: lots\n",
			5, 15, "batching.max_tokens", `want a whole number, got the string "lots"`},
		{"decimal for a number", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nbatching:\n  max_tokens: 1.5\n",
			5, 15, "batching.max_tokens", `want a whole number, got the decimal number 1.5`},
		{"mapping for a string", "model:\n  ref: {a: 1}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			2, 8, "model.ref", `want a string, got a mapping`},
		{"boolean for a string", "model: {ref: org/m}\ninput: {paths: [d], text_column: true}\noutput: {dir: o}\n",
			2, 34, "input.text_column", `got the boolean true; quote it`},
		{"string for a list", "model: {ref: org/m}\ninput:\n  paths: data\noutput: {dir: o}\n",
			3, 10, "input.paths", `want a list of strings, got the string "data"`},
		{"scalar for a section", "model: org/m\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 8, "model", `want a mapping of fields, got the string "org/m"`},
		{"word for a boolean", "model: {ref: org/m, offline: yes}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 30, "model.offline", `want true or false, got the string "yes"`},
		{"missing section", "model: {ref: org/m}\ninput: {paths: [d]}\n",
			1, 1, "output", `missing required field`},
		{"missing field in a section", "model: {ref: org/m}\ninput: {paths: [d]}\noutput:\n  pooling: cls\n",
			3, 1, "output.dir", `missing required field`},
		{"empty required string", "model: {ref: \"\"}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 14, "model.ref", `must not be empty`},
		{"empty list", "model: {ref: org/m}\ninput: {paths: []}\noutput: {dir: o}\n",
			2, 16, "input.paths", `must list at least one entry`},
		{"empty list entry", "model: {ref: org/m}\ninput: {paths: [d, \"\"]}\noutput: {dir: o}\n",
			2, 20, "input.paths[1]", `must not be empty`},
		{"field without a value", "model:\n  ref: org/m\n  revision:\ninput: {paths: [d]}\noutput: {dir: o}\n",
			3, 3, "model.revision", `has no value`},
		{"field given twice", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nworkers: 1\nworkers: 2\n",
			5, 1, "workers", `given twice (first at line 4)`},
		{"unknown enum value", "model: {ref: org/m}\ninput: {paths: [d]}\noutput:\n  dir: o\n  pooling: avg\n",
			5, 12, "output.pooling", `unknown value "avg" (want one of model, cls, mean, max, mean_sqrt_len)`},
		{"unknown input-change policy", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nresume: {on_input_change: ignore}\n",
			4, 27, "resume.on_input_change", `unknown value "ignore" (want one of fail, redo)`},
		{"enum value near a known one", "model: {ref: org/m, dtype: bfloat}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 28, "model.dtype", `did you mean "bfloat16"?`},
		{"normalize as a word", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o, normalize: yes}\n",
			3, 29, "output.normalize", `unknown value "yes" (want one of model, true, false)`},
		{"head spelled wrong", "model: {ref: org/m, head: classifier}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 27, "model.head", `want one of "", binary, multiclass, multilabel, regression`},
		{"below range", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nbatching: {max_batch_size: 0}\n",
			4, 28, "batching.max_batch_size", `0 is out of range (want 1 to 65536)`},
		{"shard index out of range", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nshard: 3/2\n",
			4, 8, "shard", `index 3 is out of range for 2 shards`},
		{"shard without a count", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nshard: auto\n",
			4, 8, "shard", `expected I/N or auto/N`},
		{"shard of zero", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nshard: auto/0\n",
			4, 8, "shard", `is not a whole number of at least 1`},
		{"negative workers", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nworkers: -1\n",
			4, 10, "workers", `-1 is out of range (want 0 to 1024)`},
		{"beyond int64", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o, rows_per_file: 99999999999999999999}\n",
			3, 33, "output.rows_per_file", `99999999999999999999 is out of range (want 1 to 100000000)`},
		{"merge key", "model: &m {ref: org/m}\ninput:\n  paths: [d]\n  <<: *m\noutput: {dir: o}\n",
			4, 3, "input", `merge keys (<<) are not supported`},
		{"bad hub id", "model: {ref: models/minilm/v2}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 14, "model.ref", `for a local folder write ./models/minilm/v2`},
		{"hub id with ..", "model: {ref: org/..m}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 14, "model.ref", `is not a Hub id`},
		{"bad revision", "model: {ref: org/m, revision: \"my branch\"}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 31, "model.revision", `is not a branch, tag or commit`},
		{"unset variable", "model: {ref: org/m}\ninput: {paths: [\"${NOPE}/x\"]}\noutput: {dir: o}\n",
			2, 17, "input.paths[0]", `environment variable NOPE is not set`},
		{"empty variable", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: $EMPTY/out}\n",
			3, 15, "output.dir", `environment variable EMPTY is empty`},
		{"lone dollar", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: out/$5}\n",
			3, 15, "output.dir", `write $$ for a literal $`},
		{"unclosed brace", "model: {ref: org/m, cache_dir: \"${HOME\"}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 32, "model.cache_dir", `unclosed ${`},
		{"tilde", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: ~/out}\n",
			3, 15, "output.dir", `write ${HOME}/out`},
		{"double star glob", "model: {ref: org/m}\ninput: {paths: [\"d/**/*.parquet\"]}\noutput: {dir: o}\n",
			2, 17, "input.paths[0]", `** is not supported`},
		{"bad glob", "model: {ref: org/m}\ninput: {paths: [\"d/[a\"]}\noutput: {dir: o}\n",
			2, 17, "input.paths[0]", `not a valid glob pattern`},
		{"syntax error", "model: {ref: org/m\ninput: {paths: [d]}\n",
			1, 0, "", `YAML syntax:`},
		{"tab indentation", "model:\n\tref: org/m\n",
			2, 0, "", `YAML syntax:`},
		{"empty file", "# nothing here\n", 0, 0, "", `the job file is empty`},
		{"list at the top", "- model\n", 1, 1, "", `want a mapping of fields (model, input, output, ...), got a list`},
		{"two documents", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\n---\nworkers: 1\n",
			4, 1, "", `a second YAML document starts here`},

		// Contradictions: each is reported at the field that conflicts.
		{"text and token columns", "model: {ref: org/m}\ninput:\n  paths: [d]\n  text_column: body\n  input_ids_column: ids\noutput: {dir: o}\n",
			5, 21, "input.input_ids_column", `cannot be combined with input.text_column`},
		{"text pair without text", "model: {ref: org/m}\ninput: {paths: [d], text_pair_column: b}\noutput: {dir: o}\n",
			2, 39, "input.text_pair_column", `needs input.text_column`},
		{"text pair same as text", "model: {ref: org/m}\ninput: {paths: [d], text_column: a, text_pair_column: a}\noutput: {dir: o}\n",
			2, 55, "input.text_pair_column", `names the same column as input.text_column`},
		{"prompt and prompt name", "model: {ref: org/m}\ninput: {paths: [d], text_column: t, prompt_name: query, prompt: \"q: \"}\noutput: {dir: o}\n",
			2, 65, "input.prompt", `cannot be combined with input.prompt_name`},
		{"empty prompt name", "model: {ref: org/m}\ninput: {paths: [d], text_column: t, prompt_name: \"\"}\noutput: {dir: o}\n",
			2, 50, "input.prompt_name", `write prompt: "" for no prompt`},
		{"prompt with token input", "model: {ref: org/m}\ninput: {paths: [d], prompt: \"q: \"}\noutput: {dir: o}\n",
			2, 29, "input.prompt", `applies to text input only (set input.text_column)`},
		{"prompt name with a head", "model: {ref: org/m, head: binary}\ninput: {paths: [d], text_column: t, prompt_name: query}\noutput: {dir: o}\n",
			2, 50, "input.prompt_name", `applies to embeddings, but model.head is binary`},
		{"token columns alike", "model: {ref: org/m}\ninput: {paths: [d], attention_mask_column: input_ids}\noutput: {dir: o}\n",
			2, 44, "input.attention_mask_column", `names the same column as input.input_ids_column`},
		{"csv format with token ids", "model: {ref: org/m}\ninput: {paths: [d], format: csv}\noutput: {dir: o}\n",
			2, 29, "input.format", `CSV cannot hold token-id lists`},
		{"csv file with token ids", "model: {ref: org/m}\ninput: {paths: [a.parquet, b.CSV]}\noutput: {dir: o}\n",
			2, 28, "input.paths[1]", `set input.text_column to read text from it`},
		{"tsv format with token ids", "model: {ref: org/m}\ninput: {paths: [d], format: tsv}\noutput: {dir: o}\n",
			2, 29, "input.format", `TSV cannot hold token-id lists`},
		{"tsv file with token ids", "model: {ref: org/m}\ninput: {paths: [a.tsv]}\noutput: {dir: o}\n",
			2, 17, "input.paths[0]", `TSV cannot hold token-id lists; set input.text_column`},
		{"passthrough twice", "model: {ref: org/m}\ninput: {paths: [d], passthrough: [id, t, id]}\noutput: {dir: o}\n",
			2, 42, "input.passthrough[2]", `column "id" is listed twice (first as input.passthrough[0])`},
		{"passthrough clashes with embedding", "model: {ref: org/m}\ninput: {paths: [d], passthrough: [id, embedding]}\noutput: {dir: o}\n",
			2, 39, "input.passthrough[1]", `column "embedding" is also written by output.embedding_column`},
		{"passthrough clashes with head", "model: {ref: org/m, head: multiclass}\ninput: {paths: [d], passthrough: [label]}\noutput: {dir: o}\n",
			2, 35, "input.passthrough[0]", `column "label" is also written by model.head`},
		{"head with pooling", "model: {ref: org/m, head: binary}\ninput: {paths: [d]}\noutput:\n  dir: o\n  pooling: cls\n",
			5, 12, "output.pooling", `applies to embeddings, but model.head is binary`},
		{"head with truncate_dims", "model: {ref: org/m, head: regression}\ninput: {paths: [d]}\noutput: {dir: o, truncate_dims: 64}\n",
			3, 33, "output.truncate_dims", `applies to embeddings, but model.head is regression`},
		{"head with float16 output", "model: {ref: org/m, head: multilabel}\ninput: {paths: [d]}\noutput: {dir: o, dtype: float16}\n",
			3, 25, "output.dtype", `applies to embeddings, but model.head is multilabel`},
		{"head with normalize", "model: {ref: org/m, head: binary}\ninput: {paths: [d]}\noutput: {dir: o, normalize: false}\n",
			3, 29, "output.normalize", `applies to embeddings`},
		{"token ids without text", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o, write_token_ids: true}\n",
			3, 35, "output.write_token_ids", `applies to text input only`},
		{"empty embedding column", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o, embedding_column: \"\"}\n",
			3, 36, "output.embedding_column", `must not be empty`},
		{"max_length over max_tokens", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\nbatching: {max_tokens: 256, max_length: 512}\n",
			4, 41, "batching.max_length", `batching.max_length 512 exceeds batching.max_tokens 256`},
		{"revision with a local folder", "model: {ref: ./models/m, revision: v2}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 36, "model.revision", `applies to Hub models only, and model.ref is the local folder /jobs/models/m`},
		{"cache_dir with a local folder", "model: {ref: $DATA/m, cache_dir: c}\ninput: {paths: [d]}\noutput: {dir: o}\n",
			1, 34, "model.cache_dir", `local folder /srv/data/m`},
		{"output inside input", "model: {ref: org/m}\ninput: {paths: [data]}\noutput: {dir: data/out}\n",
			3, 15, "output.dir", `overlaps input.paths[0] (/jobs/data)`},
		{"output matched by an input glob", "model: {ref: org/m}\ninput: {paths: [\"data/*\"]}\noutput: {dir: data/out}\n",
			3, 15, "output.dir", `overlaps input.paths[0] (/jobs/data/*)`},
		{"input glob inside output", "model: {ref: org/m}\ninput: {paths: [\"out/*.parquet\"]}\noutput: {dir: out}\n",
			3, 15, "output.dir", `overlaps input.paths[0] (/jobs/out/*.parquet)`},
		{"input inside output", "model: {ref: org/m}\ninput: {paths: [out/part-0.parquet]}\noutput: {dir: ./out/}\n",
			3, 15, "output.dir", `overlaps input.paths[0] (/jobs/out/part-0.parquet)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := parseProblems(t, tt.src)
			if len(ps) != 1 {
				t.Fatalf("want one problem, got %d:\n%v", len(ps), ps)
			}
			p := ps[0]
			if p.File != testFile || p.Line != tt.line || p.Col != tt.col || p.Path != tt.path ||
				!strings.Contains(p.Message, tt.msg) {
				t.Errorf("got  %s\nwant %s:%d:%d: %s: …%s…", p, testFile, tt.line, tt.col, tt.path, tt.msg)
			}
		})
	}
}

// TestEveryFormatParses reads a text job in each input format io/dataset knows.
func TestEveryFormatParses(t *testing.T) {
	for _, f := range dataset.Formats() {
		t.Run(string(f), func(t *testing.T) {
			src := "model: {ref: org/m}\ninput: {paths: [d], format: " + string(f) + ", text_column: text}\noutput: {dir: o}\n"
			job, err := Parse(testFile, []byte(src), lookupTestEnv)
			if err != nil {
				t.Fatal(err)
			}
			if job.Input.Format != Format(f) {
				t.Errorf("input.format = %q, want %q", job.Input.Format, f)
			}
		})
	}
}
