package dataset

import (
	"errors"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/arrowio"
	"github.com/bertbatch/bertbatch/io/parquetio"
)

// TestOpenErrors checks that each bad input fails at Open with an error
// naming the file and, where it applies, the column.
func TestOpenErrors(t *testing.T) {
	bad := testdata + "/bad/"
	tests := []struct {
		name        string
		paths       []string
		passthrough []string
		want        []string // substrings of the error
		schemaErr   bool
		is          error
	}{
		{name: "missing column", paths: []string{bad + "missing_column.parquet"}, schemaErr: true,
			want: []string{"missing_column.parquet", `column "input_ids": missing; the file has columns ["id" "text" "attention_mask"`}},
		{name: "ids as strings", paths: []string{bad + "ids_string.parquet"}, schemaErr: true,
			want: []string{"ids_string.parquet", `column "input_ids": has type utf8, but token ids (a list of integers) is needed`}},
		{name: "ids as floats", paths: []string{bad + "ids_float.parquet"}, schemaErr: true,
			want: []string{`column "input_ids": has type list<element: float32, nullable>`}},
		{name: "text as ints", paths: []string{bad + "text_int.parquet"}, schemaErr: true,
			want: []string{`text_int.parquet: column "text": has type int64, but text (string) is needed`}},
		{name: "truncated", paths: []string{bad + "truncated.parquet"}, is: parquetio.ErrCorrupt,
			want: []string{"truncated.parquet: not a valid Parquet file", "written completely"}},
		{name: "garbage footer", paths: []string{bad + "garbage_footer.parquet"}, is: parquetio.ErrCorrupt,
			want: []string{"garbage_footer.parquet: not a valid Parquet file"}},
		{name: "csv named parquet", paths: []string{bad + "not_parquet.parquet"}, is: parquetio.ErrCorrupt,
			want: []string{"not_parquet.parquet: not a valid Parquet file"}},
		{name: "empty parquet", paths: []string{bad + "empty.parquet"}, want: []string{"empty.parquet: file is empty (0 bytes)"}},
		{name: "empty arrow", paths: []string{bad + "empty.arrow"}, want: []string{"empty.arrow: file is empty (0 bytes)"}},
		{name: "parquet named arrow", paths: []string{bad + "renamed.arrow"}, is: arrowio.ErrCorrupt,
			want: []string{"renamed.arrow: not a valid Arrow IPC file or stream"}},
		{name: "mixed schemas", paths: []string{bad + "mixed"}, passthrough: []string{"id"}, schemaErr: true,
			want: []string{`mixed/b.parquet: column "id": has type utf8 here but int64 in ../testdata/bad/mixed/a.parquet`}},
		{name: "passthrough missing", paths: []string{testdata + "/tokens_i32.parquet"}, passthrough: []string{"label"}, schemaErr: true,
			want: []string{`tokens_i32.parquet: column "label": passthrough column missing; the file has columns ["id"`}},
		{name: "passthrough twice", paths: []string{testdata + "/tokens_i32.parquet"}, passthrough: []string{"id", "id"},
			want: []string{`passthrough column "id" is listed twice`}},
		{name: "all problems together", paths: []string{bad + "missing_column.parquet", bad + "text_int.parquet"}, schemaErr: true,
			want: []string{"missing_column.parquet", "text_int.parquet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "parquet named arrow" {
				tc.paths = []string{copyAs(t, testdata+"/tokens_i32.parquet", "renamed.arrow")}
			}
			_, err := openPaths(t, tokenSpec(tc.passthrough...), 0, tc.paths...)
			if err == nil {
				t.Fatal("Open succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			var se *SchemaError
			if tc.schemaErr != errors.As(err, &se) {
				t.Errorf("errors.As(*SchemaError) = %v, want %v (%v)", !tc.schemaErr, tc.schemaErr, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v) is false for %v", tc.is, err)
			}
		})
	}
}

// TestCorruptPages checks that data pages that cannot be decoded fail the
// read (not Open, which only reads the footer) with the file's name.
func TestCorruptPages(t *testing.T) {
	d, err := openPaths(t, tokenSpec(), 0, testdata+"/bad/corrupt_pages.parquet")
	if err != nil {
		t.Fatal(err)
	}
	err = d.Read(t.Context(), nil, func(c Chunk) error { c.Release(); return nil })
	if !errors.Is(err, parquetio.ErrCorrupt) || !strings.Contains(err.Error(), "corrupt_pages.parquet") {
		t.Fatalf("Read error = %v, want a corrupt-file error naming the file", err)
	}
}
