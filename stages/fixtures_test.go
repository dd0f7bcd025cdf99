package stages

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// columns builds an input table column by column; write stores it as Parquet.
type columns struct {
	fields []arrow.Field
	arrays []arrow.Array
}

func (c *columns) add(name string, a arrow.Array) *columns {
	c.fields = append(c.fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
	c.arrays = append(c.arrays, a)
	return c
}

// int64s adds an int64 column.
func (c *columns) int64s(name string, v []int64) *columns {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return c.add(name, b.NewArray())
}

// strs adds a string column; the rows listed in nulls are null.
func (c *columns) strs(name string, v []string, nulls ...int) *columns {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i, s := range v {
		if contains(nulls, i) {
			b.AppendNull()
		} else {
			b.Append(s)
		}
	}
	return c.add(name, b.NewArray())
}

// lists adds a list column of elem (an integer or float type); the rows listed in nulls are null.
func (c *columns) lists(name string, elem arrow.DataType, v [][]int32, nulls ...int) *columns {
	b := array.NewListBuilder(memory.DefaultAllocator, elem)
	defer b.Release()
	for i, row := range v {
		if contains(nulls, i) {
			b.AppendNull()
			continue
		}
		b.Append(true)
		for _, x := range row {
			switch vb := b.ValueBuilder().(type) {
			case *array.Int8Builder:
				vb.Append(int8(x))
			case *array.Int32Builder:
				vb.Append(x)
			case *array.Int64Builder:
				vb.Append(int64(x))
			case *array.Float32Builder:
				vb.Append(float32(x))
			default:
				panic(fmt.Sprintf("lists: element type %s", elem))
			}
		}
	}
	return c.add(name, b.NewArray())
}

// write stores the table as a Parquet file with row groups of at most rowGroup rows.
func (c *columns) write(t testing.TB, path string, rowGroup int64) {
	t.Helper()
	rec := array.NewRecordBatch(arrow.NewSchema(c.fields, nil), c.arrays, -1)
	defer rec.Release()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rowGroup))
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBuffered(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func contains(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// tokenRows makes n rows of token ids for tiny-bert (vocabulary 512): [CLS]=2, ids in
// [5, 512), [SEP]=3, of lengths minLen..maxLen, seeded.
func tokenRows(seed uint64, n, minLen, maxLen int) [][]int32 {
	r := rand.New(rand.NewPCG(seed, 7))
	rows := make([][]int32, n)
	for i := range rows {
		l := minLen + r.IntN(maxLen-minLen+1)
		row := make([]int32, l)
		row[0], row[l-1] = 2, 3
		for j := 1; j < l-1; j++ {
			row[j] = int32(5 + r.IntN(507))
		}
		rows[i] = row
	}
	return rows
}

// words is the vocabulary of the test texts; every word is in tiny-bert's vocabulary or splits
// into pieces that are.
var words = strings.Fields("the a of and to in is it that was for on are with as his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find")

// texts makes n texts of 1..maxWords words, seeded.
func texts(seed uint64, n, maxWords int) []string {
	r := rand.New(rand.NewPCG(seed, 11))
	out := make([]string, n)
	for i := range out {
		k := 1 + r.IntN(maxWords)
		w := make([]string, k)
		for j := range w {
			w[j] = words[r.IntN(len(words))]
		}
		out[i] = strings.Join(w, " ")
	}
	return out
}

// ids returns first, first+1, … (n values).
func ids(first, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(first + i)
	}
	return out
}

// writeJSONL writes one JSON object a line.
func writeJSONL(t testing.TB, path string, rows []map[string]any) {
	t.Helper()
	var b strings.Builder
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	writeText(t, path, b.String())
}

// writeText writes a file, making its folder.
func writeText(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
