package stages

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/bertbatch/bertbatch/jobs"
)

// modelDir is a tiny test model's folder (testdata/models at the repository root).
func modelDir(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "models", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadJob writes body as dir/job.yaml and loads it; relative paths in it are relative to dir.
func loadJob(t testing.TB, dir, body string) *jobs.Job {
	t.Helper()
	path := filepath.Join(dir, "job.yaml")
	writeText(t, path, body)
	job, err := jobs.Load(path)
	if err != nil {
		t.Fatalf("job file:\n%s\n%v", body, err)
	}
	return job
}

// runJob runs a job in this process.
func runJob(t testing.TB, job *jobs.Job, opts Options) (*Summary, error) {
	t.Helper()
	opts.Logf = t.Logf
	opts.TuneCPU = true // as bertbatch run
	return Run(context.Background(), job, opts)
}

// mustRun runs a job that must succeed.
func mustRun(t testing.TB, job *jobs.Job) *Summary {
	t.Helper()
	s, err := runJob(t, job, Options{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return s
}

// output is an output folder's result parts read back with arrow-go, in name order.
type output struct {
	parts  []string
	schema *arrow.Schema
	rows   int64
	chunks map[string][]arrow.Array
	// kv is the first part's Parquet key-value metadata.
	kv map[string]string
}

// readOutput reads the part files of dir; rejects are read by readRejects.
func readOutput(t testing.TB, dir string) *output {
	t.Helper()
	return readParquets(t, globSorted(t, dir, "part-*.parquet"))
}

// readRejects reads the rejects files of dir (nil when there are none).
func readRejects(t testing.TB, dir string) *output {
	t.Helper()
	paths := globSorted(t, dir, "_rejects-*.parquet")
	if len(paths) == 0 {
		return nil
	}
	return readParquets(t, paths)
}

func globSorted(t testing.TB, dir, pattern string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	return paths
}

func readParquets(t testing.TB, paths []string) *output {
	t.Helper()
	o := &output{parts: paths, chunks: map[string][]arrow.Array{}}
	for _, p := range paths {
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if o.kv == nil {
			o.kv = map[string]string{}
			for _, kv := range rdr.MetaData().KeyValueMetadata() {
				if kv.Value != nil {
					o.kv[kv.Key] = *kv.Value
				}
			}
		}
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		tbl, err := fr.ReadTable(context.Background())
		rdr.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if o.schema == nil {
			o.schema = tbl.Schema()
		} else if !o.schema.Equal(tbl.Schema()) {
			t.Fatalf("%s: schema %s differs from the first part's %s", p, tbl.Schema(), o.schema)
		}
		for i, f := range tbl.Schema().Fields() {
			for _, c := range tbl.Column(i).Data().Chunks() {
				c.Retain()
				o.chunks[f.Name] = append(o.chunks[f.Name], c)
			}
		}
		o.rows += tbl.NumRows()
		tbl.Release()
	}
	return o
}

func (o *output) column(t testing.TB, name string) []arrow.Array {
	t.Helper()
	c, ok := o.chunks[name]
	if !ok && o.rows > 0 {
		t.Fatalf("output has no column %q; schema %s", name, o.schema)
	}
	return c
}

func (o *output) int64s(t testing.TB, name string) []int64 {
	t.Helper()
	var out []int64
	for _, a := range o.column(t, name) {
		out = append(out, a.(*array.Int64).Int64Values()...)
	}
	return out
}

func (o *output) strs(t testing.TB, name string) []string {
	t.Helper()
	var out []string
	for _, a := range o.column(t, name) {
		s := a.(*array.String)
		for i := range s.Len() {
			out = append(out, s.Value(i))
		}
	}
	return out
}

func (o *output) float32s(t testing.TB, name string) []float32 {
	t.Helper()
	var out []float32
	for _, a := range o.column(t, name) {
		out = append(out, a.(*array.Float32).Float32Values()...)
	}
	return out
}

// vectors reads a fixed-size list of float32 or float16 as float32 rows.
func (o *output) vectors(t testing.TB, name string) [][]float32 {
	t.Helper()
	var out [][]float32
	for _, a := range o.column(t, name) {
		l := a.(*array.FixedSizeList)
		dim := int(l.DataType().(*arrow.FixedSizeListType).Len())
		for i := range l.Len() {
			row := make([]float32, dim)
			for j := range dim {
				switch v := l.ListValues().(type) {
				case *array.Float32:
					row[j] = v.Value(i*dim + j)
				case *array.Float16:
					row[j] = v.Value(i*dim + j).Float32()
				default:
					t.Fatalf("column %q: elements of type %s", name, v.DataType())
				}
			}
			out = append(out, row)
		}
	}
	return out
}

// lists reads a list of int32 column.
func (o *output) lists(t testing.TB, name string) [][]int32 {
	t.Helper()
	var out [][]int32
	for _, a := range o.column(t, name) {
		l := a.(*array.List)
		v := l.ListValues().(*array.Int32)
		for i := range l.Len() {
			s, e := l.ValueOffsets(i)
			out = append(out, append([]int32{}, v.Int32Values()[s:e]...))
		}
	}
	return out
}

// folderNames lists dir's entries.
func folderNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkNoPartial checks that dir holds no result or rejects file and no temporary file: only
// the lock and the manifest (with no unit record) may be there.
func checkNoPartial(t testing.TB, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return
	}
	for _, name := range folderNames(t, dir) {
		switch name {
		case ".bertbatch.lock":
		case "_manifest.jsonl":
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), `"kind":"unit"`) || strings.Contains(string(data), `"kind":"begin"`) {
				t.Errorf("manifest records output after a failed run:\n%s", data)
			}
		default:
			t.Errorf("output folder holds %s after a failed run; want no partial output", name)
		}
	}
}
