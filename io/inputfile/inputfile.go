package inputfile

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// File is an input file open for reading.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
}

// Info is what identifies a file's contents at a moment: its size and
// modification time, and for an object its entity tag ("" for local files).
type Info struct {
	Size    int64
	ModTime time.Time
	ETag    string
}

// Same reports whether two Infos describe the same contents as far as they
// tell: equal sizes, times and tags.
func (i Info) Same(o Info) bool {
	return i.Size == o.Size && i.ModTime.Equal(o.ModTime) && i.ETag == o.ETag
}

// IsRemote reports whether path names an object rather than a local file.
func IsRemote(path string) bool { return objstore.IsRemote(path) }

// Open opens path for reading.
func Open(path string) (File, error) {
	if !IsRemote(path) {
		return os.Open(path)
	}
	s, key, err := objectOf(path)
	if err != nil {
		return nil, err
	}
	return s.OpenFile(context.Background(), key)
}

// Stat describes path; modification times are in UTC.
func Stat(path string) (Info, error) {
	if !IsRemote(path) {
		st, err := os.Stat(path)
		if err != nil {
			return Info{}, err
		}
		return Info{Size: st.Size(), ModTime: st.ModTime().UTC()}, nil
	}
	s, key, err := objectOf(path)
	if err != nil {
		return Info{}, err
	}
	o, err := s.Stat(context.Background(), key)
	if err != nil {
		return Info{}, err
	}
	return Info{Size: o.Size, ModTime: o.ModTime.UTC(), ETag: o.ETag}, nil
}

// ObjectPath is the path of key in the bucket of loc, as Open takes it.
func ObjectPath(loc objstore.Location, key string) string {
	return string(loc.Scheme) + "://" + loc.Bucket + "/" + key
}

// Bucket returns the Store of loc's whole bucket (its prefix left out),
// opening it on first use with loc's query parameters.
func Bucket(ctx context.Context, loc objstore.Location) (*objstore.Store, error) {
	root := objstore.Location{Scheme: loc.Scheme, Bucket: loc.Bucket, Query: loc.Query}
	id := root.String()
	buckets.mu.Lock()
	defer buckets.mu.Unlock()
	if s, ok := buckets.open[id]; ok {
		return s, nil
	}
	s, err := objstore.Open(ctx, root)
	if err != nil {
		// Say which location was asked for, not only its bucket.
		if oe, ok := err.(*objstore.OpenError); ok {
			oe.Location = loc
		}
		return nil, err
	}
	buckets.open[id] = s
	return s, nil
}

// Register makes s the Store of its bucket for the rest of the process, in
// place of one Bucket would open; s must cover the whole bucket (no prefix).
// Restore puts back what was there. It lets tests read from an in-memory
// bucket.
func Register(s *objstore.Store) (restore func()) {
	id := s.Location().String()
	buckets.mu.Lock()
	defer buckets.mu.Unlock()
	was, had := buckets.open[id]
	buckets.open[id] = s
	return func() {
		buckets.mu.Lock()
		defer buckets.mu.Unlock()
		if had {
			buckets.open[id] = was
		} else {
			delete(buckets.open, id)
		}
	}
}

// buckets are the Stores opened by this process, by scheme://bucket.
var buckets = struct {
	mu   sync.Mutex
	open map[string]*objstore.Store
}{open: map[string]*objstore.Store{}}

// objectOf splits an object path into its bucket's Store and its key.
func objectOf(path string) (*objstore.Store, string, error) {
	scheme, rest, _ := strings.Cut(path, "://")
	bucket, key, ok := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" || strings.HasSuffix(key, "/") {
		return nil, "", fmt.Errorf("%s: not the path of an object (scheme://bucket/key)", path)
	}
	loc, err := objstore.Parse(scheme + "://" + bucket)
	if err != nil {
		return nil, "", err
	}
	s, err := Bucket(context.Background(), loc)
	if err != nil {
		return nil, "", err
	}
	return s, key, nil
}
