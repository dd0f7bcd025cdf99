package bert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/mlx"
)

// TestMPNetBuckets compares the relative position buckets with transformers' own
// relative_position_bucket, stored in the tiny-mpnet golden file for positions −200 to 200.
func TestMPNetBuckets(t *testing.T) {
	c := loadCase(t, "tiny-mpnet.json")
	rb := c.RelativePositionBuckets
	if rb == nil || len(rb.Buckets) != len(rb.RelativePositions) || len(rb.Buckets) == 0 {
		t.Fatal("tiny-mpnet.json has no relative_position_buckets")
	}
	for i, rel := range rb.RelativePositions {
		if got := mpnetBucket(rel, mpnetBuckets, mpnetMaxDistance); got != rb.Buckets[i] {
			t.Errorf("relative position %d: bucket %d, transformers %d", rel, got, rb.Buckets[i])
		}
	}
	for _, rel := range []int{-mpnetMaxDistance, mpnetMaxDistance} { // the table's clamp is exact
		far := rel * 3
		if mpnetBucket(rel, mpnetBuckets, mpnetMaxDistance) != mpnetBucket(far, mpnetBuckets, mpnetMaxDistance) {
			t.Errorf("bucket of %d differs from that of %d: clamping at ±%d would be wrong", rel, far, mpnetMaxDistance)
		}
	}
}

// TestPackedBatchOfManyLengths runs every golden encoder's rows together in one batch without
// padding (packed on the CPU) and each row alone: the rows' pooled outputs and token vectors must
// agree to a cosine of 0.99999.
func TestPackedBatchOfManyLengths(t *testing.T) {
	for _, name := range goldenEncoders {
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name+".json")
			m := loadModel(t, c.ModelDir, Options{})
			if !m.Packs(mlx.CPU) {
				t.Fatalf("%s does not pack on the CPU", name)
			}
			all := runGolden(t, m, unpaddedBatch(t, c.Inputs), &c.Batch)
			for i := range c.Inputs {
				one := firstRows(&c.Batch, 1)
				one.Inputs = c.Inputs[i : i+1]
				alone := runGolden(t, m, unpaddedBatch(t, one.Inputs), one)
				label := fmt.Sprintf("%s/row %d (%d tokens)", name, i, c.Inputs[i].Len())
				checkOutputs(t, label, all.row(i), alone.asGolden(one.Inputs), tolerance{minCos: 0.99999})
			}
		})
	}
}

// TestTokenTypesIgnoredWithoutEmbedding gives models without a token type embedding rows that
// carry type 1 (a pair tokenized for BERT): the outputs are those of the same rows with types 0,
// as in transformers, where these models take no token_type_ids.
func TestTokenTypesIgnoredWithoutEmbedding(t *testing.T) {
	for _, gm := range []struct {
		name string
		head HeadType
	}{{"tiny-distilbert-cls", HeadMulticlass}, {"tiny-mpnet-cls", HeadMulticlass}, {"tiny-distilbert", HeadNone}} {
		t.Run(gm.name, func(t *testing.T) {
			c := loadCase(t, gm.name+".json")
			m := loadModel(t, c.ModelDir, Options{Head: gm.head})
			if m.Config.UsesTokenTypes() {
				t.Fatalf("%s: UsesTokenTypes is true for %s", gm.name, m.Config.Arch)
			}
			b := paddedBatch(c.Inputs)
			typed := 0
			for i, ids := range b.InputIDs {
				types := make([]int32, len(ids))
				second := false
				for j, id := range ids {
					if second {
						types[j] = 1
						typed++
					}
					second = second || (j > 0 && id == 3) // after the first [SEP]
				}
				b.TokenTypeIDs[i] = types
			}
			if typed == 0 {
				t.Fatal("no row got token type 1")
			}
			checkOutputs(t, gm.name+"/type 1 ignored", runGolden(t, m, b, &c.Batch), &c.Batch, fp32Tol)
		})
	}
}

// TestFamiliesRegistered checks that every architecture constant has a family and that an
// unknown model_type names the registered ones.
func TestFamiliesRegistered(t *testing.T) {
	for _, a := range []Arch{ArchBERT, ArchDistilBERT, ArchRoBERTa, ArchXLMRoBERTa, ArchMPNet} {
		if f := familyOf(a); f == nil || f.arch != a {
			t.Errorf("%s: no family registered", a)
		}
	}
	_, err := FromHFConfig("config.json", []byte(`{"model_type":"gpt2"}`))
	if err == nil || !strings.Contains(err.Error(), "mpnet") || !strings.Contains(err.Error(), `"model_type"`) {
		t.Errorf("unknown model type: %v", err)
	}
}
