package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Format says which kind of file a Checkpoint came from.
type Format string

// The formats LoadDir reads.
const (
	FormatSafetensors        Format = "safetensors"
	FormatSafetensorsSharded Format = "safetensors-sharded"
	FormatPyTorchZip         Format = "pytorch-zip"
	FormatPyTorchLegacy      Format = "pytorch-legacy"
	FormatNPZ                Format = "npz"
)

// The file names LoadDir looks for, in order of preference.
const (
	SafetensorsFile      = "model.safetensors"
	SafetensorsIndexFile = "model.safetensors.index.json"
	PyTorchFile          = "pytorch_model.bin"
	NPZFile              = "weights.npz"
)

// ErrNoWeights is wrapped by LoadDir's error when a folder holds none of the
// weight files it looks for.
var ErrNoWeights = errors.New("no weight file found")

// Checkpoint is every tensor of a model folder's weights, by name as stored.
type Checkpoint struct {
	// Tensors maps each stored name to its tensor.
	Tensors map[string]Tensor
	// Format is the kind of file the tensors came from.
	Format Format
	// Files are the paths that were read, in reading order.
	Files []string
	// Metadata is the safetensors __metadata__ (merged over shards, together
	// with the index's "metadata"); nil for other formats.
	Metadata map[string]string
}

// LoadDir reads the weights of a model folder. It prefers model.safetensors,
// then model.safetensors.index.json (sharded safetensors), then
// pytorch_model.bin (with a warning that safetensors is preferred), then
// weights.npz. A folder with none of them gives an error wrapping ErrNoWeights
// that lists what was looked for. warn may be nil.
func LoadDir(dir string, warn func(string)) (*Checkpoint, error) {
	if warn == nil {
		warn = func(string) {}
	}
	for _, name := range []string{SafetensorsFile, SafetensorsIndexFile, PyTorchFile, NPZFile} {
		path := filepath.Join(dir, name)
		found, err := isFile(path)
		if err != nil {
			return nil, err
		}
		if found {
			return loadFile(dir, name, warn)
		}
	}
	return nil, fmt.Errorf("%s: %w: looked for %s, %s, %s and %s; download the model's weights into this folder",
		dir, ErrNoWeights, SafetensorsFile, SafetensorsIndexFile, PyTorchFile, NPZFile)
}

// loadFile reads one of the files LoadDir looks for.
func loadFile(dir, name string, warn func(string)) (*Checkpoint, error) {
	path := filepath.Join(dir, name)
	switch name {
	case SafetensorsFile:
		tensors, metadata, err := ReadSafetensors(path)
		if err != nil {
			return nil, err
		}
		return &Checkpoint{Tensors: tensors, Format: FormatSafetensors, Files: []string{path}, Metadata: metadata}, nil
	case SafetensorsIndexFile:
		return readShardedSafetensors(path, warn)
	case PyTorchFile:
		warn(fmt.Sprintf("%s: reading a PyTorch pickle checkpoint; safetensors is preferred (faster to load, no pickle) — "+
			"convert it once with the safetensors library and save it as %s", path, SafetensorsFile))
		tensors, format, err := readTorchBin(path)
		if err != nil {
			return nil, err
		}
		return &Checkpoint{Tensors: tensors, Format: format, Files: []string{path}}, nil
	default:
		tensors, err := ReadNPZ(path)
		if err != nil {
			return nil, err
		}
		return &Checkpoint{Tensors: tensors, Format: FormatNPZ, Files: []string{path}}, nil
	}
}

// isFile reports whether path exists as a regular file (following links).
func isFile(path string) (bool, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if st.IsDir() {
		return false, fmt.Errorf("%s is a folder, expected a weight file", path)
	}
	return true, nil
}

// isLocalName reports whether a file name from a checkpoint stays inside its folder.
func isLocalName(name string) bool {
	if !filepath.IsLocal(name) || strings.Contains(name, `\`) {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}
