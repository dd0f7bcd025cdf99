package csvio

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/chunk"
)

func TestMalformed(t *testing.T) {
	tests := []struct {
		name, content, wantErr string
		rows                   int64
	}{
		{name: "header only", content: "id,input_ids\n", rows: 0},
		{name: "byte-order mark", content: "\xef\xbb\xbfid,input_ids\n1,\"[1]\"\n", rows: 1},
		{name: "crlf", content: "id,input_ids\r\n1,\"[1, 2]\"\r\n2,[3]\r\n", rows: 2},
		{name: "empty", content: "", wantErr: "x.csv: file is empty; a CSV input needs a header row"},
		{name: "unbalanced quote", content: "id,input_ids\n1,\"[1]\n2,[2]\n", wantErr: "x.csv: malformed CSV at line"},
		{name: "field count", content: "id,input_ids\n1,[1]\n2,[2],extra\n", wantErr: "x.csv: malformed CSV at line 3: wrong number of fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.csv")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			var rows int64
			r, err := Open(path, Options{TokenColumns: []string{"input_ids"}}, nil)
			if err == nil {
				err = r.Read(context.Background(), []string{"id", "input_ids"}, 4, nil, func(c chunk.Chunk) error {
					rows += c.Unit.Rows
					if len(c.Problems) > 0 {
						t.Errorf("problems: %v", c.Problems[0])
					}
					c.Release()
					return nil
				})
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || rows != tc.rows {
				t.Fatalf("read %d rows, error %v; want %d rows", rows, err, tc.rows)
			}
		})
	}
}

func TestColumnNotInHeader(t *testing.T) {
	r, err := Open("../testdata/tokens.csv", Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Read(context.Background(), []string{"label"}, 4, nil, func(c chunk.Chunk) error { c.Release(); return nil })
	if err == nil || !strings.Contains(err.Error(), `tokens.csv: column "label" not found; the header has`) {
		t.Fatalf("error = %v", err)
	}
}
