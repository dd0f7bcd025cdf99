package rangetest

import (
	"fmt"
	"testing"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// Check runs read over f and compares every row it yields with pyarrow's:
//   - "all": a whole read in units of each size in unitRows yields exactly
//     the expected units, every row right;
//   - "resume": each unit read as the first unit of a resumed run (all
//     earlier units skipped) and the unit after it;
//   - "pages": units that start exactly at, one row before and one row after
//     each data page boundary (up to perGroup boundaries per row group), read
//     as the first unit of a resumed run, and the unit after it.
func Check(t *testing.T, read ReadFunc, f *File, unitRows []int64, perGroup int) {
	for _, n := range unitRows {
		t.Run(fmt.Sprintf("all/%d", n), func(t *testing.T) { checkAll(t, read, f, n) })
	}
	for _, n := range unitRows {
		t.Run(fmt.Sprintf("resume/%d", n), func(t *testing.T) { checkResume(t, read, f, n) })
	}
	t.Run("pages", func(t *testing.T) { checkPages(t, read, f, perGroup) })
}

func checkAll(t *testing.T, read ReadFunc, f *File, maxRows int64) {
	want := expectUnits(f, maxRows)
	got := readUnits(t, read, f, maxRows, nil, 0)
	sameUnits(t, got, want)
}

func checkResume(t *testing.T, read ReadFunc, f *File, maxRows int64) {
	units := expectUnits(f, maxRows)
	for k := range units {
		skip := func(u chunk.Unit) bool { return u.Index < k }
		got := readUnits(t, read, f, maxRows, skip, 2)
		sameUnits(t, got, units[k:min(k+2, len(units))])
	}
}

func checkPages(t *testing.T, read ReadFunc, f *File, perGroup int) {
	var groupStart int64
	checked := 0
	for rg, starts := range f.Pages {
		for _, p := range sample(starts, perGroup) {
			for _, d := range []int64{-1, 0, 1} {
				first := p + d // the unit size that puts unit 1 of the group at row first
				if first < 1 || first >= f.RowGroups[rg] {
					continue
				}
				target := groupStart + first
				units := expectUnits(f, first)
				k := unitAt(units, target)
				if k < 0 {
					t.Fatalf("no unit of %d rows starts at row %d", first, target)
				}
				skip := func(u chunk.Unit) bool { return u.RowStart < target }
				got := readUnits(t, read, f, first, skip, 2)
				sameUnits(t, got, units[k:min(k+2, len(units))])
				checked++
			}
		}
		groupStart += f.RowGroups[rg]
	}
	t.Logf("%d units at page boundaries checked", checked)
}

// sample returns at most n of xs, spread over all of them.
func sample(xs []int64, n int) []int64 {
	if len(xs) <= n || n < 2 {
		return xs
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = xs[i*(len(xs)-1)/(n-1)]
	}
	return out
}

func unitAt(units []chunk.Unit, row int64) int {
	for i, u := range units {
		if u.RowStart == row {
			return i
		}
	}
	return -1
}

func sameUnits(t *testing.T, got, want []chunk.Unit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d units, want %d (first got %v, want %v)", len(got), len(want), first(got), first(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("unit %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func first(us []chunk.Unit) any {
	if len(us) == 0 {
		return "none"
	}
	return us[0]
}
