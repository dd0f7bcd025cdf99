package outdir

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/bertbatch/bertbatch/io/shard"
)

// A shard's files in the shared output folder. Each shard of a job run as
// N workers has its own manifest, lock and completion marker, so shards
// commit without coordinating; `bertbatch commit` merges them.
const (
	shardManifestFormat = "_manifest-%05d-of-%05d.jsonl"
	shardLockFormat     = ".bertbatch-%05d.lock"
	shardSuccessFormat  = "_SUCCESS-%05d-of-%05d"
	shardTempFormat     = "s%05d-" // after TempPrefix
)

var shardManifestPattern = regexp.MustCompile(`^_manifest-(\d{5})-of-(\d{5})\.jsonl$`)

// ShardManifestName is the manifest name of shard s.
func ShardManifestName(s shard.Spec) string {
	return fmt.Sprintf(shardManifestFormat, s.Index, s.Count)
}

// ShardSuccessName is the completion marker of shard s: committed when the
// shard finished all its units.
func ShardSuccessName(s shard.Spec) string {
	return fmt.Sprintf(shardSuccessFormat, s.Index, s.Count)
}

func isShardManifest(name string) bool { return shardManifestPattern.MatchString(name) }

// names are the per-folder file names a Dir uses.
type names struct {
	manifest, lock, success, tag string
}

func namesFor(s shard.Spec) names {
	if !s.Sharded() {
		return names{manifest: ManifestName, lock: LockName, success: SuccessName}
	}
	return names{manifest: ShardManifestName(s), lock: fmt.Sprintf(shardLockFormat, s.Index),
		success: ShardSuccessName(s), tag: fmt.Sprintf(shardTempFormat, s.Index)}
}

// shardManifests lists the shard manifests among entries, sorted by name,
// with the shard each names.
func shardManifests(entries []string) ([]string, []shard.Spec) {
	var found []string
	var specs []shard.Spec
	for _, name := range slices.Sorted(slices.Values(entries)) {
		m := shardManifestPattern.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		found = append(found, name)
		specs = append(specs, shard.Spec{Index: i, Count: n})
	}
	return found, specs
}

// checkLayout refuses to mix sharded and unsharded runs in one folder, and
// shard runs of different counts. A folder whose shards were merged by
// Commit (it has both) is an unsharded folder.
func checkLayout(dir string, s shard.Spec, entries []string) error {
	found, specs := shardManifests(entries)
	merged := slices.Contains(entries, ManifestName)
	if !s.Sharded() {
		if len(found) > 0 && !merged {
			return fmt.Errorf("%w: %s holds the manifests of a run split into %d shards (%s) that are not merged yet: "+
				"run each shard with --shard I/%d and then `bertbatch commit`, or rerun with --overwrite",
				ErrShardLayout, dir, specs[0].Count, found[0], specs[0].Count)
		}
		return nil
	}
	if merged {
		return fmt.Errorf("%w: %s holds %s, written by a run of the whole job (or by `bertbatch commit`): "+
			"a shard run cannot add to it; run without --shard, or use another output folder",
			ErrShardLayout, dir, ManifestName)
	}
	for i, spec := range specs {
		if spec.Count != s.Count {
			return fmt.Errorf("%w: %s holds %s, of a run split into %d shards; this run is split into %d: "+
				"use --shard I/%d, or another output folder",
				ErrShardLayout, dir, found[i], spec.Count, s.Count, spec.Count)
		}
	}
	return nil
}

// checkNoShardRunning fails with a *LockedError when a shard run holds its lock in dir: a run of
// the whole job (an overwrite, or a resume after Commit) must not remove a live shard's files.
func checkNoShardRunning(dir folder, entries []string) error {
	_, specs := shardManifests(entries)
	for _, s := range specs {
		if holder, held := dir.holder(namesFor(s).lock); held {
			return &LockedError{Dir: dir.String(), Holder: "shard " + s.String() + ": " + holder}
		}
	}
	return nil
}

// otherShardsNamed returns the files the other shards' manifests name: a
// shard accepts them in the shared folder. Each manifest's begin record
// precedes its files' renames, so a file listed before this call is named.
func otherShardsNamed(dir folder, own string, entries []string) (map[string]bool, error) {
	named := map[string]bool{}
	found, _ := shardManifests(entries)
	for _, name := range found {
		if name == own {
			continue
		}
		theirs, err := namedInManifest(dir, name)
		if err != nil {
			return nil, err
		}
		for f := range theirs {
			named[f] = true
		}
	}
	return named, nil
}
