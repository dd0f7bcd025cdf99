"""Peer: sentence-transformers `encode` on the texts workload, the way a user's script would run it.

Usage: python bench/peer_st.py MODEL_DIR texts.parquet THREADS
Prints one JSON line: the model folder's name, rows/s, tokens/s (real tokens after truncation to max_seq_length), peak RSS.
"""
import json
import os
import resource
import sys
import time

import pyarrow.parquet as pq
import torch
from sentence_transformers import SentenceTransformer


def main():
    model_dir, path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    texts = pq.read_table(path).column("text").to_pylist()
    model = SentenceTransformer(model_dir, device="cpu")
    enc = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)
    tokens = sum(len(ids) for ids in enc["input_ids"])
    model.encode(texts[:64])  # warm-up
    start = time.perf_counter()
    model.encode(texts, batch_size=32)
    sec = time.perf_counter() - start
    print(json.dumps({"bench": "peer", "peer": "sentence-transformers encode", "model": os.path.basename(os.path.normpath(model_dir)),
                      "workload": "texts", "threads": threads,
                      "rows": len(texts), "tokens": tokens, "seconds": round(sec, 2), "rows_per_s": round(len(texts) / sec, 1),
                      "tokens_per_s": round(tokens / sec), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "versions": {"torch": torch.__version__}}))


if __name__ == "__main__":
    main()
