package mlx

import (
	"errors"
	"fmt"
)

// ErrWrongThread is the error (matched with errors.Is) of an operation given a Stream on an OS
// thread other than the one that made it: MLX keeps a stream's state per thread, so the
// operation is refused before it reaches MLX. See the package documentation on threads.
var ErrWrongThread = errors.New("stream used on another OS thread")

// Error is a failure reported by MLX: the operation that failed and MLX's message.
type Error struct {
	Op      string
	Message string
	// Err is a sentinel the failure matches (ErrWrongThread), or nil.
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("mlx %s: %s", e.Op, e.Message) }

// Unwrap returns the sentinel the failure matches, if any.
func (e *Error) Unwrap() error { return e.Err }
