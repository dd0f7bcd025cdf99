package embed

import (
	"context"
	"fmt"
	"sync"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/bert/autotokenizer"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/hub"
)

// Snapshot is a resolved model: its local folder, and for a Hub id the repository, revision and commit.
type Snapshot = hub.Snapshot

// Model is an opened model, safe for concurrent use (see the package documentation).
type Model struct {
	cfg  *config
	snap *Snapshot
	eng  *bert.Model

	tokOnce sync.Once
	tok     tokenizer.Tokenizer
	tokErr  error

	mu      sync.RWMutex // guards closed, started and sends on tasks
	closed  bool
	started bool
	tasks   chan *task
	workers sync.WaitGroup
}

// Resolve turns a reference (a Hub id or a local folder) into a local folder through the Hub cache,
// fetching what is missing unless offline, without loading anything: the way `bertbatch pull`,
// `inspect` and `tokenize` find a model. Only the Hub options (WithHubOptions, WithCacheDir,
// WithRevision, WithOffline, WithWarnings) apply.
func Resolve(ctx context.Context, ref string, opts ...Option) (*Snapshot, error) {
	return resolve(ctx, ref, newConfig(opts))
}

func resolve(ctx context.Context, ref string, c *config) (*Snapshot, error) {
	h := c.hub
	if h.Logf == nil && c.warn != nil {
		h.Logf = func(format string, args ...any) { c.warn(fmt.Sprintf(format, args...)) }
	}
	snap, err := hub.Resolve(ctx, ref, h)
	if err == nil {
		return snap, nil
	}
	if r, perr := hub.ParseReference(ref); perr == nil && r.RepoID != "" && ctx.Err() == nil {
		return nil, fmt.Errorf("model %s (read as a Hub id; a local folder is written ./%s): %w", ref, ref, err)
	}
	return nil, fmt.Errorf("model %s: %w", ref, err)
}

// Open resolves ref (a Hub id such as "sentence-transformers/all-MiniLM-L6-v2", or a local folder)
// and loads the model. Errors from the Hub wrap ErrModelNotFound, ErrGated, ErrNotCached… so that
// errors.Is tells them apart.
func Open(ctx context.Context, ref string, opts ...Option) (*Model, error) {
	c := newConfig(opts)
	snap, err := resolve(ctx, ref, c)
	if err != nil {
		return nil, err
	}
	eng, err := bert.LoadDir(snap.Dir, bert.Options{Dtype: c.dtype, Device: c.device, Head: c.head, Warn: c.warn})
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", ref, err)
	}
	return &Model{cfg: c, snap: snap, eng: eng}, nil
}

// Snapshot is where the model was resolved: folder, repository, revision, commit and files.
func (m *Model) Snapshot() *Snapshot { return m.snap }

// Engine is the loaded engine, for callers that run their own MLX workers (package stages). It is
// freed by Close.
func (m *Model) Engine() *bert.Model { return m.eng }

// Device is the device the model runs on.
func (m *Model) Device() Device { return m.cfg.device }

// Tokenizer loads the model folder's tokenizer the first time it is asked for; a folder without
// one is an error naming it.
func (m *Model) Tokenizer() (tokenizer.Tokenizer, error) {
	m.tokOnce.Do(func() { m.tok, m.tokErr = autotokenizer.Load(m.snap.Dir) })
	return m.tok, m.tokErr
}

// MaxLength is the number of tokens a text is truncated to: WithMaxLength, else the smallest of
// the model's max_seq_length, its position table and its tokenizer's own limit.
func (m *Model) MaxLength() (int, error) {
	limit := m.eng.MaxLength
	if n := m.cfg.maxLength; n > 0 {
		if n > m.eng.Config.MaxSequenceLength() {
			return 0, fmt.Errorf("max length %d is longer than the model's %d positions", n, m.eng.Config.MaxSequenceLength())
		}
		return n, nil
	}
	tok, err := m.Tokenizer()
	if err != nil {
		return 0, err
	}
	if tok.MaxLength() > 0 {
		limit = min(limit, tok.MaxLength())
	}
	return limit, nil
}

// Dim is the length of the vectors Encode returns under the model's pooling options.
func (m *Model) Dim() (int, error) { return m.eng.EmbeddingDim(m.embedOptions()) }

// Labels are the classification head's labels in output order (id2label), nil without a head.
func (m *Model) Labels() []string {
	n := m.eng.NumLabels()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		if l, ok := m.eng.Config.ID2Label[i]; ok {
			out[i] = l
		} else {
			out[i] = fmt.Sprintf("LABEL_%d", i)
		}
	}
	return out
}

func (m *Model) embedOptions() bert.EmbedOptions {
	return bert.EmbedOptions{Pooling: m.cfg.pooling, Normalize: m.cfg.normalize}
}

// Close waits for batches in flight, stops the workers and frees the weights. It is idempotent
// and safe to call from any goroutine.
func (m *Model) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	if m.started {
		close(m.tasks)
	}
	m.mu.Unlock()
	m.workers.Wait()
	m.eng.Close()
	return nil
}
