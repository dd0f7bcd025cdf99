// Package golden reads the expected outputs in testdata/golden, written by testdata/gen_models.py from
// transformers and sentence-transformers, so that engine tests can compare against them.
//
// Invariants: a Case loaded without error has rectangular inputs (every row as long as the first,
// three equal-length fields a row), outputs with one entry per input row (last_hidden_state may cover
// only the first LastHiddenStateRows rows and a prefix of the positions, at least a row's attended
// ones), a padding-invariance Row that indexes its Padded batch, and as many token rows and
// embeddings in FromText as texts. Float values are the exact float32 values the reference produced.
// Values at padded positions (attention_mask 0) are whatever the reference computed there: compare
// only positions whose mask is 1.
package golden

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Row is one padded input row.
type Row struct {
	InputIDs      []int32 `json:"input_ids"`
	AttentionMask []int32 `json:"attention_mask"`
	TokenTypeIDs  []int32 `json:"token_type_ids"`
}

// Len is the number of positions whose attention mask is 1.
func (r Row) Len() int {
	n := 0
	for _, m := range r.AttentionMask {
		n += int(m)
	}
	return n
}

// Batch is one padded batch and the reference outputs for it. An output the model does not have
// (pooler_output of DistilBERT, logits of an encoder) is nil.
type Batch struct {
	Inputs []Row `json:"inputs"`
	// LastHiddenState is [row][position][hidden].
	LastHiddenState [][][]float32 `json:"last_hidden_state"`
	// PoolerOutput is tanh(pooler.dense(CLS)), [row][hidden].
	PoolerOutput [][]float32 `json:"pooler_output"`
	// Pooled holds sentence-transformers Pooling on LastHiddenState, keyed by mode:
	// "cls", "mean", "max", "mean_sqrt_len"; each [row][hidden].
	Pooled map[string][][]float32 `json:"pooled"`
	// SentenceEmbedding is the output of the model's sentence-transformers module pipeline.
	SentenceEmbedding [][]float32 `json:"sentence_embedding"`
	// Logits, Probabilities and Labels are the sequence-classification outputs.
	Logits        [][]float32 `json:"logits"`
	Probabilities [][]float32 `json:"probabilities"`
	Labels        []Labels    `json:"labels"`
}

// PaddingInvariance is one short row run alone and padded beside a row of the model's full length.
type PaddingInvariance struct {
	// Row is the index of the short row within Padded.
	Row    int   `json:"row"`
	Alone  Batch `json:"alone"`
	Padded Batch `json:"padded"`
}

// Case is one golden file.
type Case struct {
	Model              string            `json:"model"`
	Architecture       string            `json:"architecture"`
	ModelType          string            `json:"model_type"`
	Reference          string            `json:"reference"`
	Versions           map[string]string `json:"versions"`
	DType              string            `json:"dtype"`
	AttnImplementation string            `json:"attn_implementation"`
	// ModelDir is the model folder; Load makes it absolute. Empty for a model that is not committed.
	ModelDir string `json:"model_dir"`
	// ModelEnv names the environment variable that holds the folder of a model that is not committed.
	ModelEnv     string `json:"model_env"`
	MaxSeqLength int    `json:"max_seq_length"`
	PoolingMode  string `json:"pooling_mode"`
	Normalize    bool   `json:"normalize"`
	// ProblemType is as transformers infers it; ProblemTypeInConfig says whether config.json names it.
	ProblemType         string            `json:"problem_type"`
	ProblemTypeInConfig bool              `json:"problem_type_in_config"`
	Activation          string            `json:"activation"`
	ID2Label            map[string]string `json:"id2label"`
	// Texts are the sentences Inputs were tokenized from (real models only).
	Texts []string `json:"texts"`
	// LastHiddenStateRows, when set, is how many leading rows LastHiddenState covers.
	LastHiddenStateRows int `json:"last_hidden_state_rows"`
	Batch
	PaddingInvariance PaddingInvariance `json:"padding_invariance"`
	// RelativePositionBuckets is MPNet's relative_position_bucket of each relative position (MPNet only).
	RelativePositionBuckets *Buckets `json:"relative_position_buckets"`
	// FromText is what a job must give from texts (tiny-jina only).
	FromText *FromText `json:"from_text"`
}

// FromText is texts, the token ids the model's tokenizer gives them (truncated at MaxSeqLength)
// and SentenceTransformer.encode's embeddings of them.
type FromText struct {
	Texts             []string    `json:"texts"`
	MaxSeqLength      int         `json:"max_seq_length"`
	InputIDs          [][]int32   `json:"input_ids"`
	SentenceEmbedding [][]float32 `json:"sentence_embedding"`
}

// Buckets pairs relative positions (key minus query) with their relative attention buckets.
type Buckets struct {
	RelativePositions []int `json:"relative_positions"`
	Buckets           []int `json:"buckets"`
}

// Labels is the predicted label of one row: a single label, or every label over 0.5 (multi-label).
type Labels []string

// UnmarshalJSON accepts a string or an array of strings.
func (l *Labels) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = Labels{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("labels: want a string or an array of strings, got %s", data)
	}
	*l = many
	return nil
}

// Dir is the absolute path of the repository's testdata folder.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata")
}

// Path is the absolute path of a golden file by name, e.g. Path("tiny-bert.json").
func Path(name string) string { return filepath.Join(Dir(), "golden", name) }

// Load reads and checks one golden file.
func Load(path string) (*Case, error) {
	var c Case
	if err := decodeFile(path, &c); err != nil {
		return nil, err
	}
	if c.ModelDir != "" {
		c.ModelDir = filepath.Join(filepath.Dir(filepath.Dir(path)), c.ModelDir)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("golden file %s: %w", path, err)
	}
	return &c, nil
}

func decodeFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("golden file: %w (run `make references` to write it)", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("golden file %s: %w (is bert/internal/golden in step with testdata/gen_models.py?)", path, err)
	}
	return nil
}
