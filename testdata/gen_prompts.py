"""Writes the prompt fixtures: tiny models with sentence-transformers prompts and include_prompt false
(testdata/models/*-prompts/), and what SentenceTransformer.encode gives for them (stages/testdata/prompts.json).

Run through `make references` after gen_models.py (.venv-ref/bin/python testdata/gen_prompts.py): each model is a
copy of a tiny model gen_models.py wrote, with "prompts" and "default_prompt_name" added to
config_sentence_transformers.json and "include_prompt": false added to 1_Pooling/config.json. The expected
embeddings are SentenceTransformer.encode's, float32 on CPU, with prompt_name=..., prompt=... or neither.
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep testdata/ free of __pycache__

import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import refjson  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
GOLDEN = os.path.join(HERE, "..", "stages", "testdata")

PROMPTS = {"query": "query: ", "passage": "passage: ", "plain": ""}
DEFAULT = "query"

# Base models: tiny-bert ([CLS] … [SEP], legacy pooling keys, no Normalize) and tiny-roberta (<s> … </s>,
# sentence-transformers 6 layout, Normalize).
BASES = ["tiny-bert", "tiny-roberta"]

TEXTS = [
    "water people first",
    "the",
    "how many words can we write",
    "a long day of sound and time",
    "she said that the side was down",
    "first " * 150,  # far over max_seq_length: truncated after the prompt
]

# Cases: the job fields (as bertbatch reads them) and the matching encode arguments. "pooling" overrides the
# pooling module's mode, as the job's output.pooling does.
CASES = [
    {"name": "default prompt", "job": {}, "encode": {}},
    {"name": "prompt name", "job": {"prompt_name": "passage"}, "encode": {"prompt_name": "passage"}},
    {"name": "empty named prompt", "job": {"prompt_name": "plain"}, "encode": {"prompt_name": "plain"}},
    {"name": "literal prompt", "job": {"prompt": "water people: "}, "encode": {"prompt": "water people: "}},
    {"name": "no prompt", "job": {"prompt": ""}, "encode": {"prompt": ""}},
    {"name": "cls pooling", "job": {"pooling": "cls"}, "encode": {}, "pooling": "cls"},
    {"name": "max pooling", "job": {"prompt_name": "passage", "pooling": "max"},
     "encode": {"prompt_name": "passage"}, "pooling": "max"},
]


def make_folder(base):
    """Copies testdata/models/<base> to <base>-prompts with prompts and include_prompt false."""
    src, dst = os.path.join(MODELS, base), os.path.join(MODELS, base + "-prompts")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    path = os.path.join(dst, "config_sentence_transformers.json")
    with open(path) as f:
        config = json.load(f)
    config["prompts"], config["default_prompt_name"] = PROMPTS, DEFAULT
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    path = os.path.join(dst, "1_Pooling", "config.json")
    with open(path) as f:
        pooling = json.load(f)
    pooling["include_prompt"] = False
    with open(path, "w") as f:
        json.dump(pooling, f, indent=2)
        f.write("\n")
    return dst


def encode(folder, case, include_prompt=False):
    model = SentenceTransformer(folder, device="cpu")
    model.eval()
    pooling = model[1]
    if pooling.include_prompt != include_prompt:
        raise RuntimeError(f"{folder}: include_prompt read as {pooling.include_prompt}, want {include_prompt}")
    if "pooling" in case:
        pooling.pooling_mode = case["pooling"]
    with torch.no_grad():
        out = model.encode(TEXTS, convert_to_numpy=True, batch_size=len(TEXTS), **case["encode"])
    return np.asarray(out, dtype=np.float32)


def main():
    torch.manual_seed(0)
    golden = {
        "reference": f"sentence-transformers {sentence_transformers.__version__} / torch {torch.__version__}",
        "min_cosine": 0.99999,
        "prompts": PROMPTS,
        "default_prompt_name": DEFAULT,
        "texts": TEXTS,
        "models": {},
    }
    for base in BASES:
        folder = make_folder(base)
        cases = []
        for case in CASES:
            got = encode(folder, case)
            if case["job"].get("prompt") == "" or case["job"].get("prompt_name") == "plain":
                # No prompt at all must equal the model's own encoding without prompts.
                plain = encode(folder, {"encode": {"prompt": ""}})
                if not np.array_equal(got, plain):
                    raise RuntimeError(f"{base}: {case['name']} differs from no prompt")
            cases.append({"name": case["name"], "job": case["job"], "embeddings": refjson.f32(got)})
        golden["models"][os.path.basename(folder)] = cases
    # The unmodified tiny-bert (no prompts, include_prompt true): a literal prompt is embedded with the rest.
    case = {"name": "literal prompt, pooled", "job": {"prompt": "water people: "}, "encode": {"prompt": "water people: "}}
    got = encode(os.path.join(MODELS, "tiny-bert"), case, include_prompt=True)
    golden["models"]["tiny-bert"] = [{"name": case["name"], "job": case["job"], "embeddings": refjson.f32(got)}]
    refjson.write(os.path.join(GOLDEN, "prompts.json"), golden)


if __name__ == "__main__":
    main()
