package mlx

import "fmt"

// Error is a failure reported by MLX: the operation that failed and MLX's message.
type Error struct {
	Op      string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("mlx %s: %s", e.Op, e.Message) }
