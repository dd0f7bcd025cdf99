package arrowio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// readRows opens path and reads all rows of input_ids, returning their count.
func readRows(path string, mem memory.Allocator) (int64, error) {
	r, err := Open(path, mem)
	if err != nil {
		return 0, err
	}
	var n int64
	err = r.Read(context.Background(), []string{"input_ids"}, 10, nil, func(c chunk.Chunk) error {
		n += c.Unit.Rows
		c.Release()
		return nil
	})
	return n, err
}

func TestTruncated(t *testing.T) {
	for _, fixture := range []string{"tokens.arrow", "tokens.arrows"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", fixture))
		if err != nil {
			t.Fatal(err)
		}
		for _, keep := range []int{3, 8, len(data) / 3, len(data) / 2, len(data) - 10} {
			t.Run(fmt.Sprintf("%s/first_%d_bytes", fixture, keep), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), fixture)
				if err := os.WriteFile(path, data[:keep], 0o644); err != nil {
					t.Fatal(err)
				}
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				_, err := readRows(path, mem)
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
					t.Fatalf("reading the first %d of %d bytes: error %v, want a corrupt-file error naming the file", keep, len(data), err)
				}
			})
		}
	}
}

func TestContainerDetection(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		stream  bool
	}{{"tokens.arrow", false}, {"tokens.arrows", true}} {
		r, err := Open(filepath.Join("..", "testdata", tc.fixture), nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.IsStream() != tc.stream {
			t.Errorf("%s: IsStream() = %v", tc.fixture, r.IsStream())
		}
	}
}
