package jsonlio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInferredSchema(t *testing.T) {
	lines := []string{
		`{"b": true, "i": 1, "f": 1, "s": "x", "mixed": 1, "obj": {"k": 1}, "arr": [1], "nul": null, "ids": [1, 2], "late": null}`,
		``,
		`{"b": false, "i": -2, "f": 2.5, "s": "y", "mixed": "z", "obj": null, "arr": [2], "nul": null, "ids": "[3]"}`,
		`{"late": 5}`,
	}
	path := filepath.Join(t.TempDir(), "x.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		inferRows int
		want      string
	}{
		{inferRows: 0, want: "b:bool i:int64 f:float64 s:utf8 mixed:utf8 obj:utf8 arr:utf8 nul:null ids:list<item: int64, nullable> late:int64"},
		{inferRows: 2, want: "b:bool i:int64 f:float64 s:utf8 mixed:utf8 obj:utf8 arr:utf8 nul:null ids:list<item: int64, nullable> late:null"},
		{inferRows: 1, want: "b:bool i:int64 f:int64 s:utf8 mixed:int64 obj:utf8 arr:utf8 nul:null ids:list<item: int64, nullable> late:null"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			r, err := Open(path, Options{TokenColumns: []string{"ids"}, InferRows: tc.inferRows}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Schema().Fields() {
				got = append(got, f.Name+":"+f.Type.String())
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("schema %s\nwant   %s", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestOpenEmpty(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "blank lines": "\n  \n", "no object": "[1, 2]\n"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, Options{}, nil)
			if err == nil || !strings.Contains(err.Error(), "x.jsonl: no JSON object") {
				t.Fatalf("Open error = %v, want one naming the file and saying no JSON object was found", err)
			}
		})
	}
}
