package shard

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, tc := range []struct {
		text, err string
		vars      map[string]string
		want      Spec
	}{
		{text: "0/1", want: Spec{0, 1}},
		{text: "2/3", want: Spec{2, 3}},
		{text: "3/2", err: "index 3 is out of range for 2 shards"},
		{text: "-1/2", err: "out of range"},
		{text: "1/0", err: "not a whole number of at least 1"},
		{text: "1", err: "expected I/N"},
		{text: "x/2", err: "is not a whole number (or auto)"},
		{text: "auto/4", vars: map[string]string{EnvKubernetes: "3"}, want: Spec{3, 4}},
		{text: "auto/4", vars: map[string]string{EnvKubernetes: "4"}, err: "out of range"},
		{text: "auto/4", vars: map[string]string{EnvSlurm: "12", EnvSlurmMin: "10"}, want: Spec{2, 4}},
		{text: "auto/4", vars: map[string]string{EnvSlurm: "1"}, want: Spec{1, 4}},
		{text: "auto/4", vars: map[string]string{EnvSlurm: "x"}, err: "SLURM_ARRAY_TASK_ID=\"x\""},
		{text: "auto/4", err: "neither is set"},
	} {
		t.Run(tc.text+"/"+strings.Join(keysOf(tc.vars), ","), func(t *testing.T) {
			got, err := Parse(tc.text, env(tc.vars))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Parse(%q) = %v, %v; want an error containing %q", tc.text, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	var k []string
	for key, v := range m {
		k = append(k, key+"="+v)
	}
	return k
}

// TestOwnerIsTheDocumentedHash checks the assignment against FNV-1a-64
// computed here by hand from its definition (offset basis and prime), not
// through the code under test.
func TestOwnerIsTheDocumentedHash(t *testing.T) {
	fnv1a := func(s string) uint64 {
		h := uint64(14695981039346656037)
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		return h
	}
	b := Blocks{Size: 1000, Roots: []string{"data"}, Spec: Spec{Index: 0, Count: 3}}
	for _, tc := range []struct {
		file string
		row  int64
		id   string
	}{
		{"data/a.parquet", 0, "a.parquet\x000\x001000"},
		{"data/a.parquet", 1999, "a.parquet\x001000\x002000"},
		{"data/year=2024/b.csv", 5, "year=2024/b.csv\x000\x001000"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			want := int(fnv1a(tc.id) % 3)
			if got := b.Owner(tc.file, tc.row); got != want {
				t.Fatalf("Owner(%s, %d) = %d, want %d", tc.file, tc.row, got, want)
			}
		})
	}
}

// TestAssignmentStable: adding input files, or listing them in another
// order or under another root folder, moves no existing block.
func TestAssignmentStable(t *testing.T) {
	type block struct {
		file string
		row  int64
	}
	before := []block{}
	for _, f := range []string{"a.parquet", "b.parquet", "sub/c.parquet"} {
		for row := int64(0); row < 5000; row += 500 {
			before = append(before, block{f, row})
		}
	}
	for _, tc := range []struct {
		name  string
		roots []string
		dir   string
	}{
		{"same", []string{"in"}, "in/"},
		{"more roots", []string{"extra", "in"}, "in/"},
		{"glob root", []string{"in/**/*.parquet"}, "in/"},
		{"moved", []string{"/mnt/data/in"}, "/mnt/data/in/"},
		{"object storage", []string{"s3://bucket/in"}, "s3://bucket/in/"},
		{"object storage with a query", []string{"s3://bucket/in?region=eu-west-1"}, "s3://bucket/in/"},
		{"object storage glob", []string{"gs://bucket/in/*/*.parquet"}, "gs://bucket/in/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for n := 2; n <= 5; n++ {
				orig := Blocks{Size: 500, Roots: []string{"in"}, Spec: Spec{Count: n}}
				now := Blocks{Size: 500, Roots: tc.roots, Spec: Spec{Count: n}}
				counts := make([]int, n)
				for _, b := range before {
					o := orig.Owner("in/"+b.file, b.row)
					if got := now.Owner(tc.dir+b.file, b.row+499); got != o {
						t.Fatalf("n=%d: block %s row %d moved from shard %d to %d", n, b.file, b.row, o, got)
					}
					counts[o]++
				}
				for i, c := range counts {
					if c == 0 {
						t.Errorf("n=%d: shard %d owns none of %d blocks", n, i, len(before))
					}
				}
			}
		})
	}
}

func TestOwnsWholeJob(t *testing.T) {
	b := Blocks{Size: 10}
	if !b.Owns("x", 123) || b.Owner("x", 123) != 0 {
		t.Fatal("the zero Spec must own every block")
	}
}
