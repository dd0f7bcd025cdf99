package hubtest

import (
	"strings"
	"time"
)

// fault is an injected misbehaviour: a Failure, or a content fault on one file.
type fault struct {
	Failure
	// Content faults on file: cut the connection after cutAfter bytes (Times), or corrupt every body.
	file     string
	cutAfter int64
	stall    bool // instead of cutting, stop sending and wait for the client to give up
	corrupt  bool
}

// Failure answers an error status to some requests.
type Failure struct {
	Server     string // "hub", "cdn" or "" for both
	Method     string // "" for any
	PathHas    string // part of the escaped path the request must have ("" for any), e.g. "/resolve/"
	Status     int
	Code       string // sent as X-Error-Code when not empty
	RetryAfter string // sent as Retry-After when not empty
	Times      int    // how many matching requests get it
}

// FailNext answers f.Status to the next f.Times requests matching f.
func (h *Hub) FailNext(f Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{Failure: f})
}

// CutDownloads makes the next times downloads of file send after bytes of the body, then drop the
// connection.
func (h *Hub) CutDownloads(file string, after int64, times int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{file: file, cutAfter: after, Failure: Failure{Times: times}})
}

// StallDownloads makes the next times downloads of file send after bytes of the body, then send
// nothing more until the client drops the connection.
func (h *Hub) StallDownloads(file string, after int64, times int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{file: file, cutAfter: after, stall: true, Failure: Failure{Times: times}})
}

// CorruptDownloads makes every download of file deliver the right length with one byte changed.
func (h *Hub) CorruptDownloads(file string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &fault{file: file, corrupt: true, Failure: Failure{Times: -1}})
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
		if f.Status == 0 || f.Times == 0 {
			continue
		}
		if (f.Server == "" || f.Server == server) && (f.Method == "" || f.Method == method) && strings.Contains(path, f.PathHas) {
			f.Times--
			return f
		}
	}
	return nil
}

// contentFault returns the cut or stall (used up) and the corruption fault for a download of file, if any.
func (h *Hub) contentFault(file string) (cutAfter int64, cut, stall, corrupt bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.faults {
		if f.file != file || f.Times == 0 {
			continue
		}
		if f.corrupt {
			corrupt = true
			continue
		}
		if !cut {
			f.Times--
			cutAfter, cut, stall = f.cutAfter, true, f.stall
		}
	}
	return cutAfter, cut, stall, corrupt
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
