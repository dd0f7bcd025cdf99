package bert

import (
	"fmt"
	"math"
)

// MPNet (all-mpnet-base-v2): BERT's post-norm layer under other names, positions counted from
// padding_idx+1, no token types, and a relative position bias added to every layer's attention
// scores. The bias of heads h for key j and query i is relative_attention_bias[bucket(j−i), h],
// the buckets bidirectional, exact up to 7 tokens and logarithmic up to mpnetMaxDistance, beyond
// which they saturate. The encoder computes it once and shares it with every layer: here it is a
// table [heads, 2·mpnetMaxDistance+1] by clamped relative position, built when the weights are
// bound, which the attention kernels read (mlx.AttentionShaping).

// mpnetMaxDistance and mpnetBuckets are the max_distance and num_buckets transformers' MPNet
// encoder passes to relative_position_bucket (its defaults: the config's
// relative_attention_num_buckets sizes the embedding only). Every relative position at least
// mpnetMaxDistance away has the last bucket of its direction.
const (
	mpnetMaxDistance = 128
	mpnetBuckets     = 32
)

// mpnetPaddingIdx is MPNet's padding_idx, fixed in transformers' MPNetEmbeddings whatever the
// config's pad_token_id says.
const mpnetPaddingIdx = 1

var mpnetNames = layerNames{
	prefix: "encoder.layer",
	query:  "attention.attn.q", key: "attention.attn.k", value: "attention.attn.v",
	attnOut: "attention.attn.o", attnNorm: "attention.LayerNorm",
	up: "intermediate.dense", down: "output.dense", outNorm: "output.LayerNorm",
	embedNorm: "embeddings.LayerNorm", wordEmb: "embeddings.word_embeddings",
	posEmb: "embeddings.position_embeddings",
}

func init() {
	register(&family{arch: ArchMPNet, configure: configureMPNet, render: renderMPNet, names: mpnetNames,
		positions: positionsAfterPadding, padTokenID: mpnetPaddingIdx, pooler: true,
		head:      headLayout{pre: "classifier.dense", out: "classifier.out_proj", preAct: "tanh"},
		bindExtra: bindMPNetBias}, "mpnet")
}

func configureMPNet(r *fieldReader, c *Config) {
	readEncoderShape(r, c)
	c.RelativeBuckets = r.int("relative_attention_num_buckets", false)
	if _, ok := r.raw["relative_attention_num_buckets"]; !ok {
		c.RelativeBuckets = 32 // MPNetConfig's default
	}
	if c.RelativeBuckets < mpnetBuckets && !r.failed("relative_attention_num_buckets") {
		r.fail("relative_attention_num_buckets", fmt.Sprintf("%d, but MPNet's encoder reads %d buckets", c.RelativeBuckets, mpnetBuckets))
	}
	if c.PadTokenID != mpnetPaddingIdx && !r.failed("pad_token_id") {
		r.fail("pad_token_id", fmt.Sprintf("%d, but MPNet's embeddings fix padding_idx at %d (positions would differ from transformers)", c.PadTokenID, mpnetPaddingIdx))
	}
}

func renderMPNet(c *Config, m map[string]any) {
	renderEncoderShape(c, m)
	m["relative_attention_num_buckets"] = c.RelativeBuckets
}

// bindMPNetBias binds encoder.relative_attention_bias [buckets, heads] and turns it into the table
// the attention kernels read.
func bindMPNetBias(c *Config, b *binder, w *weights) {
	emb := b.tensor("encoder.relative_attention_bias.weight", c.RelativeBuckets, c.NumAttentionHeads)
	if emb == nil {
		return
	}
	buckets := make([]int32, 2*mpnetMaxDistance+1)
	for k := range buckets {
		buckets[k] = int32(mpnetBucket(k-mpnetMaxDistance, mpnetBuckets, mpnetMaxDistance))
	}
	sc := b.sc
	table := sc.Transpose(sc.Take(emb, sc.FromInt32(buckets, len(buckets)), 0), 1, 0)
	w.relBias = b.derived(table)
}

// mpnetBucket is transformers' MPNet relative_position_bucket for one relative position (key
// minus query), in the same float32 arithmetic so that bucket edges fall alike.
func mpnetBucket(relative, numBuckets, maxDistance int) int {
	ret := 0
	n := -relative
	numBuckets /= 2
	if n < 0 {
		ret += numBuckets
		n = -n
	}
	maxExact := numBuckets / 2
	if n < maxExact {
		return ret + n
	}
	f := float32(math.Log(float64(float32(n) / float32(maxExact))))
	f /= float32(math.Log(float64(maxDistance) / float64(maxExact)))
	f *= float32(numBuckets - maxExact)
	return ret + min(maxExact+int(f), numBuckets-1)
}
