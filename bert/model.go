package bert

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bertbatch/bertbatch/bert/checkpoint"
	"github.com/bertbatch/bertbatch/mlx"
)

// Options control how a model is loaded.
type Options struct {
	// Dtype is the compute dtype (mlx.Float32, mlx.Float16 or mlx.BFloat16); weights are cast to
	// it on load. Zero means float32.
	Dtype mlx.Dtype
	// Head loads a sequence-classification head of this type; HeadNone loads the bare encoder.
	Head HeadType
	// RandomInit builds the model from config.json alone with random weights (seeded by Seed),
	// for speed measurements. Never used unless asked for.
	RandomInit bool
	Seed       uint64
	// Quantize, when 4 or 8, stores the encoder's linear layers as affine-quantized weights of
	// that many bits (group size 64). Zero keeps them in Dtype.
	Quantize int
	// Device is where the weights are prepared (mlx.CPU or mlx.GPU); workers should use the same.
	Device mlx.DeviceType
	// Warn receives non-fatal notices (a pytorch_model.bin read instead of safetensors…).
	Warn func(string)
}

// Model is a loaded BERT-family model: its config, its weights (evaluated once, shared by all
// workers) and, when its folder has them, its sentence-transformers pooling and max length.
type Model struct {
	Config *Config
	// Dir is the folder the model was loaded from.
	Dir string
	// Format is the checkpoint format the weights came from ("random" for RandomInit).
	Format string
	// Pooling is the folder's sentence-transformers pooling; nil when it has none.
	Pooling *PoolingConfig
	// Prompts are the folder's sentence-transformers prompts (config_sentence_transformers.json).
	Prompts Prompts
	// MaxLength is sentence_bert_config.json's max_seq_length, else the position table's size.
	MaxLength int
	// Head is the loaded head type (HeadNone for a bare encoder).
	Head HeadType

	dtype mlx.Dtype
	w     *weights
}

// Dtype is the compute dtype.
func (m *Model) Dtype() mlx.Dtype { return m.dtype }

// UsesTokenTypes reports whether the model reads Batch.TokenTypeIDs. Models without a token type
// embedding (DistilBERT, MPNet, ModernBERT) ignore them, as transformers does.
func (m *Model) UsesTokenTypes() bool { return m.Config.UsesTokenTypes() }

// LoadDir loads a model folder: config.json, the weights (safetensors, sharded safetensors,
// pytorch_model.bin or weights.npz) and the sentence-transformers files when present.
func LoadDir(dir string, opts Options) (*Model, error) {
	if opts.Dtype == 0 && !opts.Dtype.IsFloat() {
		opts.Dtype = mlx.Float32
	}
	if !opts.Dtype.IsFloat() {
		return nil, fmt.Errorf("compute dtype %s is not a float type", opts.Dtype)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("model folder %s: not a readable folder", dir)
	}
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	if opts.Head != HeadNone {
		if err := checkHead(cfg, opts.Head, filepath.Join(dir, "config.json")); err != nil {
			return nil, err
		}
	}
	m := &Model{Config: cfg, Dir: dir, dtype: opts.Dtype, Head: opts.Head, MaxLength: cfg.MaxSequenceLength()}
	if m.Pooling, err = LoadPooling(dir); err != nil {
		return nil, err
	}
	if m.Prompts, err = LoadPrompts(dir); err != nil {
		return nil, err
	}
	if n, err := loadMaxSeqLength(dir); err != nil {
		return nil, err
	} else if n > 0 {
		m.MaxLength = min(n, cfg.MaxSequenceLength())
	}
	var ck *checkpoint.Checkpoint
	if !opts.RandomInit {
		if ck, err = checkpoint.LoadDir(dir, opts.Warn); err != nil {
			return nil, err
		}
		m.Format = string(ck.Format)
		if cfg.Quantization != nil {
			return nil, fmt.Errorf("%s: pre-quantized MLX checkpoints (config.quantization) are not supported; use the full-precision checkpoint and the quantize option", dir)
		}
	} else {
		m.Format = "random"
	}
	if err := mlx.OnThread(opts.Device, func(s *mlx.Stream) error { return m.bind(s, ck, opts) }); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) bind(s *mlx.Stream, ck *checkpoint.Checkpoint, opts Options) error {
	sc := mlx.NewScope(s)
	defer sc.Close()
	var b *binder
	if ck != nil {
		b = newBinder(ck, m.dtype, sc)
	} else {
		b = newRandomBinder(opts.Seed, m.dtype, sc)
	}
	w := bindWeights(m.Config, b, opts.Head)
	if err := b.err(m.Dir); err != nil {
		for _, a := range b.arrays {
			a.Close()
		}
		return err
	}
	if opts.Quantize != 0 {
		if err := quantizeLayers(sc, w, opts.Quantize, b); err != nil {
			return err
		}
	}
	if err := b.evaluate(); err != nil {
		for _, a := range b.arrays {
			a.Close()
		}
		return fmt.Errorf("%s: evaluating weights: %w", m.Dir, err)
	}
	m.w = w
	return nil
}

// Close frees the model's weights. Idempotent; the model must not be used afterwards.
func (m *Model) Close() {
	if m != nil && m.w != nil {
		m.w.close()
		m.w = nil
	}
}

// ErrClosed is returned by a closed model.
var ErrClosed = errors.New("bert: model is closed")
