// Package hubtest runs an in-process fake of the Hugging Face Hub on loopback for tests: the info API
// (GET /api/models/{repo}/revision/{rev}, ?blobs=true), the tree API huggingface_hub's snapshot_download
// uses (GET /api/models/{repo}/tree/{rev}), and HEAD/GET /{repo}/resolve/{rev}/{file} with git-sha1
// ETags for small files and sha256 X-Linked-Etag plus a redirect to a second "CDN" server for LFS files.
// Errors carry X-Error-Code as the Hub sends them; faults (error statuses, Retry-After, connections cut
// mid-file, corrupted bodies, held downloads) can be injected, and every request is counted and logged.
//
// A Hub is safe for concurrent use; its servers close when the test ends.
package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
)

// File is one file of a fake repository. LFS files are served from the CDN server by redirect and their
// ETag is the content's sha256; other files are served by the Hub itself with their git blob id as ETag.
type File struct {
	Name    string
	Content []byte
	LFS     bool
}

// Request is one request either server received.
type Request struct {
	Server        string // "hub" or "cdn"
	Method        string
	Path          string // escaped path
	Query         string
	Authorization string // the Authorization header as received
	Range         string
	File          string // the repository file a resolve or CDN request is about; "" for API requests
}

// Hub is the fake Hub and its CDN.
type Hub struct {
	// URL is the Hub endpoint, for HF_ENDPOINT or Options.Endpoint.
	URL string
	// CDNURL is the download server LFS files redirect to (another origin: another port).
	CDNURL string

	hub, cdn *httptest.Server

	mu      sync.Mutex
	repos   map[string]*repo
	renames map[string]string
	tokens  map[string]bool
	faults  []*fault
	log     []Request
	heads   map[string]int // HEAD requests per file name
	holds   map[string]int // file name → HEADs to wait for before serving its content
	changed *sync.Cond
}

type repo struct {
	private bool
	gated   bool
	granted map[string]bool
	refs    map[string]string
	commits map[string]map[string]*blob
}

type blob struct {
	file    File
	gitOID  string // git blob id of what git stores: the content, or the LFS pointer
	sha256  string
	pointer []byte // LFS pointer text
}

// New starts a fake Hub and its CDN on loopback; both close when t ends.
func New(t testing.TB) *Hub {
	h := &Hub{
		repos:   map[string]*repo{},
		renames: map[string]string{},
		tokens:  map[string]bool{},
		heads:   map[string]int{},
		holds:   map[string]int{},
	}
	h.changed = sync.NewCond(&h.mu)
	h.hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.URL, h.CDNURL = h.hub.URL, h.cdn.URL
	t.Cleanup(func() {
		h.mu.Lock()
		h.holds = map[string]int{}
		h.changed.Broadcast()
		h.mu.Unlock()
		h.hub.Close()
		h.cdn.Close()
	})
	return h
}

// AddModel creates (or replaces) a repository whose "main" points at one commit holding files;
// it returns that commit.
func (h *Hub) AddModel(id string, files ...File) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repos[id] = &repo{granted: map[string]bool{}, refs: map[string]string{}, commits: map[string]map[string]*blob{}}
	return h.commitLocked(id, files)
}

// AddCommit adds a commit holding files to an existing repository and moves "main" to it.
func (h *Hub) AddCommit(id string, files ...File) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.commitLocked(id, files)
}

func (h *Hub) commitLocked(id string, files []File) string {
	r := h.repos[id]
	tree := map[string]*blob{}
	names := make([]string, 0, len(files))
	for _, f := range files {
		tree[f.Name] = newBlob(f)
		names = append(names, f.Name)
	}
	sort.Strings(names)
	c := sha1.New()
	fmt.Fprintf(c, "%s\x00%d\x00", id, len(r.commits))
	for _, n := range names {
		fmt.Fprintf(c, "%s\x00%s\x00", n, tree[n].gitOID)
	}
	commit := hex.EncodeToString(c.Sum(nil))
	r.commits[commit] = tree
	r.refs["main"] = commit
	return commit
}

func newBlob(f File) *blob {
	s := sha256.Sum256(f.Content)
	b := &blob{file: f, sha256: hex.EncodeToString(s[:])}
	stored := f.Content
	if f.LFS {
		b.pointer = []byte(fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", b.sha256, len(f.Content)))
		stored = b.pointer
	}
	b.gitOID = GitBlobID(stored)
	return b
}

// GitBlobID is git's object id of a blob: sha1("blob <size>\0" + content).
func GitBlobID(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// SHA256 is the hex sha256 of content.
func SHA256(content []byte) string {
	s := sha256.Sum256(content)
	return hex.EncodeToString(s[:])
}

// SetRef points a branch or tag of repository id at commit.
func (h *Hub) SetRef(id, ref, commit string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repos[id].refs[ref] = commit
}

// Rename moves repository oldID to newID; requests for oldID get a relative redirect, as on the Hub.
func (h *Hub) Rename(oldID, newID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repos[newID] = h.repos[oldID]
	delete(h.repos, oldID)
	h.renames[oldID] = newID
}

// AllowToken makes token valid; any other token sent is rejected with 401 "Invalid credentials".
func (h *Hub) AllowToken(token string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tokens[token] = true
}

// SetPrivate makes repository id answer 401 RepoNotFound unless a valid token is sent.
func (h *Hub) SetPrivate(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repos[id].private = true
}

// SetGated makes repository id answer 403 GatedRepo unless one of granted tokens is sent.
func (h *Hub) SetGated(id string, granted ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.repos[id]
	r.gated = true
	for _, t := range granted {
		r.granted[t] = true
	}
}

// Requests returns a copy of every request received so far, in order.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.log...)
}

// Count is the number of requests received so far by both servers.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.log)
}

// Downloads is the number of GET requests that asked for file's content (from the Hub or the CDN).
func (h *Hub) Downloads(file string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.log {
		if r.Method == http.MethodGet && r.File == file {
			n++
		}
	}
	return n
}

func (h *Hub) record(server string, r *http.Request, file string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, Request{Server: server, Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"), Range: r.Header.Get("Range"), File: file})
	if r.Method == http.MethodHead && file != "" {
		h.heads[file]++
		h.changed.Broadcast()
	}
}
