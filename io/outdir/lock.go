package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// LockName is the lock file's name inside the output folder.
const LockName = ".bertbatch.lock"

// DirLock is an exclusive lock on an output folder: an flock on a local
// folder, a lease on an object store (see lease.go).
type DirLock struct {
	mu      sync.Mutex
	release func() error // nil once unlocked
	// lostErr, when set, says whether the lock was lost while held (a lease
	// another run took over after it expired); nil means held.
	lostErr func() error
}

// LockDir takes the exclusive lock of dir without waiting: an flock on
// dir/.bertbatch.lock, into which it writes its pid, host and start time.
// When another process holds it, LockDir returns a *LockedError naming that
// holder. The kernel releases the lock when its holder exits in any way, so
// a killed run leaves no stale lock. The lock file is never removed (removing
// it would let two runs lock two different files).
func LockDir(dir string) (*DirLock, error) { return lockFile(dir, LockName) }

// lockFile takes the lock dir/name (see LockDir).
func lockFile(dir, name string) (*DirLock, error) {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output folder %s: open lock file: %w", dir, err)
	}
	if err := tryLock(f); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Dir: dir, Holder: string(holder)}
		}
		return nil, fmt.Errorf("output folder %s: lock %s: %w", dir, path, err)
	}
	host, _ := os.Hostname()
	info := fmt.Sprintf("pid %d on host %s since %s", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	if err := writeHolder(f, info); err != nil {
		f.Close() // releases the lock
		return nil, fmt.Errorf("output folder %s: write lock file %s: %w", dir, path, err)
	}
	return &DirLock{release: f.Close}, nil // closing the last descriptor releases the flock
}

func writeHolder(f *os.File, info string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(info), 0); err != nil {
		return err
	}
	return f.Sync()
}

// Unlock releases the lock. It is safe to call more than once.
func (l *DirLock) Unlock() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.release == nil {
		return nil
	}
	err := l.release()
	l.release = nil
	return err
}

// lost reports, while the lock is held, that it was lost: from then on the
// holder must not commit anything.
func (l *DirLock) lost() error {
	if l.lostErr == nil {
		return nil
	}
	return l.lostErr()
}
