package outdir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"

	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/shard"
)

// remoteOut is the output folder the remote tests write: a prefix of the
// in-memory bucket memStore installs.
const remoteOut = "s3://bucket/out"

// memStore makes every s3://bucket/… location this package opens one
// in-memory bucket, and any other bucket missing, until t ends. It returns
// a Store of remoteOut on that bucket, for the tests to look inside.
func memStore(t *testing.T) *objstore.Store {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir()) // where files wait for their upload
	b := memblob.OpenBucket(nil)
	old := openStore
	openStore = func(_ context.Context, loc objstore.Location) (*objstore.Store, error) {
		if loc.Bucket != "bucket" {
			return nil, &objstore.OpenError{Location: loc, Problem: objstore.NoBucket}
		}
		return objstore.NewStore(loc, b), nil
	}
	t.Cleanup(func() { openStore = old })
	loc, err := objstore.Parse(remoteOut)
	if err != nil {
		t.Fatal(err)
	}
	return objstore.NewStore(loc, b)
}

// fakeClock replaces leaseClock with a clock the test moves, until t ends.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func useFakeClock(t *testing.T) *fakeClock {
	c := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	old := leaseClock
	leaseClock = func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.now
	}
	t.Cleanup(func() { leaseClock = old })
	return c
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// crashed is what a simulated crash panics with.
type crashed struct{}

// crashAt makes the nth call of crashPoint(step) panic with crashed{}, until t ends.
func crashAt(t *testing.T, step string, n int) {
	calls := 0
	old := crashPoint
	crashPoint = func(s string) {
		if s == step {
			if calls++; calls == n {
				panic(crashed{})
			}
		}
	}
	t.Cleanup(func() { crashPoint = old })
}

// abandon stops d's lease renewals without releasing its lease or closing
// anything: what is left of a run that died.
func abandon(d *Dir) {
	r := d.f.(*remoteFolder)
	r.mu.Lock()
	held := slices.Clone(r.held)
	r.mu.Unlock()
	for _, l := range held {
		l.halt()
	}
}

// commitRemote is commitUnits for the in-process tests: it opens dir and
// commits the units not done, a summary and the completion marker. A
// simulated crash (crashAt) abandons the Dir as a killed run would and
// returns errCrashed.
func commitRemote(dir string) (err error) {
	d, err := Open(dir, testID, Options{})
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(crashed); !ok {
				panic(p)
			}
			abandon(d)
			err = errCrashed
		}
	}()
	for i := range testUnits {
		if d.Done(testUnit(i)) {
			continue
		}
		var files []*PendingFile
		for f, name := range unitFiles(i) {
			pf, err := d.Create(name)
			if err != nil {
				return err
			}
			data := content(i, f)
			for c := range 4 {
				if _, err := pf.Write(data[c*len(data)/4 : (c+1)*len(data)/4]); err != nil {
					return err
				}
				crashPoint("chunk")
			}
			files = append(files, pf)
		}
		if err := d.CommitUnit(testUnit(i), 100-int64(i), files...); err != nil {
			return err
		}
	}
	summary, err := d.Create("_summary.json")
	if err != nil {
		return err
	}
	fmt.Fprintf(summary, `{"units":%d}`, testUnits)
	if err := d.CommitFile(summary); err != nil {
		return err
	}
	if err := d.MarkComplete(); err != nil {
		return err
	}
	return d.Close()
}

var errCrashed = errors.New("crashed")

// checkRemote reopens remoteOut and checks what any crash must leave: every
// finished unit recorded once with its objects complete, and no visible
// object that no finished unit owns. It returns the finished units.
func checkRemote(t *testing.T, store *objstore.Store) []int {
	t.Helper()
	d, err := Open(remoteOut, testID, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer d.Close()
	ctx := context.Background()
	var finished []int
	want := map[string]bool{}
	for _, r := range d.Records() {
		i := -1
		for j := range testUnits {
			if testUnit(j) == r.Unit {
				i = j
			}
		}
		if i < 0 || slices.Contains(finished, i) {
			t.Fatalf("record of unit %s: unknown or recorded twice", r.Unit)
		}
		finished = append(finished, i)
		for f, name := range unitFiles(i) {
			got, err := store.Read(ctx, name)
			if err != nil || !bytes.Equal(got, content(i, f)) {
				t.Errorf("unit %d object %s: incomplete or wrong (%d bytes, err %v)", i, name, len(got), err)
			}
			want[name] = true
		}
	}
	objs, err := store.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if visible(o.Name) && !want[o.Name] {
			t.Errorf("object %s is visible but belongs to no finished unit", o.Name)
		}
	}
	slices.Sort(finished)
	return finished
}

// TestRemoteCommitAndResume writes the whole job on the object store, then
// checks the layout, that a second run finds every unit finished, and that
// Verify finds the folder sound and complete.
func TestRemoteCommitAndResume(t *testing.T) {
	store := memStore(t)
	if err := commitRemote(remoteOut); err != nil {
		t.Fatal(err)
	}
	if got := checkRemote(t, store); len(got) != testUnits {
		t.Fatalf("finished units %v, want all %d", got, testUnits)
	}
	ctx := context.Background()
	for _, name := range []string{"_manifest/0000000000.jsonl", "_SUCCESS", "_summary.json", ".bertbatch.lock/0000000000.json"} {
		if _, err := store.Stat(ctx, name); err != nil {
			t.Errorf("expected object %s: %v", name, err)
		}
	}
	r, err := Verify(remoteOut)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Units != testUnits {
		t.Errorf("verify: complete %v, %d units, problems %q", r.Complete, r.Units, r.Problems)
	}
	// Records: job, then begin + unit per unit, begin + file for the summary and the marker.
	objs, err := store.List(ctx, "_manifest/")
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2*testUnits + 2 + 2; len(objs) != want {
		t.Errorf("%d manifest records, want %d", len(objs), want)
	}
	d, err := Open(remoteOut, testID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range testUnits {
		if !d.Done(testUnit(i)) {
			t.Errorf("unit %d not finished on reopening", i)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(remoteOut, Identity{JobHash: "job-2", ModelCommit: "commit-1"}, Options{}); !errors.Is(err, ErrMismatch) {
		t.Errorf("another job: %v, want ErrMismatch", err)
	}
}

// TestRemoteCrashAtEachStep stops a run at each step of committing unit 2
// or the summary, abandoning its lease as a killed run does, and checks
// that the next run (once the lease expired) repairs the folder to the
// units finished before the stop, then completes the job.
//
// Calls of crashPoint per unit: "chunk" 8, "manifest-appended" 2 (begin,
// unit), "begun" 1, "uploading" 2 (copied, not yet closed), "renamed" 2
// (uploaded), "placed" 1.
func TestRemoteCrashAtEachStep(t *testing.T) {
	before := []int{0, 1}
	all := []int{0, 1, 2, 3, 4, 5}
	tests := []struct {
		name     string
		step     string
		at       int
		finished []int
	}{
		{"writing the first file", "chunk", 2*8 + 2, before},
		{"both files written", "chunk", 3 * 8, before},
		{"begin recorded", "begun", 3, before},
		{"first upload not closed", "uploading", 2*2 + 1, before},
		{"one of two files uploaded", "renamed", 2*2 + 1, before},
		{"second upload not closed", "uploading", 3 * 2, before},
		{"both files uploaded", "renamed", 3 * 2, before},
		{"placed", "placed", 3, before},
		{"unit recorded", "manifest-appended", 3 * 2, []int{0, 1, 2}},
		{"summary begun", "begun", testUnits + 1, all},
		{"summary uploaded", "renamed", 2*testUnits + 1, all},
		{"marker begun", "begun", testUnits + 2, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := memStore(t)
			clock := useFakeClock(t)
			crashAt(t, tc.step, tc.at)
			if err := commitRemote(remoteOut); !errors.Is(err, errCrashed) {
				t.Fatalf("the run did not stop at %s #%d: %v", tc.step, tc.at, err)
			}
			crashPoint = func(string) {}
			if _, err := Open(remoteOut, testID, Options{}); !errors.Is(err, ErrLocked) {
				t.Fatalf("reopen while the dead run's lease is live: %v, want ErrLocked", err)
			}
			clock.advance(DefaultLeaseTTL + time.Second)
			if got := checkRemote(t, store); !slices.Equal(got, tc.finished) {
				t.Errorf("finished units after the crash: %v, want %v", got, tc.finished)
			}
			if err := commitRemote(remoteOut); err != nil {
				t.Fatalf("resume: %v", err)
			}
			if got := checkRemote(t, store); len(got) != testUnits {
				t.Errorf("after resuming, units %v finished, want all", got)
			}
			if r, err := Verify(remoteOut); err != nil || !r.OK() {
				t.Errorf("verify after resuming: %v %+v", err, r)
			}
		})
	}
}

// TestRemoteLease: a live lease keeps a second run out, naming its holder;
// a released one lets the next run in at once; an expired one is taken
// over, and its old holder then records nothing.
func TestRemoteLease(t *testing.T) {
	tests := []struct {
		name      string
		then      func(c *fakeClock, first *Dir)
		wantTaken bool
	}{
		{"live", func(c *fakeClock, _ *Dir) { c.advance(DefaultLeaseTTL / 2) }, false},
		{"released", func(_ *fakeClock, first *Dir) { first.Close() }, true},
		{"expired", func(c *fakeClock, first *Dir) { abandon(first); c.advance(DefaultLeaseTTL + time.Second) }, true},
		{"not renewed, not yet expired", func(c *fakeClock, first *Dir) { abandon(first); c.advance(DefaultLeaseTTL * 9 / 10) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			memStore(t)
			clock := useFakeClock(t)
			first, err := Open(remoteOut, testID, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			tc.then(clock, first)
			second, err := Open(remoteOut, testID, Options{})
			if !tc.wantTaken {
				var locked *LockedError
				if !errors.As(err, &locked) || !strings.Contains(locked.Holder, "pid ") {
					t.Fatalf("second run: %v, want a *LockedError naming the holder", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			defer second.Close()
			if _, err := first.Create("part-x.parquet"); err == nil && tc.name == "expired" {
				t.Error("the run whose lease was taken over may still create files")
			}
		})
	}
}

// TestRemoteRacingOpens opens one shard from several goroutines at once:
// exactly one takes the lease.
func TestRemoteRacingOpens(t *testing.T) {
	memStore(t)
	const racers = 8
	var wg sync.WaitGroup
	dirs := make([]*Dir, racers)
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() { dirs[i], errs[i] = Open(remoteOut, testID, Options{Shard: shard.Spec{Index: 1, Count: 2}}) })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			defer dirs[i].Close()
		case !errors.Is(err, ErrLocked):
			t.Errorf("racer %d: %v, want ErrLocked", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d racers took the lease, want exactly 1", won)
	}
}

// TestRemoteStaleWriterLoses: a run whose lease was taken over but whose
// clock still says the lease is its own (the case the lease cannot rule
// out) tries to append a record the new holder already created, and stops;
// the new holder's results stand.
func TestRemoteStaleWriterLoses(t *testing.T) {
	store := memStore(t)
	clock := useFakeClock(t)
	stale, err := Open(remoteOut, testID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	abandon(stale)
	clock.advance(DefaultLeaseTTL + time.Second)
	if err := commitRemote(remoteOut); err != nil {
		t.Fatalf("the run that took over: %v", err)
	}
	// The stale run believes its lease fresh: only the manifest can stop it.
	held := stale.f.(*remoteFolder).held[0]
	held.mu.Lock()
	held.renewed = leaseClock()
	held.mu.Unlock()
	pf, err := stale.Create(unitFiles(0)[0] + ".again")
	if err != nil {
		t.Fatal(err)
	}
	pf.Write([]byte("stale"))
	err = stale.CommitUnit(Unit{Input: "in/other.parquet", Start: 0, End: 1}, 1, pf)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("the stale run's commit: %v, want ErrLocked", err)
	}
	if got := checkRemote(t, store); len(got) != testUnits {
		t.Errorf("units %v finished after the stale run's attempt, want all", got)
	}
	if r, err := Verify(remoteOut); err != nil || !r.OK() {
		t.Errorf("verify: %v %+v", err, r)
	}
}

// TestRemoteShardsCommit runs two shards into one object-store folder,
// merges them with Commit, and checks the merged manifest is one record
// and the folder verifies; committing again changes nothing.
func TestRemoteShardsCommit(t *testing.T) {
	store := memStore(t)
	for i := range 2 {
		commitShard(t, remoteOut, shard.Spec{Index: i, Count: 2}, true)
	}
	st, err := Shards(remoteOut)
	if err != nil || len(st) != 2 || !st[0].Finished || !st[1].Finished || st[0].Running != "" {
		t.Fatalf("shards: %v %+v", err, st)
	}
	if err := Commit(remoteOut, allUnits); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	objs, err := store.List(ctx, "_manifest/")
	if err != nil {
		t.Fatal(err)
	}
	// The merged manifest, then begin + file of the completion marker.
	if names := objNames(objs); !slices.Equal(names, []string{"_manifest/0000000000.jsonl", "_manifest/0000000001.jsonl", "_manifest/0000000002.jsonl"}) {
		t.Errorf("merged manifest records %v", names)
	}
	r, err := Verify(remoteOut)
	if err != nil || !r.OK() || r.Units != testUnits {
		t.Fatalf("verify the merged folder: %v %+v", err, r)
	}
	before, _ := store.List(ctx, "")
	if err := Commit(remoteOut, allUnits); err != nil {
		t.Fatal(err)
	}
	after, _ := store.List(ctx, "")
	// A second commit takes and releases the lease, adding one lease object; nothing else changes.
	if a, b := visibleNames(before), visibleNames(after); !slices.Equal(a, b) {
		t.Errorf("a second commit changed the folder: %v → %v", a, b)
	}
}

// TestRemoteMissingBucket: a bucket that does not exist is an
// *objstore.OpenError saying so, and nothing is written.
func TestRemoteMissingBucket(t *testing.T) {
	memStore(t)
	_, err := Open("s3://nobucket/out", testID, Options{})
	var oe *objstore.OpenError
	if !errors.As(err, &oe) || oe.Problem != objstore.NoBucket {
		t.Fatalf("open: %v, want an OpenError of a missing bucket", err)
	}
	for name, call := range map[string]func() error{
		"verify": func() error { _, err := Verify("s3://nobucket/out"); return err },
		"shards": func() error { _, err := Shards("s3://nobucket/out"); return err },
		"commit": func() error { return Commit("s3://nobucket/out", allUnits) },
	} {
		if err := call(); !errors.As(err, &oe) {
			t.Errorf("%s: %v, want an OpenError", name, err)
		}
	}
}

// TestRemoteOverwrite: --overwrite on the object store removes the earlier
// run's objects and starts a new manifest from record 0.
func TestRemoteOverwrite(t *testing.T) {
	store := memStore(t)
	if err := commitRemote(remoteOut); err != nil {
		t.Fatal(err)
	}
	d, err := Open(remoteOut, Identity{JobHash: "job-2", ModelCommit: "commit-1"}, Options{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	objs, err := store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if names := visibleNames(objs); len(names) != 0 {
		t.Errorf("visible objects after overwrite: %v", names)
	}
	if names := objNames(slices.DeleteFunc(objs, func(o objstore.Object) bool { return !strings.HasPrefix(o.Name, "_manifest/") })); !slices.Equal(names, []string{"_manifest/0000000000.jsonl"}) {
		t.Errorf("manifest records after overwrite: %v", names)
	}
}

func objNames(objs []objstore.Object) []string {
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Name
	}
	return names
}

// visibleNames lists the objects a dataset reader sees, sorted.
func visibleNames(objs []objstore.Object) []string {
	var names []string
	for _, o := range objs {
		if visible(o.Name) {
			names = append(names, o.Name)
		}
	}
	slices.Sort(names)
	return names
}

// TestRemoteRecordRace: writers that each believe they may append to one manifest race for the
// same record number; exactly one creates it, the others get a *LockedError, and the manifest
// then holds the winner's record alone.
func TestRemoteRecordRace(t *testing.T) {
	for _, writers := range []int{2, 8} {
		t.Run(fmt.Sprint(writers, " writers"), func(t *testing.T) {
			memStore(t)
			f, err := openFolder(remoteOut, false)
			if err != nil {
				t.Fatal(err)
			}
			defer f.close()
			if _, err := f.createManifest(ManifestName, "", []line{{Kind: kindJob, Version: manifestVersion, JobHash: "j", ModelCommit: "c"}}); err != nil {
				t.Fatal(err)
			}
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for i := range writers {
				a, err := f.openManifest(ManifestName)
				if err != nil {
					t.Fatal(err)
				}
				wg.Go(func() {
					errs[i] = a.append(line{Kind: kindBegin, Files: []FileInfo{{Name: fmt.Sprintf("part-%d", i)}}})
				})
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				var locked *LockedError
				switch {
				case err == nil && won < 0:
					won = i
				case err == nil:
					t.Errorf("writers %d and %d both appended record 1", won, i)
				case !errors.As(err, &locked) || !strings.Contains(locked.Holder, "record 1"):
					t.Errorf("writer %d: %v, want a *LockedError naming record 1", i, err)
				}
			}
			if won < 0 {
				t.Fatal("no writer appended")
			}
			lines, err := readManifest(f, ManifestName)
			if err != nil || len(lines) != 2 || lines[1].Files[0].Name != fmt.Sprintf("part-%d", won) {
				t.Errorf("manifest after the race: %v %+v; want the job and writer %d's record", err, lines, won)
			}
		})
	}
}

// TestRemoteDamagedManifest: a manifest whose records were removed or changed by something other
// than bertbatch is refused as damaged, by Open and by Verify, naming the problem; --overwrite
// still starts over.
func TestRemoteDamagedManifest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		damage func(t *testing.T, s *objstore.Store)
		want   string
	}{
		{"a record in the middle removed", func(t *testing.T, s *objstore.Store) {
			if err := s.Delete(ctx, "_manifest/0000000003.jsonl"); err != nil {
				t.Fatal(err)
			}
		}, "record _manifest/0000000003.jsonl is missing"},
		{"the job record removed", func(t *testing.T, s *objstore.Store) {
			if err := s.Delete(ctx, "_manifest/0000000000.jsonl"); err != nil {
				t.Fatal(err)
			}
		}, "expected the job record only on line 1"},
		{"a stray object among the records", func(t *testing.T, s *objstore.Store) {
			if err := s.Put(ctx, "_manifest/notes.txt", []byte("x")); err != nil {
				t.Fatal(err)
			}
		}, "_manifest/notes.txt is not a manifest record"},
		{"a record rewritten", func(t *testing.T, s *objstore.Store) {
			if err := s.Put(ctx, "_manifest/0000000002.jsonl", []byte(`{"kind":"unit"`)); err != nil {
				t.Fatal(err)
			}
		}, "is unreadable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := memStore(t)
			if err := commitRemote(remoteOut); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, store)
			_, err := Open(remoteOut, testID, Options{})
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("open: %v, want ErrDamaged saying %q", err, tc.want)
			}
			r, err := Verify(remoteOut)
			if err != nil || r.OK() || len(r.Problems) == 0 || !strings.Contains(r.Problems[0], tc.want) {
				t.Errorf("verify: %v %+v, want a problem saying %q", err, r, tc.want)
			}
			d, err := Open(remoteOut, testID, Options{Overwrite: true})
			if err != nil {
				t.Fatalf("overwrite: %v", err)
			}
			d.Close()
			if err := commitRemote(remoteOut); err != nil {
				t.Fatalf("a run after the overwrite: %v", err)
			}
			if got := checkRemote(t, store); len(got) != testUnits {
				t.Errorf("units %v after the overwrite and a run, want all", got)
			}
		})
	}
}
