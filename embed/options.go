package embed

import (
	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/bert/outputs"
	"github.com/bertbatch/bertbatch/hub"
	"github.com/bertbatch/bertbatch/mlx"
)

// Device is where a model runs.
type Device = mlx.DeviceType

// The devices.
const (
	CPU = mlx.CPU
	GPU = mlx.GPU
)

// DType is the compute dtype weights are cast to on load.
type DType = mlx.Dtype

// The compute dtypes.
const (
	Float32  = mlx.Float32
	Float16  = mlx.Float16
	BFloat16 = mlx.BFloat16
)

// Head is a sequence-classification head, spelled once in package outputs.
type Head = outputs.Head

// The heads; NoHead loads the bare encoder.
const (
	NoHead     = outputs.HeadNone
	Binary     = outputs.HeadBinary
	Multiclass = outputs.HeadMulticlass
	Multilabel = outputs.HeadMultilabel
	Regression = outputs.HeadRegression
)

// Heads returns every head, NoHead first (the list of package outputs).
func Heads() []Head { return outputs.Heads() }

// Pooling is how token vectors become one sentence vector, spelled once in package outputs.
type Pooling = outputs.Pooling

// The pooling modes; PoolingModel follows the checkpoint's sentence-transformers pooling.
const (
	PoolingModel       = outputs.PoolingModel
	PoolingCLS         = outputs.PoolingCLS
	PoolingMean        = outputs.PoolingMean
	PoolingMax         = outputs.PoolingMax
	PoolingMeanSqrtLen = outputs.PoolingMeanSqrtLen
)

// Poolings returns every pooling mode, PoolingModel first (the list of package outputs).
func Poolings() []Pooling { return outputs.Poolings() }

// DefaultMaxTokens is the token budget of one batch (rows × longest row) unless WithMaxTokens says otherwise.
const DefaultMaxTokens = 8192

// An Option changes how Open resolves, loads or runs a model.
type Option func(*config)

// config is every option with its default.
type config struct {
	hub       hub.Options
	device    Device
	dtype     DType
	head      Head
	workers   int
	inFlight  int
	maxTokens int
	maxLength int
	pooling   Pooling
	normalize *bool
	warn      func(string)
}

func newConfig(opts []Option) *config {
	c := &config{device: CPU, dtype: Float32, workers: 1, maxTokens: DefaultMaxTokens, pooling: PoolingModel}
	for _, o := range opts {
		o(c)
	}
	if c.inFlight < 1 {
		c.inFlight = bert.DefaultInFlight(c.device)
	}
	return c
}

// WithHubOptions sets every Hub option at once (endpoint, token, HTTP client, retries…); options
// given after it (WithCacheDir, WithRevision, WithOffline) override its fields.
func WithHubOptions(o hub.Options) Option { return func(c *config) { c.hub = o } }

// WithCacheDir sets the Hub cache root; unset, it follows huggingface_hub (HF_HUB_CACHE, HF_HOME…).
func WithCacheDir(dir string) Option { return func(c *config) { c.hub.CacheDir = dir } }

// WithRevision resolves a branch, tag or 40-hex commit instead of "main" (Hub ids only).
func WithRevision(rev string) Option { return func(c *config) { c.hub.Revision = rev } }

// WithOffline forbids any request to the Hub: the model must be in the cache or a local folder.
func WithOffline(offline bool) Option { return func(c *config) { c.hub.Offline = offline } }

// WithDevice runs the model on CPU (default) or GPU.
func WithDevice(d Device) Option { return func(c *config) { c.device = d } }

// WithDType casts the weights to Float32 (default), Float16 or BFloat16.
func WithDType(d DType) Option { return func(c *config) { c.dtype = d } }

// WithHead loads the checkpoint's sequence-classification head of this type, for Classify.
func WithHead(h Head) Option { return func(c *config) { c.head = h } }

// WithWorkers sets the number of MLX worker threads (default 1; values below 1 mean 1).
func WithWorkers(n int) Option { return func(c *config) { c.workers = max(n, 1) } }

// WithInFlight sets how many batches each worker keeps handed to MLX at once (the engine's
// StartEmbed, then PendingEmbed.Wait): with 2 a worker builds the next batch's graph while the
// device computes the current one. Values below 1 mean bert.DefaultInFlight for the device (2 on
// a GPU, 1 on the CPU). Results do not depend on it. Classify and Forward run one batch at a time.
func WithInFlight(n int) Option { return func(c *config) { c.inFlight = n } }

// WithMaxTokens sets the token budget of one batch (rows × longest row); a row longer than the
// budget runs alone.
func WithMaxTokens(n int) Option { return func(c *config) { c.maxTokens = n } }

// WithMaxLength truncates texts to n tokens, special tokens included; 0 (default) uses the model's
// own limit (max_seq_length, the tokenizer's limit, the position table), whichever is smallest.
func WithMaxLength(n int) Option { return func(c *config) { c.maxLength = n } }

// WithPooling overrides the checkpoint's pooling with one mode.
func WithPooling(p Pooling) Option { return func(c *config) { c.pooling = p } }

// WithNormalize forces L2 normalisation of embeddings on or off; unset, it follows the checkpoint
// (a sentence-transformers Normalize module).
func WithNormalize(on bool) Option { return func(c *config) { c.normalize = &on } }

// WithWarnings receives non-fatal notices from loading (a pytorch_model.bin read instead of
// safetensors, a Hub fallback to the cache); unset, they are discarded.
func WithWarnings(f func(string)) Option { return func(c *config) { c.warn = f } }
