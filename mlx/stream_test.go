package mlx

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestStreamRefusesAnotherThread makes a stream on one locked OS thread and uses it from another:
// every use that reaches MLX must fail with ErrWrongThread, and the owner's use must still work.
func TestStreamRefusesAnotherThread(t *testing.T) {
	x, err := FromFloat32([]float32{1, 2, 3, 4}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	uses := []struct {
		name string
		use  func(s *Stream) error
	}{
		{"Synchronize", func(s *Stream) error { return s.Synchronize() }},
		{"Scope operation", func(s *Stream) error {
			sc := NewScope(s)
			defer sc.Close()
			sc.Add(x, x)
			return sc.Err()
		}},
		{"CopyTo", func(s *Stream) error {
			_, err := x.Float32s(s)
			return err
		}},
	}
	for _, u := range uses {
		t.Run(u.name, func(t *testing.T) {
			err := OnThread(CPU, func(s *Stream) error {
				errc := make(chan error, 1)
				go func() {
					// This goroutine's thread cannot be the owner's: the owner stays locked to
					// OnThread's goroutine, which waits here.
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					errc <- u.use(s)
				}()
				if err := <-errc; !errors.Is(err, ErrWrongThread) || !strings.Contains(err.Error(), "belongs to OS thread") {
					t.Errorf("on another thread: err = %v, want ErrWrongThread", err)
				}
				return u.use(s)
			})
			if err != nil {
				t.Errorf("on the owner's thread: %v", err)
			}
		})
	}
}

// BenchmarkStreamOp is the cost of one cheap operation on a stream (a 2×2 add, built and freed),
// which includes the check that the stream belongs to the calling thread.
func BenchmarkStreamOp(b *testing.B) {
	x, err := FromFloat32([]float32{1, 2, 3, 4}, 2, 2)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	err = OnThread(CPU, func(s *Stream) error {
		b.ResetTimer()
		for range b.N {
			sc := NewScope(s)
			sc.Add(x, x)
			sc.Close()
			if err := sc.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
