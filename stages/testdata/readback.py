"""Reads a bertbatch output folder with pyarrow, as a user would, and prints what it saw as JSON.

Used by the stages tests (run with $BERTBATCH_PYTHON). Reads a JSON request on stdin:

    {"out": "/path/out",                      # output folder
     "inputs": ["/path/a.parquet", ...],      # optional: Parquet inputs, read in this order
     "passthrough": ["id", ...],              # optional: passthrough columns to compare
     "keep": [0, 1, 3, ...],                  # rows of the concatenated inputs expected in the output
     "tokenize": {"model": "/path/model", "texts": [...], "pairs": [...] or null, "max_length": 128}}

and prints:

    {"parts": [...], "types": {col: pyarrow type}, "nullable": {col: bool},
     "kv_metadata": {...}, "schema_metadata": {...}, "rows": N,
     "columns": {col: [values]}, "fixed_size": {col: list size},
     "passthrough_equal": bool, "passthrough_types_equal": bool,
     "token_ids": [[...]], "token_type_ids": [[...]], "untruncated_lengths": [...]}

Floats are printed as Python floats of the stored float32/float16 values, which read back exactly.
"""

import glob
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def column_values(col):
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    if pa.types.is_fixed_size_list(t):
        flat = col.flatten().to_numpy(zero_copy_only=False).astype(np.float64)
        return flat.reshape(len(col), t.list_size).tolist()
    if pa.types.is_floating(t):
        return [None if v is None else float(v) for v in col.to_pylist()]
    if pa.types.is_timestamp(t):
        return [None if v is None else str(v) for v in col.to_pylist()]
    return col.to_pylist()


def main():
    req = json.load(sys.stdin)
    out = req["out"]
    parts = sorted(glob.glob(os.path.join(out, "part-*.parquet")))
    view = {"parts": [os.path.basename(p) for p in parts]}
    if parts:
        table = pa.concat_tables([pq.read_table(p) for p in parts])
        meta = pq.read_metadata(parts[0]).metadata or {}
        view["kv_metadata"] = {k.decode(): v.decode() for k, v in meta.items() if k != b"ARROW:schema"}
        smeta = table.schema.metadata or {}
        view["schema_metadata"] = {k.decode(): v.decode() for k, v in smeta.items()}
        view["types"] = {f.name: str(f.type) for f in table.schema}
        view["nullable"] = {f.name: f.nullable for f in table.schema}
        view["rows"] = table.num_rows
        view["fixed_size"] = {f.name: f.type.list_size for f in table.schema if pa.types.is_fixed_size_list(f.type)}
        table = table.combine_chunks()
        view["columns"] = {name: column_values(table[name]) for name in table.column_names}
        if req.get("inputs"):
            inputs = pa.concat_tables([pq.read_table(p) for p in req["inputs"]]).combine_chunks()
            names = req["passthrough"]
            want = inputs.select(names).take(pa.array(req["keep"], pa.int64()))
            got = table.select(names)
            view["passthrough_types_equal"] = [f.type for f in want.schema] == [f.type for f in got.schema]
            view["passthrough_equal"] = all(want[n].combine_chunks().equals(got[n].combine_chunks()) for n in names)
    tok = req.get("tokenize")
    if tok:
        from tokenizers import Tokenizer

        t = Tokenizer.from_file(os.path.join(tok["model"], "tokenizer.json"))
        t.no_padding()
        t.enable_truncation(tok["max_length"])
        if tok.get("pairs"):
            enc = t.encode_batch(list(zip(tok["texts"], tok["pairs"])))
        else:
            enc = t.encode_batch(tok["texts"])
        view["token_ids"] = [e.ids for e in enc]
        view["token_type_ids"] = [e.type_ids for e in enc]
        t.no_truncation()
        full = t.encode_batch(list(zip(tok["texts"], tok["pairs"])) if tok.get("pairs") else tok["texts"])
        view["untruncated_lengths"] = [len(e.ids) for e in full]
    json.dump(view, sys.stdout)


if __name__ == "__main__":
    main()
