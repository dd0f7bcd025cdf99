package cloudtest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/objstore/cloudtest"
)

// TestStoreOnEmulators runs every Store call against each emulator: what a
// job's input, output and lease rely on.
func TestStoreOnEmulators(t *testing.T) {
	for _, scheme := range cloudtest.Schemes {
		t.Run(string(scheme), func(t *testing.T) {
			srv := cloudtest.Require(t, scheme)
			if err := srv.CreateBucket("data"); err != nil {
				t.Fatal(err)
			}
			srv.Setenv(t)
			storeCalls(t, scheme)
		})
	}
}

func open(t *testing.T, path string) *objstore.Store {
	t.Helper()
	loc, err := objstore.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Open(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func storeCalls(t *testing.T, scheme objstore.Scheme) {
	ctx := context.Background()
	s := open(t, string(scheme)+"://data/some/prefix")
	payload := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB

	t.Run("create visible on close", func(t *testing.T) {
		w, err := s.Create(ctx, "parts/a.bin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(payload); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "parts/a.bin"); !errors.Is(err, objstore.ErrNotFound) {
			t.Fatalf("stat before Close: %v, want ErrNotFound", err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		o, err := s.Stat(ctx, "parts/a.bin")
		if err != nil || o.Size != int64(len(payload)) || o.ETag == "" || o.ModTime.IsZero() {
			t.Fatalf("stat after Close: %+v, %v", o, err)
		}
	})
	t.Run("create abandoned by cancel", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		w, err := s.Create(cctx, "parts/abandoned.bin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(payload); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := w.Close(); err == nil {
			t.Fatal("Close after cancel: nil error")
		}
		if _, err := s.Stat(ctx, "parts/abandoned.bin"); !errors.Is(err, objstore.ErrNotFound) {
			t.Fatalf("stat of the abandoned write: %v, want ErrNotFound", err)
		}
	})
	t.Run("read", func(t *testing.T) {
		got, err := s.Read(ctx, "parts/a.bin")
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("read back %d bytes, %v; want %d", len(got), err, len(payload))
		}
		if _, err := s.Read(ctx, "parts/none"); !errors.Is(err, objstore.ErrNotFound) {
			t.Fatalf("read of a missing object: %v, want ErrNotFound", err)
		}
	})
	t.Run("ranged reads", func(t *testing.T) {
		f, err := s.OpenFile(ctx, "parts/a.bin")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		if f.Size() != int64(len(payload)) {
			t.Fatalf("size %d, want %d", f.Size(), len(payload))
		}
		for _, r := range []struct{ off, n int }{{0, 10}, {1000, 333}, {len(payload) - 7, 7}, {40000, 20000}} {
			p := make([]byte, r.n)
			if n, err := f.ReadAt(p, int64(r.off)); err != nil || n != r.n || !bytes.Equal(p, payload[r.off:r.off+r.n]) {
				t.Errorf("ReadAt(%d, %d) = %d, %v", r.n, r.off, n, err)
			}
		}
		p := make([]byte, 10)
		if n, err := f.ReadAt(p, int64(len(payload)-4)); n != 4 || err != io.EOF {
			t.Errorf("ReadAt past the end = %d, %v; want 4, EOF", n, err)
		}
		if _, err := f.Seek(100, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(rest, payload[100:]) {
			t.Errorf("streamed read from 100: %d bytes, %v", len(rest), err)
		}
		if f.Requests() != 6 {
			t.Errorf("%d requests, want 6 (5 ranged reads, 1 stream)", f.Requests())
		}
	})
	t.Run("conditional create", func(t *testing.T) {
		if err := s.CreateNew(ctx, "lease", []byte("one")); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateNew(ctx, "lease", []byte("two")); !errors.Is(err, objstore.ErrExists) {
			t.Fatalf("second conditional create: %v, want ErrExists", err)
		}
		if got, err := s.Read(ctx, "lease"); err != nil || string(got) != "one" {
			t.Fatalf("after the refused create: %q, %v; want the first writer's", got, err)
		}
	})
	t.Run("put replaces", func(t *testing.T) {
		if err := s.Put(ctx, "lease", []byte("three")); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Read(ctx, "lease"); err != nil || string(got) != "three" {
			t.Fatalf("after Put: %q, %v", got, err)
		}
	})
	t.Run("list", func(t *testing.T) {
		for _, name := range []string{"parts/b.bin", "parts/sub/c.bin", "partsx"} {
			if err := s.Put(ctx, name, []byte(name)); err != nil {
				t.Fatal(err)
			}
		}
		other := open(t, string(scheme)+"://data/some/other")
		if err := other.Put(ctx, "parts/outside", []byte("x")); err != nil {
			t.Fatal(err)
		}
		objs, err := s.List(ctx, "parts/")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range objs {
			names = append(names, o.Name)
		}
		want := []string{"parts/a.bin", "parts/b.bin", "parts/sub/c.bin"}
		if len(names) != len(want) {
			t.Fatalf("list parts/ = %v, want %v", names, want)
		}
		for i := range want {
			if names[i] != want[i] {
				t.Fatalf("list parts/ = %v, want %v", names, want)
			}
		}
		if objs[0].Size != int64(len(payload)) {
			t.Errorf("listed size %d, want %d", objs[0].Size, len(payload))
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := s.Delete(ctx, "parts/b.bin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "parts/b.bin"); !errors.Is(err, objstore.ErrNotFound) {
			t.Fatalf("stat after delete: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "parts/b.bin"); err != nil {
			t.Fatalf("second delete: %v, want nil", err)
		}
	})
	t.Run("no bucket", func(t *testing.T) {
		loc, err := objstore.Parse(string(scheme) + "://no-such-bucket/x")
		if err != nil {
			t.Fatal(err)
		}
		_, err = objstore.Open(ctx, loc)
		var oe *objstore.OpenError
		if !errors.As(err, &oe) || oe.Problem != objstore.NoBucket {
			t.Fatalf("open: %v, want NoBucket", err)
		}
	})
}
