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
// column chunks fetches only those. Read streams: it opens one request from
// the current position to the end of the object and reads on from it until
// a Seek moves elsewhere, so a sequential reader (CSV, JSON Lines, an Arrow
// stream) costs one request, not one per buffer.
type File struct {
	ctx   context.Context
	store *Store
	name  string
	size  int64
	etag  string
	pos   int64

	stream    io.ReadCloser // open by Read; nil after a Seek away or Close
	streamPos int64         // where stream's next byte is

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
	return &File{ctx: ctx, store: s, name: name, size: o.Size, etag: o.ETag}, nil
}

// ETag is the object's entity tag at open, "" when the store gave none.
func (f *File) ETag() string { return f.etag }

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

// Read reads from the current position, through one streaming request
// kept open between calls.
func (f *File) Read(p []byte) (int, error) {
	if f.pos >= f.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if f.stream == nil || f.streamPos != f.pos {
		if err := f.closeStream(); err != nil {
			return 0, err
		}
		f.requests.Add(1)
		r, err := f.store.bucket.NewRangeReader(f.ctx, f.name, f.pos, f.size-f.pos, nil)
		if err != nil {
			return 0, fmt.Errorf("reading %s at %d: %w", f.store.URL(f.name), f.pos, wrap(err))
		}
		f.stream, f.streamPos = r, f.pos
	}
	n, err := f.stream.Read(p)
	f.bytes.Add(int64(n))
	f.pos += int64(n)
	f.streamPos = f.pos
	switch {
	case err == io.EOF && f.pos < f.size:
		return n, fmt.Errorf("reading %s at %d: the object is shorter than the %d bytes it had at open", f.store.URL(f.name), f.pos, f.size)
	case err == io.EOF:
		return n, f.closeStream()
	case err != nil:
		return n, fmt.Errorf("reading %s at %d: %w", f.store.URL(f.name), f.pos, err)
	}
	return n, nil
}

// closeStream ends the streaming request of Read, if one is open.
func (f *File) closeStream() error {
	if f.stream == nil {
		return nil
	}
	err := f.stream.Close()
	f.stream = nil
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.store.URL(f.name), err)
	}
	return nil
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

// Close ends the File and the streaming request of Read, if one is open.
func (f *File) Close() error { return f.closeStream() }
