package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// fingerprintsOf opens the one file path as a dataset and returns its fingerprinter.
func fingerprintsOf(t *testing.T, path string) *Fingerprints {
	t.Helper()
	d, err := openPaths(t, Spec{Passthrough: []string{"id"}}, 0, path)
	if err != nil {
		t.Fatal(err)
	}
	fs := d.Fingerprints()
	t.Cleanup(func() { fs.Close() })
	return fs
}

func digestOf(t *testing.T, fs *Fingerprints, path string, start, end int64) string {
	t.Helper()
	fp, err := fs.Of(path, start, end)
	if err != nil {
		t.Fatalf("rows %d to %d: %v", start, end, err)
	}
	return fp.Digest
}

func copyFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFingerprintCopyKeepsDigest: the same bytes with another modification
// time fingerprint alike in every format.
func TestFingerprintCopyKeepsDigest(t *testing.T) {
	for _, name := range []string{"tokens.csv", "tokens.tsv", "tokens.jsonl", "tokens.arrow", "tokens.arrows", "tokens_i64.parquet"} {
		t.Run(name, func(t *testing.T) {
			path := copyFixture(t, name)
			fs := fingerprintsOf(t, path)
			before := digestOf(t, fs, path, 0, 10)
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
			if _, err := fs.Of(path, 0, 10); err == nil || !strings.Contains(err.Error(), "changed while this run was reading it") {
				t.Errorf("a file touched during the run: %v, want an error", err)
			}
			fs = fingerprintsOf(t, path) // the next run
			fp, err := fs.Of(path, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if fp.Digest != before || !fp.ModTime.Equal(later.UTC().Truncate(0)) && fp.ModTime.Unix() != later.Unix() {
				t.Errorf("after touching: digest %s (was %s), mtime %v", fp.Digest, before, fp.ModTime)
			}
			if _, err := fs.Of(path, 0, 1_000_000); !errors.As(err, new(*chunk.ShortError)) {
				t.Errorf("rows past the end: %v, want a *chunk.ShortError", err)
			}
		})
	}
}

// TestTextFingerprintRanges checks the text rule against the files' bytes:
// a JSON Lines range is its lines; a CSV range starts after the header.
func TestTextFingerprintRanges(t *testing.T) {
	jsonl := copyFixture(t, "tokens.jsonl")
	csv := copyFixture(t, "tokens.csv")
	data, _ := os.ReadFile(jsonl)
	lines := bytes.SplitAfter(data, []byte("\n"))
	csvData, _ := os.ReadFile(csv)
	csvRows := int64(len(loadExpected(t, "tokens.csv").Rows))
	tests := []struct {
		name       string
		path       string
		start, end int64
		bytes      []byte
	}{
		{"jsonl first row", jsonl, 0, 1, lines[0]},
		{"jsonl rows 3 to 5", jsonl, 3, 5, bytes.Join(lines[3:5], nil)},
		{"jsonl whole", jsonl, 0, int64(len(lines) - 1), data},
		{"csv whole", csv, 0, csvRows, csvData[bytes.IndexByte(csvData, '\n')+1:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum := sha256.Sum256(tc.bytes)
			if got := digestOf(t, fingerprintsOf(t, tc.path), tc.path, tc.start, tc.end); got != hex.EncodeToString(sum[:]) {
				t.Errorf("digest %s, want the SHA-256 of the rows' bytes %x", got, sum)
			}
		})
	}
}

// TestTextFingerprintChanges edits a text file and checks which ranges change.
func TestTextFingerprintChanges(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(data []byte) []byte
		first, last string // "same", "differs" or "short"
	}{
		{"byte in the first range", func(d []byte) []byte { return bytes.Replace(d, []byte("row 2,"), []byte("row 9,"), 1) }, "differs", "same"},
		{"byte in the last range", func(d []byte) []byte { return bytes.Replace(d, []byte("row 18,"), []byte("row 81,"), 1) }, "same", "differs"},
		{"cut inside the last range", func(d []byte) []byte { return d[:bytes.Index(d, []byte(`"id": 15,`))] }, "same", "short"},
		{"rows appended", func(d []byte) []byte { return append(d, d[:bytes.IndexByte(d, '\n')+1]...) }, "same", "same"},
		{"blank lines appended", func(d []byte) []byte { return append(d, "\n\n"...) }, "same", "same"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := copyFixture(t, "tokens.jsonl")
			fs := fingerprintsOf(t, path)
			first, last := digestOf(t, fs, path, 0, 10), digestOf(t, fs, path, 10, 20)
			data, _ := os.ReadFile(path)
			if err := os.WriteFile(path, tc.edit(data), 0o644); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
			fs = fingerprintsOf(t, path) // the next run
			checkRange(t, fs, path, 0, 10, first, tc.first)
			checkRange(t, fs, path, 10, 20, last, tc.last)
		})
	}
}

func checkRange(t *testing.T, fs *Fingerprints, path string, start, end int64, was, want string) {
	t.Helper()
	fp, err := fs.Of(path, start, end)
	got := "differs"
	switch {
	case errors.As(err, new(*chunk.ShortError)):
		got = "short"
	case err != nil:
		t.Fatalf("rows %d to %d: %v", start, end, err)
	case fp.Digest == was:
		got = "same"
	}
	if got != want {
		t.Errorf("rows %d to %d: %s, want %s", start, end, got, want)
	}
}

// TestBinaryFingerprintChanges rewrites Parquet and Arrow files with other
// rows and checks which ranges change: rows in the range's row groups or
// batches, or fewer rows than it needs, change it; the same rows written
// again do not.
func TestBinaryFingerprintChanges(t *testing.T) {
	ids := func(n int, changed int) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(i)
		}
		if changed >= 0 {
			v[changed] = -1
		}
		return v
	}
	tests := []struct {
		name        string
		rows        []int64
		first, last string
	}{
		{"same rows written again", ids(15000, -1), "same", "same"},
		{"a value in the first range", ids(15000, 10), "differs", "same"},
		{"a value in the last range", ids(15000, 12000), "same", "differs"},
		{"shrunk to 500 rows", ids(500, -1), "short", "short"},
	}
	writers := map[string]func(t *testing.T, path string, ids []int64){"parquet": writeParquetIDs, "arrow": writeArrowIDs}
	for ext, write := range writers {
		for _, tc := range tests {
			t.Run(ext+"/"+tc.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "ids."+ext)
				write(t, path, ids(15000, -1))
				fs := fingerprintsOf(t, path)
				first, last := digestOf(t, fs, path, 0, 5000), digestOf(t, fs, path, 10000, 15000)
				write(t, path, tc.rows)
				later := time.Now().Add(time.Minute) // timestamps may be coarser than the two writes are apart
				if err := os.Chtimes(path, later, later); err != nil {
					t.Fatal(err)
				}
				fs = fingerprintsOf(t, path) // the next run
				checkRange(t, fs, path, 0, 5000, first, tc.first)
				checkRange(t, fs, path, 10000, 15000, last, tc.last)
			})
		}
	}
}

// idsRecord returns a record of one int64 column "id".
func idsRecord(ids []int64) arrow.RecordBatch {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(ids, nil)
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(ids)))
}

// writeParquetIDs writes ids uncompressed in row groups of 5,000 rows, so
// that a changed value keeps every size the same.
func writeParquetIDs(t *testing.T, path string, ids []int64) {
	t.Helper()
	rec := idsRecord(ids)
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(5000), parquet.WithDictionaryDefault(false))
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeArrowIDs writes ids as an Arrow IPC file in batches of 5,000 rows.
func writeArrowIDs(t *testing.T, path string, ids []int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := idsRecord(ids)
	defer rec.Release()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(rec.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < rec.NumRows(); off += 5000 {
		part := rec.NewSlice(off, min(off+5000, rec.NumRows()))
		err := w.Write(part)
		part.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTextFingerprint fingerprints a 64 MiB JSON Lines or CSV file in ranges of 8,192 rows, in
// order, as a run's commits do: one pass to find rows, one read of each range's bytes.
func BenchmarkTextFingerprint(b *testing.B) {
	for _, format := range []string{"jsonl", "csv"} {
		b.Run(format, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "big."+format)
			var buf bytes.Buffer
			if format == "csv" {
				buf.WriteString("id,text\n")
			}
			rows := int64(0)
			for ; buf.Len() < 64<<20; rows++ {
				if format == "csv" {
					fmt.Fprintf(&buf, "%d,\"row %d, a sentence of some length to embed, \"\"quoted\"\" words\"\n", rows, rows)
				} else {
					fmt.Fprintf(&buf, "{\"id\": %d, \"text\": \"row %d, a sentence of some length to embed, \\\"quoted\\\" words\"}\n", rows, rows)
				}
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				b.Fatal(err)
			}
			files, err := Discover([]string{path}, FormatAuto)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			for b.Loop() {
				fp, err := newFingerprinter(files[0])
				if err != nil {
					b.Fatal(err)
				}
				for start := int64(0); start < rows; start += 8192 {
					if _, err := fp.Fingerprint(start, min(start+8192, rows)); err != nil {
						b.Fatal(err)
					}
				}
				fp.Close()
			}
		})
	}
}
