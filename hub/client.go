package hub

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bertbatch/bertbatch"
)

// ErrUnreachable marks a request that failed without an HTTP answer (connection refused or cut,
// time-out) after every retry.
var ErrUnreachable = errors.New("the Hub could not be reached")

// maxRedirects bounds the redirects followed for one request.
const maxRedirects = 10

// client sends requests to one Hub endpoint: it adds the token for the Hub's own origin only, retries
// transient failures, follows redirects and turns failures into *HTTPError.
type client struct {
	s      *settings
	origin string // scheme://host:port of the endpoint
}

func newClient(s *settings) *client {
	return &client{s: s, origin: originOf(s.endpoint)}
}

// call is one logical request and the context its errors name.
type call struct {
	method string
	url    *url.URL
	header http.Header
	// stopAtForeignRedirect returns a redirect to another origin instead of following it (HEAD on
	// /resolve/: the metadata is on the redirect itself).
	stopAtForeignRedirect  bool
	repoID, revision, file string
}

// originOf is scheme://host:port with the scheme's default port made explicit.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// do sends c, following redirects: same-origin ones keep the token, ones to another origin drop it
// (or are returned when c.stopAtForeignRedirect). A response with status ≥ 400 becomes an *HTTPError.
// The caller closes the returned body.
func (cl *client) do(ctx context.Context, c call) (*http.Response, error) {
	u := c.url
	for hop := 0; hop <= maxRedirects; hop++ {
		resp, err := cl.send(ctx, c, u)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 400 {
			return nil, cl.failure(resp, c, u)
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" || resp.StatusCode == http.StatusNotModified {
			return resp, nil
		}
		target, err := u.Parse(loc)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("hub: %s %s: bad redirect Location %q: %w", c.method, redactURL(u), loc, err)
		}
		if originOf(target) != cl.origin && c.stopAtForeignRedirect {
			return resp, nil
		}
		drain(resp)
		u = target
	}
	return nil, fmt.Errorf("hub: %s %s: more than %d redirects", c.method, redactURL(c.url), maxRedirects)
}

// send makes one request to u, retrying 408, 429, 5xx and network errors with exponential backoff
// (Retry-After honoured).
func (cl *client) send(ctx context.Context, c call, u *url.URL) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, c.method, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("hub: building request for %s: %w", redactURL(u), err)
		}
		for k, v := range c.header {
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", "bertbatch/"+bertbatch.Version)
		if cl.s.token.present() && originOf(u) == cl.origin {
			req.Header.Set("Authorization", "Bearer "+cl.s.token.value)
		}
		resp, err := cl.s.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("hub: %s %s: %w", c.method, redactURL(u), ctx.Err())
			}
			err = scrubURLError(err)
			if !transientNetError(err) || attempt >= cl.s.retries {
				return nil, fmt.Errorf("hub: %s %s: %w: %w", c.method, redactURL(u), ErrUnreachable, err)
			}
			if err := cl.pause(ctx, c, u, attempt, 0, err.Error()); err != nil {
				return nil, err
			}
			continue
		}
		if !retryableStatus(resp.StatusCode) || attempt >= cl.s.retries {
			return resp, nil
		}
		wait, ok := retryAfter(resp.Header)
		if ok && wait > maxRetryAfter {
			return resp, nil // the caller reports the status; waiting that long would stall a job silently
		}
		drain(resp)
		if err := cl.pause(ctx, c, u, attempt, wait, resp.Status); err != nil {
			return nil, err
		}
	}
}

// pause sleeps before retry attempt+1: wait when the server gave one, else the backoff delay.
func (cl *client) pause(ctx context.Context, c call, u *url.URL, attempt int, wait time.Duration, why string) error {
	if wait <= 0 {
		wait = backoff(cl.s.retryBase, cl.s.retryMax, attempt)
	}
	cl.s.logf("hub: %s %s: %s; retrying in %s (retry %d of %d)", c.method, redactURL(u), why, wait, attempt+1, cl.s.retries)
	if err := cl.s.sleep(ctx, wait); err != nil {
		return fmt.Errorf("hub: %s %s: %w", c.method, redactURL(u), err)
	}
	return nil
}

// failure turns a status ≥ 400 into an *HTTPError, mapping X-Error-Code the way huggingface_hub does.
func (cl *client) failure(resp *http.Response, c call, u *url.URL) error {
	defer resp.Body.Close()
	e := &HTTPError{
		Status:        resp.StatusCode,
		Code:          resp.Header.Get("X-Error-Code"),
		ServerMessage: resp.Header.Get("X-Error-Message"),
		Method:        c.method,
		URL:           redactURL(u),
		RepoID:        c.repoID,
		Revision:      c.revision,
		File:          c.file,
		Endpoint:      strings.TrimRight(cl.s.endpoint.String(), "/"),
	}
	if cl.s.token.present() && originOf(u) == cl.origin {
		e.TokenSource = cl.s.token.source
	}
	if e.ServerMessage == "" {
		e.ServerMessage = bodyMessage(resp.Body)
	}
	switch {
	case e.Code == "RevisionNotFound":
		e.Kind = ErrRevisionNotFound
	case e.Code == "EntryNotFound":
		e.Kind = ErrEntryNotFound
	case e.Code == "GatedRepo":
		e.Kind = ErrGatedRepo
	case e.Status == http.StatusUnauthorized && e.ServerMessage == "Invalid credentials in Authorization header":
		if e.TokenSource == "" {
			e.TokenSource = "an unknown source"
		}
		e.Kind = ErrBadToken
	case e.Code == "RepoNotFound" || e.Status == http.StatusUnauthorized:
		e.Kind = ErrRepoNotFound
	}
	return e
}

// bodyMessage reads the "error" field of a small JSON error body, if any.
func bodyMessage(body io.Reader) string {
	var v struct {
		Error string `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(body, 4096))
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	return v.Error
}

// drain discards what is left of a body (so the connection can be reused) and closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func retryableStatus(code int) bool {
	switch code {
	case 408, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// transientNetError reports whether a transport error may pass on retry: not a missing host name,
// not a certificate problem.
func transientNetError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	return !errors.As(err, &certErr) && !errors.As(err, &hostErr) && !errors.As(err, &invalid)
}

// scrubURLError drops the URL (and its query string) that *url.Error repeats; the caller names it.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
