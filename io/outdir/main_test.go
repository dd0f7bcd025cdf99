package outdir

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Child processes: the test binary re-runs itself with childEnv set to a
// role; TestMain then plays that role instead of running the tests.
const childEnv = "OUTDIR_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role, os.Getenv("OUTDIR_TEST_DIR")))
	}
	os.Exit(m.Run())
}

// runChild plays a child role and returns its exit code:
//
//	lock          lock the folder, print "locked", wait to be killed
//	units         commit the test units, printing "committed N" after each
//	crash:STEP:N  commit the test units, killing itself at the Nth call of crashPoint(STEP)
//	redo-crash    redo units 1 and 4 of a finished folder, killing itself after the first drop record
func runChild(role, dir string) int {
	switch {
	case role == "lock":
		if _, err := LockDir(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("locked")
		for { // a sleeping goroutine, not select{}: the runtime ends a process whose goroutines all block
			time.Sleep(time.Hour)
		}
	case role == "units":
		if err := commitUnits(dir, testUnits, func(i int) { fmt.Printf("committed %d\n", i) }); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case role == "redo-crash":
		// Redo units 1 and 4, killed after the first drop record, before its files are removed.
		crashPoint = func(step string) {
			if step == "dropped" {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
		d, err := Open(dir, testID, Options{})
		if err == nil {
			err = d.Redo([]Unit{testUnit(1), testUnit(4)})
		}
		fmt.Fprintln(os.Stderr, "redo returned", err)
		return 1
	case strings.HasPrefix(role, "crash:"):
		parts := strings.Split(role, ":")
		at, _ := strconv.Atoi(parts[2])
		calls := 0
		crashPoint = func(step string) {
			if step == parts[1] {
				if calls++; calls == at {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
					select {}
				}
			}
		}
		if err := commitUnits(dir, testUnits, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown child role", role)
	return 2
}

// startChild starts the test binary as a child playing role on dir, with
// its stdout readable line by line.
func startChild(t *testing.T, role, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, "OUTDIR_TEST_DIR="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if stderr.Len() > 0 {
			t.Logf("child %s stderr: %s", role, stderr.String())
		}
	})
	return cmd, bufio.NewScanner(out)
}

// testID is the job identity the tests write under.
var testID = Identity{JobHash: "job-1", ModelCommit: "commit-1"}

// testUnits is how many units commitUnits writes.
const testUnits = 6

func testUnit(i int) Unit {
	return Unit{Input: fmt.Sprintf("in/input-%d.parquet", i/3), Start: int64(i%3) * 100, End: int64(i%3)*100 + 100}
}

// unitFiles names the two files of unit i: results and rejects.
func unitFiles(i int) [2]string {
	return [2]string{fmt.Sprintf("part-%05d.parquet", i), fmt.Sprintf("rejects-%05d.parquet", i)}
}

// content is what file f of unit i holds: distinct per file, 40 KiB or more.
func content(i, f int) []byte {
	line := fmt.Sprintf("unit %d file %d row data\n", i, f)
	return bytes.Repeat([]byte(line), 40*1024/len(line)+i)
}

// commitUnits opens dir for testID, commits every unit not yet done (each
// file written in four chunks, with crashPoint("chunk") after each chunk),
// then a summary file and the completion marker, and closes dir. done, if set, is called after each
// commit.
func commitUnits(dir string, units int, done func(i int)) error {
	d, err := Open(dir, testID, Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	for i := range units {
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
		if done != nil {
			done(i)
		}
	}
	summary, err := d.Create("_summary.json")
	if err != nil {
		return err
	}
	fmt.Fprintf(summary, `{"units":%d}`, units)
	if err := d.CommitFile(summary); err != nil {
		return err
	}
	if err := d.MarkComplete(); err != nil {
		return err
	}
	return d.Close()
}

// checkConsistent reopens dir and checks the state any crash must leave:
// every finished unit recorded once with all its files complete, no
// temporary file, no other visible file. It returns the finished units.
func checkConsistent(t *testing.T, dir string) map[int]bool {
	t.Helper()
	d, err := Open(dir, testID, Options{})
	if err != nil {
		t.Fatalf("reopen after a crash: %v", err)
	}
	defer d.Close()
	finished := map[int]bool{}
	want := map[string]bool{}
	for _, r := range d.Records() {
		i := -1
		for j := range testUnits {
			if testUnit(j) == r.Unit {
				i = j
			}
		}
		if i < 0 || finished[i] {
			t.Fatalf("record of unit %s: unknown or recorded twice", r.Unit)
		}
		finished[i] = true
		if r.Rows != 100-int64(i) || len(r.Files) != 2 {
			t.Errorf("unit %d: %d rows, %d files; want %d rows, 2 files", i, r.Rows, len(r.Files), 100-i)
		}
		for f, name := range unitFiles(i) {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(got, content(i, f)) {
				t.Errorf("unit %d file %s: incomplete or wrong (%d bytes, err %v)", i, name, len(got), err)
			}
			want[name] = true
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case isTemp(name):
			t.Errorf("temporary file %s left after reopening", name)
		case visible(name) && !want[name]:
			t.Errorf("file %s is in the folder but belongs to no finished unit", name)
		}
	}
	return finished
}
