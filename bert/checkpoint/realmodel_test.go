package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRealModel loads the packaged all-MiniLM-L6-v2 and compares every
// tensor's dtype, shape and bytes with the listing the safetensors library
// recorded (testdata/minilm_listing.json).
func TestRealModel(t *testing.T) {
	dir := os.Getenv("BERTBATCH_MODEL_DIR")
	if dir == "" {
		t.Skip("BERTBATCH_MODEL_DIR is unset; run `make model` and `eval \"$(make env)\"`")
	}
	path := filepath.Join(dir, SafetensorsFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Skipf("no real model: %v", err)
	}
	var listing struct {
		FileSize int64             `json:"file_size"`
		Metadata map[string]string `json:"metadata"`
		Tensors  map[string]struct {
			DType  DType  `json:"dtype"`
			Shape  []int  `json:"shape"`
			SHA256 string `json:"sha256"`
		} `json:"tensors"`
	}
	readJSON(t, filepath.Join("testdata", "minilm_listing.json"), &listing)
	if st.Size() != listing.FileSize {
		t.Skipf("%s is %d bytes, the recorded listing is of a %d-byte file (another model?)", path, st.Size(), listing.FileSize)
	}
	ckpt, err := LoadDir(dir, func(s string) { t.Errorf("unexpected warning %q", s) })
	if err != nil {
		t.Fatal(err)
	}
	if ckpt.Format != FormatSafetensors || ckpt.Metadata["format"] != listing.Metadata["format"] {
		t.Errorf("format %s, metadata %v", ckpt.Format, ckpt.Metadata)
	}
	if len(ckpt.Tensors) != len(listing.Tensors) {
		t.Errorf("%d tensors, want %d", len(ckpt.Tensors), len(listing.Tensors))
	}
	for name, want := range listing.Tensors {
		got, ok := ckpt.Tensors[name]
		if !ok {
			t.Errorf("tensor %q missing", name)
			continue
		}
		if got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) {
			t.Errorf("tensor %q: %s %v, want %s %v", name, got.DType, got.Shape, want.DType, want.Shape)
		}
		sum := sha256.Sum256(got.Data)
		if hex.EncodeToString(sum[:]) != want.SHA256 {
			t.Errorf("tensor %q: bytes differ from the safetensors library's", name)
		}
	}
}
