"""Writes the checkpoint fixtures and their expected contents.

Run from the repository root:

    .venv-ref/bin/python bert/checkpoint/testdata/gen_fixtures.py

Good fixtures are written with torch, safetensors and numpy; expected.json is
then filled by reading each file back with the same libraries (torch.load with
weights_only=True, safetensors.safe_open, numpy.load). Bad fixtures are
damaged or hostile files; bad.json records, for each, the error the reference
library gives (or that it accepted it). If BERTBATCH_MODEL_DIR holds a
model.safetensors, minilm_listing.json records its tensors' dtypes, shapes and
SHA-256 digests as the safetensors library reads them.
"""

import collections
import hashlib
import io
import json
import os
import pickle
import shutil
import struct
import sys
import zipfile

import numpy as np
import safetensors
import safetensors.torch
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(HERE, "good")
BAD = os.path.join(HERE, "bad")

TORCH_DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def tensor_bytes(t):
    """Row-major little-endian bytes of a tensor."""
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def describe_torch(t):
    values = t.detach().float().tolist() if t.dtype.is_floating_point else t.detach().long().tolist()
    return {
        "dtype": TORCH_DTYPES[t.dtype],
        "shape": list(t.shape),
        "values": flatten(values),
        "sha256": hashlib.sha256(tensor_bytes(t)).hexdigest(),
    }


def describe_numpy(a):
    dtypes = {"float32": "F32", "float16": "F16", "float64": "F64", "int64": "I64", "int32": "I32",
              "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL"}
    c = np.ascontiguousarray(a)
    c = c.astype(c.dtype.newbyteorder("<"))
    values = c.astype(np.float64 if c.dtype.kind == "f" else np.int64).ravel().tolist()
    return {
        "dtype": dtypes[c.dtype.name],
        "shape": list(a.shape),
        "values": values,
        "sha256": hashlib.sha256(c.tobytes()).hexdigest(),
    }


def flatten(v):
    if isinstance(v, list):
        out = []
        for item in v:
            out.extend(flatten(item))
        return out
    return [v]


def seeded(*shape, dtype=torch.float32):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float64).reshape(shape) * 0.37 - 1.1).sin().to(dtype)


# ---------------------------------------------------------------- safetensors

def safetensors_tensors():
    return {
        "embeddings.word_embeddings.weight": seeded(5, 4),
        "encoder.layer.0.attention.self.query.weight": seeded(4, 4, dtype=torch.float16),
        "encoder.layer.0.attention.self.query.bias": seeded(4, dtype=torch.bfloat16),
        "embeddings.position_ids": torch.arange(6, dtype=torch.int64).reshape(1, 6),
        "pooler.scale": torch.tensor(0.125, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }


def write_safetensors():
    path = os.path.join(GOOD, "single.safetensors")
    safetensors.torch.save_file(safetensors_tensors(), path, metadata={"format": "pt", "note": "fixture"})

    shard_dir = os.path.join(GOOD, "sharded")
    os.makedirs(shard_dir, exist_ok=True)
    tensors = safetensors_tensors()
    names = sorted(tensors)
    shards = {"model-00001-of-00002.safetensors": names[:3], "model-00002-of-00002.safetensors": names[3:]}
    weight_map, total = {}, 0
    for shard, shard_names in shards.items():
        part = {n: tensors[n] for n in shard_names}
        safetensors.torch.save_file(part, os.path.join(shard_dir, shard), metadata={"format": "pt"})
        for n in shard_names:
            weight_map[n] = shard
            total += tensors[n].numel() * tensors[n].element_size()
    write_json(os.path.join(shard_dir, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": weight_map})
    return weight_map


def read_safetensors(path):
    out = {}
    with safetensors.safe_open(path, framework="pt") as f:
        for name in f.keys():
            out[name] = describe_torch(f.get_tensor(name))
    return out


# ---------------------------------------------------------------- PyTorch .bin

def torch_state_dict():
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 3)
    with torch.no_grad():
        layer.weight.copy_(seeded(3, 4))
        layer.bias.copy_(seeded(3) * 2)
    sd = layer.state_dict()  # an OrderedDict that carries _metadata
    base = seeded(3, 4)
    sd["transposed"] = base.t()                  # non-contiguous view, strides (1, 4)
    sd["row1"] = base[1]                         # storage offset 4, shares base's storage
    sd["cols"] = base[:, 1:3]                    # offset 1, strides (4, 1)
    sd["base"] = base
    sd["expanded"] = torch.arange(3, dtype=torch.float32).expand(2, 3)  # stride (0, 1)
    sd["tied"] = sd["weight"]                    # the same tensor under two names
    sd["half"] = seeded(2, 3, dtype=torch.float16)
    sd["bfloat"] = seeded(3, dtype=torch.bfloat16)
    sd["double"] = seeded(2, dtype=torch.float64)
    sd["long"] = torch.tensor([[-3, 7, 1 << 40]], dtype=torch.int64)
    sd["int"] = torch.tensor([-5, 6], dtype=torch.int32)
    sd["short"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["char"] = torch.tensor([-7, 8], dtype=torch.int8)
    sd["byte"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["mask"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(2, 0)
    return sd


def write_torch():
    sd = torch_state_dict()
    torch.save(sd, os.path.join(GOOD, "torch_zip.bin"))
    torch.save(sd, os.path.join(GOOD, "torch_legacy.bin"), _use_new_zipfile_serialization=False)
    params = collections.OrderedDict(torch.nn.Linear(2, 2).state_dict(keep_vars=True))
    with torch.no_grad():
        params["weight"].copy_(seeded(2, 2))
        params["bias"].copy_(seeded(2))
    torch.save(params, os.path.join(GOOD, "torch_parameters.bin"))  # _rebuild_parameter
    write_big_endian_copy(os.path.join(GOOD, "torch_zip.bin"), os.path.join(GOOD, "torch_zip_bigendian.bin"))


def write_big_endian_copy(src, dst):
    """Rewrites a zip checkpoint as if saved on a big-endian machine."""
    storages = {}
    torch_types = {"FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2, "DoubleStorage": 8,
                   "LongStorage": 8, "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1,
                   "ByteStorage": 1, "BoolStorage": 1}

    class Scan(pickle.Unpickler):
        def find_class(self, module, name):
            if name in torch_types:
                return name
            if (module, name) == ("collections", "OrderedDict"):
                return collections.OrderedDict
            return lambda *a, **k: None

        def persistent_load(self, pid):
            storages[pid[2]] = torch_types[pid[1]]

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        prefix = [n for n in zin.namelist() if n.endswith("/data.pkl")][0][: -len("data.pkl")]
        Scan(io.BytesIO(zin.read(prefix + "data.pkl"))).load()
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == prefix + "byteorder":
                data = b"big"
            elif info.filename.startswith(prefix + "data/"):
                size = storages[info.filename[len(prefix + "data/"):]]
                data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
            zout.writestr(info.filename, data)


def read_torch(path):
    sd = torch.load(path, weights_only=True)
    return {name: describe_torch(t) for name, t in sd.items()}


# ---------------------------------------------------------------- npz

def npz_arrays():
    return {
        "encoder.layers.0.attention.query_proj.weight": seeded(3, 4).numpy(),
        "embeddings.norm.bias": seeded(4, dtype=torch.float16).numpy(),
        "ids": np.array([1, -2, 3 << 33], dtype=np.int64),
        "ints": np.array([[4, -5]], dtype=np.int32),
        "fortran": np.asfortranarray(seeded(2, 3, 4).numpy()),
        "bigendian": seeded(2, 2).numpy().astype(">f4"),
        "scalar": np.float32(1.5) * np.ones((), dtype=np.float32),
    }


def write_npz():
    arrays = npz_arrays()
    np.savez(os.path.join(GOOD, "weights.npz"), **arrays)
    np.savez_compressed(os.path.join(GOOD, "weights_compressed.npz"), **arrays)
    # Headers of format versions 2.0 and 3.0, written by numpy's own writer.
    with zipfile.ZipFile(os.path.join(GOOD, "weights_versions.npz"), "w") as z:
        for version, name in [((1, 0), "v1"), ((2, 0), "v2"), ((3, 0), "v3")]:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, seeded(2, 2).numpy(), version=version)
            z.writestr(name + ".npy", buf.getvalue())


def read_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {name: describe_numpy(z[name]) for name in z.files}


# ---------------------------------------------------------------- bad files

def safetensors_bytes(header, data):
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def write_bad():
    good = open(os.path.join(GOOD, "single.safetensors"), "rb").read()
    f32 = lambda shape, begin: {"dtype": "F32", "shape": shape, "data_offsets": [begin, begin + 4 * prod(shape)]}
    files = {
        "truncated.safetensors": good[: len(good) - 10],
        "header_past_end.safetensors": struct.pack("<Q", 5000) + b'{"a":1}',
        "header_too_large.safetensors": struct.pack("<Q", 100_000_001) + b"{}" + b" " * 64,
        "short.safetensors": b"\x10\x00\x00",
        "overlap.safetensors": safetensors_bytes({"a": f32([2], 0), "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12),
        "gap.safetensors": safetensors_bytes({"a": f32([2], 0), "b": f32([1], 12)}, b"\0" * 16),
        "unknown_dtype.safetensors": safetensors_bytes({"a": {"dtype": "Q5", "shape": [2], "data_offsets": [0, 2]}}, b"\0" * 2),
        "size_mismatch.safetensors": safetensors_bytes({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
        "trailing_data.safetensors": safetensors_bytes({"a": f32([2], 0)}, b"\0" * 12),
        "not_json.safetensors": struct.pack("<Q", 5) + b"{abc}",
        "metadata_not_string.safetensors": safetensors_bytes({"__metadata__": {"n": 1}, "a": f32([1], 0)}, b"\0" * 4),
        "negative_shape.safetensors": safetensors_bytes({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4),
        "overflow_shape.safetensors": safetensors_bytes({"a": {"dtype": "F32", "shape": [1 << 62, 8], "data_offsets": [0, 0]}}, b""),
    }
    # Pickles that ask for globals outside the allowlist. They are written as
    # bytes and never loaded here.
    os_system = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00echoq\x01\x85q\x02Rq\x03."
    builtins_eval = b"\x80\x02cbuiltins\neval\nX\x06\x00\x00\x001+1+1,\x85R."
    files["os_system.bin"] = replace_data_pkl(os.path.join(GOOD, "torch_zip.bin"), os_system)
    files["builtins_eval_legacy.bin"] = legacy_with_main_pickle(builtins_eval)
    # Protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE) is outside the weights-only opcode set.
    files["disallowed_opcode.bin"] = replace_data_pkl(os.path.join(GOOD, "torch_zip.bin"),
                                                      pickle.dumps(collections.OrderedDict(), protocol=4))
    files["dup_opcode.bin"] = replace_data_pkl(os.path.join(GOOD, "torch_zip.bin"), b"\x80\x02}2.")
    files["not_state_dict.bin"] = torch_save_bytes([torch.ones(2)])
    files["nested_state_dict.bin"] = torch_save_bytes({"state_dict": {"w": torch.ones(2)}})
    files["not_torch.bin"] = b"\x80\x02K\x05."
    files["truncated_legacy.bin"] = open(os.path.join(GOOD, "torch_legacy.bin"), "rb").read()[:-7]
    files["missing_storage.bin"] = drop_zip_entry(os.path.join(GOOD, "torch_zip.bin"), "data/0")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not an array")
    files["not_npy.npz"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, obj=np.array([{"a": 1}], dtype=object))
    files["object_array.npz"] = buf.getvalue()

    for name, data in files.items():
        with open(os.path.join(BAD, name), "wb") as f:
            f.write(data)

    # Sharded folders with a bad index.
    shard = os.path.join(GOOD, "sharded", "model-00001-of-00002.safetensors")
    for folder, weight_map in {
        "sharded_missing_tensor": {"not.in.shard": "model-00001-of-00002.safetensors"},
        "sharded_parent_path": {"embeddings.word_embeddings.weight": "../../good/sharded/model-00001-of-00002.safetensors"},
        "sharded_absolute_path": {"embeddings.word_embeddings.weight": "/etc/passwd"},
    }.items():
        d = os.path.join(BAD, folder)
        os.makedirs(d, exist_ok=True)
        if folder == "sharded_missing_tensor":
            shutil.copy(shard, os.path.join(d, "model-00001-of-00002.safetensors"))
        write_json(os.path.join(d, "model.safetensors.index.json"), {"metadata": {}, "weight_map": weight_map})
    return sorted(files)


def replace_data_pkl(src, payload):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = payload if info.filename.endswith("/data.pkl") else zin.read(info.filename)
            zout.writestr(info.filename, data)
    return buf.getvalue()


def drop_zip_entry(src, suffix):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            if not info.filename.endswith("/" + suffix):
                zout.writestr(info.filename, zin.read(info.filename))
    return buf.getvalue()


def legacy_with_main_pickle(main):
    head = io.BytesIO()
    for obj in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True,
                                               "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(obj, head, protocol=2)
    return head.getvalue() + main + pickle.dumps([], protocol=2)


def torch_save_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def reference_verdict(path):
    """What the reference library does with a bad file."""
    name = os.path.basename(path)
    try:
        if os.path.isdir(path):
            with open(os.path.join(path, "model.safetensors.index.json")) as f:
                index = json.load(f)
            for tensor, shard in index["weight_map"].items():
                with safetensors.safe_open(os.path.join(path, shard), framework="pt") as st:
                    st.get_tensor(tensor)
        elif name.endswith(".safetensors"):
            read_safetensors(path)
        elif name.endswith(".npz"):
            read_npz(path)
        else:
            torch.load(path, weights_only=True)
    except Exception as e:  # the verdict is the message
        lines = [l.strip() for l in str(e).splitlines() if l.strip()]
        keys = ("Unsupported", "unsupported GLOBAL", "Error while", "Invalid", "invalid", "File does not")
        detail = [l for l in lines if any(k in l for k in keys)] or lines[:1]
        return "error: " + type(e).__name__ + ": " + detail[0][:200]
    return "accepted"


# ---------------------------------------------------------------- real model

def write_model_listing():
    model_dir = os.environ.get("BERTBATCH_MODEL_DIR", "")
    path = os.path.join(model_dir, "model.safetensors")
    if not model_dir or not os.path.exists(path):
        print("BERTBATCH_MODEL_DIR has no model.safetensors; minilm_listing.json left as is", file=sys.stderr)
        return
    listing = {}
    with safetensors.safe_open(path, framework="pt") as f:
        metadata = f.metadata()
        for name in f.keys():
            t = f.get_tensor(name)
            listing[name] = {"dtype": TORCH_DTYPES[t.dtype], "shape": list(t.shape),
                             "sha256": hashlib.sha256(tensor_bytes(t)).hexdigest()}
    write_json(os.path.join(HERE, "minilm_listing.json"),
               {"file_size": os.path.getsize(path), "metadata": metadata, "tensors": listing})


# ---------------------------------------------------------------- main

def prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    for d in (GOOD, BAD):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    write_safetensors()
    write_torch()
    write_npz()
    expected = {
        "single.safetensors": read_safetensors(os.path.join(GOOD, "single.safetensors")),
        "torch_zip.bin": read_torch(os.path.join(GOOD, "torch_zip.bin")),
        "torch_legacy.bin": read_torch(os.path.join(GOOD, "torch_legacy.bin")),
        "torch_parameters.bin": read_torch(os.path.join(GOOD, "torch_parameters.bin")),
        "torch_zip_bigendian.bin": read_torch(os.path.join(GOOD, "torch_zip_bigendian.bin")),
        "weights.npz": read_npz(os.path.join(GOOD, "weights.npz")),
        "weights_compressed.npz": read_npz(os.path.join(GOOD, "weights_compressed.npz")),
        "weights_versions.npz": read_npz(os.path.join(GOOD, "weights_versions.npz")),
    }
    sharded = {}
    with open(os.path.join(GOOD, "sharded", "model.safetensors.index.json")) as f:
        index = json.load(f)
    for tensor, shard in index["weight_map"].items():
        with safetensors.safe_open(os.path.join(GOOD, "sharded", shard), framework="pt") as st:
            sharded[tensor] = describe_torch(st.get_tensor(tensor))
    expected["sharded"] = sharded
    with safetensors.safe_open(os.path.join(GOOD, "single.safetensors"), framework="pt") as st:
        metadata = st.metadata()
    write_json(os.path.join(HERE, "expected.json"),
               {"tensors": expected, "metadata": {"single.safetensors": metadata}})

    bad_names = write_bad()
    bad_names += sorted(d for d in os.listdir(BAD) if os.path.isdir(os.path.join(BAD, d)))
    write_json(os.path.join(HERE, "bad.json"),
               {name: reference_verdict(os.path.join(BAD, name)) for name in bad_names})
    write_model_listing()


if __name__ == "__main__":
    main()
