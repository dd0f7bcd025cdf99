"""Inputs and expected outputs of the real-model checks of `bertbatch run` (cmd/bertbatch/realmodel_test.go),
computed at test time by the reference stack (.venv-ref) and never committed.

  mpnet MODEL_DIR OUT   all-mpnet-base-v2 (fetched by `make mpnet`): the texts, and sentence-transformers
                        `encode` on them in float32 with the token ids of the model's own tokenizer.
  xlmr TOKENIZER OUT    a tiny XLM-R checkpoint with random seeded weights whose vocabulary is that of
                        TOKENIZER (multilingual-e5-small's tokenizer.json, `make tokenizers`), written to
                        OUT/model beside the tokenizer; the token ids HF tokenizers gives and the mean of
                        XLMRobertaModel's last hidden state over them.
  jina TOKENIZER OUT    the same with a tiny Jina embeddings v3 checkpoint (JinaEmbeddingsV3Model, whose
                        tokenizer is XLM-R's) of 1024 rotary positions, so that rows run past 512 tokens.

Each writes OUT/texts.jsonl ({"id", "text"}, the job's input) and OUT/expected.json
({"ids", "input_ids", "embedding"}: one entry per row, in input order).

The texts: every 20th fortune of bert/wordpiece's parity corpus (English prose, verse, code, tabs and
newlines), the 65 multilingual and edge-case texts of bert/autotokenizer/testdata/extra.jsonl (CJK, Arabic,
Devanagari, Thai, emoji sequences, combining marks, ligatures, fullwidth forms, …) and one paragraph longer
than either model's max_seq_length, so that truncation is part of the check. Texts with nothing but
whitespace are left out: bertbatch rejects them as bad rows, where the references embed them.
"""

import gzip
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "bert", "wordpiece", "testdata", "corpus.jsonl.gz")
EXTRA = os.path.join(HERE, "..", "bert", "autotokenizer", "testdata", "extra.jsonl")
FORTUNE_STEP = 20
XLMR_SEED = 21
# The tiny XLM-R: BERT-tiny's shape, with e5's position table (514 = 512 tokens + padding_idx + 1).
XLMR_SHAPE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                  max_position_embeddings=514)
JINA_SEED = 22
# The tiny Jina v3: the same shape, rotary positions up to 1024 (no position table, no padding offset).
JINA_SHAPE = dict(XLMR_SHAPE, max_position_embeddings=1024)


def texts():
    """The check's texts, in order (see the module doc)."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        fortunes = [json.loads(line)["text"] for line in f]
    with open(EXTRA, encoding="utf-8") as f:
        extra = [json.loads(line)["text"] for line in f]
    chosen = fortunes[::FORTUNE_STEP] + extra + [" ".join(fortunes[:40])]
    return [t for t in chosen if t.strip()]


def write_texts(out, rows):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "texts.jsonl"), "w", encoding="utf-8") as f:
        for i, t in enumerate(rows):
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")


def write_expected(out, input_ids, embedding, max_len):
    if max(len(r) for r in input_ids) != max_len:
        raise RuntimeError(f"the long paragraph should be truncated to {max_len} tokens")
    emb = np.asarray(embedding, dtype=np.float32)
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"ids": list(range(len(input_ids))), "input_ids": input_ids,
                   "embedding": [[float(x) for x in row] for row in emb]}, f)


def mpnet(model_dir, out):
    """sentence-transformers encode, as a user's script runs it, in float32 on the CPU."""
    from sentence_transformers import SentenceTransformer

    rows = texts()
    st = SentenceTransformer(model_dir, device="cpu").eval()
    ids = st.tokenizer(rows, truncation=True, max_length=st.max_seq_length)["input_ids"]
    emb = st.encode(rows, batch_size=32, convert_to_numpy=True)
    if emb.dtype != np.float32:
        raise RuntimeError(f"encode returned {emb.dtype}, want float32")
    write_texts(out, rows)
    write_expected(out, ids, emb, st.max_seq_length)


@torch.no_grad()
def xlmr(tokenizer_path, out):
    """A seeded tiny XLMRobertaModel over the tokenizer's vocabulary (see tiny_over_tokenizer)."""
    from transformers import XLMRobertaConfig, XLMRobertaModel

    def build(tok, pad):
        config = XLMRobertaConfig(vocab_size=tok.get_vocab_size(with_added_tokens=True), type_vocab_size=1,
                                  hidden_act="gelu", layer_norm_eps=1e-5, pad_token_id=pad,
                                  bos_token_id=tok.token_to_id("<s>"), eos_token_id=tok.token_to_id("</s>"),
                                  architectures=["XLMRobertaModel"], **XLMR_SHAPE)
        return XLMRobertaModel(config, add_pooling_layer=False), config.max_position_embeddings - pad - 1

    tiny_over_tokenizer(tokenizer_path, out, build, XLMR_SEED,
                        lambda d: XLMRobertaModel.from_pretrained(d, add_pooling_layer=False, dtype=torch.float32,
                                                                  attn_implementation="eager"))


@torch.no_grad()
def jina(tokenizer_path, out):
    """A seeded tiny JinaEmbeddingsV3Model over the tokenizer's vocabulary (see tiny_over_tokenizer)."""
    from transformers import JinaEmbeddingsV3Config, JinaEmbeddingsV3Model

    def build(tok, pad):
        config = JinaEmbeddingsV3Config(vocab_size=tok.get_vocab_size(with_added_tokens=True), type_vocab_size=1,
                                        hidden_act="gelu", layer_norm_eps=1e-5, pad_token_id=pad,
                                        bos_token_id=tok.token_to_id("<s>"), eos_token_id=tok.token_to_id("</s>"),
                                        rope_parameters={"rope_type": "default", "rope_theta": 20000.0},
                                        architectures=["JinaEmbeddingsV3Model"], **JINA_SHAPE)
        return JinaEmbeddingsV3Model(config, add_pooling_layer=False), config.max_position_embeddings

    tiny_over_tokenizer(tokenizer_path, out, build, JINA_SEED,
                        lambda d: JinaEmbeddingsV3Model.from_pretrained(d, add_pooling_layer=False, dtype=torch.float32,
                                                                        attn_implementation="eager"))


@torch.no_grad()
def tiny_over_tokenizer(tokenizer_path, out, build, seed, load):
    """Writes the seeded model build(tokenizer, pad id) returns (with the longest row it takes) to OUT/model
    beside the tokenizer, reloads it with load, and writes the texts, their token ids (truncated to that
    longest row) and the mean of the last hidden state under the attention mask (what sentence-transformers'
    mean Pooling computes)."""
    import shutil

    from tokenizers import Tokenizer

    sys.path.insert(0, HERE)
    from reftiny import randomize

    tok = Tokenizer.from_file(tokenizer_path)
    pad = tok.token_to_id("<pad>")
    model, max_len = build(tok, pad)
    model = randomize(model, seed=seed)
    model_dir = os.path.join(out, "model")
    model.save_pretrained(model_dir)
    shutil.copyfile(tokenizer_path, os.path.join(model_dir, "tokenizer.json"))
    model = load(model_dir).eval()

    tok.enable_truncation(max_len)
    rows = texts()
    ids = [e.ids for e in tok.encode_batch(rows)]
    emb = []
    for start in range(0, len(ids), 16):
        batch = ids[start:start + 16]
        width = max(len(r) for r in batch)
        input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in batch])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in batch])
        states = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(states.dtype)
        emb.append(((states * m).sum(1) / m.sum(1).clamp(min=1e-9)).numpy())
    write_texts(out, rows)
    write_expected(out, ids, np.concatenate(emb), max_len)


def main():
    commands = {"mpnet": mpnet, "xlmr": xlmr, "jina": jina}
    if len(sys.argv) != 4 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    torch.set_num_threads(int(os.environ.get("BERTBATCH_REF_THREADS", "2")))
    commands[sys.argv[1]](sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
