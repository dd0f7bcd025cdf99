"""Writes stmodules.json: how sentence-transformers reads a model folder's module files.

Each case overrides files of a copy of testdata/models/tiny-distilbert (a sentence-transformers 6
folder), loads it with SentenceTransformer and records the pooling modes it runs, whether a
Normalize module follows, and its max_seq_length, or the error it raises. bert/stmodules_test.go
writes the same files and compares the engine's reading with these records.

Run: .venv-ref/bin/python bert/testdata/gen_stmodules.py (from the repository root).
"""

import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True

import sentence_transformers  # noqa: E402
import transformers  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "..", "testdata", "models", "tiny-distilbert")
OUT = os.path.join(HERE, "stmodules.json")

LEGACY = {
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": False,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
}


def legacy(**on):
    """A sentence-transformers 2.x pooling config with the given modes switched on."""
    cfg = {"word_embedding_dimension": 32, **LEGACY}
    for k in on:
        cfg[f"pooling_mode_{k}"] = True
    return cfg


def new(mode, **extra):
    """A sentence-transformers 6 pooling config."""
    return {"embedding_dimension": 32, "pooling_mode": mode, "include_prompt": True, **extra}


def modules(*types):
    """modules.json for a Transformer, a Pooling and, optionally, a Normalize module."""
    paths = ["", "1_Pooling", "2_Normalize"]
    return [{"idx": i, "name": str(i), "path": paths[i], "type": t} for i, t in enumerate(types)]


OLD_TYPES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
             "sentence_transformers.models.Normalize"]


def tokenizer_config(**fields):
    """tiny-distilbert's tokenizer_config.json with fields replaced (None removes one)."""
    with open(os.path.join(BASE, "tokenizer_config.json")) as f:
        cfg = json.load(f)
    for k, v in fields.items():
        if v is None:
            cfg.pop(k, None)
        else:
            cfg[k] = v
    return cfg


POOL = "1_Pooling/config.json"
SBERT = "sentence_bert_config.json"
TOK = "tokenizer_config.json"

# name -> files to write over the copy (None deletes the file).
CASES = {
    "as saved": {},
    "mode list keeps its order": {POOL: new(["max", "cls"])},
    "one-element mode list": {POOL: new(["mean_sqrt_len_tokens"])},
    "include_prompt false": {POOL: new("cls", include_prompt=False)},
    "legacy mean": {POOL: legacy(mean_tokens=True)},
    "legacy every mode": {POOL: legacy(cls_token=True, mean_tokens=True, max_tokens=True, mean_sqrt_len_tokens=True)},
    "legacy six keys": {POOL: {**legacy(cls_token=True), "pooling_mode_weightedmean_tokens": False,
                               "pooling_mode_lasttoken": False, "include_prompt": True}},
    "pooling_mode wins over legacy keys": {POOL: {**legacy(mean_tokens=True), "pooling_mode": "cls"}},
    "no mode key": {POOL: {"word_embedding_dimension": 32}},
    "legacy none enabled": {POOL: legacy()},
    "weightedmean": {POOL: new("weightedmean")},
    "legacy lasttoken": {POOL: {**legacy(), "pooling_mode_lasttoken": True}},
    "unknown mode": {POOL: new("avg")},
    "old module types": {"modules.json": modules(*OLD_TYPES)},
    "no Normalize module": {"modules.json": modules(*OLD_TYPES[:2])},
    "tokenizer model_max_length 64": {TOK: tokenizer_config(model_max_length=64)},
    "tokenizer model_max_length over the positions": {TOK: tokenizer_config(model_max_length=512)},
    "tokenizer without model_max_length": {TOK: tokenizer_config(model_max_length=None)},
    "max_seq_length 32": {SBERT: {"max_seq_length": 32, "do_lower_case": False}},
    "max_seq_length null": {SBERT: {"max_seq_length": None}, TOK: tokenizer_config(model_max_length=64)},
    "tokenizer_args model_max_length wins": {SBERT: {"max_seq_length": 32, "tokenizer_args": {"model_max_length": 48}}},
    "no sentence_bert_config.json": {SBERT: None, TOK: tokenizer_config(model_max_length=64)},
}


def run(name, files):
    tmp = tempfile.mkdtemp()
    try:
        folder = os.path.join(tmp, "model")
        shutil.copytree(BASE, folder)
        for path, content in files.items():
            full = os.path.join(folder, path)
            if content is None:
                os.remove(full)
                continue
            with open(full, "w") as f:
                json.dump(content, f, indent=2)
        record = {"name": name, "files": files}
        try:
            model = SentenceTransformer(folder, device="cpu")
        except Exception as e:  # the error is the record
            record["error"] = f"{type(e).__name__}: {e}"
            return record
        pooling = model[1]
        mode = pooling.pooling_mode
        record["pooling_modes"] = [mode] if isinstance(mode, str) else list(mode)
        record["normalize"] = any(type(m).__name__ == "Normalize" for m in model)
        record["max_seq_length"] = model.max_seq_length
        return record
    finally:
        shutil.rmtree(tmp)


def main():
    out = {
        "reference": f"sentence-transformers {sentence_transformers.__version__} / transformers {transformers.__version__}",
        "base": "models/tiny-distilbert",
        "cases": [run(name, files) for name, files in CASES.items()],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
