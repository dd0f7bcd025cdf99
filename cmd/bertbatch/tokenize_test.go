package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallTokenizer is a BERT tokenizer.json with an eight-token vocabulary.
const smallTokenizer = `{"version": "1.0", "truncation": null, "padding": null,
 "added_tokens": [{"id": 2, "content": "[CLS]", "special": true, "normalized": false},
                  {"id": 3, "content": "[SEP]", "special": true, "normalized": false}],
 "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
 "pre_tokenizer": {"type": "BertPreTokenizer"},
 "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
 "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
           "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "##s": 6, "!": 7}}}`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTokenize(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	wordLevel := filepath.Join(dir, "wordlevel")
	for _, d := range []string{model, wordLevel} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, model, "tokenizer.json", smallTokenizer)
	writeFile(t, wordLevel, "tokenizer.json", `{"version": "1.0", "model": {"type": "WordLevel", "vocab": {}, "unk_token": "[UNK]"}}`)
	for _, d := range []string{model, wordLevel} { // a complete-looking model folder
		writeFile(t, d, "config.json", `{"model_type": "bert"}`)
		writeFile(t, d, "model.safetensors", "")
	}
	input := func(body string) string { return writeFile(t, dir, fmt.Sprintf("in%d.jsonl", len(body)), body) }
	good := input("{\"text\": \"Hello worlds!\"}\r\n\n  \n{\"text\": \"hello\", \"text_pair\": \"World\"}\n{\"text\": \"\"}")
	badLine := input("{\"text\": \"hello\"}\n\n{\"text\": \"hello\",}\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"texts and pairs", []string{"--model", model, "--input", good}, exitOK,
			`{"input_ids":[2,4,5,6,7,3],"token_type_ids":[0,0,0,0,0,0]}` + "\n" +
				`{"input_ids":[2,4,3,5,3],"token_type_ids":[0,0,0,1,1]}` + "\n" +
				`{"input_ids":[2,3],"token_type_ids":[0,0]}` + "\n", ""},
		{"truncated", []string{"--model", model, "--input", good, "--max-length", "4"}, exitOK,
			`{"input_ids":[2,4,5,3],"token_type_ids":[0,0,0,0]}` + "\n" +
				`{"input_ids":[2,3,5,3],"token_type_ids":[0,0,1,1]}` + "\n" + // tokenizers gives the same
				`{"input_ids":[2,3],"token_type_ids":[0,0]}` + "\n", ""},
		{"bad JSON line", []string{"--model", model, "--input", badLine}, exitFailed, "", badLine + ": line 3: not a JSON object"},
		{"no text", []string{"--model", model, "--input", input(`{"txt": "hello"}`)}, exitFailed, "", `line 1: no "text" field`},
		{"text not a string", []string{"--model", model, "--input", input(`{"text": ["a"]}`)}, exitFailed, "", `line 1: field "text" must be a string, not a JSON array`},
		{"two values on a line", []string{"--model", model, "--input", input(`{"text": "a"} {"text": "b"}`)}, exitFailed, "", "line 1: more than one JSON value"},
		{"limit too small for a pair", []string{"--model", model, "--input", good, "--max-length", "2"}, exitFailed, "", "line 4: --max-length: max length 2 cannot hold the 3 special tokens of a text pair"},
		{"limit too small for a text", []string{"--model", model, "--input", good, "--max-length", "1"}, exitUsage, "", "--max-length: max length 1 cannot hold the 2 special tokens"},
		{"negative limit", []string{"--model", model, "--max-length", "-1"}, exitUsage, "", "--max-length >= 0"},
		{"no model", []string{"--input", good}, exitUsage, "", "need --model"},
		{"model folder missing", []string{"--model", filepath.Join(dir, "none")}, exitFailed, "", "--model " + filepath.Join(dir, "none")},
		{"unsupported tokenizer", []string{"--model", wordLevel}, exitFailed, "", `model.type "WordLevel" is not supported`},
		{"input missing", []string{"--model", model, "--input", filepath.Join(dir, "none.jsonl")}, exitFailed, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), append([]string{"tokenize"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if stdout.String() != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestTokenizeMatchesTokenizers feeds the tokenizer parity corpus of bert/wordpiece (written with
// HF tokenizers by its testdata/gen_parity.py) through the command, with the real
// all-MiniLM-L6-v2 folder, and compares every output line with the reference ids.
func TestTokenizeMatchesTokenizers(t *testing.T) {
	model := os.Getenv("BERTBATCH_MODEL_DIR")
	if model == "" {
		t.Skip("BERTBATCH_MODEL_DIR is not set (make test sets it after `make model`)")
	}
	const testdata = "../../bert/wordpiece/testdata"
	var rows [][]byte
	readGzipLines(t, filepath.Join(testdata, "corpus.jsonl.gz"), func(line []byte) { rows = append(rows, line) })
	want := map[string]string{} // "row max_length" -> expected output line
	readGzipLines(t, filepath.Join(testdata, "expected/uncased.jsonl.gz"), func(line []byte) {
		var e struct {
			Row          int             `json:"row"`
			MaxLength    int             `json:"max_length"`
			InputIDs     json.RawMessage `json:"input_ids"`
			TokenTypeIDs json.RawMessage `json:"token_type_ids"`
		}
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprint(e.Row, e.MaxLength)] = fmt.Sprintf(`{"input_ids":%s,"token_type_ids":%s}`, e.InputIDs, e.TokenTypeIDs)
	})
	input := writeFile(t, t.TempDir(), "corpus.jsonl", string(bytes.Join(rows, []byte("\n"))))
	for _, maxLength := range []int{512, 0} { // 0: the model's own limit (max_seq_length 256)
		t.Run(fmt.Sprint("max-length ", maxLength), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"tokenize", "--model", model, "--input", input, "--max-length", fmt.Sprint(maxLength)}
			if code := dispatch(context.Background(), args, &stdout, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(got) != len(rows) {
				t.Fatalf("%d output lines for %d input lines", len(got), len(rows))
			}
			bad := 0
			for i, line := range got {
				if line != want[fmt.Sprint(i, maxLength)] {
					if bad++; bad <= 5 {
						t.Errorf("line %d: got %s\nwant %s", i+1, line, want[fmt.Sprint(i, maxLength)])
					}
				}
			}
		})
	}
}

func readGzipLines(t *testing.T, path string, fn func([]byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		fn(bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
