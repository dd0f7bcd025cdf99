package hub

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// fileLock is an exclusive flock(2) on a lock file under <cache>/.locks, the same kind of lock
// huggingface_hub takes through the filelock package, so Go and Python processes exclude each other.
// The lock file is never removed: waiters must share its inode.
type fileLock struct {
	f    *os.File
	path string
}

// lockPollInterval is how often a waiting process retries a held lock.
const lockPollInterval = 50 * time.Millisecond

// acquireLock takes the lock at path, creating the file (mode 0664, as huggingface_hub does) and its
// folder. It waits while another process holds it, until ctx ends; after each 10 s of waiting it says
// so through logf.
func acquireLock(ctx context.Context, path string, logf func(string, ...any)) (*fileLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return nil, fmt.Errorf("hub: creating the lock folder: %w", err)
	}
	start := time.Now()
	nextNote := start.Add(10 * time.Second)
	for {
		l, err := tryLock(path)
		if err != nil {
			return nil, err
		}
		if l != nil {
			return l, nil
		}
		if now := time.Now(); now.After(nextNote) {
			logf("hub: still waiting for %s, held by another process (%s so far)", path, now.Sub(start).Round(time.Second))
			nextNote = now.Add(10 * time.Second)
		}
		if err := sleepContext(ctx, lockPollInterval); err != nil {
			return nil, fmt.Errorf("hub: waiting for lock %s: %w", path, err)
		}
	}
}

// tryLock makes one attempt: a held lock (nil, nil) when another process has it.
func tryLock(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o664)
	if err != nil {
		return nil, fmt.Errorf("hub: opening lock file: %w", err)
	}
	got, err := flockExclusive(f)
	if err != nil || !got {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("hub: locking %s: %w", path, err)
		}
		return nil, nil
	}
	// The file may have been removed and re-created (by a cleanup tool) between open and lock:
	// then the lock guards nothing shared, so start over.
	same, err := sameFile(f, path)
	if err != nil || !same {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("hub: checking lock file %s: %w", path, err)
		}
		return nil, nil
	}
	return &fileLock{f: f, path: path}, nil
}

func sameFile(f *os.File, path string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(held, now), nil
}

// release drops the lock; closing the descriptor releases the flock.
func (l *fileLock) release() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("hub: releasing lock %s: %w", l.path, err)
	}
	return nil
}
