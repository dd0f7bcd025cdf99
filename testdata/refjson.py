"""JSON output for golden files: float32 values in their shortest round-trip form, one vector a line."""

import json

import numpy as np


def f32(array):
    """A nested list of Python floats, each the shortest decimal that reads back as the same float32."""
    a = np.asarray(array, dtype=np.float32)
    if a.ndim == 0:
        return float(str(a[()]))
    return [f32(x) for x in a]


def dumps(value, indent=0):
    """Like json.dumps, but dicts put one key a line and the innermost lists stay on one line."""
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and value and all(isinstance(x, (list, dict)) for x in value):
        items = [pad + dumps(x, indent + 1) for x in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write(path, value):
    """Writes value to path with dumps, then proves the file parses back to the same value."""
    text = dumps(value) + "\n"
    if json.loads(text) != value:
        raise RuntimeError(f"{path}: JSON does not read back to the written value")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
