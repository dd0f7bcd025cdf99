"""Checkpoint writers for the format variants of tiny-bert (see README.md).

Each writer takes a BertModel state dict (names without the "bert." prefix) and writes one folder in a
checkpoint layout found on the Hub. Every writer produces byte-identical files on every run.
"""

import io
import json
import os
import pickle
import shutil
import zipfile

import numpy as np
import torch
from safetensors.torch import save_file


def write_config(config, folder, **overrides):
    """Writes config.json from a transformers config, with top-level keys replaced by overrides."""
    data = json.loads(config.to_json_string())
    data.update(overrides)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")


def fresh_folder(path):
    """Empties path (or creates it) and returns it."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def with_position_ids(state, max_positions):
    """Adds the int64 embeddings.position_ids buffer that checkpoints from transformers < 4.31 carry."""
    out = dict(state)
    out["embeddings.position_ids"] = torch.arange(max_positions, dtype=torch.int64).unsqueeze(0)
    return out


def write_torch_zip(state, folder):
    """pytorch_model.bin in the zip format of torch.save (torch >= 1.6)."""
    torch.save(state, os.path.join(folder, "pytorch_model.bin"))


def write_torch_legacy(state, folder):
    """pytorch_model.bin in the legacy non-zip format (torch < 1.6, as google-bert/bert-base-uncased).

    The legacy writer names each storage by its memory address and orders the storages by that name,
    so both change from run to run. The file is rewritten canonically: storages renamed "0", "1", … in
    order of first use (as the zip format names them), with their data in that order. torch.load then
    proves the rewritten file intact.
    """
    path = os.path.join(folder, "pytorch_model.bin")
    torch.save(state, path, _use_new_zipfile_serialization=False)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(_canonical_legacy(data, path))
    loaded = torch.load(path, weights_only=True)
    for name, tensor in state.items():
        if not torch.equal(loaded[name], tensor):
            raise RuntimeError(f"{path}: tensor {name} changed while rewriting")


_ELEMENT_SIZES = {"FloatStorage": 4, "LongStorage": 8, "HalfStorage": 2, "BFloat16Storage": 2}


def _canonical_legacy(data, path):
    """The legacy file in data with storage keys renamed to ordinals and storages in first-use order.

    Layout: pickles of magic number, protocol, sys info; the object pickle (storages are persistent ids
    ("storage", type, key, location, numel)); a pickle of the key list; then per key an int64 element
    count and the raw bytes.
    """
    uses = []

    class Scan(pickle.Unpickler):
        def persistent_load(self, pid):
            uses.append((pid[2], pid[1]))
            return None

        def find_class(self, module, name):
            return name if name.endswith("Storage") else (lambda *args, **kwargs: None)

    f = io.BytesIO(data)
    for _ in range(3):
        pickle.load(f)
    head_end = f.tell()
    Scan(f).load()
    object_end = f.tell()
    keys = pickle.load(f)
    blocks = {}
    for key in keys:
        count = int.from_bytes(f.read(8), "little")
        size = dict(uses)[key]
        blocks[key] = count.to_bytes(8, "little") + f.read(count * _ELEMENT_SIZES[size])
    if f.read():
        raise RuntimeError(f"{path}: unexpected bytes after the last storage")
    order = list(dict.fromkeys(key for key, _ in uses))
    renamed = {key: str(i) for i, key in enumerate(order)}
    body = data[head_end:object_end]
    for key, new in renamed.items():
        old_op, new_op = _binunicode(key), _binunicode(new)
        if body.count(old_op) != 1:
            raise RuntimeError(f"{path}: storage key {key!r} is not unique in the object pickle")
        body = body.replace(old_op, new_op)
    out = data[:head_end] + body + pickle.dumps([renamed[k] for k in order], protocol=2)
    return out + b"".join(blocks[k] for k in order)


def _binunicode(text):
    """The protocol-2 pickle opcode for a str: BINUNICODE, 4-byte little-endian length, UTF-8 bytes."""
    raw = text.encode()
    return b"X" + len(raw).to_bytes(4, "little") + raw


def write_safetensors(state, folder, dtype=None, name="model.safetensors"):
    """One safetensors file, optionally cast to dtype, with the {"format": "pt"} metadata of transformers."""
    tensors = {k: (v.to(dtype) if dtype is not None else v).contiguous() for k, v in state.items()}
    save_file(tensors, os.path.join(folder, name), metadata={"format": "pt"})


def old_names(state, hidden, vocab, seed):
    """The names of the original BERT checkpoints: "bert." prefix, LayerNorm gamma/beta, plus the
    pre-training heads (cls.*) that an encoder must ignore; the head tensors hold seeded random values."""
    out = {}
    for name, tensor in state.items():
        name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        out["bert." + name] = tensor
    g = torch.Generator().manual_seed(seed)
    shapes = {
        "cls.predictions.bias": (vocab,),
        "cls.predictions.transform.dense.weight": (hidden, hidden),
        "cls.predictions.transform.dense.bias": (hidden,),
        "cls.predictions.transform.LayerNorm.gamma": (hidden,),
        "cls.predictions.transform.LayerNorm.beta": (hidden,),
        "cls.seq_relationship.weight": (2, hidden),
        "cls.seq_relationship.bias": (2,),
    }
    for name, shape in shapes.items():
        out[name] = torch.randn(shape, generator=g)
    return out


def mlx_examples_name(name):
    """Maps a BertModel tensor name to the name ml-explore/mlx-examples bert/convert.py gives it."""
    for old, new in (
        (".layer.", ".layers."),
        (".self.key.", ".key_proj."),
        (".self.query.", ".query_proj."),
        (".self.value.", ".value_proj."),
        (".attention.output.dense.", ".attention.out_proj."),
        (".attention.output.LayerNorm.", ".ln1."),
        (".output.LayerNorm.", ".ln2."),
        (".intermediate.dense.", ".linear1."),
        (".output.dense.", ".linear2."),
        (".LayerNorm.", ".norm."),
        ("pooler.dense.", "pooler."),
    ):
        name = name.replace(old, new)
    return name


def write_npz(state, folder):
    """weights.npz as numpy.savez writes it (stored zip of .npy members), with fixed member timestamps."""
    path = os.path.join(folder, "weights.npz")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, tensor in state.items():
            info = zipfile.ZipInfo(mlx_examples_name(name) + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with z.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, tensor.numpy(), allow_pickle=False)
    return path


def read_npz_as_bert(path, bert_names):
    """Reads weights.npz back under BertModel names by inverting the mlx-examples mapping."""
    inverse = {mlx_examples_name(n): n for n in bert_names}
    if len(inverse) != len(bert_names):
        raise RuntimeError("the mlx-examples mapping sends two tensors to one name")
    with np.load(path, allow_pickle=False) as z:
        if sorted(z.files) != sorted(inverse):
            raise RuntimeError(f"{path}: members {sorted(z.files)} differ from {sorted(inverse)}")
        return {inverse[k]: torch.from_numpy(z[k].copy()) for k in z.files}
