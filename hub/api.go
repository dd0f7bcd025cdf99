package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxInfoBytes bounds the model info response read into memory.
const maxInfoBytes = 64 << 20

// repoFile is one file of the info API listing (GET /api/models/{repo}/revision/{rev}?blobs=true).
type repoFile struct {
	Name      string
	Size      int64  // -1 when not given
	BlobID    string // git object id (of the LFS pointer, for LFS files)
	LFSSHA256 string // sha256 of the content, for LFS files
}

// isLFS reports whether the file is stored through LFS (its ETag is then the content's sha256).
func (f repoFile) isLFS() bool { return f.LFSSHA256 != "" }

// repoInfo is a revision's commit and file listing.
type repoInfo struct {
	Commit string
	Files  map[string]repoFile
}

// modelInfo asks the info API for the commit rev resolves to and the files with their sizes and hashes.
func (cl *client) modelInfo(ctx context.Context, repoID, rev string) (*repoInfo, error) {
	u, err := cl.apiURL("/api/models/"+repoID+"/revision/"+url.PathEscape(rev), "blobs=true")
	if err != nil {
		return nil, err
	}
	resp, err := cl.do(ctx, call{method: http.MethodGet, url: u, repoID: repoID, revision: rev,
		header: http.Header{"Accept": {"application/json"}}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		SHA      string `json:"sha"`
		Siblings []struct {
			RFilename string `json:"rfilename"`
			Size      *int64 `json:"size"`
			BlobID    string `json:"blobId"`
			LFS       *struct {
				SHA256 string `json:"sha256"`
				Size   int64  `json:"size"`
			} `json:"lfs"`
		} `json:"siblings"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxInfoBytes))
	if err != nil {
		return nil, fmt.Errorf("hub: reading model info of %q: %w: %w", repoID, ErrUnreachable, err)
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, fmt.Errorf("hub: model info of %q from %s is not the Hub's JSON (is HF_ENDPOINT a Hub?): %w",
			repoID, redactURL(u), err)
	}
	if !isCommit(body.SHA) {
		return nil, fmt.Errorf("hub: model info of %q at %q has sha %q, not a 40-hex commit (is HF_ENDPOINT a Hub?)",
			repoID, rev, body.SHA)
	}
	info := &repoInfo{Commit: body.SHA, Files: make(map[string]repoFile, len(body.Siblings))}
	for _, s := range body.Siblings {
		f := repoFile{Name: s.RFilename, Size: -1, BlobID: s.BlobID}
		if s.Size != nil {
			f.Size = *s.Size
		}
		if s.LFS != nil {
			f.LFSSHA256 = strings.ToLower(s.LFS.SHA256)
			f.Size = s.LFS.Size
		}
		info.Files[f.Name] = f
	}
	return info, nil
}

// apiURL joins an already escaped path to the endpoint (which may carry a path prefix).
func (cl *client) apiURL(escapedPath, rawQuery string) (*url.URL, error) {
	base := strings.TrimRight(cl.s.endpoint.String(), "/")
	u, err := url.Parse(base + escapedPath)
	if err != nil {
		return nil, fmt.Errorf("hub: building URL %s%s: %w", base, escapedPath, err)
	}
	u.RawQuery = rawQuery
	return u, nil
}

// resolveURL is {endpoint}/{repo}/resolve/{rev}/{file}, with rev escaped whole and file per segment,
// as huggingface_hub builds it.
func (cl *client) resolveURL(repoID, rev, file string) (*url.URL, error) {
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return cl.apiURL("/"+repoID+"/resolve/"+url.PathEscape(rev)+"/"+strings.Join(segs, "/"), "")
}
