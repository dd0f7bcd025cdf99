package checkpoint

import (
	"fmt"
	"strings"
)

// ReadNPZ reads every array of a NumPy .npz archive (as written by
// numpy.savez, numpy.savez_compressed or mlx.core.savez). Names drop the
// ".npy" suffix. Stored arrays share the file's buffer; compressed ones are
// inflated.
func ReadNPZ(path string) (map[string]Tensor, error) {
	buf, err := readWholeFile(path)
	if err != nil {
		return nil, err
	}
	archive, err := openZip(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable .npz (zip) archive: %w", path, err)
	}
	tensors := make(map[string]Tensor, len(archive.File))
	for _, f := range archive.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("%s: entry %q is not a .npy array", path, f.Name)
		}
		if _, dup := tensors[name]; dup {
			return nil, fmt.Errorf("%s: tensor %q: stored twice", path, name)
		}
		data, err := zipEntryBytes(buf, f)
		if err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		t, err := parseNPY(name, data)
		if err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		tensors[name] = t
	}
	return tensors, nil
}
