package mlx

import "runtime"

// OnThread runs f on a new goroutine locked to its own OS thread, with a stream on device d made
// for that thread and closed after f returns, and waits for it: the way to run a piece of MLX
// work (loading weights, a one-off evaluation) outside a worker pool.
func OnThread(d DeviceType, f func(s *Stream) error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		s, err := NewStream(d)
		if err != nil {
			errc <- err
			return
		}
		defer s.Close()
		errc <- f(s)
	}()
	return <-errc
}
