// Package pipeline holds generic building blocks for streaming work through
// goroutines: sources, parallel stages, a worker pool with per-worker state
// (Pool, and Pipelined for work an asynchronous device finishes later),
// a cost-budget batcher, and an order-restoring reorder stage. It knows
// nothing of the data it moves.
//
// Every function that starts goroutines takes the context and the
// *errgroup.Group returned by errgroup.WithContext, runs its goroutines on
// that group, and returns a receive-only channel. The invariants:
//
//   - The goroutine that creates a channel is the only one that sends on it
//     and closes it; when a stage runs several workers, a coordinator goroutine
//     closes the shared output after every worker has returned.
//   - Every send and every receive also selects on ctx.Done(), so when any
//     goroutine of the group returns an error the context is cancelled, every
//     stage returns, every channel is closed, and Group.Wait returns the first
//     error. No goroutine is left blocked.
//   - Channels are bounded (small capacities stated on each function), so a
//     slow stage holds its producers back instead of letting memory grow.
//   - Between Number and Reorder at most Window.Size() items are in flight,
//     whatever the number of workers or the cost of any single item, so the
//     reorder buffer is bounded by the window size (see Window).
//   - Reorder emits every numbered item exactly once, in number order, and
//     fails with an error when an item is missing or arrives twice.
//
// Invalid arguments (a worker count below one, an empty window, a batch
// budget of zero) do not panic: the function starts no stage, and the error
// is returned by Group.Wait.
package pipeline
