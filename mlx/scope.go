package mlx

/*
#include "shim.h"
*/
import "C"

import "fmt"

// Scope builds a graph of operations on one stream and owns every array those operations
// create. Close frees them all at once; Keep hands one out to the caller, who then closes it.
//
// The first failing operation is recorded (Err) and every later operation returns nil without
// calling MLX, so a whole forward pass is written without per-line error checks.
// A Scope is used by one goroutine, on the OS thread that owns its stream.
type Scope struct {
	stream *Stream
	owned  []*Array
	err    error
}

// NewScope starts a scope whose operations run on s.
func NewScope(s *Stream) *Scope { return &Scope{stream: s} }

// Stream is the scope's stream.
func (sc *Scope) Stream() *Stream { return sc.stream }

// Err is the first error any operation of the scope met, or nil.
func (sc *Scope) Err() error { return sc.err }

// Fail records err as the scope's error if it has none yet, so later operations stop.
func (sc *Scope) Fail(err error) {
	if sc.err == nil && err != nil {
		sc.err = err
	}
}

// Keep removes a from the scope's ownership and returns it; the caller must Close it.
func (sc *Scope) Keep(a *Array) *Array {
	for i, o := range sc.owned {
		if o == a {
			sc.owned = append(sc.owned[:i], sc.owned[i+1:]...)
			break
		}
	}
	return a
}

// Own adds a to the arrays the scope frees on Close, and returns it.
func (sc *Scope) Own(a *Array) *Array {
	if a != nil {
		sc.owned = append(sc.owned, a)
	}
	return a
}

// Close frees every array the scope still owns. Idempotent.
func (sc *Scope) Close() {
	for _, a := range sc.owned {
		a.Close()
	}
	sc.owned = nil
}

// op runs one shim operation unless the scope has already failed, and owns its result.
func (sc *Scope) op(name string, inputs []*Array, f func(res *C.bb_array, s C.bb_stream) C.int) *Array {
	if sc.err != nil {
		return nil
	}
	for i, in := range inputs {
		if in == nil || in.h.ctx == nil {
			sc.err = fmt.Errorf("mlx %s: input %d is nil or closed", name, i)
			return nil
		}
	}
	var h C.bb_array
	if err := call(name, func() C.int { return f(&h, sc.stream.handle()) }); err != nil {
		sc.err = err
		return nil
	}
	return sc.Own(newArray(h))
}

// FromInt32 copies values into a scope-owned int32 array.
func (sc *Scope) FromInt32(v []int32, shape ...int) *Array { return sc.from(FromInt32(v, shape...)) }

// FromBool copies values into a scope-owned bool array.
func (sc *Scope) FromBool(v []bool, shape ...int) *Array { return sc.from(FromBool(v, shape...)) }

// FromFloat32 copies values into a scope-owned float32 array.
func (sc *Scope) FromFloat32(v []float32, shape ...int) *Array {
	return sc.from(FromFloat32(v, shape...))
}

// Scalar makes a scope-owned 0-d array.
func (sc *Scope) Scalar(v float64, dtype Dtype) *Array { return sc.from(Scalar(v, dtype)) }

func (sc *Scope) from(a *Array, err error) *Array {
	if sc.err != nil {
		a.Close()
		return nil
	}
	if err != nil {
		sc.err = err
		return nil
	}
	return sc.Own(a)
}
