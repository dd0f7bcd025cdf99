package pipeline_test

import (
	"runtime"
	"testing"
	"time"
)

// checkNoLeak fails the test if, once it has finished, more goroutines run
// than when it started. Goroutines that returned may take a moment to be
// gone, so it waits for the count to come down before failing.
func checkNoLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if after := runtime.NumGoroutine(); after > before {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines leaked: %d before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
	})
}
