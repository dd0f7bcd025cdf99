package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// Reference is a parsed model reference: exactly one of LocalDir, RepoID and Remote is set.
type Reference struct {
	LocalDir string // absolute path of an existing folder
	RepoID   string // Hub repository id, "name" or "namespace/name"
	Remote   string // object-storage folder, s3://bucket/prefix (gs://, azblob://)
}

// ParseReference decides whether ref names a local folder or a Hub repository.
//
// An object-storage location (s3://, gs://, azblob://) is a model folder there. An existing path wins. A reference starting with "./", "../", "/" or "~/" (or that is "." or "..") is
// a local path and must exist. Anything else must be a valid Hub id (see ValidateRepoID); a string that
// is neither gets an error saying how to write each.
func ParseReference(ref string) (Reference, error) {
	if strings.TrimSpace(ref) == "" {
		return Reference{}, &ReferenceError{Ref: ref, Reason: "the model reference is empty; give a Hub id such as " +
			"sentence-transformers/all-MiniLM-L6-v2 or a local folder such as ./models/minilm"}
	}
	if objstore.IsRemote(ref) {
		if _, err := objstore.Parse(ref); err != nil {
			return Reference{}, &ReferenceError{Ref: ref, Reason: err.Error()}
		}
		return Reference{Remote: ref}, nil
	}
	path, err := expandPath(ref)
	if err != nil {
		return Reference{}, &ReferenceError{Ref: ref, Reason: err.Error()}
	}
	info, statErr := os.Stat(path)
	if statErr == nil {
		if !info.IsDir() {
			return Reference{}, &ReferenceError{Ref: ref, Reason: "is a file; give the folder that holds config.json and the weights"}
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return Reference{}, &ReferenceError{Ref: ref, Reason: err.Error()}
		}
		return Reference{LocalDir: abs}, nil
	}
	if looksLocal(ref) {
		reason := "local model folder does not exist"
		if !errors.Is(statErr, fs.ErrNotExist) {
			reason = "local model folder cannot be read: " + statErr.Error()
		}
		return Reference{}, &ReferenceError{Ref: ref, Reason: reason}
	}
	if err := ValidateRepoID(ref); err != nil {
		return Reference{}, &ReferenceError{Ref: ref, Reason: "is neither an existing folder nor a valid Hub id: " +
			err.Error() + "; write a local folder as ./path or /abs/path, a Hub id as namespace/name"}
	}
	return Reference{RepoID: ref}, nil
}

// looksLocal reports whether ref is written as a path rather than a Hub id.
func looksLocal(ref string) bool {
	if ref == "." || ref == ".." || ref == "~" {
		return true
	}
	for _, p := range []string{"./", "../", "/", "~/", `.\`, `..\`, `\`} {
		if strings.HasPrefix(ref, p) {
			return true
		}
	}
	return filepath.IsAbs(ref)
}

// repoIDPart is one part of a Hub id: 1–96 ASCII letters, digits, '_', '-' or '.', starting and ending
// with a letter, digit or '_' (huggingface_hub's REPO_ID_REGEX with its word boundaries).
var repoIDPart = regexp.MustCompile(`^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$`)

// ValidateRepoID checks a Hub repository id with the Hub's own rules: "name" or "namespace/name", each part
// 1–96 ASCII characters from [A-Za-z0-9._-] starting and ending with a letter, digit or '_', no "--" or
// "..", not ending with ".git".
func ValidateRepoID(id string) error {
	parts := strings.Split(id, "/")
	switch {
	case len(parts) > 2:
		return fmt.Errorf("a Hub id has at most one '/' (namespace/name), %q has %d", id, len(parts)-1)
	case strings.Contains(id, "--") || strings.Contains(id, ".."):
		return fmt.Errorf("a Hub id cannot contain \"--\" or \"..\"")
	case strings.HasSuffix(id, ".git"):
		return fmt.Errorf("a Hub id cannot end with \".git\"")
	}
	for _, p := range parts {
		if !repoIDPart.MatchString(p) {
			return fmt.Errorf("%q is not a valid Hub id part: use 1 to 96 ASCII letters, digits, '_', '-' or '.', "+
				"starting and ending with a letter, digit or '_'", p)
		}
	}
	return nil
}

// commitPattern matches a full commit hash as huggingface_hub writes it (lower-case hex).
var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// isCommit reports whether rev is a full 40-hex commit hash.
func isCommit(rev string) bool { return commitPattern.MatchString(rev) }

// validateRevision refuses a revision that could not safely become a path under refs/:
// empty segments, "." or "..", backslashes, absolute or drive paths, control characters.
func validateRevision(rev string) error {
	bad := func(why string) error {
		return &ReferenceError{Ref: rev, Reason: "is not a usable revision: " + why + "; give a branch, tag or 40-hex commit"}
	}
	if rev == "" || len(rev) > 255 {
		return bad("it must have 1 to 255 characters")
	}
	if strings.ContainsAny(rev, `\:`) || strings.IndexFunc(rev, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return bad("it contains a backslash, colon or control character")
	}
	for _, seg := range strings.Split(rev, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return bad("it has an empty, '.' or '..' path segment")
		}
	}
	return nil
}

// validateFilename refuses a repository file name that could escape the folder it is joined to:
// a ".." segment, an absolute, drive or UNC path (under both POSIX and Windows rules), empty segments,
// NUL or control characters.
func validateFilename(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("hub: refusing repository file name %q: %s", name, why)
	}
	if name == "" {
		return bad("it is empty")
	}
	if strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return bad("it contains a control character")
	}
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) {
		return bad("it is an absolute or UNC path")
	}
	for _, seg := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return bad("it has a '..' segment")
		}
		if len(seg) >= 2 && seg[1] == ':' && isASCIILetter(seg[0]) {
			return bad("it is a drive path")
		}
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." {
			return bad("it has an empty or '.' segment")
		}
	}
	return nil
}

func isASCIILetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// safeEtag matches an ETag that may become a blob file name: one path component of safe characters.
var safeEtag = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$`)
