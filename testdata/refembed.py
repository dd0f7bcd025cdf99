"""Expected outputs of the embed package's examples (embed/example_test.go), from sentence-transformers
and transformers on the tiny models. Run: .venv-ref/bin/python testdata/refembed.py; it prints each
example's `// Output:` lines, which are pasted into the examples unchanged."""

import os
import shutil
import tempfile

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "models", "tiny-bert")
BINARY = os.path.join(HERE, "models", "tiny-bert-binary")
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "vocab.txt"]

TEXTS = ["The cat sat on the mat.", "A dog ran in the park."]
REVIEWS = ["I loved this film", "a dull and empty story"]
IDS = [[2, 45, 67, 89, 3], [2, 120, 3]]


def example_encode():
    st = SentenceTransformer(TINY, device="cpu")
    v = st.encode(TEXTS, convert_to_numpy=True)
    print("// Example")
    print(f"{len(v)} vectors of {v.shape[1]} dimensions")
    print("first: " + " ".join(f"{x:.3f}" for x in v[0][:4]))
    print(f"cosine: {float(np.dot(v[0], v[1]) / np.linalg.norm(v[0]) / np.linalg.norm(v[1])):.3f}")


def example_classify():
    with tempfile.TemporaryDirectory() as d:
        for name in os.listdir(BINARY):
            shutil.copy(os.path.join(BINARY, name), d)
        for name in TOKENIZER_FILES:
            shutil.copy(os.path.join(TINY, name), d)
        tok = AutoTokenizer.from_pretrained(d)
        model = AutoModelForSequenceClassification.from_pretrained(d, attn_implementation="eager").eval()
        with torch.no_grad():
            logits = model(**tok(REVIEWS, padding=True, return_tensors="pt")).logits
    probs = torch.softmax(logits, dim=-1)
    print("// ExampleModel_Classify")
    for text, p in zip(REVIEWS, probs):
        best = int(p.argmax())
        print(f"{text}: {model.config.id2label[best]} {float(p[best]):.3f}")


def example_forward():
    model = AutoModel.from_pretrained(TINY, attn_implementation="eager").eval()
    n = max(len(r) for r in IDS)
    ids = torch.tensor([r + [0] * (n - len(r)) for r in IDS])
    mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in IDS])
    with torch.no_grad():
        h = model(input_ids=ids, attention_mask=mask).last_hidden_state
    print("// ExampleModel_Forward")
    for i, r in enumerate(IDS):
        print(f"row {i}: {len(r)} tokens x {h.shape[2]}, first token " + " ".join(f"{x:.3f}" for x in h[i, 0, :3]))


def example_hub():
    st = SentenceTransformer(TINY, device="cpu")
    v = st.encode(["hello world"], convert_to_numpy=True)
    print("// Example_hub")
    print("org/tiny-bert main")
    print(f"{v.shape[1]} dimensions, first {v[0][0]:.3f}")


if __name__ == "__main__":
    example_encode()
    example_classify()
    example_forward()
    example_hub()
