package mlx

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestOnThreadReturnsHoweverFEnds runs f ending by each path and checks that OnThread comes back
// with the matching result instead of leaving the caller waiting.
func TestOnThreadReturnsHoweverFEnds(t *testing.T) {
	errFailed := errors.New("failed")
	tests := []struct {
		name      string
		f         func(s *Stream) error
		wantErr   error
		wantPanic any
	}{
		{name: "returns nil", f: func(*Stream) error { return nil }},
		{name: "returns an error", f: func(*Stream) error { return errFailed }, wantErr: errFailed},
		{name: "Goexit", f: func(*Stream) error { runtime.Goexit(); return nil }, wantErr: ErrGoexit},
		{name: "panics with a string", f: func(*Stream) error { panic("boom") }, wantPanic: "boom"},
		{name: "panics with an error", f: func(*Stream) error { panic(errFailed) }, wantPanic: errFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type outcome struct {
				err error
				p   any
			}
			done := make(chan outcome, 1)
			go func() {
				var o outcome
				defer func() {
					o.p = recover()
					done <- o
				}()
				o.err = OnThread(CPU, tt.f)
			}()
			var o outcome
			select {
			case o = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("OnThread did not return")
			}
			if !errors.Is(o.err, tt.wantErr) || (tt.wantErr == nil && o.err != nil) {
				t.Errorf("err = %v, want %v", o.err, tt.wantErr)
			}
			if tt.wantPanic == nil {
				if o.p != nil {
					t.Errorf("panicked with %v", o.p)
				}
				return
			}
			p, ok := o.p.(*Panic)
			if !ok {
				t.Fatalf("panic value = %#v, want *Panic", o.p)
			}
			if p.Value != tt.wantPanic || len(p.Stack) == 0 {
				t.Errorf("panic = %v with %d bytes of stack, want %v and a stack", p.Value, len(p.Stack), tt.wantPanic)
			}
			if err, isErr := tt.wantPanic.(error); isErr && !errors.Is(p, err) {
				t.Errorf("*Panic does not unwrap to %v", err)
			}
		})
	}
}
