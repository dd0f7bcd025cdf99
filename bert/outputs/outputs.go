// Package outputs names what a BERT model can be asked to produce: the pooling modes of an
// embedding, the classification heads, and the columns a head writes. Each is spelled here once;
// the engine (bert), the job parser (jobs), its JSON Schema and the job reference derive their
// lists from these. The package imports nothing, so the job parser uses it without the native
// library.
package outputs

// Pooling is how token vectors become one sentence vector.
type Pooling string

// The pooling modes, mask-aware as in sentence-transformers.
const (
	PoolingModel       Pooling = "model" // the checkpoint's own sentence-transformers pooling
	PoolingCLS         Pooling = "cls"
	PoolingMean        Pooling = "mean"
	PoolingMax         Pooling = "max"
	PoolingMeanSqrtLen Pooling = "mean_sqrt_len"
)

// Poolings returns every pooling mode, PoolingModel first, in documentation order.
func Poolings() []Pooling {
	return []Pooling{PoolingModel, PoolingCLS, PoolingMean, PoolingMax, PoolingMeanSqrtLen}
}

// Head is a sequence-classification head; HeadNone means embeddings.
type Head string

// The heads.
const (
	HeadNone       Head = ""
	HeadBinary     Head = "binary"     // two labels with softmax, or one logit with sigmoid
	HeadMulticlass Head = "multiclass" // softmax over the labels
	HeadMultilabel Head = "multilabel" // independent sigmoid per label
	HeadRegression Head = "regression" // raw outputs
)

// Heads returns every head, HeadNone first, in documentation order.
func Heads() []Head {
	return []Head{HeadNone, HeadBinary, HeadMulticlass, HeadMultilabel, HeadRegression}
}

// The columns a head writes, in the order it writes them.
const (
	ColumnLogits        = "logits"
	ColumnProbabilities = "probabilities"
	ColumnLabel         = "label"
	ColumnScore         = "score"
)

// HeadColumns returns the columns a head writes, in order.
func HeadColumns() []string {
	return []string{ColumnLogits, ColumnProbabilities, ColumnLabel, ColumnScore}
}
