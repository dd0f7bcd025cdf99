package hub

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultEndpoint is the Hub used when neither Options.Endpoint nor HF_ENDPOINT is set.
const DefaultEndpoint = "https://huggingface.co"

// DefaultRevision is the revision resolved when Options.Revision is empty.
const DefaultRevision = "main"

// Options control one resolution. The zero value resolves "main" through the default cache and endpoint.
type Options struct {
	// Revision is a branch, tag or 40-hex commit; "" means "main".
	Revision string
	// CacheDir is the Hub cache root; "" follows huggingface_hub: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE,
	// $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub.
	CacheDir string
	// Offline forbids every HTTP request: the model must already be in the cache. HF_HUB_OFFLINE set to
	// 1, ON, YES or TRUE turns it on too.
	Offline bool
	// Endpoint is the Hub's base URL; "" means HF_ENDPOINT, else https://huggingface.co.
	Endpoint string
	// Token authenticates to the Hub; "" means HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the token file
	// ($HF_TOKEN_PATH, else $HF_HOME/token). It is never printed or logged.
	Token string
	// HTTPClient sends the requests; nil means a client with connect, header and stall timeouts.
	// Its redirect policy is replaced: redirects are followed by this package.
	HTTPClient *http.Client
	// Logf receives warnings (pytorch_model.bin chosen, retries, cache fallbacks); nil discards them.
	Logf func(format string, args ...any)
	// Retries is how many times a request is retried after a 408, 429, 5xx or network error;
	// 0 means 5, a negative value means none.
	Retries int
	// RetryBase is the first backoff delay, doubled on each retry up to 8×RetryBase; 0 means 1 s.
	// A Retry-After header from the server takes precedence.
	RetryBase time.Duration

	// sleep waits between retries; nil means a timer honouring ctx. Tests replace it to record delays.
	sleep func(ctx context.Context, d time.Duration) error
	// stall is how long a download may bring no byte before it is resumed; 0 means stallTimeout.
	stall time.Duration
}

// settings are Options with every default and environment variable applied.
type settings struct {
	revision  string
	cacheDir  string
	offline   bool
	endpoint  *url.URL
	token     token
	client    *http.Client
	logf      func(format string, args ...any)
	retries   int
	retryBase time.Duration
	retryMax  time.Duration
	sleep     func(ctx context.Context, d time.Duration) error
	stall     time.Duration
}

// resolveSettings applies defaults and the environment to opts. It makes no request.
func resolveSettings(opts Options) (*settings, error) {
	s := &settings{
		revision:  opts.Revision,
		offline:   opts.Offline || IsOfflineEnv(),
		logf:      opts.Logf,
		retries:   opts.Retries,
		retryBase: opts.RetryBase,
		sleep:     opts.sleep,
		stall:     opts.stall,
	}
	if s.revision == "" {
		s.revision = DefaultRevision
	}
	if err := validateRevision(s.revision); err != nil {
		return nil, err
	}
	cacheDir, err := cacheRoot(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	s.cacheDir = cacheDir
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if s.retries == 0 {
		s.retries = 5
	} else if s.retries < 0 {
		s.retries = 0
	}
	if s.retryBase <= 0 {
		s.retryBase = time.Second
	}
	s.retryMax = 8 * s.retryBase
	if s.sleep == nil {
		s.sleep = sleepContext
	}
	if s.stall <= 0 {
		s.stall = stallTimeout
	}
	if s.offline {
		return s, nil
	}
	if s.endpoint, err = endpointURL(opts.Endpoint); err != nil {
		return nil, err
	}
	if s.token, err = findToken(opts.Token); err != nil {
		return nil, err
	}
	s.client = noRedirectClient(opts.HTTPClient)
	return s, nil
}

// IsOfflineEnv reports whether HF_HUB_OFFLINE (or the older TRANSFORMERS_OFFLINE) asks for offline mode,
// with huggingface_hub's truthy values 1, ON, YES, TRUE (any case).
func IsOfflineEnv() bool {
	v := os.Getenv("HF_HUB_OFFLINE")
	if v == "" {
		v = os.Getenv("TRANSFORMERS_OFFLINE")
	}
	return isTruthy(v)
}

func isTruthy(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// endpointURL picks the Hub base URL and checks it is an absolute http(s) URL.
func endpointURL(explicit string) (*url.URL, error) {
	raw, from := explicit, "the endpoint option"
	if raw == "" {
		raw, from = os.Getenv("HF_ENDPOINT"), "HF_ENDPOINT"
	}
	if raw == "" {
		raw, from = DefaultEndpoint, "the default endpoint"
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hub: %s %q is not an http(s) URL such as %s", from, raw, DefaultEndpoint)
	}
	return u, nil
}

// CacheDir returns the Hub cache root that Options.CacheDir = explicit selects, following the
// huggingface_hub environment chain when explicit is empty. The folder need not exist.
func CacheDir(explicit string) (string, error) {
	return cacheRoot(explicit)
}

func cacheRoot(explicit string) (string, error) {
	dir := explicit
	for _, name := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if dir == "" {
			dir = os.Getenv(name)
		}
	}
	if dir == "" {
		home, err := hfHome()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, "hub")
	}
	dir, err := expandPath(dir)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("hub: cache folder %q: %w", dir, err)
	}
	return abs, nil
}

// hfHome is $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.
func hfHome() (string, error) {
	if h := os.Getenv("HF_HOME"); h != "" {
		return expandPath(h)
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return expandPath(filepath.Join(x, "huggingface"))
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("hub: no home folder to hold the cache (%v); set HF_HUB_CACHE or pass a cache folder", err)
	}
	return filepath.Join(home, ".cache", "huggingface"), nil
}

// expandPath expands a leading ~ and $VAR references the way Python's expanduser and expandvars do:
// unknown variables are left as written.
func expandPath(p string) (string, error) {
	p = os.Expand(p, func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return "${" + name + "}"
	})
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("hub: cannot expand %q: %w", p, err)
		}
		p = filepath.Join(home, p[1:])
	}
	return p, nil
}

// noRedirectClient returns a copy of c (or of a default client) that hands redirects back to the caller.
func noRedirectClient(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		out.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ForceAttemptHTTP2:     true,
		}
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
