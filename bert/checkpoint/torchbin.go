package checkpoint

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
)

// ReadTorchBin reads a PyTorch state dict saved with torch.save, in the zip
// format (PyTorch ≥ 1.6) or the legacy format, through the restricted pickle
// machine. The top-level object must be a dict of tensors by name.
func ReadTorchBin(path string) (map[string]Tensor, error) {
	tensors, _, err := readTorchBin(path)
	return tensors, err
}

// readTorchBin also reports which of the two layouts the file uses.
func readTorchBin(path string) (map[string]Tensor, Format, error) {
	buf, err := readWholeFile(path)
	if err != nil {
		return nil, "", err
	}
	format := FormatPyTorchLegacy
	var entries []namedTensor
	if bytes.HasPrefix(buf, zipMagic) {
		format = FormatPyTorchZip
		entries, err = readTorchZip(buf)
	} else {
		entries, err = readTorchLegacy(buf)
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	tensors, err := materialize(entries)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return tensors, format, nil
}

// materialize turns state dict entries whose storages hold data into tensors.
func materialize(entries []namedTensor) (map[string]Tensor, error) {
	tensors := make(map[string]Tensor, len(entries))
	for _, e := range entries {
		s := e.ref.storage
		data, err := viewBytes(s.data, s.dtype.Size(), e.ref.offset, e.ref.shape, e.ref.stride)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", e.name, err)
		}
		tensors[e.name] = Tensor{Name: e.name, DType: s.dtype, Shape: e.ref.shape, Data: data}
	}
	return tensors, nil
}

// readTorchZip reads the zip layout: <prefix>/data.pkl, <prefix>/data/<key>
// per storage and an optional <prefix>/byteorder.
func readTorchZip(buf []byte) ([]namedTensor, error) {
	archive, err := openZip(buf)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip archive: %w", err)
	}
	files := map[string]*zip.File{}
	var pickles []string
	for _, f := range archive.File {
		files[f.Name] = f
		if dir, base, ok := strings.Cut(f.Name, "/"); ok && base == "data.pkl" && dir != "" {
			pickles = append(pickles, f.Name)
		}
	}
	if len(pickles) != 1 {
		return nil, fmt.Errorf("zip archive holds %d <name>/data.pkl entries, want exactly 1; is this a torch.save file?", len(pickles))
	}
	prefix := strings.TrimSuffix(pickles[0], "data.pkl")
	bigEndian, err := zipByteOrder(buf, files[prefix+"byteorder"])
	if err != nil {
		return nil, err
	}
	pickle, err := zipEntryBytes(buf, files[pickles[0]])
	if err != nil {
		return nil, err
	}
	storages := newStorageTable()
	value, _, err := unpickle(pickle, storages.load)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pickles[0], err)
	}
	entries, err := stateDictEntries(value)
	if err != nil {
		return nil, err
	}
	for _, s := range storages.order {
		name := prefix + "data/" + s.key
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("storage %q: archive has no entry %s", s.key, name)
		}
		if s.data, err = zipEntryBytes(buf, f); err != nil {
			return nil, fmt.Errorf("storage %q: %w", s.key, err)
		}
		if want := s.numel * s.dtype.Size(); len(s.data) != want {
			return nil, fmt.Errorf("storage %q: entry %s holds %d bytes, the pickle says %d×%s = %d",
				s.key, name, len(s.data), s.numel, s.dtype, want)
		}
		if bigEndian {
			swapBytes(s.data, s.dtype.Size())
		}
	}
	return entries, nil
}

// zipByteOrder reads the byteorder entry ("little" or "big"); an archive
// without one is little-endian.
func zipByteOrder(buf []byte, f *zip.File) (bigEndian bool, err error) {
	if f == nil {
		return false, nil
	}
	b, err := zipEntryBytes(buf, f)
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(string(b)) {
	case "little":
		return false, nil
	case "big":
		return true, nil
	}
	return false, fmt.Errorf("%s says %q, want \"little\" or \"big\"", f.Name, b)
}
