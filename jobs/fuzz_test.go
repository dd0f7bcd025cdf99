package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that it returns exactly one of a job or Problems
// whose every entry names the file.
func FuzzParse(f *testing.F) {
	examples, _ := filepath.Glob("*.yaml")
	for _, e := range examples {
		if data, err := os.ReadFile(e); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{minimalJob, "", "- a\n", "model: &a {ref: *a}\n", "a: {b: [c, {d: e}]}\n",
		"model: {ref: $DATA/$$/${HOME}}\ninput: {paths: ['[', '**']}\noutput: {dir: ~}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		job, err := Parse(testFile, data, lookupTestEnv)
		if (job == nil) == (err == nil) {
			t.Fatalf("job %v with error %v", job, err)
		}
		var ps Problems
		if err != nil && errors.As(err, &ps) {
			if len(ps) == 0 {
				t.Fatal("empty Problems")
			}
			for _, p := range ps {
				if p.File != testFile || p.Message == "" {
					t.Fatalf("bad problem %+v", p)
				}
			}
		}
		if job != nil {
			_ = job.Hash()
		}
	})
}
