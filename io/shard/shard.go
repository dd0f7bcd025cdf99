package shard

import (
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"
)

// Spec is one worker's share of a job: shard Index of Count. The zero Spec
// (and any Spec of Count 1) is the whole job.
type Spec struct {
	Index int
	Count int
}

// Sharded reports whether s is a part of the job rather than all of it.
func (s Spec) Sharded() bool { return s.Count > 1 }

// String renders s as "I/N".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Validate checks 0 ≤ Index < Count.
func (s Spec) Validate() error {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d/%d: the index must be at least 0 and below the count, and the count at least 1", s.Index, s.Count)
	}
	return nil
}

// Environment variables that give a worker its index under --shard auto/N.
const (
	EnvKubernetes = "JOB_COMPLETION_INDEX" // Kubernetes Indexed Job
	EnvSlurm      = "SLURM_ARRAY_TASK_ID"  // Slurm job array
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN" // first task id of the array, subtracted
)

// Parse reads "I/N" or "auto/N". With auto the index comes from getenv:
// JOB_COMPLETION_INDEX, else SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN
// (0 when unset). A malformed value, a missing variable or an index out of
// range is an error.
func Parse(text string, getenv func(string) string) (Spec, error) {
	f, err := parseForm(text)
	if err != nil {
		return Spec{}, err
	}
	i := f.index
	if f.auto {
		if i, err = autoIndex(getenv); err != nil {
			return Spec{}, fmt.Errorf("shard %q: %w", text, err)
		}
	}
	s := Spec{Index: i, Count: f.count}
	if err := s.Validate(); err != nil {
		return Spec{}, fmt.Errorf("shard %q: index %d is out of range for %d shards (0 to %d)", text, i, f.count, f.count-1)
	}
	return s, nil
}

// Check checks the form of "I/N" or "auto/N" without reading the
// environment: a job file's shard field is checked when the job is loaded,
// and its auto index resolved when the run starts.
func Check(text string) error {
	f, err := parseForm(text)
	if err != nil {
		return err
	}
	if !f.auto && (f.index < 0 || f.index >= f.count) {
		return fmt.Errorf("shard %q: index %d is out of range for %d shards (0 to %d)", text, f.index, f.count, f.count-1)
	}
	return nil
}

// Count is the N of "I/N" or "auto/N".
func Count(text string) (int, error) {
	f, err := parseForm(text)
	return f.count, err
}

// form is a parsed "I/N" or "auto/N".
type form struct {
	index, count int
	auto         bool
}

func parseForm(text string) (form, error) {
	index, count, ok := strings.Cut(text, "/")
	if !ok {
		return form{}, fmt.Errorf("shard %q: expected I/N or auto/N, such as 0/4", text)
	}
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return form{}, fmt.Errorf("shard %q: the count %q is not a whole number of at least 1", text, count)
	}
	if index == "auto" {
		return form{count: n, auto: true}, nil
	}
	i, err := strconv.Atoi(index)
	if err != nil {
		return form{}, fmt.Errorf("shard %q: the index %q is not a whole number (or auto)", text, index)
	}
	return form{index: i, count: n}, nil
}

func autoIndex(getenv func(string) string) (int, error) {
	if v := getenv(EnvKubernetes); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", EnvKubernetes, v)
		}
		return i, nil
	}
	v := getenv(EnvSlurm)
	if v == "" {
		return 0, errors.New("auto needs " + EnvKubernetes + " (Kubernetes Indexed Job) or " + EnvSlurm +
			" (Slurm job array) in the environment; neither is set")
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number", EnvSlurm, v)
	}
	first := 0
	if m := getenv(EnvSlurmMin); m != "" {
		if first, err = strconv.Atoi(m); err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", EnvSlurmMin, m)
		}
	}
	return id - first, nil
}

// Identity names rows [start, end) of the input file rel (relative to the
// input root, slash-separated) for hashing.
func Identity(rel string, start, end int64) string {
	return rel + "\x00" + strconv.FormatInt(start, 10) + "\x00" + strconv.FormatInt(end, 10)
}

// Of returns the shard of count that owns identity: FNV-1a-64 mod count.
func Of(identity string, count int) int {
	h := fnv.New64a()
	h.Write([]byte(identity))
	return int(h.Sum64() % uint64(count))
}

// Blocks splits input files into blocks of Size rows and says which shard
// owns each.
type Blocks struct {
	Size  int64    // rows per block, at least 1
	Roots []string // the job's input paths, against which files are made relative
	Spec  Spec
}

// Block returns the row range of the block holding row.
func (b Blocks) Block(row int64) (start, end int64) {
	start = row / b.Size * b.Size
	return start, start + b.Size
}

// Owner returns the shard that owns the block of file holding row.
func (b Blocks) Owner(file string, row int64) int {
	if !b.Spec.Sharded() {
		return 0
	}
	start, end := b.Block(row)
	return Of(Identity(Relative(file, b.Roots), start, end), b.Spec.Count)
}

// Owns reports whether this worker's shard owns the block of file holding row.
func (b Blocks) Owns(file string, row int64) bool {
	return !b.Spec.Sharded() || b.Owner(file, row) == b.Spec.Index
}

// Relative returns file's path relative to the first root it lies under (a
// glob's root being the folder before its first pattern element), in slash
// form; a file under no root (one named directly) is its base name. Object
// storage paths (s3://bucket/key) work alike, the query of a root
// (?region=…) left out.
func Relative(file string, roots []string) string {
	clean := filepath.Clean(file)
	for _, root := range roots {
		root = staticPrefix(withoutQuery(root))
		if rel, err := filepath.Rel(root, clean); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(clean)
}

// withoutQuery drops the query of an object-storage path, which the paths
// of the files found under it do not carry.
func withoutQuery(p string) string {
	if scheme := strings.Index(p, "://"); scheme > 0 {
		if q := strings.IndexByte(p, '?'); q > scheme {
			return p[:q]
		}
	}
	return p
}

// staticPrefix returns the folders of a path before its first glob element.
func staticPrefix(p string) string {
	p = filepath.Clean(p)
	if !strings.ContainsAny(p, "*?[") {
		return p
	}
	parts := strings.Split(filepath.ToSlash(p), "/")
	var keep []string
	for _, s := range parts {
		if strings.ContainsAny(s, "*?[") {
			break
		}
		keep = append(keep, s)
	}
	if len(keep) == 0 {
		return "."
	}
	return filepath.FromSlash(strings.Join(keep, "/"))
}
