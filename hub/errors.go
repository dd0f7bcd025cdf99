package hub

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Kinds of failure callers branch on with errors.Is.
var (
	// ErrRepoNotFound: the repository does not exist, or it is private and the token is missing or lacks access.
	ErrRepoNotFound = errors.New("repository not found")
	// ErrGatedRepo: the repository is gated and the token has not been granted access.
	ErrGatedRepo = errors.New("gated repository")
	// ErrEntryNotFound: the file does not exist at that revision.
	ErrEntryNotFound = errors.New("file not found in repository")
	// ErrRevisionNotFound: the branch, tag or commit does not exist.
	ErrRevisionNotFound = errors.New("revision not found")
	// ErrBadToken: the Hub rejected the token itself (invalid or expired).
	ErrBadToken = errors.New("token rejected")
	// ErrNotCached: offline, or the Hub unreachable, and the cache lacks what is needed.
	ErrNotCached = errors.New("model not in cache")
	// ErrIntegrity: a downloaded file's size or hash differs from what the Hub announced.
	ErrIntegrity = errors.New("download integrity check failed")
	// ErrInvalidReference: the model reference or revision is malformed, or a local folder is missing.
	ErrInvalidReference = errors.New("invalid model reference")
	// ErrNoWeights: the model has no weights in a supported format.
	ErrNoWeights = errors.New("no supported weights")
)

// HTTPError is a failed Hub request. Kind is one of the sentinel errors above when the Hub said which
// (X-Error-Code, or status 401), else nil. Its message never holds the token or a URL's query string.
type HTTPError struct {
	Kind          error
	Status        int
	Code          string // X-Error-Code
	ServerMessage string // X-Error-Message
	Method        string
	URL           string // without query string
	RepoID        string
	Revision      string
	File          string
	Endpoint      string
	TokenSource   string // where the sent token came from; "" when none was sent
}

// Unwrap returns Kind so errors.Is(err, ErrGatedRepo) and the like work.
func (e *HTTPError) Unwrap() error { return e.Kind }

func (e *HTTPError) Error() string {
	var b strings.Builder
	switch e.Kind {
	case ErrRepoNotFound:
		fmt.Fprintf(&b, "model %q was not found on %s (HTTP %d)", e.RepoID, e.Endpoint, e.Status)
		if e.TokenSource == "" {
			b.WriteString("; check the id, and if the repository is private set HF_TOKEN to a token that can read it")
		} else {
			fmt.Fprintf(&b, "; check the id, and that the token from %s can read this repository", e.TokenSource)
		}
	case ErrGatedRepo:
		fmt.Fprintf(&b, "model %q is gated (HTTP %d): request access at %s/%s, then create a read token at "+
			"%s/settings/tokens and set HF_TOKEN", e.RepoID, e.Status, e.Endpoint, e.RepoID, e.Endpoint)
		if e.TokenSource != "" {
			fmt.Fprintf(&b, " (the token from %s has no access yet)", e.TokenSource)
		}
	case ErrEntryNotFound:
		fmt.Fprintf(&b, "file %q does not exist in %q at revision %q (HTTP %d)", e.File, e.RepoID, e.Revision, e.Status)
	case ErrRevisionNotFound:
		fmt.Fprintf(&b, "revision %q does not exist in %q (HTTP %d); give a branch, tag or commit that exists",
			e.Revision, e.RepoID, e.Status)
	case ErrBadToken:
		fmt.Fprintf(&b, "the Hub rejected the token from %s as invalid or expired (HTTP %d); create a new one at "+
			"%s/settings/tokens", e.TokenSource, e.Status, e.Endpoint)
	default:
		fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.URL, e.Status)
		if e.Status == 429 {
			b.WriteString(" (rate limited; try again later)")
		} else if e.Status >= 500 {
			b.WriteString(" (the Hub is unavailable; try again later, or use the cache with --offline)")
		} else if e.Status == 403 {
			b.WriteString(" (forbidden; check the token's permissions)")
		}
	}
	if e.ServerMessage != "" {
		fmt.Fprintf(&b, " [server: %s]", e.ServerMessage)
	}
	return "hub: " + b.String()
}

// IntegrityError is a downloaded file whose size or hash differs from what the Hub announced. The
// partial download was removed; nothing was placed in the cache.
type IntegrityError struct {
	RepoID string
	File   string
	Check  string // "size", "sha256" or "git-sha1"
	Want   string
	Got    string
}

// Unwrap returns ErrIntegrity.
func (e *IntegrityError) Unwrap() error { return ErrIntegrity }

func (e *IntegrityError) Error() string {
	return fmt.Sprintf("hub: %s of %s from %q: the Hub announced %s, the download has %s; "+
		"the download was discarded, retry later", e.Check, e.File, e.RepoID, e.Want, e.Got)
}

// NotCachedError is a model that must come from the cache (offline, or the Hub unreachable) but is
// missing or incomplete there.
type NotCachedError struct {
	RepoID   string
	Revision string
	CacheDir string
	Detail   string // what is missing
	Cause    error  // the network error when online resolution failed first; nil offline
}

// Unwrap returns ErrNotCached, and the cause if any.
func (e *NotCachedError) Unwrap() []error {
	if e.Cause != nil {
		return []error{ErrNotCached, e.Cause}
	}
	return []error{ErrNotCached}
}

func (e *NotCachedError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%v; and the cache %s has no usable copy of %q at revision %q either (%s)",
			e.Cause, e.CacheDir, e.RepoID, e.Revision, e.Detail)
	}
	msg := fmt.Sprintf("hub: model %q at revision %q is not usable from the cache %s: %s", e.RepoID, e.Revision, e.CacheDir, e.Detail)
	return msg + fmt.Sprintf("; run `bertbatch pull %s` with network access (without --offline and HF_HUB_OFFLINE) "+
		"or point the cache folder at a cache that has it", e.RepoID)
}

// ReferenceError is a malformed model reference or revision, or a local folder that does not exist.
type ReferenceError struct {
	Ref    string
	Reason string
}

// Unwrap returns ErrInvalidReference.
func (e *ReferenceError) Unwrap() error { return ErrInvalidReference }

func (e *ReferenceError) Error() string {
	return fmt.Sprintf("hub: model reference %q: %s", e.Ref, e.Reason)
}

// redactURL drops the query and fragment (signed download URLs carry credentials there) and any user info.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}
