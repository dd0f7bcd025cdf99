package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stallTimeout is how long a download may deliver no byte before it counts as cut and is resumed.
const stallTimeout = 30 * time.Second

// fetchBlob makes blobs/<etag> hold the file's verified content. Under the blob's lock it downloads to
// blobs/<etag>.<random>.incomplete, resuming cut transfers with Range, checks size and hash, and only
// then renames the file into place. Nothing is left behind on failure.
func (cl *client) fetchBlob(ctx context.Context, rc *repoCache, file string, meta *fileMeta, exp expectation) (err error) {
	blob := rc.blobPath(meta.etag)
	if rc.hasBlob(meta.etag) {
		return nil
	}
	lock, err := acquireLock(ctx, rc.lockPath(meta.etag), cl.s.logf)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := lock.release(); err == nil {
			err = rerr
		}
	}()
	if rc.hasBlob(meta.etag) {
		return nil // another process fetched it while this one waited
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o777); err != nil {
		return fmt.Errorf("hub: creating the blobs folder: %w", err)
	}
	tmp := blob + "." + randomSuffix() + ".incomplete"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o666)
	if err != nil {
		return fmt.Errorf("hub: creating %s: %w", tmp, err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				err = errors.Join(err, f.Close())
			}
			err = errors.Join(err, removeTemp(tmp))
		}
	}()
	v := newVerifier(exp)
	if err := cl.download(ctx, rc.repoID, file, meta.location, f, v); err != nil {
		return err
	}
	if err := v.check(rc.repoID, file); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("hub: writing %s: %w", tmp, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("hub: writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, blob); err != nil {
		return fmt.Errorf("hub: moving %s into the cache: %w", file, err)
	}
	return nil
}

// download GETs from into f through v, resuming with a Range request after a cut or stalled body.
// It gives up after cl.s.retries attempts in a row that brought no byte.
func (cl *client) download(ctx context.Context, repoID, file string, from *url.URL, f *os.File, v *verifier) error {
	fruitless := 0
	for {
		n, err := cl.downloadAttempt(ctx, repoID, file, from, f, v)
		if err == nil {
			return nil
		}
		var transient *bodyError
		if !errors.As(err, &transient) {
			return err
		}
		if n > 0 {
			fruitless = 0
		} else {
			fruitless++
		}
		if fruitless > cl.s.retries {
			return fmt.Errorf("hub: downloading %s: %w: %w", file, ErrUnreachable, transient.err)
		}
		wait := backoff(cl.s.retryBase, cl.s.retryMax, fruitless)
		cl.s.logf("hub: downloading %s: %v after %d of %d bytes; resuming in %s", file, transient.err, v.n, v.exp.size, wait)
		if err := cl.s.sleep(ctx, wait); err != nil {
			return fmt.Errorf("hub: downloading %s: %w", file, err)
		}
	}
}

// bodyError is a transfer cut or stalled mid-body: worth resuming.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }

// downloadAttempt makes one GET from v.n onwards and copies the body; n is the bytes it brought.
func (cl *client) downloadAttempt(ctx context.Context, repoID, file string, from *url.URL, f *os.File, v *verifier) (int64, error) {
	attemptCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	offset := v.n
	header := http.Header{"Accept-Encoding": {"identity"}}
	if offset > 0 {
		header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := cl.do(attemptCtx, call{method: http.MethodGet, url: from, header: header, repoID: repoID, file: file})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch {
	case offset > 0 && resp.StatusCode == http.StatusPartialContent:
		if cr := resp.Header.Get("Content-Range"); !strings.HasPrefix(cr, fmt.Sprintf("bytes %d-", offset)) {
			return 0, fmt.Errorf("hub: downloading %s: asked for bytes from %d, got Content-Range %q", file, offset, cr)
		}
	case resp.StatusCode == http.StatusOK:
		if offset > 0 { // the server ignored Range: start over
			if err := restart(f, v); err != nil {
				return 0, err
			}
		}
	default:
		return 0, fmt.Errorf("hub: downloading %s: unexpected HTTP %d", file, resp.StatusCode)
	}
	watchdog := time.AfterFunc(cl.s.stall, cancel)
	defer watchdog.Stop()
	n, err := copyBody(f, v, resp.Body, v.exp.size-v.n+1, func() { watchdog.Reset(cl.s.stall) })
	if err != nil && ctx.Err() != nil {
		return n, fmt.Errorf("hub: downloading %s: %w", file, ctx.Err())
	}
	if err != nil && attemptCtx.Err() != nil {
		return n, &bodyError{err: fmt.Errorf("no data for %s", cl.s.stall)}
	}
	if err == nil && v.n < v.exp.size {
		return n, &bodyError{err: fmt.Errorf("the transfer ended early")}
	}
	return n, err
}

func restart(f *os.File, v *verifier) error {
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("hub: restarting download: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("hub: restarting download: %w", err)
	}
	v.reset()
	return nil
}

// copyBody copies at most limit bytes of body to f and v. Read failures are *bodyError (resumable);
// write failures are plain errors.
func copyBody(f *os.File, v *verifier, body io.Reader, limit int64, progress func()) (int64, error) {
	buf := make([]byte, 256<<10)
	r := io.LimitReader(body, limit)
	var n int64
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			progress()
			if _, err := f.Write(buf[:k]); err != nil {
				return n, fmt.Errorf("hub: writing %s: %w", f.Name(), err)
			}
			v.Write(buf[:k])
			n += int64(k)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, &bodyError{err: rerr}
		}
	}
}
