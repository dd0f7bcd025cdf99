package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// readManifest reads the manifest name of f. A last line without its
// newline is what a crash during an append leaves: it is cut off the file
// (and the file fsynced) and ignored. Any other unreadable line is
// ErrDamaged. A missing or empty manifest yields no lines.
func readManifest(f folder, name string) ([]line, error) {
	path := f.at(name)
	data, err := f.readManifest(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	if complete := bytes.LastIndexByte(data, '\n') + 1; complete < len(data) {
		if err := f.cutManifest(name, int64(complete)); err != nil {
			return nil, fmt.Errorf("cut the torn last line of manifest %s: %w", path, err)
		}
		data = data[:complete]
	}
	return parseManifest(path, data)
}

// parseManifest decodes complete manifest lines (data ends with a newline or
// is empty); an unreadable line or a misplaced job record is ErrDamaged.
func parseManifest(path string, data []byte) ([]line, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var lines []line
	for i, text := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		var l line
		if err := json.Unmarshal(text, &l); err != nil {
			return nil, fmt.Errorf("%w: manifest %s line %d is unreadable (%v); run with --overwrite to start over",
				ErrDamaged, path, i+1, err)
		}
		if (i == 0) != (l.Kind == kindJob) {
			return nil, fmt.Errorf("%w: manifest %s line %d: a %q record, expected the job record only on line 1; run with --overwrite to start over",
				ErrDamaged, path, i+1, l.Kind)
		}
		lines = append(lines, l)
	}
	return lines, nil
}

func truncate(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// manifestFile appends records to an open local manifest.
type manifestFile struct {
	file *os.File
}

// append writes l as one line with a single write and fsyncs the manifest.
func (m *manifestFile) append(l line) error {
	text, err := marshalLine(l)
	if err != nil {
		return err
	}
	if _, err := m.file.Write(text); err != nil {
		return fmt.Errorf("append to manifest %s: %w", m.file.Name(), err)
	}
	crashPoint("manifest-appended")
	if err := m.file.Sync(); err != nil {
		return fmt.Errorf("fsync manifest %s: %w", m.file.Name(), err)
	}
	return nil
}

func (m *manifestFile) close() error { return m.file.Close() }

func marshalLine(l line) ([]byte, error) {
	text, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode manifest record: %w", err)
	}
	return append(text, '\n'), nil
}
