package outdir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// removeTemps removes the temporary files a crashed run left behind, those
// of one shard when tag names it. The caller holds the lock, so no live run
// is writing them.
func removeTemps(f folder, tag string, entries []string) error {
	var names []string
	for _, name := range entries {
		if isTemp(name) && strings.HasPrefix(name, TempPrefix+tag) {
			names = append(names, name)
		}
	}
	return f.remove(names)
}

// removeFiles removes dir/name for every name; names already gone are fine.
func removeFiles(dir string, names []string) error {
	for _, name := range names {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", filepath.Join(dir, name), err)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return syncDir(dir)
}

// visible reports whether dataset readers see an entry: pyarrow and DuckDB
// skip names starting with "." or "_".
func visible(name string) bool {
	return !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_")
}

// checkUnknown fails with ErrUnknownFiles when dir holds visible entries, or
// a completion marker, that the manifest does not name.
func checkUnknown(dir string, entries []string, named map[string]bool) error {
	unknown := unknownFiles(entries, named)
	if len(unknown) == 0 {
		return nil
	}
	shown := unknown[:min(len(unknown), 5)]
	more := ""
	if len(unknown) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(unknown)-len(shown))
	}
	return fmt.Errorf("%w: %s holds %s%s, which dataset readers would mix with the results "+
		"(or, for %s, taken for bertbatch's completion marker); "+
		"move them away or choose an empty output folder (bertbatch never deletes files it did not write)",
		ErrUnknownFiles, dir, strings.Join(shown, ", "), more, SuccessName)
}

// unknownFiles lists, sorted, the visible entries and the completion marker
// that named does not hold.
func unknownFiles(entries []string, named map[string]bool) []string {
	var unknown []string
	for _, name := range entries {
		if (visible(name) || name == SuccessName) && !named[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// checkFinished fails with ErrDamaged when a finished unit's file is missing
// or does not have its recorded size and SHA-256. Files not tied to a unit (a
// summary) are rewritten by every run and not checked.
func checkFinished(dir folder, s *folderState) error {
	var files []ownedFile
	for _, r := range s.records {
		for _, f := range r.Files {
			files = append(files, ownedFile{f, "of unit " + r.Unit.String()})
		}
	}
	problems := checkFiles(dir, files)
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return fmt.Errorf("%w: in %s, %s; something other than bertbatch changed the folder; run with --overwrite to start over",
		ErrDamaged, dir, strings.Join(problems, "; "))
}

// ownedFile is a committed file and, for messages, what it belongs to ("of
// unit …", or "" for a file not tied to a unit).
type ownedFile struct {
	FileInfo
	owner string
}

// checkFiles checks files (see checkFile) on as many goroutines as there are
// CPUs (at least 8 on an object store, whose checks wait on requests), and
// returns a problem per file that fails, in files' order, each starting with
// the file's name and owner.
func checkFiles(dir folder, files []ownedFile) []string {
	found := make([]string, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	if _, remote := dir.(*remoteFolder); remote {
		workers = max(workers, 8)
	}
	for range min(workers, len(files)) {
		wg.Go(func() {
			for i := range next {
				found[i] = dir.check(files[i].FileInfo)
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	var problems []string
	for i, p := range found {
		if p == "" {
			continue
		}
		if owner := files[i].owner; owner != "" {
			p = owner + " " + p
		}
		problems = append(problems, files[i].Name+" "+p)
	}
	return problems
}

// checkFile returns what is wrong with dir/f.Name ("is missing", "has 10
// bytes, recorded 12", "has SHA-256 …, recorded …"), or "" when it has its
// recorded size and checksum. A record without a checksum is checked by size.
func checkFile(dir string, f FileInfo) string {
	path := filepath.Join(dir, f.Name)
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "is missing"
	case err != nil:
		return fmt.Sprintf("cannot be read (%v)", err)
	case info.Size() != f.Bytes:
		return fmt.Sprintf("has %d bytes, recorded %d", info.Size(), f.Bytes)
	case f.SHA256 == "":
		return ""
	}
	sum, err := fileSHA256(path)
	switch {
	case err != nil:
		return fmt.Sprintf("cannot be read (%v)", err)
	case sum != f.SHA256:
		return fmt.Sprintf("has SHA-256 %s, recorded %s (changed in place)", sum, f.SHA256)
	}
	return ""
}

// fileSHA256 returns the lowercase hex SHA-256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
