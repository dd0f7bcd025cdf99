// Package rangetest checks that a Parquet reader returns the right rows for
// every unit of a file, however the units fall against the file's data pages,
// by comparing them with what pyarrow reads from the same file.
//
// Files are written by pyarrow (testdata/ranges.py, run with
// $BERTBATCH_PYTHON) from a Case; the checks run any reader that has the
// unit API of io/parquetio (a ReadFunc), so that other Parquet libraries can
// be held to the same tests. Tests skip when $BERTBATCH_PYTHON is not set.
package rangetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// Case describes one file for pyarrow to write. Zero values take pyarrow's
// defaults where the field says so.
type Case struct {
	Name string `json:"name"`
	Seed int    `json:"seed"`
	Rows int    `json:"rows"`
	// RowGroupRows is pyarrow's row_group_size (0: pyarrow's default).
	RowGroupRows int `json:"row_group_rows"`
	// DataPageSize is pyarrow's data_page_size in bytes (0: its default, 1 MiB).
	DataPageSize int `json:"data_page_size"`
	// DataPageVersion is "1.0" (default) or "2.0".
	DataPageVersion string `json:"data_page_version"`
	// Dictionary turns dictionary encoding on; off means plain encoding.
	Dictionary bool `json:"dictionary"`
	// Delta encodes the integer columns as DELTA_BINARY_PACKED.
	Delta bool `json:"delta"`
	// PageIndex writes the page index (offset and column indexes) into the
	// file under test.
	PageIndex bool `json:"page_index"`
	// Compression is the codec ("" means snappy).
	Compression string `json:"compression"`
	// IDType is the passthrough column's type: "int64" or "string".
	IDType string `json:"id_type"`
	// IDNullFraction is the share of null ids.
	IDNullFraction float64 `json:"id_null_fraction"`
	// Text writes a text column instead of the token columns.
	Text bool `json:"text"`
	// TokenType is the token lists' value type: "int32" or "int64".
	TokenType string `json:"token_type"`
	// MinLen and MaxLen bound a row's token (or word) count; 2% of rows
	// hold 4×MaxLen.
	MinLen int `json:"min_len"`
	MaxLen int `json:"max_len"`
	// Vocab bounds the token ids.
	Vocab int `json:"vocab"`
}

// Columns returns the columns the case's file holds, in order.
func (c Case) Columns() []string {
	if c.Text {
		return []string{"id", "text"}
	}
	return []string{"id", "input_ids", "attention_mask", "token_type_ids"}
}

// File is a file written for a Case and what pyarrow read back from it.
type File struct {
	Case Case
	Path string
	// Want holds each column's values per row, as pyarrow reads them.
	Want map[string][]any
	// RowGroups holds each row group's row count.
	RowGroups []int64
	// Pages holds, per row group, the row-group-relative rows at which a data
	// page of some column starts (0 excluded), sorted.
	Pages [][]int64
}

// Python returns $BERTBATCH_PYTHON, or skips t when it is not set.
func Python(t testing.TB) string {
	t.Helper()
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Skip("BERTBATCH_PYTHON is not set; run through `make test` or eval \"$(make env)\" to check rows against pyarrow")
	}
	return py
}

// Generate writes c's file into dir with pyarrow and loads what pyarrow
// reads back and where the file's pages start.
func Generate(t testing.TB, dir string, c Case) *File {
	t.Helper()
	py := Python(t)
	spec, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, c.Name+".parquet")
	cmd := exec.Command(py, script(), string(spec), path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ranges.py %s: %v\n%s", spec, err, out)
	}
	f, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Case = c
	if f.Pages, err = pageStarts(path+".pages", f.RowGroups); err != nil {
		t.Fatal(err)
	}
	return f
}

// WriteFile writes c's file alone into dir with pyarrow, run by python, and
// returns its path: the files that benchmarks read.
func WriteFile(python, dir string, c Case) (string, error) {
	spec, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, c.Name+".parquet")
	if out, err := exec.Command(python, script(), string(spec), path, "--file-only").CombinedOutput(); err != nil {
		return "", fmt.Errorf("ranges.py %s: %w\n%s", spec, err, out)
	}
	return path, nil
}

// script returns the path of testdata/ranges.py beside this source file.
func script() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "testdata", "ranges.py")
}

// load reads path.json, written by ranges.py.
func load(path string) (*File, error) {
	data, err := os.ReadFile(path + ".json")
	if err != nil {
		return nil, err
	}
	var raw struct {
		Columns   map[string][]any `json:"columns"`
		RowGroups []int64          `json:"row_groups"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s.json: %w", path, err)
	}
	want := make(map[string][]any, len(raw.Columns))
	for name, vals := range raw.Columns {
		norm := make([]any, len(vals))
		for i, v := range vals {
			if norm[i], err = normalizeJSON(v); err != nil {
				return nil, fmt.Errorf("%s.json: column %q row %d: %w", path, name, i, err)
			}
		}
		want[name] = norm
	}
	return &File{Path: path, Want: want, RowGroups: raw.RowGroups}, nil
}

// ReadFunc reads the named columns of path in units of at most maxRows rows,
// skipping those skip marks done, with the contract of parquetio.Reader.Read.
type ReadFunc func(ctx context.Context, path string, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error

// errStop ends a read once the checked units have been seen.
var errStop = errors.New("rangetest: enough units read")

// readUnits reads f with read and checks every emitted unit against pyarrow's
// rows. It stops after limit units when limit > 0, and returns the units seen.
func readUnits(t *testing.T, read ReadFunc, f *File, maxRows int64, skip chunk.Skip, limit int) []chunk.Unit {
	t.Helper()
	var seen []chunk.Unit
	err := read(t.Context(), f.Path, f.Case.Columns(), maxRows, skip, func(c chunk.Chunk) error {
		defer c.Release()
		seen = append(seen, c.Unit)
		if err := compareChunk(f, c); err != nil {
			return err
		}
		if limit > 0 && len(seen) == limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		t.Fatalf("units of %d rows: %v", maxRows, err)
	}
	return seen
}

// expectUnits lists the units a reader must yield for f: each row group
// split into slices of at most maxRows rows.
func expectUnits(f *File, maxRows int64) []chunk.Unit {
	var units []chunk.Unit
	var start int64
	for _, n := range f.RowGroups {
		for off := int64(0); off < n; off += maxRows {
			units = append(units, chunk.Unit{File: f.Path, Index: len(units), RowStart: start + off, Rows: min(maxRows, n-off)})
		}
		start += n
	}
	return units
}
