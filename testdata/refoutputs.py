"""Expected outputs from transformers and sentence-transformers for one batch of token ids.

Every function here runs the reference libraries on CPU in float32 eval mode with eager attention and
returns plain dicts ready for refjson. Nothing here knows which fixture it serves.
"""

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Pooling
from transformers import AutoModel, AutoModelForSequenceClassification

from refjson import f32

POOLING_MODES = {"cls": "cls", "mean": "mean", "max": "max", "mean_sqrt_len": "mean_sqrt_len_tokens"}
ACTIVATIONS = {
    "single_label_classification": "softmax",
    "multi_label_classification": "sigmoid",
    "regression": "identity",
}
DECISION_MARGIN = 1e-3  # labels must not flip under the engine's tolerances


def pad(rows, length=None, pad_id=0):
    """Right-pads rows (dicts of input_ids and token_type_ids) to length or the longest row.

    Returns the JSON inputs (one dict a row) and the batch as int64 tensors.
    """
    length = length or max(len(r["input_ids"]) for r in rows)
    inputs = []
    for r in rows:
        n = len(r["input_ids"])
        if n > length:
            raise ValueError(f"row of {n} tokens does not fit a batch of {length}")
        inputs.append({
            "input_ids": list(r["input_ids"]) + [pad_id] * (length - n),
            "attention_mask": [1] * n + [0] * (length - n),
            "token_type_ids": list(r["token_type_ids"]) + [0] * (length - n),
        })
    batch = {k: torch.tensor([row[k] for row in inputs], dtype=torch.int64) for k in inputs[0]}
    return inputs, batch


def load_encoder(folder):
    """AutoModel from a saved folder in float32, eval mode, eager attention."""
    return AutoModel.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()


def load_classifier(folder):
    """AutoModelForSequenceClassification from a saved folder in float32, eval mode, eager attention."""
    return AutoModelForSequenceClassification.from_pretrained(
        folder, dtype=torch.float32, attn_implementation="eager"
    ).eval()


def load_sentence_transformer(folder):
    """SentenceTransformer from a saved folder on CPU, eval mode, eager attention."""
    return SentenceTransformer(folder, device="cpu", model_kwargs={"attn_implementation": "eager"}).eval()


def model_inputs(model, batch):
    """The batch tensors the model's forward accepts (DistilBERT, MPNet and ModernBERT take no token_type_ids)."""
    if model.config.model_type in ("distilbert", "mpnet", "modernbert"):
        return {k: v for k, v in batch.items() if k != "token_type_ids"}
    return batch


@torch.no_grad()
def encoder_outputs(model, batch):
    """last_hidden_state (and pooler_output when the model has a pooler) as float32 numpy arrays."""
    out = model(**model_inputs(model, batch))
    result = {"last_hidden_state": out.last_hidden_state.numpy()}
    if getattr(out, "pooler_output", None) is not None:
        result["pooler_output"] = out.pooler_output.numpy()
    return result


@torch.no_grad()
def pooled(last_hidden_state, attention_mask):
    """sentence-transformers Pooling in each mode, mask-aware, on the given token embeddings."""
    tokens = torch.from_numpy(np.asarray(last_hidden_state))
    out = {}
    for key, mode in POOLING_MODES.items():
        pooling = Pooling(tokens.shape[-1], pooling_mode=mode)
        features = pooling({"token_embeddings": tokens, "attention_mask": attention_mask})
        out[key] = features["sentence_embedding"].numpy()
    return out


@torch.no_grad()
def sentence_embedding(st, batch):
    """SentenceTransformer.forward (the whole module pipeline) on a batch of token ids."""
    features = {k: v.clone() for k, v in model_inputs(st[0].auto_model, batch).items()}
    return st.forward(features)["sentence_embedding"].numpy()


@torch.no_grad()
def head_outputs(model, batch):
    """logits, probabilities and predicted labels of a sequence-classification model.

    probabilities: softmax for single-label, sigmoid for multi-label, identity for regression.
    labels: id2label of the argmax (single-label), the labels over 0.5 (multi-label), none for regression.
    A prediction within DECISION_MARGIN of flipping is an error: pick another seed.
    """
    config = model.config
    problem = problem_type(config)
    out = model(**model_inputs(model, batch))
    logits = out.logits
    if problem == "single_label_classification":
        probs = torch.softmax(logits, dim=-1)
        top2 = probs.topk(2, dim=-1).values
        if (top2[:, 0] - top2[:, 1]).min() < DECISION_MARGIN:
            raise RuntimeError("two classes tie within the decision margin")
        labels = [config.id2label[int(i)] for i in probs.argmax(dim=-1)]
    elif problem == "multi_label_classification":
        probs = torch.sigmoid(logits)
        if (probs - 0.5).abs().min() < DECISION_MARGIN:
            raise RuntimeError("a label probability lies within the decision margin of 0.5")
        labels = [[config.id2label[j] for j in range(probs.shape[1]) if probs[i, j] > 0.5] for i in range(len(probs))]
    else:
        probs, labels = logits, None
    result = {"logits": logits.numpy(), "probabilities": probs.numpy()}
    if labels is not None:
        result["labels"] = labels
    return result


def problem_type(config):
    """The problem type as transformers infers it: explicit, else 1 label → regression, else single-label."""
    if config.problem_type:
        return config.problem_type
    return "regression" if config.num_labels == 1 else "single_label_classification"


def as_json(outputs):
    """Converts arrays in an outputs dict (nested one level for "pooled") to float32 JSON lists."""
    out = {}
    for key, value in outputs.items():
        if isinstance(value, dict):
            out[key] = {k: f32(v) for k, v in value.items()}
        elif isinstance(value, np.ndarray):
            out[key] = f32(value)
        else:
            out[key] = value
    return out


def max_abs_diff(a, b):
    """Largest absolute difference of two equally shaped arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise RuntimeError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.abs(a - b).max())


def min_cosine(a, b):
    """Smallest row-wise cosine similarity of two [rows][dim] arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    a = a.reshape(-1, a.shape[-1])
    b = b.reshape(-1, b.shape[-1])
    cos = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return float(cos.min())


def mpnet_buckets(reach):
    """transformers' MPNet relative_position_bucket of every relative position in [-reach, reach], as the
    encoder calls it (its default num_buckets and max_distance)."""
    from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

    relative = torch.arange(-reach, reach + 1, dtype=torch.long)
    return {"relative_positions": relative.tolist(), "buckets": MPNetEncoder.relative_position_bucket(relative).tolist()}
