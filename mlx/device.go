package mlx

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"sync"
)

// DeviceType is where arrays are computed.
type DeviceType int

// The device types.
const (
	CPU DeviceType = iota
	GPU
)

func (d DeviceType) String() string {
	if d == GPU {
		return "gpu"
	}
	return "cpu"
}

// ParseDevice maps "cpu" or "gpu" to a DeviceType.
func ParseDevice(name string) (DeviceType, error) {
	switch name {
	case "cpu":
		return CPU, nil
	case "gpu":
		return GPU, nil
	}
	return 0, fmt.Errorf("unknown device %q (want cpu or gpu)", name)
}

func (d DeviceType) c() C.bb_device_type {
	if d == GPU {
		return C.BB_GPU
	}
	return C.BB_CPU
}

// DeviceCount is the number of devices of type d this MLX build can use at run time (0 GPUs on
// the Linux CPU backend, or on a CUDA build without a usable GPU).
func DeviceCount(d DeviceType) (int, error) {
	var n C.int
	err := call("device_count", func() C.int { return C.bb_device_count(&n, d.c()) })
	return int(n), err
}

// Version is the MLX library version.
func Version() string {
	var s *C.char
	if call("version", func() C.int { return C.bb_version(&s) }) != nil {
		return "unknown"
	}
	return C.GoString(s)
}

// Stream is an MLX stream: a queue of work on one device. It belongs to the OS thread that made
// it: used on another thread, it fails with ErrWrongThread (see the package documentation).
type Stream struct {
	mu     sync.Mutex
	h      C.bb_stream
	device DeviceType
}

// NewStream makes a stream on device d for the calling OS thread, which must be locked
// (runtime.LockOSThread) for as long as the stream is used. Asking for a GPU where MLX sees none
// is an error.
func NewStream(d DeviceType) (*Stream, error) {
	n, err := DeviceCount(d)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, &Error{Op: "new_stream", Message: fmt.Sprintf("no %s device available to this MLX build (it sees 0)", d)}
	}
	var h C.bb_stream
	if err := call("new_stream", func() C.int { return C.bb_stream_new(&h, d.c()) }); err != nil {
		return nil, err
	}
	return &Stream{h: h, device: d}, nil
}

// Device is the stream's device type.
func (s *Stream) Device() DeviceType { return s.device }

// Synchronize waits for all work queued on the stream.
func (s *Stream) Synchronize() error {
	return call("synchronize", func() C.int { return C.bb_synchronize(s.handle()) })
}

// Close frees the stream handle; idempotent.
func (s *Stream) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h.ctx != nil {
		C.bb_stream_free(s.h)
		s.h.ctx = nil
	}
}

func (s *Stream) handle() C.bb_stream {
	if s == nil {
		return C.bb_stream{}
	}
	return s.h
}
