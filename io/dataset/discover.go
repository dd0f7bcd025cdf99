package dataset

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bertbatch/bertbatch/io/inputfile"
)

// File is one input file found by Discover.
type File struct {
	// Path is the file's path as found (cleaned).
	Path string
	// Format is the file's format, never FormatAuto.
	Format Format
	// Partitions are the Hive key=value folders between the folder or glob
	// root and the file, outermost first.
	Partitions []Partition
	// Size and ModTime are the file's at discovery, so that a resumed run
	// can tell whether an input changed since its units were recorded.
	Size    int64
	ModTime time.Time
}

// Partition is one Hive partition folder, key=value.
type Partition struct {
	Key   string
	Value string
	// Null is true for the __HIVE_DEFAULT_PARTITION__ value.
	Null bool
}

// hiveNull is the value Hive and Spark write for a null partition key.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// Discover expands paths (files, folders read recursively, and glob
// patterns where ** matches any number of folders) into input files. A path
// may be an object-storage location (s3://bucket/prefix, gs://…,
// azblob://…): an object, a prefix listed as a folder, or a glob over keys,
// by the same rules.
// With FormatAuto each file's format comes from its extension; inside
// folders and globs files with other extensions are skipped, while a file
// named explicitly must have a known extension. Every path must yield at
// least one file.
func Discover(paths []string, format Format) ([]File, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no input paths given; name at least one file, folder or glob")
	}
	var files []File
	seen := map[string]bool{}
	for _, p := range paths {
		found, err := expand(p, format)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("input path %q matched no data files (hidden and _ files are skipped); check the path", p)
		}
		for _, f := range found {
			if !seen[f.Path] {
				seen[f.Path] = true
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// expand returns the files of one input path in sorted path order.
func expand(p string, format Format) ([]File, error) {
	if inputfile.IsRemote(p) {
		return expandRemote(p, format)
	}
	p = filepath.Clean(p)
	if hasMeta(p) {
		root, pattern := splitGlob(p)
		for _, seg := range pattern {
			if _, err := path.Match(seg, ""); err != nil {
				return nil, fmt.Errorf("input path %q: bad glob segment %q: %w", p, seg, err)
			}
		}
		return walk(root, format, func(rel string) bool { return matchGlob(pattern, strings.Split(rel, "/")) })
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("input path: %w", err)
	}
	if st.IsDir() {
		return walk(p, format, func(string) bool { return true })
	}
	f := File{Path: p, Format: format, Size: st.Size(), ModTime: st.ModTime()}
	if format == FormatAuto {
		if f.Format, err = FormatOf(p); err != nil {
			return nil, err
		}
	}
	return []File{f}, nil
}

// walk lists the data files under root whose slash-separated path relative
// to root satisfies match, skipping hidden and _ entries.
func walk(root string, format Format, match func(rel string) bool) ([]File, error) {
	var files []File
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("input path: %w", err)
		}
		if p != root && skipped(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		st, ok := regularFile(p, d)
		if !ok {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !match(rel) {
			return nil
		}
		f := File{Path: p, Format: format, Partitions: partitions(rel), Size: st.Size(), ModTime: st.ModTime()}
		if format == FormatAuto {
			byExt, ok := formatOfExtension(strings.ToLower(filepath.Ext(p)))
			if !ok {
				return nil
			}
			f.Format = byExt
		}
		files = append(files, f)
		return nil
	})
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, err
}

// regularFile returns the information of a walked entry that is a regular
// file, following a symlink.
func regularFile(p string, d fs.DirEntry) (fs.FileInfo, bool) {
	if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
		return nil, false
	}
	st, err := os.Stat(p)
	return st, err == nil && st.Mode().IsRegular()
}

// skipped reports whether a file or folder name is hidden or marked private.
func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// partitions returns the key=value folders of a slash-separated relative path.
func partitions(rel string) []Partition {
	segs := strings.Split(rel, "/")
	var parts []Partition
	for _, s := range segs[:len(segs)-1] {
		key, value, ok := strings.Cut(s, "=")
		if !ok || key == "" {
			continue
		}
		if v, err := unescapeHive(value); err == nil {
			value = v
		}
		parts = append(parts, Partition{Key: key, Value: value, Null: value == hiveNull})
	}
	return parts
}

// unescapeHive decodes the %XX escapes Hive writes in partition values.
func unescapeHive(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}

// hasMeta reports whether p holds glob syntax.
func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// splitGlob splits a glob into the folder before its first wildcard segment
// and the slash-separated pattern segments after it.
func splitGlob(p string) (root string, pattern []string) {
	segs := strings.Split(filepath.ToSlash(p), "/")
	i := 0
	for i < len(segs)-1 && !hasMeta(segs[i]) {
		i++
	}
	root = strings.Join(segs[:i], "/")
	switch {
	case root == "" && strings.HasPrefix(p, "/"):
		root = "/"
	case root == "":
		root = "."
	}
	return filepath.FromSlash(root), segs[i:]
}

// matchGlob matches path segments against pattern segments; "**" matches
// zero or more segments, other segments use path.Match.
func matchGlob(pattern, segs []string) bool {
	if len(pattern) == 0 {
		return len(segs) == 0
	}
	if pattern[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchGlob(pattern[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	ok, err := path.Match(pattern[0], segs[0])
	return err == nil && ok && matchGlob(pattern[1:], segs[1:])
}
