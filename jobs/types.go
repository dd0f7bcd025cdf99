package jobs

// Struct tags understood by the decoder (decode.go), the schema test and Hash (hash.go):
//
//	yaml:"name"       the field's YAML key (snake_case); "-" for fields that are not read from the file
//	required:"true"   the field must be present (and, for strings and lists, not empty)
//	default:"v"       the value used when the field is absent
//	min:"n" max:"n"   inclusive range of an integer field
//	path:"kind"       env expansion and path resolution: ref (model reference), dir (a folder),
//	                  outdir (a folder, or an object-store prefix kept as written), glob (files, globs, folders)
//	hash:"-"          the field does not change output contents and is left out of Job.Hash
//
// A *string field is optional with no default: nil when the file leaves it out, so that a job can tell an
// absent field from an empty one.
//
// Enumerated fields have a named string type whose enumValues method lists the accepted spellings.

// Job is one validated job file with every default applied. See the package doc for its invariants.
type Job struct {
	Model    Model    `yaml:"model" required:"true"`
	Input    Input    `yaml:"input" required:"true"`
	Output   Output   `yaml:"output" required:"true"`
	Batching Batching `yaml:"batching"`
	Resume   Resume   `yaml:"resume" hash:"-"`
	// Workers is the number of inference workers; 0 picks one per device (auto).
	Workers int `yaml:"workers" default:"0" min:"0" max:"1024" hash:"-"`
	// BadRows says what happens to a row that cannot be processed.
	BadRows BadRows `yaml:"bad_rows" default:"fail"`
	// Mode says what happens when the output folder already holds results; the CLI's --overwrite overrides it.
	Mode Mode `yaml:"mode" default:"resume" hash:"-"`
	// Shard is "I/N" or "auto/N": run only shard I of N (auto takes I from the scheduler's environment when the
	// run starts). Empty runs the whole job. The CLI's --shard overrides the index; the counts must agree.
	Shard string `yaml:"shard,omitempty" default:"" hash:"-"`

	// File is the job file's name as given to Parse or Load (used in messages).
	File string `yaml:"-"`
	// Dir is the absolute folder relative paths were resolved against (the job file's folder).
	Dir string `yaml:"-"`
}

// Model names the checkpoint and how to run it.
type Model struct {
	// Ref is a Hub repository id ("org/name"), a local folder when absolute or written with ./ or ../, or
	// an object-storage folder (s3://, gs://, azblob://). After parsing, a local folder is absolute; see
	// IsLocal. An object-storage location is kept as written.
	Ref string `yaml:"ref" required:"true" path:"ref"`
	// Revision is the branch, tag or commit of a Hub model; empty for a local folder.
	Revision string `yaml:"revision,omitempty" default:"main"`
	// CacheDir is the Hugging Face hub cache folder; empty means the standard location (HF_HUB_CACHE, HF_HOME, ...).
	CacheDir string `yaml:"cache_dir,omitempty" path:"dir" hash:"-"`
	// Offline forbids network access: the model must already be in the cache.
	Offline bool `yaml:"offline" default:"false" hash:"-"`
	// DType is the compute precision.
	DType DType `yaml:"dtype" default:"float32"`
	// Device is where the model runs.
	Device Device `yaml:"device" default:"cpu"`
	// Head selects classification outputs; empty means embeddings.
	Head Head `yaml:"head" default:""`
}

// Input says what to read and which columns hold what.
type Input struct {
	// Paths lists files, glob patterns and folders (read recursively; Hive-partitioned folders included),
	// local or object-storage locations (kept as written).
	Paths []string `yaml:"paths" required:"true" path:"glob" hash:"-"`
	// Format is the file format; auto picks it from each file's extension.
	Format Format `yaml:"format" default:"auto" hash:"-"`
	// InputIDsColumn holds token ids (list<int32> or list<int64>); empty with text input.
	InputIDsColumn string `yaml:"input_ids_column,omitempty" default:"input_ids"`
	// AttentionMaskColumn is read when the data has it; otherwise every token attends. Empty with text input.
	AttentionMaskColumn string `yaml:"attention_mask_column,omitempty" default:"attention_mask"`
	// TokenTypeIDsColumn is read when the data has it; otherwise all token types are 0. Empty with text input.
	TokenTypeIDsColumn string `yaml:"token_type_ids_column,omitempty" default:"token_type_ids"`
	// TextColumn, when set, holds text tokenized with the model's tokenizer instead of token columns.
	TextColumn string `yaml:"text_column,omitempty" default:""`
	// TextPairColumn holds the second text of a pair (cross-encoders, pair classifiers).
	TextPairColumn string `yaml:"text_pair_column,omitempty" default:""`
	// PromptName names a prompt of the model (config_sentence_transformers.json) prepended to every text.
	PromptName string `yaml:"prompt_name,omitempty" default:""`
	// Prompt is a literal text prepended to every text; "" applies no prompt, not even the model's default.
	// Nil (absent) with an empty PromptName applies the model's default prompt, if it has one.
	Prompt *string `yaml:"prompt,omitempty"`
	// Passthrough lists columns copied to the output unchanged, in this order.
	Passthrough []string `yaml:"passthrough" default:"[]"`
}

// Output says where and how results are written.
type Output struct {
	// Dir is the output folder (Parquet parts, manifest, summary, rejects).
	Dir string `yaml:"dir" required:"true" path:"outdir" hash:"-"`
	// EmbeddingColumn names the embedding column; empty with a head.
	EmbeddingColumn string `yaml:"embedding_column,omitempty" default:"embedding"`
	// Pooling turns token states into one vector; empty with a head.
	Pooling Pooling `yaml:"pooling,omitempty" default:"model"`
	// Normalize says whether embeddings are L2-normalised; empty with a head.
	Normalize Normalize `yaml:"normalize,omitempty" default:"model"`
	// TruncateDims keeps the first N dimensions of each embedding (before normalisation); 0 keeps all.
	TruncateDims int `yaml:"truncate_dims" default:"0" min:"0" max:"65536"`
	// DType is the element type of the embedding column.
	DType OutputDType `yaml:"dtype" default:"float32"`
	// Compression is the Parquet compression codec.
	Compression Compression `yaml:"compression" default:"zstd" hash:"-"`
	// RowsPerFile bounds the rows in one output file.
	RowsPerFile int `yaml:"rows_per_file" default:"100000" min:"1" max:"100000000" hash:"-"`
	// WriteTokenIDs also writes the tokenizer's input_ids, attention_mask and token_type_ids (text input only).
	WriteTokenIDs bool `yaml:"write_token_ids" default:"false"`
}

// Batching shapes the batches fed to the model. Only MaxLength and TooLong change output contents.
type Batching struct {
	// MaxTokens bounds the tokens one batch computes: its real tokens when the model runs packed
	// batches, otherwise rows × longest row.
	MaxTokens int `yaml:"max_tokens" default:"16384" min:"1" max:"16777216" hash:"-"`
	// MaxBatchSize bounds the rows in one batch.
	MaxBatchSize int `yaml:"max_batch_size" default:"256" min:"1" max:"65536" hash:"-"`
	// SortWindow is how many rows are grouped by length before batching; the pipeline raises a window smaller than
	// MaxBatchSize to it, since a batch never spans two windows.
	SortWindow int `yaml:"sort_window" default:"4096" min:"1" max:"16777216" hash:"-"`
	// MaxLength is the longest row in tokens, special tokens included; 0 means the model's own limit.
	MaxLength int `yaml:"max_length" default:"0" min:"0" max:"1048576"`
	// TooLong says what happens to a row longer than MaxLength.
	TooLong TooLong `yaml:"too_long" default:"truncate"`
}

// Resume says how a run treats results an earlier run of the job left in output.dir. Nothing in it changes
// output rows.
type Resume struct {
	// OnInputChange says what happens when the input of a finished unit changed since it was committed.
	OnInputChange OnInputChange `yaml:"on_input_change" default:"fail" hash:"-"`
}

// Output column names written beside the passthrough columns.
const (
	// ColumnInputIDs, ColumnAttentionMask and ColumnTokenTypeIDs are written with output.write_token_ids.
	ColumnInputIDs      = "input_ids"
	ColumnAttentionMask = "attention_mask"
	ColumnTokenTypeIDs  = "token_type_ids"
)
