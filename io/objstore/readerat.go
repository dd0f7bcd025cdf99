package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// File reads one object through ranged requests: each ReadAt is one
// GET with a Range header, so a reader that needs a file's footer and a few
// column chunks fetches only those. It also implements io.Seeker and
// io.Reader over the same requests, for readers that want them.
type File struct {
	ctx   context.Context
	store *Store
	name  string
	size  int64
	pos   int64

	requests atomic.Int64
	bytes    atomic.Int64
}

// OpenFile opens the object name for ranged reads. Its size is read once, at
// open; an object replaced after that is read as it is now, and readers that
// must notice a change compare sizes or fingerprints themselves.
func (s *Store) OpenFile(ctx context.Context, name string) (*File, error) {
	o, err := s.Stat(ctx, name)
	if err != nil {
		return nil, err
	}
	return &File{ctx: ctx, store: s, name: name, size: o.Size}, nil
}

// Name is the object's name in its Store.
func (f *File) Name() string { return f.name }

// Size is the object's size in bytes.
func (f *File) Size() int64 { return f.size }

// Requests and BytesRead count the ranged requests made and the bytes they
// returned.
func (f *File) Requests() int64  { return f.requests.Load() }
func (f *File) BytesRead() int64 { return f.bytes.Load() }

// ReadAt reads len(p) bytes at off with one ranged request.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%s: read at negative offset %d", f.store.URL(f.name), off)
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := int64(len(p))
	if off+want > f.size {
		want = f.size - off
	}
	if want == 0 {
		return 0, nil
	}
	f.requests.Add(1)
	r, err := f.store.bucket.NewRangeReader(f.ctx, f.name, off, want, nil)
	if err != nil {
		return 0, fmt.Errorf("reading %s at %d: %w", f.store.URL(f.name), off, wrap(err))
	}
	n, err := io.ReadFull(r, p[:want])
	f.bytes.Add(int64(n))
	if cerr := r.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("reading %s at %d: the object is shorter than the %d bytes it had at open", f.store.URL(f.name), off, f.size)
	} else if err != nil {
		err = fmt.Errorf("reading %s at %d: %w", f.store.URL(f.name), off, err)
	}
	if err == nil && int64(len(p)) > want {
		err = io.EOF
	}
	return n, err
}

// Read reads from the current position.
func (f *File) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.pos)
	f.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the position for Read.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	var pos int64
	switch whence {
	case io.SeekStart:
		pos = offset
	case io.SeekCurrent:
		pos = f.pos + offset
	case io.SeekEnd:
		pos = f.size + offset
	default:
		return 0, fmt.Errorf("%s: seek whence %d", f.store.URL(f.name), whence)
	}
	if pos < 0 {
		return 0, fmt.Errorf("%s: seek to negative position %d", f.store.URL(f.name), pos)
	}
	f.pos = pos
	return pos, nil
}

// Close ends the File; it holds no connection between reads.
func (f *File) Close() error { return nil }
