package bert

import (
	"encoding/json"
	"fmt"
	"reflect"
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
	for _, a := range []Arch{ArchBERT, ArchDistilBERT, ArchRoBERTa, ArchXLMRoBERTa, ArchMPNet, ArchModernBERT, ArchJinaV3} {
		if f := familyOf(a); f == nil || f.arch != a {
			t.Errorf("%s: no family registered", a)
		}
	}
	_, err := FromHFConfig("config.json", []byte(`{"model_type":"gpt2"}`))
	if err == nil || !strings.Contains(err.Error(), "mpnet") || !strings.Contains(err.Error(), `"model_type"`) {
		t.Errorf("unknown model type: %v", err)
	}
}

// TestModernBERTConfig reads both spellings of ModernBERT's layer kinds and rotary bases: the
// layer_types and rope_parameters of transformers 5, and the older global_attn_every_n_layers,
// global_rope_theta and local_rope_theta.
func TestModernBERTConfig(t *testing.T) {
	const shape = `"model_type":"modernbert","hidden_size":32,"num_hidden_layers":4,"num_attention_heads":4,
"intermediate_size":48,"vocab_size":100,"max_position_embeddings":64,"pad_token_id":0`
	for _, tc := range []struct {
		name, extra string
		sliding     string
		global      float64
		local       float64
		window      int
		errs        []string
	}{
		{"defaults", ``, "[false true true false]", 160000, 10000, 128, nil},
		{"old spelling", `,"global_attn_every_n_layers":2,"global_rope_theta":80000,"local_rope_theta":500,"local_attention":32`,
			"[false true false true]", 80000, 500, 32, nil},
		{"new spelling", `,"layer_types":["sliding_attention","full_attention","sliding_attention","full_attention"],
"rope_parameters":{"full_attention":{"rope_type":"default","rope_theta":1000},"sliding_attention":{"rope_type":"default","rope_theta":20}}`,
			"[true false true false]", 1000, 20, 128, nil},
		{"layer_types of the wrong length", `,"layer_types":["full_attention"]`, "", 0, 0, 0, []string{`"layer_types"`, "1 entries for 4 layers"}},
		{"unknown layer type", `,"layer_types":["full_attention","chunked","full_attention","full_attention"]`, "", 0, 0, 0, []string{`"layer_types"`, `"chunked"`}},
		{"scaled rotary", `,"rope_parameters":{"full_attention":{"rope_type":"yarn","rope_theta":10}}`, "", 0, 0, 0, []string{`"rope_parameters"`, `"yarn"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromHFConfig("m/config.json", []byte("{"+shape+tc.extra+"}"))
			if tc.errs != nil {
				if err == nil {
					t.Fatal("accepted")
				}
				for _, w := range append(tc.errs, "m/config.json") {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mb := c.ModernBERT
			if got := fmt.Sprint(mb.Sliding); got != tc.sliding || mb.GlobalRopeTheta != tc.global || mb.LocalRopeTheta != tc.local || mb.LocalAttention != tc.window {
				t.Errorf("sliding %s, thetas %g/%g, window %d; want %s, %g/%g, %d", got, mb.GlobalRopeTheta, mb.LocalRopeTheta, mb.LocalAttention,
					tc.sliding, tc.global, tc.local, tc.window)
			}
		})
	}
}

// TestJinaConfig reads Jina v3's rotary base in each spelling, round-trips the config, and refuses
// the LoRA adapters of the remote-code checkpoints, naming the field.
func TestJinaConfig(t *testing.T) {
	const shape = `"hidden_size":32,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":64,
"vocab_size":100,"max_position_embeddings":8194,"layer_norm_eps":1e-5`
	const jina = `"model_type":"jina_embeddings_v3",` + shape
	for _, tc := range []struct {
		name, json string
		theta      float64
		types      int
		errs       []string
	}{
		{"defaults", jina, 20000, 1, nil},
		{"rope_parameters", jina + `,"type_vocab_size":2,"rope_parameters":{"rope_type":"default","rope_theta":500}`, 500, 2, nil},
		{"older rope_theta", jina + `,"rope_theta":10000`, 10000, 1, nil},
		{"head_dim of the shape", jina + `,"head_dim":8`, 20000, 1, nil},
		{"scaled rotary", jina + `,"rope_parameters":{"rope_type":"yarn","rope_theta":10}`, 0, 0, []string{`"rope_parameters"`, `"yarn"`}},
		{"zero base", jina + `,"rope_parameters":{"rope_theta":0}`, 0, 0, []string{`"rope_parameters"`, "must be positive"}},
		{"other head_dim", jina + `,"head_dim":16`, 0, 0, []string{`"head_dim"`, "16"}},
		{"LoRA adaptations", jina + `,"lora_adaptations":["retrieval.query","text-matching"]`, 0, 0,
			[]string{`"lora_adaptations"`, "retrieval.query", "trust_remote_code"}},
		{"remote-code XLM-R", `"model_type":"xlm-roberta",` + shape + `,"type_vocab_size":1,"position_embedding_type":"rotary",
"lora_adaptations":["classification"]`, 0, 0, []string{`"position_embedding_type"`, "jina_embeddings_v3", `"lora_adaptations"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromHFConfig("m/config.json", []byte("{"+tc.json+"}"))
			if tc.errs != nil {
				if err == nil {
					t.Fatal("accepted")
				}
				for _, w := range append(tc.errs, "m/config.json") {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Arch != ArchJinaV3 || c.RopeTheta != tc.theta || c.TypeVocabSize != tc.types || c.PadTokenID != 1 || c.MaxSequenceLength() != 8194 {
				t.Errorf("arch %s, theta %g, %d token types, pad %d, max length %d; want jina_embeddings_v3, %g, %d, 1, 8194",
					c.Arch, c.RopeTheta, c.TypeVocabSize, c.PadTokenID, c.MaxSequenceLength(), tc.theta, tc.types)
			}
			data, err := json.Marshal(c.ToHFConfig())
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromHFConfig("round-trip", data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, back) {
				t.Errorf("round trip changed the config:\n%+v\n%+v", c, back)
			}
		})
	}
}
