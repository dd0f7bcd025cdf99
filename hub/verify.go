package hub

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
)

// expectation is what a downloaded file must match before it enters the cache.
type expectation struct {
	size    int64  // bytes; always known
	sha256  string // hex sha256 of the content (LFS files); "" when unknown
	gitSHA1 string // hex git blob id of the content (files stored in git); "" when unknown
}

// expectationFor combines the HEAD metadata and the info listing. An LFS file's ETag is its sha256,
// a git file's ETag is its blob id; the listing must agree with HEAD.
func expectationFor(file string, meta *fileMeta, listed repoFile, inListing bool) (expectation, error) {
	exp := expectation{size: meta.size}
	if inListing && listed.Size >= 0 {
		if exp.size >= 0 && exp.size != listed.Size {
			return exp, fmt.Errorf("hub: %s: the file listing says %d bytes, the file's metadata %d; retry later",
				file, listed.Size, exp.size)
		}
		exp.size = listed.Size
	}
	if exp.size < 0 {
		return exp, fmt.Errorf("hub: %s: the Hub gave no size for the file, so the download cannot be checked", file)
	}
	etag := strings.ToLower(meta.etag)
	switch {
	case inListing && listed.isLFS():
		exp.sha256 = listed.LFSSHA256
		if isHex(etag, 64) && etag != exp.sha256 {
			return exp, fmt.Errorf("hub: %s: the file listing gives sha256 %s, the file's metadata %s; retry later",
				file, exp.sha256, etag)
		}
	case isHex(etag, 64):
		exp.sha256 = etag
	case isHex(etag, 40):
		exp.gitSHA1 = etag
		if inListing && listed.BlobID != "" && !strings.EqualFold(listed.BlobID, etag) {
			return exp, fmt.Errorf("hub: %s: the file listing gives blob id %s, the file's metadata %s; retry later",
				file, listed.BlobID, etag)
		}
	}
	return exp, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// verifier hashes bytes as they are written to the partial file.
type verifier struct {
	exp     expectation
	sha256  hash.Hash
	gitSHA1 hash.Hash
	n       int64
}

func newVerifier(exp expectation) *verifier {
	v := &verifier{exp: exp}
	v.reset()
	return v
}

// reset forgets what was hashed (the server ignored a Range request and restarts from byte 0). Only the
// hashes there is something to compare with are computed.
func (v *verifier) reset() {
	v.n = 0
	v.sha256, v.gitSHA1 = nil, nil
	if v.exp.sha256 != "" {
		v.sha256 = sha256.New()
	}
	if v.exp.gitSHA1 != "" {
		v.gitSHA1 = sha1.New()
		fmt.Fprintf(v.gitSHA1, "blob %d\x00", v.exp.size)
	}
}

func (v *verifier) Write(p []byte) (int, error) {
	if v.sha256 != nil {
		v.sha256.Write(p)
	}
	if v.gitSHA1 != nil {
		v.gitSHA1.Write(p)
	}
	v.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*verifier)(nil)

// check compares what was hashed with the expectation.
func (v *verifier) check(repoID, file string) error {
	fail := func(check, want, got string) error {
		return &IntegrityError{RepoID: repoID, File: file, Check: check, Want: want, Got: got}
	}
	if v.n != v.exp.size {
		return fail("size", fmt.Sprintf("%d bytes", v.exp.size), fmt.Sprintf("%d bytes", v.n))
	}
	if v.exp.sha256 != "" {
		if got := hex.EncodeToString(v.sha256.Sum(nil)); got != v.exp.sha256 {
			return fail("sha256", v.exp.sha256, got)
		}
	}
	if v.exp.gitSHA1 != "" {
		if got := hex.EncodeToString(v.gitSHA1.Sum(nil)); got != strings.ToLower(v.exp.gitSHA1) {
			return fail("git-sha1", v.exp.gitSHA1, got)
		}
	}
	return nil
}
