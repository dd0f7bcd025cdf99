// Package embed is the Go library of bertbatch: open a BERT-family model by Hub id or local folder,
// then turn texts into vectors, labels or hidden states.
//
//	m, err := embed.Open(ctx, "sentence-transformers/all-MiniLM-L6-v2")
//	defer m.Close()
//	vecs, err := m.Encode(ctx, []string{"a first sentence", "a second one"})
//
// Open resolves the reference through package hub (the cache huggingface_hub uses, so a model
// Python downloaded is found offline), loads the weights once and evaluates them, and reads the
// tokenizer the first time text is given. Pooling and normalisation follow the checkpoint's
// sentence-transformers modules unless WithPooling or WithNormalize say otherwise.
//
// The package lives here rather than at the module root because package hub imports the root
// package for the version it sends in its User-Agent: a root facade importing hub would be a cycle.
// The name is that of the standard library's go:embed support package, which programs import only
// for its side effect (`import _ "embed"`), so the two do not meet in practice.
//
// Invariants. A Model is safe for concurrent use by many goroutines. MLX work runs only on a fixed
// pool of worker goroutines, each locked to its own OS thread with its own stream (package mlx's
// thread rule); the pool starts on the first call that needs it, so a Model used only for its
// engine (Engine) starts no thread. Each call splits its rows into batches by a token budget,
// sends them to the pool and returns results in input order. A worker keeps up to WithInFlight
// batches handed to MLX at once (2 on a GPU, 1 on the CPU: the engine's StartEmbed for the next
// batch before PendingEmbed.Wait on the first), and never waits for new work while it holds one. A cancelled context makes the call
// return ctx.Err() at once; a batch already on a worker finishes there and is dropped. Close is
// idempotent: it waits for batches in flight, stops the workers and frees the weights; calls after
// Close return ErrClosed. No process-wide MLX setting is changed except through an explicit option.
package embed
