package embed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bertbatch/bertbatch/embed"
)

// golden is the part of a testdata/golden file (written by testdata/gen_models.py from transformers
// and sentence-transformers) that the facade is checked against.
type golden struct {
	Inputs []struct {
		InputIDs      []int32 `json:"input_ids"`
		AttentionMask []int32 `json:"attention_mask"`
		TokenTypeIDs  []int32 `json:"token_type_ids"`
	} `json:"inputs"`
	LastHiddenStateRows int               `json:"last_hidden_state_rows"`
	LastHiddenState     [][][]float32     `json:"last_hidden_state"`
	SentenceEmbedding   [][]float32       `json:"sentence_embedding"`
	Probabilities       [][]float32       `json:"probabilities"`
	Labels              []json.RawMessage `json:"labels"`
	ID2Label            map[string]string `json:"id2label"`
}

func loadGolden(t *testing.T, name string) *golden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &g
}

// rows are the golden inputs cut to their attended tokens (the goldens pad on the right), so the
// facade does its own batching and padding.
func (g *golden) rows() (ids, types [][]int32) {
	for _, r := range g.Inputs {
		n := 0
		for _, m := range r.AttentionMask {
			n += int(m)
		}
		ids = append(ids, r.InputIDs[:n])
		types = append(types, r.TokenTypeIDs[:n])
	}
	return ids, types
}

const tolerance = 2e-4

func near(got, want float32) bool {
	return math.Abs(float64(got-want)) <= tolerance*max(1, math.Abs(float64(want)))
}

func compare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Fatalf("%s[%d] = %v, reference %v", what, i, got[i], want[i])
		}
	}
}

// The facade gives the reference's last hidden state and sentence embedding, whatever the token
// budget cuts the rows into.
func TestEncoderParity(t *testing.T) {
	for _, model := range []string{"tiny-bert", "tiny-distilbert", "tiny-mpnet", "tiny-roberta", "tiny-modernbert", "tiny-jina"} {
		for _, budget := range []int{embed.DefaultMaxTokens, 64} {
			t.Run(fmt.Sprintf("%s/budget=%d", model, budget), func(t *testing.T) {
				g := loadGolden(t, model)
				ctx := context.Background()
				m, err := embed.Open(ctx, filepath.Join("..", "testdata", "models", model), embed.WithMaxTokens(budget), embed.WithWorkers(2))
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				ids, types := g.rows()
				hidden, err := m.Forward(ctx, ids, nil, types)
				if err != nil {
					t.Fatal(err)
				}
				rows := len(g.LastHiddenState)
				for i := range rows {
					for j := range min(len(ids[i]), len(g.LastHiddenState[i])) {
						compare(t, fmt.Sprintf("row %d token %d", i, j), hidden[i][j], g.LastHiddenState[i][j])
					}
				}
				if g.SentenceEmbedding == nil {
					return
				}
				vecs, err := m.EncodeTokens(ctx, ids, nil, types)
				if err != nil {
					t.Fatal(err)
				}
				for i := range vecs {
					compare(t, fmt.Sprintf("embedding %d", i), vecs[i], g.SentenceEmbedding[i])
				}
			})
		}
	}
}

// Classification heads give the reference's probabilities and labels (id2label).
func TestHeadParity(t *testing.T) {
	for _, tc := range []struct {
		model string
		head  embed.Head
	}{
		{"tiny-bert-binary", embed.Binary},
		{"tiny-bert-cls", embed.Multiclass},
		{"tiny-bert-multilabel", embed.Multilabel},
		{"tiny-bert-regression", embed.Regression},
		{"tiny-distilbert-cls", embed.Multiclass},
	} {
		t.Run(tc.model, func(t *testing.T) {
			g := loadGolden(t, tc.model)
			ctx := context.Background()
			m, err := embed.Open(ctx, filepath.Join("..", "testdata", "models", tc.model), embed.WithHead(tc.head), embed.WithMaxTokens(64))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ids, types := g.rows()
			preds, err := m.ClassifyTokens(ctx, ids, nil, types)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range preds {
				compare(t, fmt.Sprintf("row %d probabilities", i), p.Probabilities, g.Probabilities[i])
				if tc.head == embed.Regression || g.Labels == nil {
					continue
				}
				var one string
				var many []string
				if json.Unmarshal(g.Labels[i], &one) == nil {
					if p.Label != one {
						t.Errorf("row %d: label %q, reference %q", i, p.Label, one)
					}
				} else if err := json.Unmarshal(g.Labels[i], &many); err != nil {
					t.Fatal(err)
				} else if !slices.Equal(p.Labels, many) && !(len(p.Labels) == 0 && len(many) == 0) {
					t.Errorf("row %d: labels %q, reference %q", i, p.Labels, many)
				}
			}
			if labels := m.Labels(); len(labels) != len(g.ID2Label) {
				t.Errorf("labels %q, id2label %v", labels, g.ID2Label)
			}
		})
	}
}
