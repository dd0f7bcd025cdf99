package bert

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/mlx"
)

// onWorker runs f as an MLX worker does: on a locked OS thread with a stream of its own.
func onWorker(t testing.TB, f func(s *mlx.Stream)) {
	t.Helper()
	if err := mlx.OnThread(mlx.CPU, func(s *mlx.Stream) error { f(s); return nil }); err != nil {
		t.Fatalf("stream: %v", err)
	}
}

// randomModel writes config.json to a temp folder and loads it with random weights.
func randomModel(t testing.TB, config string, opts Options) *Model {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.RandomInit = true
	m, err := LoadDir(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func TestThousandForwardPassesReturnToBaselineMemory(t *testing.T) {
	m := randomModel(t, bertConfig, Options{})
	batch := &Batch{InputIDs: [][]int32{{1, 5, 9, 2}, {1, 7, 2}}}
	onWorker(t, func(s *mlx.Stream) {
		pass := func() {
			sc := mlx.NewScope(s)
			defer sc.Close()
			if _, err := m.Embed(sc, batch, EmbedOptions{Pooling: PoolMean}); err != nil {
				t.Fatal(err)
			}
		}
		pass() // warm MLX's caches
		baseMem, err := mlx.ActiveMemory()
		if err != nil {
			t.Fatal(err)
		}
		baseLive := mlx.Live()
		for i := 0; i < 1000; i++ {
			pass()
		}
		mem, err := mlx.ActiveMemory()
		if err != nil {
			t.Fatal(err)
		}
		if mem != baseMem {
			t.Errorf("active memory %d bytes after 1000 passes, baseline %d", mem, baseMem)
		}
		if live := mlx.Live(); live != baseLive {
			t.Errorf("%d live arrays after 1000 passes, baseline %d", live, baseLive)
		}
	})
	runtime.GC()
	if mlx.Leaked() != 0 {
		t.Errorf("%d arrays were collected without Close", mlx.Leaked())
	}
}

func TestBadInputsAreClearErrors(t *testing.T) {
	m := randomModel(t, bertConfig, Options{})
	long := make([]int32, 65)
	cases := []struct {
		name  string
		batch Batch
		want  string
	}{
		{"id out of vocabulary", Batch{InputIDs: [][]int32{{1, 2}, {1, 100}}}, "row 1: input_ids: token 1 is id 100, outside the model's vocabulary [0, 100)"},
		{"negative id", Batch{InputIDs: [][]int32{{-1}}}, "row 0: input_ids"},
		{"too long", Batch{InputIDs: [][]int32{long}}, "65 tokens, longer than the model's 64 positions"},
		{"empty row", Batch{InputIDs: [][]int32{{}}}, "no token to embed"},
		{"type id out of range", Batch{InputIDs: [][]int32{{1, 2}}, TokenTypeIDs: [][]int32{{0, 2}}}, "token_type_ids: token 1 has type 2"},
		{"mask length", Batch{InputIDs: [][]int32{{1, 2}}, AttentionMask: [][]int32{{1}}}, "attention_mask: has 1 values but input_ids has 2 tokens"},
		{"all masked", Batch{InputIDs: [][]int32{{1, 2}}, AttentionMask: [][]int32{{0, 0}}}, "no token is attended"},
		{"empty batch", Batch{}, "empty batch"},
	}
	onWorker(t, func(s *mlx.Stream) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sc := mlx.NewScope(s)
				defer sc.Close()
				_, err := m.Embed(sc, &tc.batch, EmbedOptions{Pooling: PoolCLS})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.want)
				}
			})
		}
	})
}

func TestModelPoolingNeedsSentenceTransformersFiles(t *testing.T) {
	m := randomModel(t, bertConfig, Options{})
	onWorker(t, func(s *mlx.Stream) {
		sc := mlx.NewScope(s)
		defer sc.Close()
		_, err := m.Embed(sc, &Batch{InputIDs: [][]int32{{1, 2}}}, EmbedOptions{})
		if err == nil || !strings.Contains(err.Error(), "choose a pooling") {
			t.Fatalf("err = %v, want a request to choose a pooling", err)
		}
	})
}

func TestMissingWeightsAreAnErrorNotRandom(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(bertConfig), 0o644)
	_, err := LoadDir(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "no weight file") {
		t.Fatalf("err = %v, want a no-weights error", err)
	}
}

func TestGPUWithoutDevice(t *testing.T) {
	if n, _ := mlx.DeviceCount(mlx.GPU); n > 0 {
		t.Skip("a GPU is present")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(bertConfig), 0o644)
	_, err := LoadDir(dir, Options{RandomInit: true, Device: mlx.GPU})
	var me *mlx.Error
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "no gpu device") {
		t.Fatalf("err = %v, want an mlx no-gpu error", err)
	}
}
