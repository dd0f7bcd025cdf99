package outdir

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestCrashAtEachStep kills a child process (SIGKILL, as kill -9 does) at
// each step of committing unit 2 or the summary, then checks that reopening
// yields a consistent folder with exactly the units finished before the
// kill, and that resuming completes the job as an uninterrupted run would.
//
// Calls of crashPoint per unit: "chunk" 8 (two files of four chunks),
// "manifest-appended" 2 (begin, unit), "begun" 1, "renamed" 2, "placed" 1.
func TestCrashAtEachStep(t *testing.T) {
	before := []int{0, 1}
	tests := []struct {
		name     string
		step     string
		at       int
		finished []int
	}{
		{"writing the first file", "chunk", 2*8 + 2, before},
		{"both files written", "chunk", 3 * 8, before},
		{"begin appended, not fsynced", "manifest-appended", 2*2 + 1, before},
		{"begin recorded", "begun", 3, before},
		{"one of two files renamed", "renamed", 2*2 + 1, before},
		{"both files renamed", "renamed", 3 * 2, before},
		{"folder fsynced", "placed", 3, before},
		{"unit recorded", "manifest-appended", 3 * 2, []int{0, 1, 2}},
		{"summary begun", "begun", testUnits + 1, []int{0, 1, 2, 3, 4, 5}},
		{"summary renamed", "renamed", 2*testUnits + 1, []int{0, 1, 2, 3, 4, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd, _ := startChild(t, fmt.Sprintf("crash:%s:%d", tc.step, tc.at), dir)
			requireKilled(t, cmd.Wait())
			got := slices.Sorted(maps.Keys(checkConsistent(t, dir)))
			if !slices.Equal(got, tc.finished) {
				t.Errorf("finished units after the crash: %v, want %v", got, tc.finished)
			}
			if err := commitUnits(dir, testUnits, nil); err != nil {
				t.Fatalf("resume: %v", err)
			}
			if got := checkConsistent(t, dir); len(got) != testUnits {
				t.Errorf("after resuming, %d of %d units finished", len(got), testUnits)
			}
		})
	}
}

// TestKillAtRandomMoments kills a committing child at random moments, over
// and over, resuming each time, until the job completes; after every kill
// the folder must be consistent and no unit may finish twice.
func TestKillAtRandomMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	dir := t.TempDir()
	for round := 0; ; round++ {
		if round > 4*testUnits {
			t.Fatal("the job did not complete")
		}
		cmd, lines := startChild(t, "units", dir)
		commits := 1 + r.IntN(2)
		for range commits {
			if !lines.Scan() {
				break
			}
		}
		time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		finished := checkConsistent(t, dir)
		if err == nil {
			if len(finished) != testUnits {
				t.Fatalf("child completed, yet %d of %d units are finished", len(finished), testUnits)
			}
			t.Logf("completed after %d kills", round)
			return
		}
		requireKilled(t, err)
	}
}

// requireKilled fails unless err says the child died of SIGKILL.
func requireKilled(t *testing.T, err error) {
	t.Helper()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL (did it reach the crash point?)", err)
	}
}
