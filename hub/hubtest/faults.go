package hubtest

import (
	"strings"
	"time"
)

// fault is an injected misbehaviour.
type fault struct {
	// Status faults: answer status (with Retry-After when set) to the next times matching requests.
	server, method, pathHas string
	status                  int
	retryAfter              string
	// Content faults on file: cut the connection after cutAfter bytes (times), or corrupt every body.
	file     string
	cutAfter int64
	corrupt  bool
	times    int
}

// FailNext answers status to the next times requests that server ("hub", "cdn" or "" for both) receives
// with method ("" for any) and a path containing pathHas ("" for any); retryAfter, when not empty, is
// sent as Retry-After.
func (h *Hub) FailNext(server, method, pathHas string, status int, retryAfter string, times int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{server: server, method: method, pathHas: pathHas, status: status,
		retryAfter: retryAfter, times: times})
}

// CutDownloads makes the next times downloads of file send after bytes of the body, then drop the
// connection.
func (h *Hub) CutDownloads(file string, after int64, times int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{file: file, cutAfter: after, times: times})
}

// CorruptDownloads makes every download of file deliver the right length with one byte changed.
func (h *Hub) CorruptDownloads(file string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{file: file, corrupt: true, times: -1})
}

// HoldDownloads makes downloads of file wait until file has received heads HEAD requests (or 20 s
// passed), so concurrent clients are sure to overlap.
func (h *Hub) HoldDownloads(file string, heads int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.holds[file] = heads
}

// statusFault returns and uses up the first status fault matching the request, if any.
func (h *Hub) statusFault(server, method, path string) *fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.faults {
		if f.status == 0 || f.times == 0 {
			continue
		}
		if (f.server == "" || f.server == server) && (f.method == "" || f.method == method) && strings.Contains(path, f.pathHas) {
			f.times--
			return f
		}
	}
	return nil
}

// contentFault returns the cut (used up) or corruption fault for a download of file, if any.
func (h *Hub) contentFault(file string) (cutAfter int64, cut, corrupt bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.faults {
		if f.file != file || f.times == 0 {
			continue
		}
		if f.corrupt {
			corrupt = true
			continue
		}
		if !cut {
			f.times--
			cutAfter, cut = f.cutAfter, true
		}
	}
	return cutAfter, cut, corrupt
}

// waitHold blocks a download of file until enough HEAD requests for it arrived, or 20 s passed.
func (h *Hub) waitHold(file string) {
	deadline := time.Now().Add(20 * time.Second)
	timer := time.AfterFunc(20*time.Second, func() {
		h.mu.Lock()
		h.changed.Broadcast()
		h.mu.Unlock()
	})
	defer timer.Stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.heads[file] < h.holds[file] && time.Now().Before(deadline) {
		h.changed.Wait()
	}
}
