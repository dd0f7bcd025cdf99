package hubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (h *Hub) serveHub(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.EscapedPath())
	if len(segs) >= 2 && segs[0] == "api" && segs[1] == "models" {
		h.record("hub", r, "")
		if !h.failed(w, "hub", r) {
			h.serveAPI(w, r, segs[2:])
		}
		return
	}
	repoID, rev, file, ok := parseAt(segs, "resolve")
	if !ok || file == "" {
		h.record("hub", r, "")
		http.NotFound(w, r)
		return
	}
	h.record("hub", r, file)
	if h.failed(w, "hub", r) {
		return
	}
	h.serveResolve(w, r, repoID, rev, file)
}

// splitPath splits an escaped path into unescaped segments (an escaped '/' stays inside its segment).
func splitPath(escaped string) []string {
	parts := strings.Split(strings.Trim(escaped, "/"), "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	return parts
}

// parseAt reads "{repo}/{op}/{rev}/{rest...}" where the repo id has one or two parts.
func parseAt(segs []string, op string) (repoID, rev, rest string, ok bool) {
	for i := 1; i <= 2 && i+1 < len(segs); i++ {
		if segs[i] == op {
			return strings.Join(segs[:i], "/"), segs[i+1], strings.Join(segs[i+2:], "/"), true
		}
	}
	return "", "", "", false
}

// failed answers an injected status fault, if one matches.
func (h *Hub) failed(w http.ResponseWriter, server string, r *http.Request) bool {
	f := h.statusFault(server, r.Method, r.URL.EscapedPath())
	if f == nil {
		return false
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Code != "" {
		hubError(w, f.Status, f.Code, "injected "+f.Code)
		return true
	}
	w.WriteHeader(f.Status)
	return true
}

// access applies renames, token checks, privacy and gating; it answers and returns false on refusal.
func (h *Hub) access(w http.ResponseWriter, r *http.Request, repoID string) (*repo, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if to, ok := h.renames[repoID]; ok {
		loc := strings.Replace(r.URL.EscapedPath(), "/"+repoID+"/", "/"+to+"/", 1)
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return nil, false
	}
	auth := r.Header.Get("Authorization")
	token := strings.TrimPrefix(auth, "Bearer ")
	if auth != "" && !h.tokens[token] {
		hubError(w, http.StatusUnauthorized, "", "Invalid credentials in Authorization header")
		return nil, false
	}
	rp := h.repos[repoID]
	switch {
	case rp == nil || (rp.private && auth == ""):
		status := http.StatusNotFound
		if auth == "" {
			status = http.StatusUnauthorized
		}
		hubError(w, status, "RepoNotFound", "Repository not found")
		return nil, false
	case rp.gated && !rp.granted[token]:
		hubError(w, http.StatusForbidden, "GatedRepo", fmt.Sprintf(
			"Access to model %s is restricted. You must have access to it and be authenticated to access it. Please log in.", repoID))
		return nil, false
	}
	return rp, true
}

func hubError(w http.ResponseWriter, status int, code, msg string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// commitOf resolves rev (branch, tag or commit) or answers RevisionNotFound.
func (h *Hub) commitOf(w http.ResponseWriter, rp *repo, rev string) (string, map[string]*blob, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	commit, ok := rp.refs[rev]
	if !ok {
		commit = rev
	}
	tree, ok := rp.commits[commit]
	if !ok {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
		return "", nil, false
	}
	return commit, tree, true
}

func (h *Hub) serveAPI(w http.ResponseWriter, r *http.Request, segs []string) {
	repoID, rev, _, okRev := parseAt(segs, "revision")
	op := "revision"
	if !okRev {
		var okTree bool
		if repoID, rev, _, okTree = parseAt(segs, "tree"); !okTree {
			http.NotFound(w, r)
			return
		}
		op = "tree"
	}
	rp, ok := h.access(w, r, repoID)
	if !ok {
		return
	}
	commit, tree, ok := h.commitOf(w, rp, rev)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if op == "tree" {
		json.NewEncoder(w).Encode(treeEntries(tree))
		return
	}
	json.NewEncoder(w).Encode(modelInfo(repoID, commit, rp, tree, r.URL.Query().Get("blobs") == "true"))
}

// modelInfo is the body of GET /api/models/{repo}/revision/{rev}.
func modelInfo(repoID, commit string, rp *repo, tree map[string]*blob, blobs bool) map[string]any {
	var siblings []map[string]any
	for _, name := range sortedNames(tree) {
		b := tree[name]
		s := map[string]any{"rfilename": name}
		if blobs {
			s["blobId"] = b.gitOID
			s["size"] = len(b.file.Content)
			if b.file.LFS {
				s["lfs"] = map[string]any{"sha256": b.sha256, "size": len(b.file.Content), "pointerSize": len(b.pointer)}
			}
		}
		siblings = append(siblings, s)
	}
	var gated any = false
	if rp.gated {
		gated = "manual"
	}
	return map[string]any{
		"_id": "0123456789abcdef01234567", "id": repoID, "modelId": repoID, "sha": commit,
		"private": rp.private, "gated": gated, "disabled": false, "downloads": 0, "likes": 0, "tags": []string{},
		"library_name": "sentence-transformers", "createdAt": "2024-01-01T00:00:00.000Z",
		"lastModified": "2024-01-01T00:00:00.000Z", "siblings": siblings,
	}
}

// treeEntries is the body of GET /api/models/{repo}/tree/{rev}?recursive=true: files and folders.
func treeEntries(tree map[string]*blob) []map[string]any {
	var out []map[string]any
	dirs := map[string]bool{}
	for _, name := range sortedNames(tree) {
		for d := path.Dir(name); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
			out = append(out, map[string]any{"type": "directory", "oid": GitBlobID([]byte(d)), "size": 0, "path": d})
		}
		b := tree[name]
		e := map[string]any{"type": "file", "oid": b.gitOID, "size": len(b.file.Content), "path": name}
		if b.file.LFS {
			e["lfs"] = map[string]any{"oid": b.sha256, "size": len(b.file.Content), "pointerSize": len(b.pointer)}
		}
		out = append(out, e)
	}
	return out
}

func sortedNames(tree map[string]*blob) []string {
	names := make([]string, 0, len(tree))
	for n := range tree {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (h *Hub) serveResolve(w http.ResponseWriter, r *http.Request, repoID, rev, file string) {
	rp, ok := h.access(w, r, repoID)
	if !ok {
		return
	}
	commit, tree, ok := h.commitOf(w, rp, rev)
	if !ok {
		return
	}
	w.Header().Set("X-Repo-Commit", commit)
	b := tree[file]
	if b == nil {
		hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
		return
	}
	if !b.file.LFS {
		w.Header().Set("ETag", `"`+b.gitOID+`"`)
		h.serveContent(w, r, b)
		return
	}
	w.Header().Set("ETag", `W/"`+b.gitOID+`"`)
	w.Header().Set("X-Linked-Etag", `"`+b.sha256+`"`)
	w.Header().Set("X-Linked-Size", strconv.Itoa(len(b.file.Content)))
	w.Header().Set("Location", h.CDNURL+"/repos/"+b.sha256[:2]+"/"+b.sha256+"?X-Amz-Signature=0ff1ce&response-content-disposition="+
		url.QueryEscape(`attachment; filename="`+path.Base(file)+`";`))
	w.WriteHeader(http.StatusFound)
}

func (h *Hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.EscapedPath())
	b := h.blobBySHA(segs[len(segs)-1])
	name := ""
	if b != nil {
		name = b.file.Name
	}
	h.record("cdn", r, name)
	if h.failed(w, "cdn", r) {
		return
	}
	if b == nil || len(segs) != 3 || segs[0] != "repos" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", `"`+b.sha256+`"`)
	h.serveContent(w, r, b)
}

func (h *Hub) blobBySHA(sha string) *blob {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, rp := range h.repos {
		for _, tree := range rp.commits {
			for _, b := range tree {
				if b.file.LFS && b.sha256 == sha {
					return b
				}
			}
		}
	}
	return nil
}

// serveContent sends a file's content, honouring "Range: bytes=N-" and the injected content faults.
func (h *Hub) serveContent(w http.ResponseWriter, r *http.Request, b *blob) {
	content := b.file.Content
	start := 0
	if rg := r.Header.Get("Range"); rg != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
		if err != nil || n < 0 || !strings.HasPrefix(rg, "bytes=") || !strings.HasSuffix(rg, "-") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n >= len(content) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(content)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start = n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(content)-1, len(content)))
	}
	w.Header().Set("Accept-Ranges", "bytes")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(content)-start))
	status := http.StatusOK
	if start > 0 {
		status = http.StatusPartialContent
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	h.waitHold(b.file.Name)
	cutAfter, cut, stall, corrupt := h.contentFault(b.file.Name)
	body := content[start:]
	if corrupt && len(body) > 0 {
		body = append([]byte(nil), body...)
		body[len(body)/2] ^= 0x5a
	}
	w.WriteHeader(status)
	if cut && cutAfter < int64(len(body)) {
		w.Write(body[:cutAfter])
		w.(http.Flusher).Flush()
		if stall {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		}
		panic(http.ErrAbortHandler) // drops the connection mid-body
	}
	w.Write(body)
}
