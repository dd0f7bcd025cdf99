package jobs

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// IsLocal reports whether the model reference names a local folder (absolute after parsing) rather than a Hub id.
func (m Model) IsLocal() bool { return filepath.IsAbs(m.Ref) }

// IsRemote reports whether the model reference names a folder in object storage (s3://, gs://, azblob://).
func (m Model) IsRemote() bool { return objstore.IsRemote(m.Ref) }

// resolvePath turns the raw value of a path field into its parsed form: environment references expanded and,
// for folders and files, made absolute against base (the job file's folder).
func resolvePath(kind, raw, base string, lookup func(string) (string, bool)) (string, error) {
	v, err := expandEnv(raw, lookup)
	if err != nil {
		return "", err
	}
	if objstore.IsRemote(v) && kind != "dir" {
		return checkRemote(kind, v)
	}
	if strings.HasPrefix(v, "~") {
		return "", fmt.Errorf("%q starts with ~, which is not expanded; write ${HOME}%s", v, strings.TrimPrefix(v, "~"))
	}
	switch kind {
	case "ref":
		if looksLocal(v) {
			return absolute(v, base), nil
		}
		if err := checkHubID(v); err != nil {
			return "", err
		}
		return v, checkNotFolder(v, base)
	case "glob":
		if strings.Contains(v, "**") {
			return "", fmt.Errorf("%q: ** is not supported; name the folder instead, folders are read recursively", v)
		}
		if _, err := filepath.Match(v, ""); err != nil {
			return "", fmt.Errorf("%q is not a valid glob pattern (%v)", v, err)
		}
		return absolute(v, base), nil
	case "dir":
		if v == "" {
			return "", nil
		}
		return absolute(v, base), nil
	case "outdir":
		if objstore.IsRemote(v) {
			// Kept as written: the store is reached when the job runs.
			if _, err := objstore.Parse(v); err != nil {
				return "", err
			}
			return v, nil
		}
		return absolute(v, base), nil
	}
	panic("jobs: unknown path kind " + kind)
}

// checkRemote checks an object-storage location (s3://, gs://, azblob://) in model.ref or input.paths and
// returns it unchanged: it is resolved when the job runs, against the store.
func checkRemote(kind, v string) (string, error) {
	loc, err := objstore.Parse(v)
	if err != nil {
		return "", err
	}
	if kind == "ref" && isGlob(loc.Prefix) {
		return "", fmt.Errorf("%q: a model location is a folder, not a glob pattern", v)
	}
	if kind == "glob" {
		if strings.Contains(loc.Prefix, "**") {
			return "", fmt.Errorf("%q: ** is not supported; name the prefix instead, prefixes are read recursively", v)
		}
		if _, err := path.Match(loc.Prefix, ""); err != nil {
			return "", fmt.Errorf("%q is not a valid glob pattern (%v)", v, err)
		}
	}
	return v, nil
}

// looksLocal reports whether a model reference is written as a folder: absolute, or starting with ./ or ../.
func looksLocal(ref string) bool {
	return filepath.IsAbs(ref) || ref == "." || ref == ".." ||
		strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "../")
}

func absolute(p, base string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// hubID is the Hub's repository id rule: an optional namespace and a name of word characters, dots and dashes.
var hubID = regexp.MustCompile(`^([\w.-]+/)?[\w.-]{1,96}$`)

func checkHubID(ref string) error {
	if hubID.MatchString(ref) && !strings.Contains(ref, "--") && !strings.Contains(ref, "..") &&
		!strings.HasSuffix(ref, ".git") {
		return nil
	}
	return fmt.Errorf("%q is not a Hub id (org/name: letters, digits, - _ .); for a local folder write ./%s or an absolute path",
		ref, strings.TrimPrefix(ref, "/"))
}

// checkNotFolder refuses a Hub id that names an existing folder beside the job file or in the
// current folder: written without ./ it would be read as a Hub id, whichever folder the job runs
// from, so the folder meant is asked for as a path.
func checkNotFolder(ref, base string) error {
	for _, dir := range []string{base, "."} {
		abs, err := filepath.Abs(filepath.Join(dir, ref))
		if err != nil {
			continue
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			continue
		}
		write := abs
		if rel, err := filepath.Rel(base, abs); err == nil {
			write = "./" + rel
			if strings.HasPrefix(rel, "..") {
				write = rel
			}
		}
		return fmt.Errorf("%q is read as a Hub id, but it also names the folder %s; for that folder write %s "+
			"(a folder starts with ./ or ../, relative to the job file, or is an absolute path)", ref, abs, write)
	}
	return nil
}

// isGlob reports whether a path holds glob metacharacters.
func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// overlaps reports whether reading input path in (a file, folder or glob, absolute) could read anything under
// folder out: out lies in a folder that in names or matches, or in names or matches something inside out.
func overlaps(in, out string) bool {
	if objstore.IsRemote(in) || objstore.IsRemote(out) {
		return overlapsRemote(in, out)
	}
	if !isGlob(in) {
		return within(out, in) || within(in, out)
	}
	for p := out; ; p = filepath.Dir(p) {
		if matched, _ := filepath.Match(in, p); matched {
			return true
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	sep := string(filepath.Separator)
	inParts, outParts := strings.Split(in, sep), strings.Split(out, sep)
	if len(inParts) <= len(outParts) {
		return false
	}
	matched, _ := filepath.Match(strings.Join(inParts[:len(outParts)], sep), out)
	return matched
}

// overlapsRemote is overlaps where either path is an object-storage location: a local path never overlaps
// one, and two locations overlap when one's static prefix holds the other's in the same bucket.
func overlapsRemote(in, out string) bool {
	if !objstore.IsRemote(in) || !objstore.IsRemote(out) {
		return false
	}
	inLoc, err1 := objstore.Parse(in)
	outLoc, err2 := objstore.Parse(out)
	if err1 != nil || err2 != nil || inLoc.Scheme != outLoc.Scheme || inLoc.Bucket != outLoc.Bucket {
		return false
	}
	inPrefix := inLoc.Prefix
	if i := strings.IndexAny(inPrefix, "*?["); i >= 0 {
		inPrefix = inPrefix[:strings.LastIndex(inPrefix[:i], "/")+1]
	}
	under := func(p, dir string) bool {
		return dir == "" || p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
	}
	return under(outLoc.Prefix, strings.TrimSuffix(inPrefix, "/")) || under(inLoc.Prefix, outLoc.Prefix)
}

// within reports whether path is dir itself or lies inside it (both absolute and clean).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
