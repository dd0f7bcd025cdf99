package objstore

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Scheme names an object store's kind, as written before "://" in a path.
type Scheme string

// The schemes a job may use.
const (
	S3    Scheme = "s3"
	GCS   Scheme = "gs"
	Azure Scheme = "azblob"
)

// Schemes lists every Scheme, in the order documentation shows them.
var Schemes = []Scheme{S3, GCS, Azure}

// Location is a parsed object-storage path.
type Location struct {
	Scheme Scheme
	// Bucket is the bucket (S3, GCS) or container (Azure).
	Bucket string
	// Prefix is the key prefix, without leading or trailing slashes; "" for
	// the whole bucket.
	Prefix string
	// Query holds the URL's query parameters, passed to the bucket opener
	// (for example region=eu-west-1 or use_path_style=true for S3).
	Query url.Values
}

// IsRemote reports whether path names an object store (it starts with one of
// the Schemes followed by "://").
func IsRemote(path string) bool {
	for _, s := range Schemes {
		if strings.HasPrefix(path, string(s)+"://") {
			return true
		}
	}
	return false
}

// Parse parses an object-storage path such as s3://bucket/some/prefix.
func Parse(path string) (Location, error) {
	u, err := url.Parse(path)
	if err != nil {
		return Location{}, fmt.Errorf("object store path %q: %w", path, err)
	}
	var scheme Scheme
	for _, s := range Schemes {
		if u.Scheme == string(s) {
			scheme = s
		}
	}
	if scheme == "" {
		return Location{}, fmt.Errorf("object store path %q: the scheme must be one of %s", path, schemeList())
	}
	if u.Host == "" {
		return Location{}, fmt.Errorf("object store path %q: no bucket after %s://", path, scheme)
	}
	if u.User != nil || u.Fragment != "" {
		return Location{}, fmt.Errorf("object store path %q: credentials and fragments do not belong in the path", path)
	}
	prefix := strings.Trim(u.Path, "/")
	for _, part := range strings.Split(prefix, "/") {
		if part == "." || part == ".." {
			return Location{}, fmt.Errorf("object store path %q: %q is not allowed in a key prefix", path, part)
		}
	}
	return Location{Scheme: scheme, Bucket: u.Host, Prefix: prefix, Query: u.Query()}, nil
}

// String gives the location back as a path, without its query.
func (l Location) String() string {
	s := string(l.Scheme) + "://" + l.Bucket
	if l.Prefix != "" {
		s += "/" + l.Prefix
	}
	return s
}

// Join gives the location of name under l.
func (l Location) Join(name string) Location {
	out := l
	out.Prefix = strings.Trim(strings.Join([]string{l.Prefix, name}, "/"), "/")
	return out
}

// bucketURL is the URL gocloud.dev opens for l's bucket. For S3 with an
// endpoint set in the environment (an S3-compatible server), path-style
// addressing is the default, since such servers are rarely reachable as
// bucket.host; use_path_style=false in the path's query turns it off. Such
// servers often send no checksum with an object, so responses are checked
// only where a checksum is asked for (response_checksum_validation=
// when_required; the AWS SDK would log a line for every download otherwise).
func (l Location) bucketURL() string {
	q := url.Values{}
	for k, v := range l.Query {
		q[k] = v
	}
	if l.Scheme == S3 && endpointFromEnv() != "" {
		if q.Get("use_path_style") == "" {
			q.Set("use_path_style", "true")
		}
		if q.Get("response_checksum_validation") == "" {
			q.Set("response_checksum_validation", "when_required")
		}
	}
	u := url.URL{Scheme: string(l.Scheme), Host: l.Bucket, RawQuery: q.Encode()}
	return u.String()
}

// endpointFromEnv is the S3 endpoint set in the environment, or "".
func endpointFromEnv() string {
	if v := os.Getenv("AWS_ENDPOINT_URL_S3"); v != "" {
		return v
	}
	return os.Getenv("AWS_ENDPOINT_URL")
}

func schemeList() string {
	names := make([]string, len(Schemes))
	for i, s := range Schemes {
		names[i] = string(s) + "://"
	}
	return strings.Join(names, ", ")
}
