package hub

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestLockExcludesAnotherHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".locks", "models--a--b", "etag.lock")
	first, err := acquireLock(context.Background(), path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	// flock(2) locks belong to open file descriptions, so a second open in this process is refused too.
	if l, err := tryLock(path); err != nil || l != nil {
		t.Fatalf("second lock while held: %v, %v; want refused", l, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := acquireLock(ctx, path, t.Logf); err == nil {
		t.Fatal("acquireLock returned while the lock was held")
	}
	if err := first.release(); err != nil {
		t.Fatal(err)
	}
	second, err := tryLock(path)
	if err != nil || second == nil {
		t.Fatalf("lock after release: %v, %v", second, err)
	}
	second.release()
}
