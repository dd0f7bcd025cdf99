package bert

import (
	"context"

	"github.com/bertbatch/bertbatch/hub"
)

// Load loads a model by reference: a local folder, or a Hugging Face Hub id resolved (and fetched
// if needed) through the shared cache by package hub. It returns the model and the resolved
// snapshot (folder, commit, files).
func Load(ctx context.Context, ref string, hubOpts hub.Options, opts Options) (*Model, *hub.Snapshot, error) {
	snap, err := hub.Resolve(ctx, ref, hubOpts)
	if err != nil {
		return nil, nil, err
	}
	m, err := LoadDir(snap.Dir, opts)
	if err != nil {
		return nil, nil, err
	}
	return m, snap, nil
}

// LoadCore loads the bare encoder (embeddings), the seed's "bert_core".
func LoadCore(ctx context.Context, ref string, hubOpts hub.Options, opts Options) (*Model, *hub.Snapshot, error) {
	opts.Head = HeadNone
	return Load(ctx, ref, hubOpts, opts)
}

// LoadWithHead loads the encoder with its sequence-classification head, the seed's
// "bert_with_head".
func LoadWithHead(ctx context.Context, ref string, head HeadType, hubOpts hub.Options, opts Options) (*Model, *hub.Snapshot, error) {
	opts.Head = head
	return Load(ctx, ref, hubOpts, opts)
}
