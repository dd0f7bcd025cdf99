package bert_test

import (
	"fmt"
	"log"
	"slices"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

// Keep two batches in flight on one stream: StartEmbed hands each batch to MLX and returns at
// once, so the second batch's graph is built while the first computes; Wait returns each batch's
// vectors, the same bits Embed gives batch by batch. On a GPU this is how the host's share of a
// batch hides behind the device's work (bert.DefaultInFlight batches at once).
func ExampleModel_StartEmbed() {
	m, err := bert.LoadDir("../testdata/models/tiny-bert", bert.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	batches := []*bert.Batch{
		{InputIDs: [][]int32{{101, 203, 303, 102}, {101, 459, 102}}},
		{InputIDs: [][]int32{{101, 278, 451, 282, 200, 102}}},
	}
	o := bert.EmbedOptions{Pooling: bert.PoolMean}
	err = mlx.OnThread(mlx.CPU, func(s *mlx.Stream) error {
		var pending []*bert.PendingEmbed
		for _, b := range batches { // both batches handed to MLX before either is waited for
			sc := mlx.NewScope(s)
			defer sc.Close()
			p, err := m.StartEmbed(sc, b, o)
			if err != nil {
				return err
			}
			pending = append(pending, p)
		}
		for i, p := range pending {
			got, err := p.Wait()
			if err != nil {
				return err
			}
			sc := mlx.NewScope(s)
			want, err := m.Embed(sc, batches[i], o) // one batch at a time, for comparison
			sc.Close()
			if err != nil {
				return err
			}
			same := true
			for r := range got {
				same = same && slices.Equal(got[r], want[r])
			}
			fmt.Printf("batch %d: %d vectors of %d, same as Embed: %t\n", i, len(got), len(got[0]), same)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("in flight on a GPU:", bert.DefaultInFlight(mlx.GPU), "on the CPU:", bert.DefaultInFlight(mlx.CPU))
	// Output:
	// batch 0: 2 vectors of 32, same as Embed: true
	// batch 1: 1 vectors of 32, same as Embed: true
	// in flight on a GPU: 2 on the CPU: 1
}
