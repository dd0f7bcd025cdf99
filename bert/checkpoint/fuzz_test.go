package checkpoint

import (
	"archive/zip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSafetensorsHeader checks that the header parser never panics and that
// whatever it accepts obeys the reader rules.
func FuzzSafetensorsHeader(f *testing.F) {
	for _, dir := range []string{"good", "good/sharded", "bad"} {
		paths, _ := filepath.Glob(filepath.Join("testdata", dir, "*.safetensors"))
		for _, path := range paths {
			raw, err := os.ReadFile(path)
			if err != nil || len(raw) < 8 {
				continue
			}
			n := binary.LittleEndian.Uint64(raw)
			if n > uint64(len(raw)-8) {
				continue
			}
			f.Add(raw[8:8+n], int64(len(raw))-8-int64(n))
		}
	}
	f.Fuzz(func(t *testing.T, header []byte, dataLen int64) {
		infos, _, err := ParseSafetensorsHeader(header, dataLen)
		if err != nil {
			return
		}
		var next int64
		for _, info := range infos {
			if info.Begin != next || info.End < info.Begin {
				t.Fatalf("accepted %q at [%d, %d) after byte %d", info.Name, info.Begin, info.End, next)
			}
			numel, err := checkedNumel(info.Shape)
			if err != nil || info.DType.Size() == 0 || int64(numel)*int64(info.DType.Size()) != info.End-info.Begin {
				t.Fatalf("accepted %q with shape %v, dtype %s over %d bytes", info.Name, info.Shape, info.DType, info.End-info.Begin)
			}
			next = info.End
		}
		if next != dataLen {
			t.Fatalf("accepted tensors ending at %d of %d data bytes", next, dataLen)
		}
	})
}

// FuzzUnpickle runs the restricted pickle machine and the state dict checks
// on arbitrary bytes, then materializes what it accepted over zeroed
// storages: no panic, and every tensor holds exactly numel × size bytes.
func FuzzUnpickle(f *testing.F) {
	for _, seed := range pickleSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		storages := newStorageTable()
		storages.maxNumel = 1 << 16
		v, n, err := unpickle(data, storages.load)
		if err != nil {
			return
		}
		if n <= 0 || n > len(data) {
			t.Fatalf("used %d of %d bytes", n, len(data))
		}
		entries, err := stateDictEntries(v)
		if err != nil {
			return
		}
		for _, s := range storages.order {
			s.data = make([]byte, s.numel*s.dtype.Size())
		}
		for _, e := range entries {
			numel, err := checkedNumel(e.ref.shape)
			if err != nil {
				t.Fatalf("accepted tensor %q with shape %v: %v", e.name, e.ref.shape, err)
			}
			if numel > 1<<18 {
				continue // a broadcast view; copying it only costs memory
			}
			s := e.ref.storage
			got, err := viewBytes(s.data, s.dtype.Size(), e.ref.offset, e.ref.shape, e.ref.stride)
			if err != nil {
				t.Fatalf("tensor %q: %v", e.name, err)
			}
			if len(got) != numel*s.dtype.Size() {
				t.Fatalf("tensor %q: %d bytes for %d elements", e.name, len(got), numel)
			}
		}
	})
}

// FuzzNPY checks that .npy parsing never panics.
func FuzzNPY(f *testing.F) {
	for _, name := range []string{"weights.npz", "weights_versions.npz"} {
		for _, entry := range zipEntries(f, filepath.Join("testdata", "good", name)) {
			f.Add(entry)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tensor, err := parseNPY("x", data)
		if err == nil && len(tensor.Data) != tensor.NumElements()*tensor.DType.Size() {
			t.Fatalf("%d bytes for shape %v of %s", len(tensor.Data), tensor.Shape, tensor.DType)
		}
	})
}

// pickleSeeds collects the pickles of the fixtures: every data.pkl of the
// zip files, and each of the legacy files' consecutive pickles.
func pickleSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, dir := range []string{"good", "bad"} {
		paths, _ := filepath.Glob(filepath.Join("testdata", dir, "*.bin"))
		for _, path := range paths {
			raw, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			if !strings.HasPrefix(string(raw), string(zipMagic)) {
				for len(raw) > 0 {
					seeds = append(seeds, raw)
					_, n, err := unpickle(raw, newStorageTable().load)
					if err != nil {
						break
					}
					raw = raw[n:]
				}
				continue
			}
			for name, entry := range zipEntryMap(f, path) {
				if strings.HasSuffix(name, "/data.pkl") {
					seeds = append(seeds, entry)
				}
			}
		}
	}
	return seeds
}

func zipEntries(f *testing.F, path string) [][]byte {
	var out [][]byte
	for _, entry := range zipEntryMap(f, path) {
		out = append(out, entry)
	}
	return out
}

func zipEntryMap(f *testing.F, path string) map[string][]byte {
	r, err := zip.OpenReader(path)
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	out := map[string][]byte{}
	for _, file := range r.File {
		rc, err := file.Open()
		if err != nil {
			f.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		out[file.Name] = data
	}
	return out
}
