package outdir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readManifestFile(t *testing.T, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTornLastLine appends what a crash in the middle of an append leaves —
// a line without its newline — and checks that Open cuts it off and keeps
// every earlier record.
func TestTornLastLine(t *testing.T) {
	unitLine := `{"kind":"unit","unit":{"input":"in/x.parquet","start":0,"end":5},"files":[{"name":"part-x","bytes":3}],"rows":5,"time":"2026-01-01T00:00:00Z"}`
	tests := []struct{ name, tail string }{
		{"half a record", unitLine[:len(unitLine)/2]},
		{"a whole record without its newline", unitLine},
		{"zero bytes", "\x00\x00\x00\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := finishedFolder(t)
			good := readManifestFile(t, dir)
			f, err := os.OpenFile(filepath.Join(dir, ManifestName), os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(tc.tail)
			f.Close()
			finished := checkConsistent(t, dir)
			if len(finished) != testUnits {
				t.Errorf("%d units finished, want %d", len(finished), testUnits)
			}
			if got := readManifestFile(t, dir); !bytes.Equal(got, good) {
				t.Errorf("manifest after reopening:\n%s\nwant:\n%s", got, good)
			}
		})
	}
}

// TestDamagedFolderRefused changes a finished folder in ways no crash can
// and checks that Open refuses it with ErrDamaged and a message naming the
// problem.
func TestDamagedFolderRefused(t *testing.T) {
	part := unitFiles(1)[0]
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string, manifest []byte) []byte
		want   string
	}{
		{"unit file removed", func(t *testing.T, dir string, m []byte) []byte {
			os.Remove(filepath.Join(dir, part))
			return m
		}, part + " of unit in/input-0.parquet[100:200] is missing"},
		{"unit file changed in place", func(t *testing.T, dir string, m []byte) []byte {
			flipByte(t, filepath.Join(dir, part), 100)
			return m
		}, part + " of unit in/input-0.parquet[100:200] has SHA-256"},
		{"unit file truncated", func(t *testing.T, dir string, m []byte) []byte {
			os.Truncate(filepath.Join(dir, part), 10)
			return m
		}, part + " of unit in/input-0.parquet[100:200] has 10 bytes"},
		{"unreadable middle line", func(t *testing.T, dir string, m []byte) []byte {
			lines := bytes.SplitAfter(m, []byte("\n"))
			lines[2] = []byte("not json\n")
			return bytes.Join(lines, nil)
		}, "line 3 is unreadable"},
		{"unit recorded twice", func(t *testing.T, dir string, m []byte) []byte {
			lines := bytes.SplitAfter(m, []byte("\n"))
			return append(m, lines[2]...) // line 3 is unit 0's record
		}, "unit in/input-0.parquet[0:100] is recorded twice"},
		{"job record missing", func(t *testing.T, dir string, m []byte) []byte {
			return m[bytes.IndexByte(m, '\n')+1:]
		}, "expected the job record only on line 1"},
		{"unknown record kind", func(t *testing.T, dir string, m []byte) []byte {
			return append(m, `{"kind":"mystery","time":"2026-01-01T00:00:00Z"}`+"\n"...)
		}, `unknown record kind "mystery"`},
		{"file name with a path", func(t *testing.T, dir string, m []byte) []byte {
			return append(m, `{"kind":"begin","files":[{"name":"../escape","bytes":1}],"time":"2026-01-01T00:00:00Z"}`+"\n"...)
		}, "must not hold a path separator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := finishedFolder(t)
			m := tc.damage(t, dir, readManifestFile(t, dir))
			if err := os.WriteFile(filepath.Join(dir, ManifestName), m, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, testID, Options{})
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--overwrite") {
				t.Fatalf("Open: %v\nwant ErrDamaged saying %q and --overwrite", err, tc.want)
			}
			d, err := Open(dir, testID, Options{Overwrite: true})
			if err != nil {
				t.Fatalf("Open with Overwrite: %v", err)
			}
			d.Close()
		})
	}
}

// flipByte inverts the bits of one byte of a file, keeping its size.
func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[at] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
