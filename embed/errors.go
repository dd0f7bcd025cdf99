package embed

import (
	"errors"
	"fmt"

	"github.com/bertbatch/bertbatch/hub"
)

// Errors a caller branches on; those of package hub are the same values, so errors.Is works with
// either name.
var (
	// ErrModelNotFound: the Hub has no such repository, or it is private and no token was accepted.
	ErrModelNotFound = hub.ErrRepoNotFound
	// ErrGated: the repository is gated; accept its terms on the Hub and set HF_TOKEN.
	ErrGated = hub.ErrGatedRepo
	// ErrRevisionNotFound: the repository has no such branch, tag or commit.
	ErrRevisionNotFound = hub.ErrRevisionNotFound
	// ErrNotCached: offline, and the model is not in the cache (a *hub.NotCachedError says where it looked).
	ErrNotCached = hub.ErrNotCached
	// ErrInvalidReference: the reference is neither an existing folder nor a valid Hub id.
	ErrInvalidReference = hub.ErrInvalidReference
	// ErrClosed is returned by every call on a closed Model.
	ErrClosed = errors.New("embed: model is closed")
	// ErrNoHead is returned by Classify on a model opened without WithHead.
	ErrNoHead = errors.New("embed: model opened without a classification head (use WithHead)")
)

// RowError is an input row the model cannot take; Index is the row's position in the call's input.
type RowError struct {
	Index  int
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %s", e.Index, e.Reason) }
