// Package mlx runs array computations through MLX, Apple's array framework, from Go.
//
// It is the only package of bertbatch that imports "C": a small extern "C" shim (shim.h and the
// shim_*.cpp files, compiled by cgo as C++20) wraps MLX's C++ API in mlx-c's conventions, so that
// mlx-c could replace it without changing this package's Go API.
//
// # Errors
//
// C++ exceptions never cross into Go. Every shim call returns a status; a failure becomes an
// *Error naming the operation and carrying MLX's message. Operations on a Scope record the first
// error and turn later operations into no-ops, so a graph is built without an error check per
// line and checked once with Scope.Err.
//
// # Threads
//
// MLX streams belong to the OS thread that created them: a Stream must be created, used and
// closed on one OS thread. Code that runs MLX work calls runtime.LockOSThread for the whole life
// of that work (a worker locks its thread for life) and creates its Stream there. Arrays that have
// been evaluated (model weights, after loading) hold plain data and may be read by every worker's
// stream at once; lazily built arrays must be evaluated on the thread whose stream built them.
//
// The rule is enforced: a Stream records the OS thread that made it, and every operation, copy or
// synchronisation given the stream on another thread fails with an *Error matching ErrWrongThread
// before it reaches MLX (the check compares two thread identities; it costs nothing measurable
// beside an operation). Close may run on any thread. OnThread runs a function on a locked thread
// with a stream of its own, and comes back however the function ends.
//
// # Process-wide settings
//
// MLX keeps some settings for the whole process: the buffer cache limit (SetCacheLimit), the
// threads of the BLAS library and of the shim's CPU kernels (SetWorkerThreads), and whether CUDA
// float32 matrix products use TF32 (SetTF32Default). This package changes none of them by itself,
// on import or inside another call: a program sets them once at start (bertbatch does in its main
// and through stages.Options.TuneCPU), and otherwise gets MLX's defaults.
//
// # Lifetimes
//
// Every Array owns an MLX handle that Close frees; Close is idempotent. A Scope owns the arrays
// its operations create and frees them all at once when it is closed, except those handed out
// with Scope.Keep. A finalizer is used only as a leak detector: it counts arrays that were
// garbage-collected without Close (see Leaked) and never frees MLX memory on its own.
package mlx
