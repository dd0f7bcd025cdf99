"""Peer: a plain Python MLX loop over the same mlx wheel (BERT written with mlx.core ops, as MLX's
examples do): length-sorted batches, mean pooling + L2.

Usage: python bench/peer_mlx.py MODEL_DIR (tokens.parquet | texts.parquet) BATCH
"""
import json
import math
import resource
import sys
import time

import mlx.core as mx
import mlx.nn as nn
import pyarrow.parquet as pq


def load(model_dir):
    cfg = json.load(open(f"{model_dir}/config.json"))
    w = {k.removeprefix("bert."): v for k, v in mx.load(f"{model_dir}/model.safetensors").items()}
    return cfg, w


def forward(cfg, w, ids, mask):
    B, L = ids.shape
    H, NH = cfg["hidden_size"], cfg["num_attention_heads"]
    eps = cfg["layer_norm_eps"]
    lin = lambda x, p: x @ w[p + ".weight"].T + w[p + ".bias"]
    ln = lambda x, p: mx.fast.layer_norm(x, w[p + ".weight"], w[p + ".bias"], eps)
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][mx.arange(L)]
         + w["embeddings.token_type_embeddings.weight"][0])
    x = ln(x, "embeddings.LayerNorm")
    add_mask = mx.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(x.dtype)
    heads = lambda t: t.reshape(B, L, NH, H // NH).transpose(0, 2, 1, 3)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (heads(lin(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        a = mx.fast.scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(H // NH), mask=add_mask)
        a = a.transpose(0, 2, 1, 3).reshape(B, L, H)
        x = ln(lin(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = nn.gelu(lin(x, p + "intermediate.dense"))
        x = ln(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
    m = mask[..., None].astype(x.dtype)
    e = (x * m).sum(1) / mx.maximum(m.sum(1), 1e-9)
    return e / mx.maximum(mx.linalg.norm(e, axis=-1, keepdims=True), 1e-12)


def main():
    model_dir, path, bs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cfg, w = load(model_dir)
    table = pq.read_table(path)
    if "text" in table.column_names:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
        tok.enable_truncation(256)
        tok.no_padding()
        start_tok = time.perf_counter()
        rows = [e.ids for e in tok.encode_batch(table.column("text").to_pylist())]
        workload = "texts"
    else:
        rows = table.column("input_ids").to_pylist()
        workload = "tokens"
    order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
    tokens = sum(len(r) for r in rows)

    def run(sel):
        for s in range(0, len(sel), bs):
            idx = sel[s:s + bs]
            L = max(len(rows[i]) for i in idx)
            ids = mx.array([rows[i] + [0] * (L - len(rows[i])) for i in idx])
            mask = mx.array([[1] * len(rows[i]) + [0] * (L - len(rows[i])) for i in idx])
            mx.eval(forward(cfg, w, ids, mask))

    run(order[:bs])
    start = time.perf_counter()
    run(order)
    sec = time.perf_counter() - start
    print(json.dumps({"bench": "peer", "peer": f"python MLX loop, batch {bs}", "workload": workload, "rows": len(rows),
                      "tokens": tokens, "seconds": round(sec, 2), "rows_per_s": round(len(rows) / sec, 1),
                      "tokens_per_s": round(tokens / sec), "mlx": mx.__version__,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
