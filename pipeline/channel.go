package pipeline

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Send sends v on out, or returns ctx's error if the context is done first.
func Send[T any](ctx context.Context, out chan<- T, v T) error {
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Receive receives from in. It returns ok == false when in is closed, and
// ctx's error when the context is done first.
func Receive[T any](ctx context.Context, in <-chan T) (v T, ok bool, err error) {
	select {
	case v, ok = <-in:
		return v, ok, nil
	case <-ctx.Done():
		return v, false, ctx.Err()
	}
}

// failed reports err through g and returns a closed channel, so that a stage
// given invalid arguments starts nothing and its consumers see an empty stream.
func failed[T any](g *errgroup.Group, err error) <-chan T {
	out := make(chan T)
	close(out)
	g.Go(func() error { return err })
	return out
}
