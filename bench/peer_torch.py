"""Peer: transformers BertModel (what sentence-transformers runs inside encode) on the token workload,
length-sorted batches, mean pooling + L2, as /work/shared's peer script does, but on the same rows
bertbatch reads.

Usage: python bench/peer_torch.py tokens.parquet THREADS BATCH (MODEL_DIR | minilm-l6 | bert-base | bert-large) [ROWS]
"""
import json
import resource
import sys
import time

import pyarrow.parquet as pq
import torch
from transformers import AutoModel, BertConfig, BertModel

SHAPES = {"minilm-l6": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536),
          "bert-base": {}, "bert-large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)}


def main():
    path, threads, bs, model_ref = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else None
    torch.set_num_threads(threads)
    rows = [torch.tensor(r) for r in pq.read_table(path).column("input_ids").to_pylist()[:limit]]
    if model_ref in SHAPES:
        torch.manual_seed(0)
        model = BertModel(BertConfig(**SHAPES[model_ref]), add_pooling_layer=False).eval()
    else:
        model = AutoModel.from_pretrained(model_ref, attn_implementation="sdpa").eval()
    order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
    tokens = sum(len(r) for r in rows)

    def one_pass(sel):
        with torch.inference_mode():
            for s in range(0, len(sel), bs):
                idx = sel[s:s + bs]
                L = max(len(rows[i]) for i in idx)
                ids = torch.zeros(len(idx), L, dtype=torch.long)
                am = torch.zeros(len(idx), L, dtype=torch.long)
                for j, i in enumerate(idx):
                    ids[j, :len(rows[i])] = rows[i]
                    am[j, :len(rows[i])] = 1
                h = model(input_ids=ids, attention_mask=am).last_hidden_state
                m = am.unsqueeze(-1).to(h.dtype)
                torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)

    one_pass(order[:bs])  # warm-up
    start = time.perf_counter()
    one_pass(order)
    sec = time.perf_counter() - start
    print(json.dumps({"bench": "peer", "peer": f"transformers BertModel sdpa, batch {bs}", "model": model_ref.split("/")[-1],
                      "workload": "tokens", "threads": threads, "rows": len(rows), "tokens": tokens, "seconds": round(sec, 2),
                      "rows_per_s": round(len(rows) / sec, 1), "tokens_per_s": round(tokens / sec),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
