package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badCases maps each file of testdata/bad to a fragment of the error it must
// give. bad.json records what the reference libraries say about each file.
var badCases = map[string]string{
	"truncated.safetensors":           "tensors end at data byte",
	"header_past_end.safetensors":     "runs past the end",
	"header_too_large.safetensors":    "over the 100000000-byte limit",
	"short.safetensors":               "8-byte header length",
	"overlap.safetensors":             `tensor "b": data_offsets [4, 12) do not continue at byte 8`,
	"gap.safetensors":                 `tensor "b": data_offsets [12, 16) do not continue at byte 8`,
	"unknown_dtype.safetensors":       `tensor "a": unknown dtype "Q5"`,
	"size_mismatch.safetensors":       `tensor "a": data_offsets span 8 bytes but shape [3] of F32 needs 12`,
	"trailing_data.safetensors":       "the data section holds 12 bytes",
	"not_json.safetensors":            "header is not a JSON object",
	"metadata_not_string.safetensors": "__metadata__ must map strings to strings",
	"negative_shape.safetensors":      `tensor "a": shape must be a list of non-negative integers`,
	"overflow_shape.safetensors":      `tensor "a": shape [4611686018427387904 8]: size overflows`,
	"os_system.bin":                   "pickle asks for os.system; refusing",
	"builtins_eval_legacy.bin":        "pickle asks for builtins.eval; refusing",
	"disallowed_opcode.bin":           "FRAME: opcode 0x95 is not allowed",
	"dup_opcode.bin":                  "DUP: opcode 0x32 is not allowed",
	"not_state_dict.bin":              "the pickle holds a list, not a state dict",
	"nested_state_dict.bin":           `state dict entry "state_dict" is a dict, not a tensor`,
	"not_torch.bin":                   "not a PyTorch checkpoint",
	"truncated_legacy.bin":            "file ends before its element count",
	"missing_storage.bin":             `storage "0": archive has no entry`,
	"not_npy.npz":                     `entry "readme.txt" is not a .npy array`,
	"object_array.npz":                `tensor "obj": descr "|O" is not supported`,
	"sharded_missing_tensor":          `tensor "not.in.shard": testdata/bad/sharded_missing_tensor/model.safetensors.index.json maps it to this shard, which does not hold it`,
	"sharded_parent_path":             "leaves the model folder; refusing",
	"sharded_absolute_path":           `shard file name "/etc/passwd" leaves the model folder; refusing`,
}

func TestBadFixtures(t *testing.T) {
	var verdicts map[string]string
	readJSON(t, filepath.Join("testdata", "bad.json"), &verdicts)
	for name := range verdicts {
		if _, ok := badCases[name]; !ok {
			t.Errorf("testdata/bad/%s has no case in badCases", name)
		}
	}
	for name, want := range badCases {
		t.Run(name, func(t *testing.T) {
			if _, ok := verdicts[name]; !ok {
				t.Fatalf("bad.json does not list %s; rerun gen_fixtures.py", name)
			}
			path := filepath.Join("testdata", "bad", name)
			err := readBad(path)
			if err == nil {
				t.Fatalf("no error (reference: %s)", verdicts[name])
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\ndoes not contain %q", err, want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
		})
	}
}

// readBad reads a bad fixture with the reader its name calls for.
func readBad(path string) error {
	var err error
	switch {
	case strings.HasPrefix(filepath.Base(path), "sharded_"):
		_, err = LoadDir(path, nil)
	case strings.HasSuffix(path, ".safetensors"):
		_, _, err = ReadSafetensors(path)
	case strings.HasSuffix(path, ".npz"):
		_, err = ReadNPZ(path)
	default:
		_, err = ReadTorchBin(path)
	}
	return err
}

func TestUnsafeGlobalIsTyped(t *testing.T) {
	_, err := ReadTorchBin(filepath.Join("testdata", "bad", "os_system.bin"))
	var unsafe *UnsafeGlobalError
	if !errors.As(err, &unsafe) || unsafe.Module != "os" || unsafe.Name != "system" {
		t.Fatalf("error %v is not an UnsafeGlobalError for os.system", err)
	}
}

func TestLoadDir(t *testing.T) {
	exp := loadExpected(t)
	good := filepath.Join("testdata", "good")
	tests := []struct {
		name     string
		files    map[string]string // name in the folder → fixture in testdata/good
		format   Format
		expected string
		warns    bool
	}{
		{"safetensors", map[string]string{SafetensorsFile: "single.safetensors"}, FormatSafetensors, "single.safetensors", false},
		{"pytorch zip", map[string]string{PyTorchFile: "torch_zip.bin"}, FormatPyTorchZip, "torch_zip.bin", true},
		{"pytorch legacy", map[string]string{PyTorchFile: "torch_legacy.bin"}, FormatPyTorchLegacy, "torch_legacy.bin", true},
		{"npz", map[string]string{NPZFile: "weights.npz"}, FormatNPZ, "weights.npz", false},
		{"safetensors preferred", map[string]string{
			SafetensorsFile: "single.safetensors", PyTorchFile: "torch_zip.bin", NPZFile: "weights.npz",
		}, FormatSafetensors, "single.safetensors", false},
		{"pytorch before npz", map[string]string{PyTorchFile: "torch_legacy.bin", NPZFile: "weights.npz"},
			FormatPyTorchLegacy, "torch_legacy.bin", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, fixture := range tc.files {
				copyFile(t, filepath.Join(good, fixture), filepath.Join(dir, name))
			}
			var warnings []string
			ckpt, err := LoadDir(dir, func(s string) { warnings = append(warnings, s) })
			if err != nil {
				t.Fatal(err)
			}
			if ckpt.Format != tc.format {
				t.Errorf("format %s, want %s", ckpt.Format, tc.format)
			}
			if (len(warnings) > 0) != tc.warns {
				t.Errorf("warnings %q, want some: %v", warnings, tc.warns)
			}
			if tc.warns && !strings.Contains(warnings[0], "safetensors is preferred") {
				t.Errorf("warning %q does not say safetensors is preferred", warnings[0])
			}
			checkTensors(t, ckpt.Tensors, exp.Tensors[tc.expected])
		})
	}
}

func TestLoadDirSharded(t *testing.T) {
	exp := loadExpected(t)
	dir := filepath.Join("testdata", "good", "sharded")
	ckpt, err := LoadDir(dir, func(s string) { t.Errorf("unexpected warning %q", s) })
	if err != nil {
		t.Fatal(err)
	}
	if ckpt.Format != FormatSafetensorsSharded || len(ckpt.Files) != 3 {
		t.Errorf("format %s, files %v; want %s and the index plus 2 shards", ckpt.Format, ckpt.Files, FormatSafetensorsSharded)
	}
	if ckpt.Metadata["format"] != "pt" || ckpt.Metadata["total_size"] == "" {
		t.Errorf("metadata %v lacks the shards' format and the index's total_size", ckpt.Metadata)
	}
	checkTensors(t, ckpt.Tensors, exp.Tensors["sharded"])
}

func TestLoadDirWithoutWeights(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDir(dir, nil)
	if !errors.Is(err, ErrNoWeights) {
		t.Fatalf("error %v does not wrap ErrNoWeights", err)
	}
	for _, name := range []string{dir, SafetensorsFile, SafetensorsIndexFile, PyTorchFile, NPZFile} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not mention %s", err, name)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
