package outdir

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestLockExcludesSecondHolder checks that a second lock in the same
// process fails with a LockedError naming the holder, and succeeds once the
// first is released.
func TestLockExcludesSecondHolder(t *testing.T) {
	dir := t.TempDir()
	first, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDir(dir)
	var locked *LockedError
	if !errors.As(err, &locked) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second LockDir: %v, want a *LockedError", err)
	}
	if !strings.Contains(locked.Holder, "pid ") || !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the folder and the holder's pid", err)
	}
	if _, err := Open(dir, testID, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("Open on a locked folder: %v, want ErrLocked", err)
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := first.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	again, err := LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir after Unlock: %v", err)
	}
	again.Unlock()
}

// TestLockOfKilledProcessIsReleased locks the folder in a child process,
// checks the lock names the child, kills it with SIGKILL and takes the lock.
func TestLockOfKilledProcessIsReleased(t *testing.T) {
	dir := t.TempDir()
	cmd, lines := startChild(t, "lock", dir)
	if !lines.Scan() || lines.Text() != "locked" {
		t.Fatalf("child did not lock the folder: %q", lines.Text())
	}
	_, err := LockDir(dir)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("LockDir while the child holds it: %v, want a *LockedError", err)
	}
	if want := fmt.Sprintf("pid %d ", cmd.Process.Pid); !strings.Contains(locked.Holder, want) {
		t.Errorf("holder %q does not name the child (%s)", locked.Holder, want)
	}
	cmd.Process.Kill()
	requireKilled(t, cmd.Wait())
	l, err := LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir after the holder was killed: %v", err)
	}
	l.Unlock()
}
