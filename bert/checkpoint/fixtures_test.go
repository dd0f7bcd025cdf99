package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// expectedTensor is one tensor as the reference libraries read it
// (testdata/gen_fixtures.py).
type expectedTensor struct {
	DType  DType     `json:"dtype"`
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
	SHA256 string    `json:"sha256"`
}

type expectedFile struct {
	Tensors  map[string]map[string]expectedTensor `json:"tensors"`
	Metadata map[string]map[string]string         `json:"metadata"`
}

func loadExpected(t *testing.T) expectedFile {
	t.Helper()
	var exp expectedFile
	readJSON(t, filepath.Join("testdata", "expected.json"), &exp)
	return exp
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkTensors compares every tensor with the reference's reading: same
// names, dtypes, shapes, byte-for-byte data (SHA-256) and values.
func checkTensors(t *testing.T, got map[string]Tensor, want map[string]expectedTensor) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("no expected tensors")
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected tensor %q", name)
		}
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("tensor %q missing", name)
			continue
		}
		if g.Name != name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) {
			t.Errorf("tensor %q: got name %q %s %v, want %s %v", name, g.Name, g.DType, g.Shape, w.DType, w.Shape)
			continue
		}
		if len(g.Data) != g.NumElements()*g.DType.Size() {
			t.Errorf("tensor %q: %d data bytes for %d elements", name, len(g.Data), g.NumElements())
		}
		sum := sha256.Sum256(g.Data)
		if hex.EncodeToString(sum[:]) != w.SHA256 {
			t.Errorf("tensor %q: data bytes differ from the reference's", name)
		}
		checkValues(t, g, w.Values)
	}
}

func checkValues(t *testing.T, g Tensor, want []float64) {
	t.Helper()
	var got []float64
	if g.DType.IsFloat() {
		vals, err := g.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			got = append(got, float64(v))
		}
	} else {
		vals, err := g.Int64s()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			got = append(got, float64(v))
		}
	}
	if len(got) != len(want) {
		t.Errorf("tensor %q: %d values, want %d", g.Name, len(got), len(want))
		return
	}
	for i := range got {
		w := want[i]
		if g.DType.IsFloat() {
			w = float64(float32(w)) // the reference widened float32 values exactly
		}
		if got[i] != w && !(math.IsNaN(got[i]) && math.IsNaN(w)) {
			t.Errorf("tensor %q[%d] = %v, want %v", g.Name, i, got[i], w)
			return
		}
	}
}

func TestReadGoodFixtures(t *testing.T) {
	exp := loadExpected(t)
	good := filepath.Join("testdata", "good")
	tests := []struct {
		file string
		read func(path string) (map[string]Tensor, error)
	}{
		{"single.safetensors", func(p string) (map[string]Tensor, error) {
			tensors, _, err := ReadSafetensors(p)
			return tensors, err
		}},
		{"torch_zip.bin", ReadTorchBin},
		{"torch_legacy.bin", ReadTorchBin},
		{"torch_parameters.bin", ReadTorchBin},
		{"torch_zip_bigendian.bin", ReadTorchBin},
		{"weights.npz", ReadNPZ},
		{"weights_compressed.npz", ReadNPZ},
		{"weights_versions.npz", ReadNPZ},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := tc.read(filepath.Join(good, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkTensors(t, got, exp.Tensors[tc.file])
		})
	}
}

func TestSafetensorsMetadata(t *testing.T) {
	exp := loadExpected(t)
	_, metadata, err := ReadSafetensors(filepath.Join("testdata", "good", "single.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	want := exp.Metadata["single.safetensors"]
	if len(want) == 0 || len(metadata) != len(want) {
		t.Fatalf("metadata %v, want %v", metadata, want)
	}
	for k, v := range want {
		if metadata[k] != v {
			t.Errorf("metadata[%q] = %q, want %q", k, metadata[k], v)
		}
	}
}

// TestTorchSharedStorage checks that views of one storage and tied weights
// read as the same bytes, and that contiguous views do not copy.
func TestTorchSharedStorage(t *testing.T) {
	for _, file := range []string{"torch_zip.bin", "torch_legacy.bin"} {
		t.Run(file, func(t *testing.T) {
			got, err := ReadTorchBin(filepath.Join("testdata", "good", file))
			if err != nil {
				t.Fatal(err)
			}
			base, row1 := got["base"], got["row1"]
			if &row1.Data[0] != &base.Data[4*4] {
				t.Error("row1 (base[1]) does not share base's storage at offset 4")
			}
			if &got["tied"].Data[0] != &got["weight"].Data[0] {
				t.Error("tied does not share weight's data")
			}
		})
	}
}
