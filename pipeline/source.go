package pipeline

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// Generate starts produce on a goroutine of g and returns the channel it
// emits to, with room for capacity items. emit blocks while the channel is
// full and returns ctx's error once the context is done; produce should
// return that error. The channel is closed when produce returns.
func Generate[T any](ctx context.Context, g *errgroup.Group, capacity int,
	produce func(ctx context.Context, emit func(T) error) error) <-chan T {
	if capacity < 0 {
		return failed[T](g, fmt.Errorf("pipeline.Generate: capacity %d is negative", capacity))
	}
	out := make(chan T, capacity)
	g.Go(func() error {
		defer close(out)
		return produce(ctx, func(v T) error { return Send(ctx, out, v) })
	})
	return out
}

// FromSlice emits the items of s in order, one at a time, on an unbuffered channel.
func FromSlice[T any](ctx context.Context, g *errgroup.Group, s []T) <-chan T {
	return Generate(ctx, g, 0, func(ctx context.Context, emit func(T) error) error {
		for _, v := range s {
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Consume runs consume on every item of in, in arrival order, on one
// goroutine of g. It stops at the first error consume returns.
func Consume[T any](ctx context.Context, g *errgroup.Group, in <-chan T,
	consume func(ctx context.Context, v T) error) {
	g.Go(func() error {
		for {
			v, ok, err := Receive(ctx, in)
			if err != nil || !ok {
				return err
			}
			if err := consume(ctx, v); err != nil {
				return err
			}
		}
	})
}
