"""Peer of bench/gpu_e2e.sh: sentence-transformers `encode` on a texts file, float16 on CUDA (float32 on
the CPU), batch size 256, as a user's script would run it; the model folder is the one bertbatch reads.
Where sentence_transformers cannot be imported, the same work is done with transformers directly
(ST's loop: texts sorted by length, tokenized per batch with truncation to max_seq_length, mean
pooling) and the line says so in "peer".

Usage: python bench/peer_st_e2e.py MODEL_DIR texts.parquet DEVICE(cuda|cpu) [BATCH]
       (E2E_PEER=transformers: the transformers loop even where sentence_transformers is there)
Prints one JSON line: rows, real tokens after truncation, seconds, rows/s, tokens/s.
"""
import json
import os
import sys
import time

import pyarrow.parquet as pq
import torch


def st_encoder(model_dir, device, dtype):
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(model_dir, device=device)
    model.half() if dtype == torch.float16 else model.float()
    return "sentence-transformers encode", model.tokenizer, model.max_seq_length, \
        lambda texts, batch: model.encode(texts, batch_size=batch, convert_to_numpy=True)


def hf_encoder(model_dir, device, dtype):
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir, torch_dtype=dtype).to(device).eval()
    limit = json.load(open(os.path.join(model_dir, "sentence_bert_config.json")))["max_seq_length"]

    @torch.inference_mode()
    def encode(texts, batch):
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = [None] * len(texts)
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=limit, return_tensors="pt").to(device)
            h = model(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            pooled = ((h * m).sum(1) / m.sum(1).clamp(min=1e-9)).float().cpu().numpy()
            for j, i in enumerate(idx):
                out[i] = pooled[j]
        return out
    return "transformers, sentence-transformers' encode loop (sentence_transformers not used)", tok, limit, encode


def main():
    model_dir, path, device = sys.argv[1], sys.argv[2], sys.argv[3]
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 256
    dtype = torch.float16 if device == "cuda" else torch.float32
    texts = pq.read_table(path).column("text").to_pylist()
    try:
        if os.environ.get("E2E_PEER") == "transformers":
            raise ImportError("E2E_PEER=transformers")
        peer, tok, limit, encode = st_encoder(model_dir, device, dtype)
    except ImportError:
        peer, tok, limit, encode = hf_encoder(model_dir, device, dtype)
    tokens = sum(len(ids) for ids in tok(texts, truncation=True, max_length=limit)["input_ids"])
    encode(texts[:min(len(texts), 2 * batch)], batch)  # warm-up
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    encode(texts, batch)
    if device == "cuda":
        torch.cuda.synchronize()
    sec = time.perf_counter() - start
    print(json.dumps({"bench": "e2e-peer", "peer": peer, "model": os.path.basename(os.path.normpath(model_dir)),
                      "device": device, "dtype": str(dtype).removeprefix("torch."), "batch": batch,
                      "rows": len(texts), "tokens": tokens, "seconds": round(sec, 3),
                      "rows_per_s": round(len(texts) / sec, 1), "tokens_per_s": round(tokens / sec)}))


if __name__ == "__main__":
    main()
