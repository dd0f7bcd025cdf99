package inputfile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// TestOpenAndStat reads the same bytes as a local file and as an object, by the paths Open takes.
func TestOpenAndStat(t *testing.T) {
	data := []byte("id,text\n1,hello\n2,world\n")
	local := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(local, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := objstore.NewStore(objstore.Location{Scheme: objstore.S3, Bucket: "mem-inputfile"}, memblob.OpenBucket(nil))
	t.Cleanup(Register(s))
	if err := s.Put(context.Background(), "k=a%2Fb/a.csv", data); err != nil {
		t.Fatal(err)
	}
	remote := ObjectPath(s.Location(), "k=a%2Fb/a.csv")
	if remote != "s3://mem-inputfile/k=a%2Fb/a.csv" {
		t.Fatalf("ObjectPath = %q", remote)
	}
	for _, p := range []string{local, remote} {
		t.Run(p, func(t *testing.T) {
			info, err := Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != int64(len(data)) || info.ModTime.Location() != time.UTC || (IsRemote(p) && info.ETag == "") {
				t.Errorf("Stat = %+v", info)
			}
			f, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Seek(8, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(f)
			if err != nil || !bytes.Equal(got, data[8:]) {
				t.Errorf("read from 8: %q, %v", got, err)
			}
			head := make([]byte, 2)
			if _, err := f.ReadAt(head, 0); err != nil || string(head) != "id" {
				t.Errorf("ReadAt 0: %q, %v", head, err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	s := objstore.NewStore(objstore.Location{Scheme: objstore.S3, Bucket: "mem-errors"}, memblob.OpenBucket(nil))
	t.Cleanup(Register(s))
	tests := []struct {
		path     string
		want     string
		notFound bool
	}{
		{path: "s3://mem-errors/missing.csv", want: "s3://mem-errors/missing.csv", notFound: true},
		{path: "s3://mem-errors", want: "not the path of an object"},
		{path: "s3://mem-errors/dir/", want: "not the path of an object"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := Open(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, objstore.ErrNotFound) != tt.notFound {
				t.Errorf("Open = %v; want an error with %q (not found: %v)", err, tt.want, tt.notFound)
			}
		})
	}
}

func TestInfoSame(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := Info{Size: 10, ModTime: now, ETag: `"abc"`}
	tests := []struct {
		name  string
		other Info
		want  bool
	}{
		{"equal", base, true},
		{"size", Info{Size: 11, ModTime: now, ETag: `"abc"`}, false},
		{"time", Info{Size: 10, ModTime: now.Add(time.Second), ETag: `"abc"`}, false},
		{"etag", Info{Size: 10, ModTime: now, ETag: `"abd"`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := base.Same(tt.other); got != tt.want {
				t.Errorf("Same = %v, want %v", got, tt.want)
			}
		})
	}
}
