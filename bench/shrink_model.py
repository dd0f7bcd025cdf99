"""Write a smaller copy of a BERT checkpoint for carrying to the accelerator machine.

    python bench/shrink_model.py SRC_DIR DST_DIR [--vocab 2048] [--dtype float16]

The copy keeps every encoder weight (real values, cast to --dtype) and only the first --vocab rows
of the word-embedding table, with config.json's vocab_size set to match, so that a parity run on
token ids below that bound computes exactly what the full model computes on them (up to the cast).
Needs torch and safetensors (the .venv-ref environment).
"""
import argparse
import json
import os

import torch
from safetensors.torch import load_file, save_file


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--vocab", type=int, default=2048)
    p.add_argument("--dtype", default="float16", choices=["float16", "bfloat16", "float32"])
    a = p.parse_args()
    dtype = getattr(torch, a.dtype)
    tensors = load_file(os.path.join(a.src, "model.safetensors"))
    out = {}
    for name, t in tensors.items():
        if name.endswith("word_embeddings.weight"):
            t = t[: a.vocab]
        if name.endswith("position_ids"):
            continue
        out[name] = t.to(dtype).contiguous()
    os.makedirs(a.dst, exist_ok=True)
    save_file(out, os.path.join(a.dst, "model.safetensors"), metadata={"format": "pt"})
    cfg = json.load(open(os.path.join(a.src, "config.json")))
    cfg["vocab_size"] = a.vocab
    json.dump(cfg, open(os.path.join(a.dst, "config.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
