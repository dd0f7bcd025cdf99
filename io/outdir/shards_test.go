package outdir

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/shard"
)

// commitShard writes, as shard s, the test units i with i % s.Count == s.Index,
// then its summary and completion marker unless finish is false.
func commitShard(t *testing.T, dir string, s shard.Spec, finish bool) {
	t.Helper()
	d, err := Open(dir, testID, Options{Shard: s})
	if err != nil {
		t.Fatalf("open shard %s: %v", s, err)
	}
	defer d.Close()
	for i := range testUnits {
		if i%s.Count != s.Index || d.Done(testUnit(i)) {
			continue
		}
		var files []*PendingFile
		for f, name := range unitFiles(i) {
			pf, err := d.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pf.Write(content(i, f)); err != nil {
				t.Fatal(err)
			}
			files = append(files, pf)
		}
		if err := d.CommitUnit(testUnit(i), 100-int64(i), files...); err != nil {
			t.Fatal(err)
		}
	}
	if !finish {
		return
	}
	summary, err := d.Create(fmt.Sprintf("_summary-%05d-of-%05d.json", s.Index, s.Count))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CommitFile(summary); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkComplete(); err != nil {
		t.Fatal(err)
	}
}

// allUnits accepts records that are exactly the test units.
func allUnits(recs []Record) error {
	if len(recs) != testUnits {
		return fmt.Errorf("%d units, want %d", len(recs), testUnits)
	}
	return nil
}

func TestShardsCommitToOneFolder(t *testing.T) {
	dir := t.TempDir()
	commitShard(t, dir, shard.Spec{Index: 1, Count: 2}, true)
	err := Commit(dir, allUnits)
	if !errors.Is(err, ErrShardsUnfinished) || !strings.Contains(err.Error(), "shard 0 of 2 never ran") {
		t.Fatalf("commit with shard 0 missing: %v", err)
	}
	commitShard(t, dir, shard.Spec{Index: 0, Count: 2}, false)
	if err := Commit(dir, allUnits); !errors.Is(err, ErrShardsUnfinished) || !strings.Contains(err.Error(), "shard 0/2 has not finished") {
		t.Fatalf("commit with shard 0 unfinished: %v", err)
	}
	if _, err := Open(dir, testID, Options{}); !errors.Is(err, ErrShardLayout) || !strings.Contains(err.Error(), "split into 2 shards") {
		t.Fatalf("whole-job run on a sharded folder: %v", err)
	}
	if _, err := Open(dir, testID, Options{Shard: shard.Spec{Index: 0, Count: 3}}); !errors.Is(err, ErrShardLayout) ||
		!strings.Contains(err.Error(), "split into 2 shards; this run is split into 3") {
		t.Fatalf("shard run of another count: %v", err)
	}
	if _, err := Open(dir, Identity{JobHash: "job-2", ModelCommit: "commit-1"}, Options{Shard: shard.Spec{Index: 0, Count: 2}}); !errors.Is(err, ErrMismatch) {
		t.Fatalf("shard run of another job: %v", err)
	}
	commitShard(t, dir, shard.Spec{Index: 0, Count: 2}, true)
	sts, err := Shards(dir)
	if err != nil || len(sts) != 2 || !sts[0].Finished || sts[0].Units != 3 || sts[1].Units != 3 {
		t.Fatalf("Shards: %+v, %v", sts, err)
	}
	if rep, err := Verify(dir); err != nil || rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "split into 2 shards") {
		t.Fatalf("verify before commit: %+v, %v", rep, err)
	}
	if err := Commit(dir, func([]Record) error { return errors.New("gap") }); err == nil || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("commit whose coverage check fails: %v", err)
	}
	if err := Commit(dir, allUnits); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if err := Commit(dir, allUnits); err != nil {
		t.Fatalf("second commit: %v", err)
	}
	rep, err := Verify(dir)
	if err != nil || !rep.OK() || rep.Units != testUnits {
		t.Fatalf("verify after commit: %+v, %v", rep, err)
	}
	d, err := Open(dir, testID, Options{})
	if err != nil {
		t.Fatalf("whole-job resume after commit: %v", err)
	}
	for i := range testUnits {
		if !d.Done(testUnit(i)) {
			t.Errorf("unit %s not finished after commit", testUnit(i))
		}
	}
	d.Close()
	if _, err := Open(dir, testID, Options{Shard: shard.Spec{Index: 0, Count: 2}}); !errors.Is(err, ErrShardLayout) {
		t.Fatalf("shard run after commit: %v", err)
	}
}

// TestShardsOverwrite: --overwrite of one shard starts only that shard over; --overwrite of the
// whole job removes every shard's files, and is refused while a shard runs.
func TestShardsOverwrite(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := shard.Spec{Index: 0, Count: 2}, shard.Spec{Index: 1, Count: 2}
	commitShard(t, dir, s0, true)
	commitShard(t, dir, s1, true)
	d, err := Open(dir, testID, Options{Shard: s0, Overwrite: true})
	if err != nil {
		t.Fatalf("overwrite shard 0: %v", err)
	}
	if len(d.Records()) != 0 {
		t.Errorf("shard 0 after its overwrite holds %d units", len(d.Records()))
	}
	running, err := Open(dir, testID, Options{Shard: s1})
	if err != nil {
		t.Fatalf("reopen shard 1: %v", err)
	}
	if len(running.Records()) != testUnits/2 {
		t.Errorf("shard 1 after shard 0's overwrite holds %d units, want %d", len(running.Records()), testUnits/2)
	}
	d.Close()
	if _, err := Open(dir, testID, Options{Overwrite: true}); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "shard 1/2") {
		t.Fatalf("whole-job overwrite while shard 1 runs: %v", err)
	}
	running.Close()
	whole, err := Open(dir, testID, Options{Overwrite: true})
	if err != nil {
		t.Fatalf("whole-job overwrite: %v", err)
	}
	defer whole.Close()
	if names := listNames(t, dir); !slices.Equal(names, []string{".bertbatch-00000.lock", ".bertbatch-00001.lock", ManifestName}) {
		t.Errorf("after the whole-job overwrite the folder holds %v", names)
	}
}
