package parquetio

import (
	"context"
	"testing"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/parquetio/rangetest"
)

// readFile is the unit API of Reader as a rangetest.ReadFunc.
func readFile(ctx context.Context, path string, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	r, err := Open(path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Read(ctx, columns, maxRows, skip, emit)
}

// rangeCases are the files the row-range tests read: pages of many sizes
// against units of many sizes, each encoding, token lists and text.
var rangeCases = []struct {
	c        rangetest.Case
	unitRows []int64
	long     bool // skipped with -short
}{
	{c: rangetest.Case{Name: "report_64k_pages", Rows: 6000, RowGroupRows: 6000, DataPageSize: 65536, Dictionary: true,
		IDType: "int64", TokenType: "int32", MinLen: 5, MaxLen: 60, Vocab: 30522}, unitRows: []int64{500, 1000}},
	{c: rangetest.Case{Name: "tiny_pages_dictionary", Rows: 3000, RowGroupRows: 3000, DataPageSize: 1024, Dictionary: true,
		IDType: "int64", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 200}, unitRows: []int64{500, 128}},
	{c: rangetest.Case{Name: "tiny_pages_plain", Rows: 3000, RowGroupRows: 3000, DataPageSize: 1024,
		IDType: "string", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 30522}, unitRows: []int64{500, 97}},
	{c: rangetest.Case{Name: "text_plain", Rows: 4000, RowGroupRows: 4000, DataPageSize: 1024,
		IDType: "string", IDNullFraction: 0.2, Text: true, MinLen: 1, MaxLen: 30}, unitRows: []int64{500, 333}},
	{c: rangetest.Case{Name: "text_dictionary_64k", Rows: 6000, DataPageSize: 65536, Dictionary: true,
		IDType: "int64", IDNullFraction: 0.05, Text: true, MinLen: 1, MaxLen: 60}, unitRows: []int64{500}},
	{c: rangetest.Case{Name: "int64_tokens_v2_pages_row_groups", Rows: 5000, RowGroupRows: 1200, DataPageSize: 4096,
		DataPageVersion: "2.0", Dictionary: true, IDType: "int64", IDNullFraction: 0.1, TokenType: "int64",
		MinLen: 2, MaxLen: 50, Vocab: 30522}, unitRows: []int64{500, 1200, 250}},
	{c: rangetest.Case{Name: "page_index", Rows: 4000, RowGroupRows: 2500, DataPageSize: 2048, PageIndex: true,
		IDType: "string", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 30522}, unitRows: []int64{500, 300}},
	{c: rangetest.Case{Name: "delta_uncompressed", Rows: 3000, RowGroupRows: 3000, DataPageSize: 2048, Delta: true,
		Compression: "none", IDType: "int64", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 30522},
		unitRows: []int64{500}},
	{c: rangetest.Case{Name: "default_options_150k", Rows: 150_000, Dictionary: true,
		IDType: "int64", TokenType: "int32", MinLen: 2, MaxLen: 12, Vocab: 30522}, unitRows: []int64{8192}, long: true},
}

// TestReadRowRanges reads units at every place of files that pyarrow wrote
// (see rangetest.Check) and compares each row with pyarrow's reading.
func TestReadRowRanges(t *testing.T) {
	rangetest.Python(t)
	dir := t.TempDir()
	for i, tc := range rangeCases {
		t.Run(tc.c.Name, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("long case; runs without -short")
			}
			tc.c.Seed = i + 1
			f := rangetest.Generate(t, dir, tc.c)
			rangetest.Check(t, readFile, f, tc.unitRows, 8)
		})
	}
}
