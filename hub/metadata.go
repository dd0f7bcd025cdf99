package hub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// fileMeta is what HEAD /{repo}/resolve/{commit}/{file} says about a file.
type fileMeta struct {
	commit   string   // X-Repo-Commit
	etag     string   // X-Linked-Etag, else ETag, without W/ and quotes: the blob's name in the cache
	size     int64    // X-Linked-Size, else Content-Length of a non-redirect answer; -1 when unknown
	location *url.URL // where to GET the content: the CDN redirect target, or the resolve URL itself
}

// headFile fetches a file's metadata without following a redirect to another origin (the CDN): the
// metadata is on the redirect itself and the token must not leave the Hub. Same-origin redirects
// (a renamed repository) are followed.
func (cl *client) headFile(ctx context.Context, repoID, commit, file string) (*fileMeta, error) {
	u, err := cl.resolveURL(repoID, commit, file)
	if err != nil {
		return nil, err
	}
	resp, err := cl.do(ctx, call{method: http.MethodHead, url: u, repoID: repoID, revision: commit, file: file,
		header: http.Header{"Accept-Encoding": {"identity"}}, stopAtForeignRedirect: true})
	if err != nil {
		return nil, err
	}
	drain(resp)
	h := resp.Header
	m := &fileMeta{commit: h.Get("X-Repo-Commit"), etag: normalizeEtag(h.Get("X-Linked-Etag")), size: -1}
	if m.etag == "" {
		m.etag = normalizeEtag(h.Get("ETag"))
	}
	redirect := resp.StatusCode >= 300 && resp.StatusCode < 400
	sizeHeader := h.Get("X-Linked-Size")
	if sizeHeader == "" && !redirect {
		sizeHeader = h.Get("Content-Length")
	}
	if sizeHeader != "" {
		n, err := strconv.ParseInt(sizeHeader, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("hub: HEAD %s: bad size %q", redactURL(u), sizeHeader)
		}
		m.size = n
	} else if !redirect && resp.ContentLength >= 0 {
		m.size = resp.ContentLength
	}
	m.location = resp.Request.URL
	if redirect {
		if m.location, err = resp.Request.URL.Parse(h.Get("Location")); err != nil {
			return nil, fmt.Errorf("hub: HEAD %s: bad Location: %w", redactURL(u), err)
		}
	}
	switch {
	case m.commit == "":
		return nil, fmt.Errorf("hub: HEAD %s: the answer has no X-Repo-Commit header, so it does not come from a "+
			"Hugging Face Hub; check HF_ENDPOINT and any proxy in between", redactURL(u))
	case m.etag == "":
		return nil, fmt.Errorf("hub: HEAD %s: the answer has no ETag; the file cannot be cached reliably", redactURL(u))
	case !safeEtag.MatchString(m.etag) || m.etag == "." || m.etag == "..":
		return nil, fmt.Errorf("hub: HEAD %s: refusing ETag %q as a cache file name", redactURL(u), m.etag)
	}
	return m, nil
}

// normalizeEtag strips a weak-validator prefix and the quotes, as huggingface_hub does.
func normalizeEtag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}
