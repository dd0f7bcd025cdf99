package jobs

import (
	"github.com/bertbatch/bertbatch/bert/outputs"
	"github.com/bertbatch/bertbatch/io/dataset"
)

// Each enumerated field has a string type; enumValues lists its accepted spellings in documentation order.
// Formats, poolings and heads are spelled by the packages that implement them (io/dataset, bert/outputs)
// and derived here; the JSON Schema test and the reference test derive theirs from enumValues.

// DType is the model's compute precision (model.dtype).
type DType string

// Compute precisions.
const (
	DTypeFloat32  DType = "float32"
	DTypeFloat16  DType = "float16"
	DTypeBFloat16 DType = "bfloat16"
)

func (DType) enumValues() []string {
	return strs(DTypeFloat32, DTypeFloat16, DTypeBFloat16)
}

// Device is where the model runs (model.device).
type Device string

// Devices.
const (
	DeviceCPU Device = "cpu"
	DeviceGPU Device = "gpu"
)

func (Device) enumValues() []string { return strs(DeviceCPU, DeviceGPU) }

// Head selects classification outputs (model.head); HeadNone means embeddings.
type Head string

// HeadNone means embeddings; the other heads are outputs.Heads().
const HeadNone = Head(outputs.HeadNone)

func (Head) enumValues() []string { return strs(outputs.Heads()...) }

// Format is an input file format (input.format): one of dataset.Formats().
type Format string

// FormatAuto picks each file's format from its extension.
const FormatAuto = Format(dataset.FormatAuto)

func (Format) enumValues() []string { return strs(dataset.Formats()...) }

// Pooling turns token states into one vector (output.pooling): one of outputs.Poolings().
type Pooling string

// PoolingModel uses the checkpoint's sentence-transformers pooling (1_Pooling/config.json).
const PoolingModel = Pooling(outputs.PoolingModel)

func (Pooling) enumValues() []string { return strs(outputs.Poolings()...) }

// Normalize says whether embeddings are L2-normalised (output.normalize). In YAML it is the string model or
// a boolean.
type Normalize string

// Normalisation choices; NormalizeModel normalises when the checkpoint has a sentence-transformers Normalize module.
const (
	NormalizeModel Normalize = "model"
	NormalizeOn    Normalize = "true"
	NormalizeOff   Normalize = "false"
)

func (Normalize) enumValues() []string { return strs(NormalizeModel, NormalizeOn, NormalizeOff) }

// acceptsBool marks Normalize as spelled with YAML booleans for true and false.
func (Normalize) acceptsBool() {}

// MarshalYAML writes true and false as YAML booleans.
func (n Normalize) MarshalYAML() (any, error) {
	switch n {
	case NormalizeOn:
		return true, nil
	case NormalizeOff:
		return false, nil
	}
	return string(n), nil
}

// OutputDType is the element type of the embedding column (output.dtype).
type OutputDType string

// Output element types.
const (
	OutputFloat32 OutputDType = "float32"
	OutputFloat16 OutputDType = "float16"
)

func (OutputDType) enumValues() []string { return strs(OutputFloat32, OutputFloat16) }

// Compression is a Parquet codec (output.compression).
type Compression string

// Codecs.
const (
	CompressionZstd   Compression = "zstd"
	CompressionSnappy Compression = "snappy"
	CompressionGzip   Compression = "gzip"
	CompressionLZ4    Compression = "lz4"
	CompressionNone   Compression = "none"
)

func (Compression) enumValues() []string {
	return strs(CompressionZstd, CompressionSnappy, CompressionGzip, CompressionLZ4, CompressionNone)
}

// TooLong says what happens to a row longer than batching.max_length (batching.too_long).
type TooLong string

// Too-long policies; TooLongReject treats the row as a bad row (see BadRows).
const (
	TooLongTruncate TooLong = "truncate"
	TooLongReject   TooLong = "reject"
)

func (TooLong) enumValues() []string { return strs(TooLongTruncate, TooLongReject) }

// BadRows says what happens to a row that cannot be processed (bad_rows).
type BadRows string

// Bad-row policies; BadRowsReject diverts the row, with the reason, to a rejects Parquet file in output.dir.
const (
	BadRowsFail   BadRows = "fail"
	BadRowsReject BadRows = "reject"
)

func (BadRows) enumValues() []string { return strs(BadRowsFail, BadRowsReject) }

// Mode says what happens when output.dir already holds results (mode).
type Mode string

// Modes; ModeResume skips finished units and refuses outputs of a different job, ModeOverwrite starts afresh.
const (
	ModeResume    Mode = "resume"
	ModeOverwrite Mode = "overwrite"
)

func (Mode) enumValues() []string { return strs(ModeResume, ModeOverwrite) }

// OnInputChange says what a resumed run does with finished units whose input changed since they were
// committed (resume.on_input_change).
type OnInputChange string

// Input-change policies; OnInputChangeRedo removes the changed units' committed files and does them again.
const (
	OnInputChangeFail OnInputChange = "fail"
	OnInputChangeRedo OnInputChange = "redo"
)

func (OnInputChange) enumValues() []string { return strs(OnInputChangeFail, OnInputChangeRedo) }

// enum is implemented by every enumerated field type.
type enum interface{ enumValues() []string }

// boolEnum is implemented by enumerated types whose "true" and "false" are written as YAML booleans.
type boolEnum interface{ acceptsBool() }

func strs[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
