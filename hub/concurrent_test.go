package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/hub/hubtest"
)

// childEnv, when set in a re-executed test binary, makes it resolve that model and print the snapshot
// as JSON instead of running tests: the way tests get several OS processes sharing one cache.
const childEnv = "BERTBATCH_HUB_TEST_RESOLVE"

func TestMain(m *testing.M) {
	if ref := os.Getenv(childEnv); ref != "" {
		os.Exit(resolveInChild(ref))
	}
	os.Exit(m.Run())
}

func resolveInChild(ref string) int {
	snap, err := Resolve(context.Background(), ref, Options{
		Endpoint: os.Getenv("BERTBATCH_HUB_TEST_ENDPOINT"),
		CacheDir: os.Getenv("BERTBATCH_HUB_TEST_CACHE"),
		Logf:     func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(snap)
	return 0
}

// startChild starts this test binary resolving ref against endpoint into cache.
func startChild(t *testing.T, ref, endpoint, cache string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+ref, "BERTBATCH_HUB_TEST_ENDPOINT="+endpoint, "BERTBATCH_HUB_TEST_CACHE="+cache)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stdout, &stderr
}

func TestTwoProcessesPullingTogetherLeaveOneIntactCache(t *testing.T) {
	e := newTestEnv(t)
	files := hubtest.SentenceTransformer(2 << 20)
	commit := e.hub.AddModel(repoID, files...)
	// The weights download waits until both processes asked for the file's metadata, so the second
	// one necessarily reaches the blob's lock while the first holds it.
	e.hub.HoldDownloads("model.safetensors", 2)

	var cmds []*exec.Cmd
	var outs, errs []*bytes.Buffer
	for range 2 {
		cmd, out, stderr := startChild(t, repoID, e.hub.URL, e.cache)
		cmds, outs, errs = append(cmds, cmd), append(outs, out), append(errs, stderr)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, errs[i])
		}
		var snap Snapshot
		if err := json.Unmarshal(outs[i].Bytes(), &snap); err != nil {
			t.Fatalf("process %d printed %q: %v", i, outs[i], err)
		}
		if snap.Commit != commit || !slices.Equal(snap.Files, hubtest.NeededByJob) {
			t.Errorf("process %d resolved %+v", i, snap)
		}
	}
	for _, f := range hubtest.NeededByJob {
		if n := e.hub.Downloads(f); n != 1 {
			t.Errorf("%s downloaded %d times; the blob lock should let exactly one process fetch it", f, n)
		}
	}
	checkIntactCache(t, e.repoDir(repoID), commit, files, hubtest.NeededByJob)
}

// checkIntactCache verifies every needed file reads back as the Hub's content through its snapshot
// link, every blob's name matches its content's hash, and nothing temporary is left.
func checkIntactCache(t *testing.T, dir, commit string, files []hubtest.File, needed []string) {
	t.Helper()
	contents := fileContents(files)
	for _, f := range needed {
		got, err := os.ReadFile(filepath.Join(dir, "snapshots", commit, filepath.FromSlash(f)))
		if err != nil || !bytes.Equal(got, contents[f]) {
			t.Errorf("snapshot %s differs from the Hub's content (%v)", f, err)
		}
	}
	for _, b := range filesUnder(t, filepath.Join(dir, "blobs")) {
		data, err := os.ReadFile(filepath.Join(dir, "blobs", b))
		if err != nil {
			t.Errorf("blob %s: %v", b, err)
			continue
		}
		if b != hubtest.SHA256(data) && b != hubtest.GitBlobID(data) {
			t.Errorf("blob %s does not hold the content its name says", b)
		}
	}
	for _, f := range filesUnder(t, dir) {
		if strings.Contains(f, ".incomplete") || strings.HasSuffix(f, ".tmp") {
			t.Errorf("left-over temporary file %s", f)
		}
	}
}
