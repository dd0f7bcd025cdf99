package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"gocloud.dev/blob"
	// The drivers of the Schemes, registered for blob.OpenBucket.
	_ "gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"
)

// Store is one prefix of one bucket.
type Store struct {
	loc    Location
	bucket *blob.Bucket
}

// Object describes one stored object.
type Object struct {
	// Name is the object's key relative to the Store's prefix.
	Name    string
	Size    int64
	ModTime time.Time
	// ETag is the object's entity tag; Stat sets it, List leaves it "" (a
	// listing does not carry it on every store).
	ETag string
}

// Open opens the bucket of loc and checks that it exists and can be reached
// with the credentials found in the environment. Its errors say which of
// these failed (see OpenError).
func Open(ctx context.Context, loc Location) (*Store, error) {
	b, err := blob.OpenBucket(ctx, loc.bucketURL())
	if err != nil {
		return nil, &OpenError{Location: loc, Problem: classify(err), Err: err}
	}
	ok, err := b.IsAccessible(ctx)
	if err != nil {
		_ = b.Close() // the open error is the one to report
		return nil, &OpenError{Location: loc, Problem: classify(err), Err: err}
	}
	if !ok {
		_ = b.Close()
		return nil, &OpenError{Location: loc, Problem: NoBucket}
	}
	if loc.Prefix != "" {
		b = blob.PrefixedBucket(b, loc.Prefix+"/")
	}
	return &Store{loc: loc, bucket: b}, nil
}

// NewStore makes the Store of loc from an open bucket b of loc's bucket,
// narrowed to loc's prefix, without checking that it can be reached. It is
// for buckets opened otherwise than by Open, such as gocloud.dev's
// in-memory memblob in tests. The Store takes b over (b itself is not to be
// used afterwards), yet NewStore may be called on b again: every such Store
// shares b's driver, which each closes when closed (for memblob, nothing).
func NewStore(loc Location, b *blob.Bucket) *Store {
	prefix := ""
	if loc.Prefix != "" {
		prefix = loc.Prefix + "/"
	}
	return &Store{loc: loc, bucket: blob.PrefixedBucket(b, prefix)}
}

// Location is where the Store is.
func (s *Store) Location() Location { return s.loc }

// Close releases the Store's connections.
func (s *Store) Close() error { return s.bucket.Close() }

// Bucket is the underlying gocloud.dev bucket, already narrowed to the
// Store's prefix.
func (s *Store) Bucket() *blob.Bucket { return s.bucket }

// URL is the path of name in the Store, for messages.
func (s *Store) URL(name string) string { return s.loc.Join(name).String() }

// List returns the objects whose names start with prefix ("" for all), in
// lexical order. Names ending in "/" (folder markers) are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]Object, error) {
	var out []Object
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", s.URL(prefix), wrap(err))
		}
		if strings.HasSuffix(o.Key, "/") {
			continue
		}
		out = append(out, Object{Name: o.Key, Size: o.Size, ModTime: o.ModTime})
	}
}

// Stat describes the object name; the error wraps ErrNotFound when there is
// none.
func (s *Store) Stat(ctx context.Context, name string) (Object, error) {
	a, err := s.bucket.Attributes(ctx, name)
	if err != nil {
		return Object{}, fmt.Errorf("%s: %w", s.URL(name), wrap(err))
	}
	return Object{Name: name, Size: a.Size, ModTime: a.ModTime, ETag: a.ETag}, nil
}

// Read returns the whole object name.
func (s *Store) Read(ctx context.Context, name string) ([]byte, error) {
	data, err := s.bucket.ReadAll(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.URL(name), wrap(err))
	}
	return data, nil
}

// Create starts writing the object name. Nothing is visible under name until
// the writer is closed without error; cancelling ctx before Close abandons the
// write and leaves any object already there untouched.
func (s *Store) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	w, err := s.bucket.NewWriter(ctx, name, nil)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", s.URL(name), wrap(err))
	}
	return w, nil
}

// CreateNew writes data as the object name only if no object of that name
// exists (If-None-Match: *). When one does, the error wraps ErrExists and
// the object there is left untouched.
func (s *Store) CreateNew(ctx context.Context, name string, data []byte) error {
	err := s.bucket.WriteAll(ctx, name, data, &blob.WriterOptions{IfNotExist: true})
	if err != nil {
		return fmt.Errorf("creating %s: %w", s.URL(name), wrap(err))
	}
	return nil
}

// Put writes data as the object name, replacing any object there.
func (s *Store) Put(ctx context.Context, name string, data []byte) error {
	if err := s.bucket.WriteAll(ctx, name, data, nil); err != nil {
		return fmt.Errorf("writing %s: %w", s.URL(name), wrap(err))
	}
	return nil
}

// Delete removes the object name. Removing an object that is not there is
// not an error.
func (s *Store) Delete(ctx context.Context, name string) error {
	err := s.bucket.Delete(ctx, name)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("removing %s: %w", s.URL(name), wrap(err))
	}
	return nil
}

// Problem says why a Store could not be opened or used.
type Problem int

// The problems OpenError reports.
const (
	// Other is any failure not named below.
	Other Problem = iota
	// NoBucket: the bucket (or container) does not exist.
	NoBucket
	// NoCredentials: no credentials were found, or they were refused.
	NoCredentials
	// Unreachable: the endpoint could not be reached.
	Unreachable
)

func (p Problem) String() string {
	switch p {
	case NoBucket:
		return "the bucket does not exist"
	case NoCredentials:
		return "no usable credentials"
	case Unreachable:
		return "the endpoint cannot be reached"
	default:
		return "the store refused the request"
	}
}

// credentialSources names, per scheme, where credentials are looked for.
var credentialSources = map[Scheme]string{
	S3:    "for S3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role",
	GCS:   "for GCS: GOOGLE_APPLICATION_CREDENTIALS, gcloud application-default credentials or the instance's service account",
	Azure: "for Azure: AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, AZURE_STORAGE_CONNECTION_STRING, or an Azure AD identity",
}

// OpenError reports a location that cannot be used.
type OpenError struct {
	Location Location
	Problem  Problem
	Err      error
}

func (e *OpenError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Location, e.Problem)
	if e.Problem == NoCredentials {
		msg += " (" + credentialSources[e.Location.Scheme] + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *OpenError) Unwrap() error { return e.Err }

// ErrExists is wrapped by CreateNew's error when the object already exists.
var ErrExists = errors.New("the object already exists")

// ErrNotFound is wrapped by the errors of reads of objects that do not exist.
var ErrNotFound = errors.New("no such object")

// wrap attaches ErrExists or ErrNotFound to err where its code says so.
func wrap(err error) error {
	switch gcerrors.Code(err) {
	case gcerrors.FailedPrecondition, gcerrors.AlreadyExists:
		return fmt.Errorf("%w: %w", ErrExists, err)
	case gcerrors.NotFound:
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// classify tells an OpenError's Problem from the error of a request.
func classify(err error) Problem {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case gcerrors.Code(err) == gcerrors.PermissionDenied:
		return NoCredentials
	case errors.As(err, &opErr), errors.As(err, &netErr):
		return Unreachable
	}
	msg := err.Error()
	// S3's error codes, then Azure's (AuthorizationFailure from Azurite and
	// for a refused identity, AuthenticationFailed for a wrong key).
	for _, s := range []string{"credential", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied",
		"AuthorizationFailure", "AuthenticationFailed"} {
		if strings.Contains(msg, s) {
			return NoCredentials
		}
	}
	return Other
}
