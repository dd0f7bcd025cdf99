package parquetio

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"gocloud.dev/blob/memblob"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/parquetio/rangetest"
)

// memObject puts data into a fresh in-memory bucket and opens it for ranged
// reads.
func memObject(t *testing.T, data []byte) *objstore.File {
	t.Helper()
	ctx := context.Background()
	s := objstore.NewStore(objstore.Location{Scheme: objstore.S3, Bucket: "mem"}, memblob.OpenBucket(nil))
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Put(ctx, "in/x.parquet", data); err != nil {
		t.Fatal(err)
	}
	f, err := s.OpenFile(ctx, "in/x.parquet")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReadRowRangesFromObjects reads the units of pyarrow's files through
// ranged reads of an object, resumes and page boundaries included, and
// compares each row with pyarrow's reading.
func TestReadRowRangesFromObjects(t *testing.T) {
	rangetest.Python(t)
	dir := t.TempDir()
	read := func(ctx context.Context, path string, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r, err := OpenSource(path, memObject(t, data), remoteBufferSize, nil)
		if err != nil {
			return err
		}
		defer r.Close()
		return r.Read(ctx, columns, maxRows, skip, emit)
	}
	for _, tc := range rangetest.Cases[:6] {
		t.Run(tc.Case.Name, func(t *testing.T) {
			f := rangetest.Generate(t, dir, tc.Case)
			rangetest.Check(t, read, f, tc.UnitRows, 4)
		})
	}
}

// TestReadOneColumnFetchesLittle reads the small column of a file whose
// other column holds nearly all its bytes: only the footer and that
// column's chunks are fetched.
func TestReadOneColumnFetchesLittle(t *testing.T) {
	const rows, groups, blobSize = 2000, 4, 1024
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "payload", Type: arrow.BinaryTypes.Binary},
	}, nil)
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rows/groups), parquet.WithDictionaryDefault(false))
	w, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, rows)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := range rows {
		texts[i] = fmt.Sprintf("row %d", i)
		b.Field(0).(*array.StringBuilder).Append(texts[i])
		payload := make([]byte, blobSize)
		for j := range payload {
			payload[j] = byte(rng.Uint32())
		}
		b.Field(1).(*array.BinaryBuilder).Append(payload)
	}
	rec := b.NewRecordBatch()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	b.Release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	obj := memObject(t, data)
	r, err := OpenSource("s3://mem/in/x.parquet", obj, remoteBufferSize, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	err = r.Read(context.Background(), []string{"text"}, 300, nil, func(c chunk.Chunk) error {
		defer c.Release()
		col := c.Record.Column(0).(*array.String)
		for i := range col.Len() {
			got = append(got, col.Value(i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != rows {
		t.Fatalf("read %d rows, want %d", len(got), rows)
	}
	for i := range got {
		if got[i] != texts[i] {
			t.Fatalf("row %d = %q, want %q", i, got[i], texts[i])
		}
	}
	size, fetched := int64(len(data)), obj.BytesRead()
	t.Logf("file %d bytes; fetched %d bytes in %d requests", size, fetched, obj.Requests())
	if fetched*20 > size {
		t.Errorf("fetched %d of the file's %d bytes to read its small column; want under 5%%", fetched, size)
	}
}

// TestOpenOfAnObjectPath opens a Parquet object by its s3:// path.
func TestOpenOfAnObjectPath(t *testing.T) {
	path := filepath.Join("..", "testdata", "tokens_i32.parquet")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	local, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	remote, err := OpenSource("s3://mem/in/x.parquet", memObject(t, data), remoteBufferSize, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	if !remote.Schema().Equal(local.Schema()) || remote.NumRows() != local.NumRows() {
		t.Errorf("object: %v, %d rows; file: %v, %d rows", remote.Schema(), remote.NumRows(), local.Schema(), local.NumRows())
	}
}
