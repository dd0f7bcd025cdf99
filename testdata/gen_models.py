"""Writes the tiny model fixtures (testdata/models/) and their expected outputs (testdata/golden/).

Run through `make references` (.venv-ref/bin/python testdata/gen_models.py). Seeds are fixed and every
written file is byte-identical from run to run under the pinned versions of
python/requirements-reference.txt. Expected outputs come from transformers and sentence-transformers;
testdata/README.md describes each fixture and the golden file schema.
"""

import os
import platform
import sys

sys.dont_write_bytecode = True  # keep testdata/ free of __pycache__

import numpy as np
import safetensors
import sentence_transformers
import tokenizers
import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import refformats as rf  # noqa: E402
import refjson  # noqa: E402
import refoutputs as ro  # noqa: E402
import reftiny as tiny  # noqa: E402
import refreal  # noqa: E402
import refverify  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
GOLDEN = os.path.join(HERE, "golden")
REAL_MODEL = os.path.join(HERE, "..", "models", "all-MiniLM-L6-v2")

FP32 = {"max_abs_diff": 1e-4, "min_cosine": 0.99999}
HALF = {"min_cosine": 0.999}


def versions():
    """The exact versions of the reference stack, recorded in every golden file."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "safetensors": safetensors.__version__,
        "numpy": np.__version__,
    }


def header(name, model, **extra):
    """The leading keys of a golden file."""
    v = versions()
    out = {
        "model": name,
        "architecture": model.config.architectures[0] if model.config.architectures else type(model).__name__,
        "model_type": model.config.model_type,
        "reference": f"transformers {v['transformers']} / sentence-transformers {v['sentence_transformers']}"
        f" / torch {v['torch']}",
        "versions": v,
        "dtype": "float32",
        "attn_implementation": "eager",
    }
    out.update(extra)
    return out


def case(inputs, outputs, drop=()):
    """One batch of a golden file: its padded inputs and the outputs, minus the keys in drop."""
    body = {"inputs": inputs}
    body.update({k: v for k, v in ro.as_json(outputs).items() if k not in drop})
    return body


def encoder_golden(name, folder, rows, short_row, long_row, pad_id=0, trim_hidden=False):
    """Golden data for an encoder with a sentence-transformers wrapper (tiny-bert, tiny-distilbert, …).
    trim_hidden cuts each row of the main batch's last_hidden_state to its attended tokens."""
    model = ro.load_encoder(folder)
    st = ro.load_sentence_transformer(folder)

    def outputs(batch):
        out = ro.encoder_outputs(model, batch)
        out["pooled"] = ro.pooled(out["last_hidden_state"], batch["attention_mask"])
        out["sentence_embedding"] = ro.sentence_embedding(st, batch)
        return out

    inputs, batch = ro.pad(rows, pad_id=pad_id)
    main = outputs(batch)
    alone_inputs, alone_batch = ro.pad([rows[short_row]], pad_id=pad_id)
    padded_inputs, padded_batch = ro.pad([long_row, rows[short_row]], pad_id=pad_id)
    golden = header(name, model, model_dir=f"models/{name}", pooling_mode="mean", normalize=True)
    golden.update(case(inputs, main))
    if trim_hidden:
        golden["last_hidden_state"] = [h[:len(r["input_ids"])] for h, r in zip(golden["last_hidden_state"], rows)]
    golden["padding_invariance"] = {
        "row": 1,
        "alone": case(alone_inputs, outputs(alone_batch)),
        "padded": case(padded_inputs, outputs(padded_batch), drop=("last_hidden_state",)),
    }
    return golden, main, batch


def from_text(folder, texts):
    """What `bertbatch run` must give from texts: the token ids of the model's tokenizer (truncated at
    max_seq_length) and SentenceTransformer.encode's embeddings."""
    st = ro.load_sentence_transformer(folder)
    ids = st.tokenizer(texts, truncation=True, max_length=st.max_seq_length)["input_ids"]
    if max(len(r) for r in ids) != st.max_seq_length:
        raise RuntimeError(f"{folder}: no text reaches max_seq_length {st.max_seq_length}")
    embedding = st.encode(texts, batch_size=4, convert_to_numpy=True)
    return {"texts": texts, "max_seq_length": st.max_seq_length, "input_ids": ids,
            "sentence_embedding": refjson.f32(embedding)}


def head_golden(name, folder, rows, short_row, long_row, pad_id=0):
    """Golden data for a sequence-classification fixture."""
    model = ro.load_classifier(folder)

    def outputs(batch):
        out = ro.encoder_outputs(model.base_model, batch)
        out.update(ro.head_outputs(model, batch))
        return out

    inputs, batch = ro.pad(rows, pad_id=pad_id)
    problem = ro.problem_type(model.config)
    golden = header(
        name, model, model_dir=f"models/{name}", problem_type=problem,
        problem_type_in_config=model.config.problem_type is not None,
        activation=ro.ACTIVATIONS[problem],
        id2label={str(k): v for k, v in sorted(model.config.id2label.items())},
    )
    golden.update(case(inputs, outputs(batch)))
    alone_inputs, alone_batch = ro.pad([rows[short_row]], pad_id=pad_id)
    padded_inputs, padded_batch = ro.pad([long_row, rows[short_row]], pad_id=pad_id)
    golden["padding_invariance"] = {
        "row": 1,
        "alone": case(alone_inputs, outputs(alone_batch)),
        "padded": case(padded_inputs, outputs(padded_batch), drop=("last_hidden_state",)),
    }
    return golden


def check_variant(folder, loader, reference, batch, tolerance):
    """Loads a format variant with transformers and compares it with its model's reference outputs."""
    model = loader(folder)
    out = ro.encoder_outputs(model, batch)
    for key in ("last_hidden_state", "pooler_output"):
        if "max_abs_diff" in tolerance:
            diff = ro.max_abs_diff(out[key], reference[key])
            if diff > 1e-6:
                raise RuntimeError(f"{folder}: {key} differs from the reference by {diff}")
        cos = ro.min_cosine(out[key], reference[key])
        if cos < tolerance["min_cosine"]:
            raise RuntimeError(f"{folder}: {key} cosine {cos} to the reference is below {tolerance['min_cosine']}")
    return ro.min_cosine(out["pooler_output"], reference["pooler_output"])


def write_variants(model, reference, batch):
    """Writes tiny-bert in other checkpoint layouts and checks each against the tiny-bert outputs."""
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    config = model.config
    variants = []

    def add(name, fmt, tolerance, writer, loader=ro.load_encoder, **config_overrides):
        folder = rf.fresh_folder(os.path.join(MODELS, name))
        rf.write_config(config, folder, **config_overrides)
        writer(folder)
        cos = check_variant(folder, loader, reference, batch, tolerance)
        variants.append({"model_dir": f"models/{name}", "golden": "tiny-bert.json", "format": fmt, **tolerance})
        print(f"{name}: reproduces tiny-bert (min pooler cosine {cos:.9f})")

    with_ids = rf.with_position_ids(state, config.max_position_embeddings)
    add("tiny-bert-bin", "pytorch_model.bin, torch zip pickle, with position_ids", FP32,
        lambda d: rf.write_torch_zip(with_ids, d))
    add("tiny-bert-legacy", "pytorch_model.bin, legacy non-zip torch pickle, with position_ids", FP32,
        lambda d: rf.write_torch_legacy(with_ids, d))
    add("tiny-bert-sharded", "sharded model-0000N-of-0000M.safetensors + model.safetensors.index.json", FP32,
        lambda d: model.save_pretrained(d, max_shard_size="40KB"))
    add("tiny-bert-f16", "model.safetensors in F16", HALF,
        lambda d: rf.write_safetensors(state, d, torch.float16), dtype="float16")
    add("tiny-bert-bf16", "model.safetensors in BF16", HALF,
        lambda d: rf.write_safetensors(state, d, torch.bfloat16), dtype="bfloat16")
    add("tiny-bert-oldnames", "model.safetensors with bert. prefix, LayerNorm gamma/beta and cls.* heads", FP32,
        lambda d: rf.write_safetensors(rf.old_names(state, config.hidden_size, config.vocab_size, seed=11), d),
        architectures=["BertForPreTraining"])

    def npz_loader(folder):
        weights = rf.read_npz_as_bert(os.path.join(folder, "weights.npz"), list(state))
        fresh = type(model)._from_config(model.config, attn_implementation="eager").eval()
        fresh.load_state_dict(weights, strict=True)
        return fresh

    add("tiny-bert-npz", "weights.npz with ml-explore/mlx-examples bert names", FP32,
        lambda d: rf.write_npz(state, d), loader=npz_loader)
    return variants


def jina_modules_variant(folder, reference, batch):
    """tiny-jina's state dict saved as is: transformers' module names (layers.N.self_attn.{q,k,v,o}_proj,
    post_attention_layernorm, …) instead of the Jina names save_pretrained writes; transformers loads both."""
    model = ro.load_encoder(folder)
    name = "tiny-jina-modules"
    out = rf.fresh_folder(os.path.join(MODELS, name))
    rf.write_config(model.config, out)
    rf.write_safetensors(model.state_dict(), out)
    cos = check_variant(out, ro.load_encoder, reference, batch, FP32)
    print(f"{name}: reproduces tiny-jina (min pooler cosine {cos:.9f})")
    return {"model_dir": f"models/{name}", "golden": "tiny-jina.json",
            "format": "model.safetensors of a state dict saved as is: transformers' module names", **FP32}


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    os.makedirs(GOLDEN, exist_ok=True)

    bert = tiny.write_tiny_bert(os.path.join(MODELS, "tiny-bert"))
    rows, short_row, long_row = tiny.encoder_rows(seed=100, token_types=True)
    golden, main_out, batch = encoder_golden("tiny-bert", os.path.join(MODELS, "tiny-bert"), rows, short_row, long_row)
    refjson.write(os.path.join(GOLDEN, "tiny-bert.json"), golden)
    variants = write_variants(bert, main_out, batch)

    tiny.write_tiny_distilbert(os.path.join(MODELS, "tiny-distilbert"))
    rows, short_row, long_row = tiny.encoder_rows(seed=100, token_types=False)
    golden, _, _ = encoder_golden("tiny-distilbert", os.path.join(MODELS, "tiny-distilbert"), rows, short_row, long_row)
    refjson.write(os.path.join(GOLDEN, "tiny-distilbert.json"), golden)

    for name, writer in (("tiny-roberta", tiny.write_tiny_roberta), ("tiny-mpnet", tiny.write_tiny_mpnet),
                         ("tiny-modernbert", tiny.write_tiny_modernbert)):
        writer(os.path.join(MODELS, name))
        rows, short_row, long_row = tiny.encoder_rows(seed=100, token_types=False)
        golden, _, _ = encoder_golden(name, os.path.join(MODELS, name), rows, short_row, long_row,
                                      tiny.PAD_ID.get(name, 0))
        if name == "tiny-mpnet":
            golden["relative_position_buckets"] = ro.mpnet_buckets(200)
        refjson.write(os.path.join(GOLDEN, f"{name}.json"), golden)

    jina = os.path.join(MODELS, "tiny-jina")
    tiny.write_tiny_jina(jina)
    rows, short_row, long_row = tiny.encoder_rows(seed=100, token_types=False, longest=tiny.JINA_POSITIONS)
    golden, jina_out, jina_batch = encoder_golden("tiny-jina", jina, rows, short_row, long_row, tiny.PAD_ID["tiny-jina"],
                                                  trim_hidden=True)
    golden["from_text"] = from_text(jina, tiny.jina_texts())
    refjson.write(os.path.join(GOLDEN, "tiny-jina.json"), golden)
    variants.append(jina_modules_variant(jina, jina_out, jina_batch))
    refjson.write(os.path.join(GOLDEN, "variants.json"), {"variants": variants})

    head_rows, short_row, long_row = tiny.head_rows(seed=200)
    for name, writer in tiny.HEADS.items():
        writer(os.path.join(MODELS, name))
        rows, long = head_rows, long_row
        if name in tiny.NO_TOKEN_TYPES:
            rows, long = tiny.without_token_types(head_rows), tiny.without_token_types([long_row])[0]
        golden = head_golden(name, os.path.join(MODELS, name), rows, short_row, long, tiny.PAD_ID.get(name, 0))
        refjson.write(os.path.join(GOLDEN, f"{name}.json"), golden)

    if os.path.exists(os.path.join(REAL_MODEL, "model.safetensors")):
        golden = refreal.golden(REAL_MODEL, header)
        refjson.write(os.path.join(GOLDEN, "all-MiniLM-L6-v2.json"), golden)
    else:
        print(f"skipping all-MiniLM-L6-v2.json: {REAL_MODEL} is missing; run `make model` first", file=sys.stderr)
        sys.exit(1)

    for name in sorted(os.listdir(GOLDEN)):
        path = os.path.join(GOLDEN, name)
        if name != "variants.json":
            refverify.verify(path, HERE)
            print(f"golden/{name}: {os.path.getsize(path)} bytes, reproduced from its model folder")


if __name__ == "__main__":
    main()
