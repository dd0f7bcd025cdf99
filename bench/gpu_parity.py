"""Check gpucheck's pooled embeddings against transformers on the same machine.

    python3 bench/gpu_parity.py MODEL_DIR DUMP.json

DUMP.json is what `gpucheck -model MODEL_DIR -dump DUMP.json` wrote: the batch's token ids and the
mean-pooled (not normalised) embeddings of each device/dtype. This script runs transformers'
AutoModel in float32 on the same ids (padded, with an attention mask), mean-pools the same way
sentence-transformers does, and prints one JSON line per device/dtype: the smallest cosine and
the largest |delta| against that reference.
"""
import json
import sys

import torch
from transformers import AutoModel


def main() -> None:
    model_dir, dump_path = sys.argv[1], sys.argv[2]
    dump = json.load(open(dump_path))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModel.from_pretrained(model_dir, dtype=torch.float32).to(device).eval()
    rows = dump["input_ids"]
    length = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), length, dtype=torch.long)
    mask = torch.zeros(len(rows), length, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    # Full float32 matmuls on the reference side.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    with torch.inference_mode():
        hidden = model(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state.float()
        m = mask.to(device).unsqueeze(-1).float()
        ref = ((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)).cpu().double()
    for key, vecs in sorted(dump["pooled"].items()):
        got = torch.tensor(vecs, dtype=torch.float64)
        cos = torch.nn.functional.cosine_similarity(got, ref, dim=1)
        print(json.dumps({
            "check": "vs_transformers_fp32", "model": dump["model"], "run": key, "rows": len(rows),
            "cos_min": round(cos.min().item(), 8), "pooled_max_abs": float((got - ref).abs().max()),
            "reference": f"transformers AutoModel float32 on {device}",
        }), flush=True)


if __name__ == "__main__":
    main()
