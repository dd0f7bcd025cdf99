package dataset

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/bertbatch/bertbatch/io/inputfile"
	"github.com/bertbatch/bertbatch/io/objstore"
)

// expandRemote returns the files of one object-storage input path in key
// order, by the rules of a local path: an object named exactly is one file;
// otherwise the path is a folder (a key prefix) listed recursively, or a
// glob whose segments are matched against the keys below its static part.
// Hidden and _ names are skipped at any depth below the root, and files
// whose extension names no format are skipped under FormatAuto.
func expandRemote(p string, format Format) ([]File, error) {
	loc, err := objstore.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("input path: %w", err)
	}
	ctx := context.Background()
	s, err := inputfile.Bucket(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("input path: %w", err)
	}
	root, pattern := keyPrefix(p), []string(nil)
	if hasMeta(root) {
		root, pattern = splitKeyGlob(root)
		for _, seg := range pattern {
			if _, err := path.Match(seg, ""); err != nil {
				return nil, fmt.Errorf("input path %q: bad glob segment %q: %w", p, seg, err)
			}
		}
	} else if root != "" {
		o, err := s.Stat(ctx, root)
		switch {
		case err == nil:
			return namedObject(loc, root, o, format)
		case !errors.Is(err, objstore.ErrNotFound):
			return nil, fmt.Errorf("input path: %w", err)
		}
	}
	listPrefix := root
	if listPrefix != "" {
		listPrefix += "/"
	}
	objs, err := s.List(ctx, listPrefix)
	if err != nil {
		return nil, fmt.Errorf("input path: %w", err)
	}
	var files []File
	for _, o := range objs {
		rel := strings.TrimPrefix(o.Name, listPrefix)
		if hiddenSegment(rel) || (pattern != nil && !matchGlob(pattern, strings.Split(rel, "/"))) {
			continue
		}
		f := File{Path: inputfile.ObjectPath(loc, o.Name), Format: format, Partitions: partitions(rel),
			Size: o.Size, ModTime: o.ModTime.UTC()}
		if format == FormatAuto {
			byExt, ok := formatOfExtension(strings.ToLower(path.Ext(rel)))
			if !ok {
				continue
			}
			f.Format = byExt
		}
		files = append(files, f)
	}
	return files, nil
}

// namedObject is the one file of an input path naming the object key exactly.
func namedObject(loc objstore.Location, key string, o objstore.Object, format Format) ([]File, error) {
	f := File{Path: inputfile.ObjectPath(loc, key), Format: format, Size: o.Size, ModTime: o.ModTime.UTC()}
	if format == FormatAuto {
		var err error
		if f.Format, err = FormatOf(f.Path); err != nil {
			return nil, err
		}
	}
	return []File{f}, nil
}

// keyPrefix is the key prefix of an object-storage path as written, between
// the bucket and the query, without its outer slashes. Percent escapes are
// kept: a key holds them literally (a Hive value such as k=a%2Fb), as a
// folder name on disk does.
func keyPrefix(p string) string {
	_, rest, _ := strings.Cut(p, "://")
	_, key, _ := strings.Cut(rest, "/")
	key, _, _ = strings.Cut(key, "?")
	return strings.Trim(key, "/")
}

// hiddenSegment reports whether any segment of a slash-separated relative
// key is hidden or private (see skipped), or empty (a key holding "//").
func hiddenSegment(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		if seg == "" || skipped(seg) {
			return true
		}
	}
	return false
}

// splitKeyGlob splits a key glob into the prefix before its first wildcard
// segment ("" for the bucket's root) and the pattern segments after it.
func splitKeyGlob(key string) (root string, pattern []string) {
	segs := strings.Split(key, "/")
	i := 0
	for i < len(segs)-1 && !hasMeta(segs[i]) {
		i++
	}
	return strings.Join(segs[:i], "/"), segs[i:]
}
