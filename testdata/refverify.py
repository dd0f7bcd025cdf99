"""Reads each written golden file back and reproduces it from the saved model folder to 1e-6 (relative to
the output's largest magnitude where that is over 1: sums over rows of 1024 tokens differ in their last bit
from run to run)."""

import json
import os

import numpy as np
import torch

import refoutputs as ro

TOLERANCE = 1e-6
OUTPUTS = ("last_hidden_state", "pooler_output", "pooled", "sentence_embedding", "logits", "probabilities", "labels")


def verify(path, testdata):
    """Reloads the model of golden file path (model_dir relative to testdata, or model_env for the real
    model, looked up under testdata/../models) and recomputes every stored output."""
    with open(path, encoding="utf-8") as f:
        golden = json.load(f)
    if "model_dir" in golden:
        folder = os.path.join(testdata, golden["model_dir"])
    else:
        folder = os.path.join(testdata, "..", "models", golden["model"])
    is_head = "logits" in golden
    model = ro.load_classifier(folder) if is_head else ro.load_encoder(folder)
    st = None if is_head else ro.load_sentence_transformer(folder)
    if "texts" in golden:
        _verify_texts(golden, st, path)
    if "from_text" in golden:
        _verify_from_text(golden["from_text"], st, path)
    cases = [("", golden), ("padding_invariance.alone.", golden["padding_invariance"]["alone"]),
             ("padding_invariance.padded.", golden["padding_invariance"]["padded"])]
    for prefix, case in cases:
        rows = case["inputs"]
        lhs_rows = golden.get("last_hidden_state_rows") if prefix == "" else None
        batch = {k: torch.tensor([r[k] for r in rows], dtype=torch.int64) for k in rows[0]}
        got = _outputs(model, st, batch, is_head)
        if lhs_rows and "last_hidden_state" in case:
            width = len(case["last_hidden_state"][0])
            first = {k: v[:lhs_rows, :width] for k, v in batch.items()}
            got["last_hidden_state"] = _outputs(model, st, first, is_head)["last_hidden_state"]
        checked = [key for key in OUTPUTS if key in case]
        if not checked:
            raise RuntimeError(f"{path}: {prefix}inputs has no outputs")
        for key in checked:
            want = case[key]
            if key == "labels":
                if got[key] != want:
                    raise RuntimeError(f"{path}: {prefix}labels {got[key]} differ from the file's {want}")
                continue
            pairs = want.items() if isinstance(want, dict) else [(None, want)]
            for sub, values in pairs:
                mine = got[key][sub] if sub else got[key]
                if key == "last_hidden_state":  # rows may be cut to their attended tokens (tiny-jina)
                    mine = [m[:len(v)] for m, v in zip(mine, values)]
                    mine, values = np.concatenate(mine), np.concatenate([np.asarray(v) for v in values])
                diff = ro.max_abs_diff(mine, values)
                if diff > TOLERANCE * max(1.0, float(np.abs(np.asarray(values, dtype=np.float64)).max())):
                    raise RuntimeError(f"{path}: {prefix}{key}{'.' + sub if sub else ''} differs by {diff}")


def _outputs(model, st, batch, is_head):
    if is_head:
        out = ro.encoder_outputs(model.base_model, batch)
        out.update(ro.head_outputs(model, batch))
        return out
    out = ro.encoder_outputs(model, batch)
    out["pooled"] = ro.pooled(out["last_hidden_state"], batch["attention_mask"])
    out["sentence_embedding"] = ro.sentence_embedding(st, batch)
    mean = out["pooled"]["mean"]
    normalized = mean / np.linalg.norm(mean, axis=-1, keepdims=True)
    if ro.max_abs_diff(normalized, out["sentence_embedding"]) > TOLERANCE:
        raise RuntimeError("sentence_embedding is not the normalized mean pooling of last_hidden_state")
    return out


def _verify_texts(golden, st, path):
    features = st.preprocess(golden["texts"])
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        ids = np.asarray(features[key]).tolist()
        if ids != [r[key] for r in golden["inputs"]]:
            raise RuntimeError(f"{path}: {key} of the texts differ from the stored inputs")
    encoded = st.encode(golden["texts"], convert_to_numpy=True)
    diff = ro.max_abs_diff(encoded, golden["sentence_embedding"])
    if diff > TOLERANCE:
        raise RuntimeError(f"{path}: encode(texts) differs from sentence_embedding by {diff}")


def _verify_from_text(block, st, path):
    ids = st.tokenizer(block["texts"], truncation=True, max_length=block["max_seq_length"])["input_ids"]
    if ids != block["input_ids"]:
        raise RuntimeError(f"{path}: from_text.input_ids differ from the tokenizer's")
    diff = ro.max_abs_diff(st.encode(block["texts"], convert_to_numpy=True), block["sentence_embedding"])
    if diff > TOLERANCE:
        raise RuntimeError(f"{path}: from_text: encode(texts) differs from sentence_embedding by {diff}")
