"""Reads Parquet files written by the Go tests with pyarrow (and DuckDB when
installed) and prints what they see as JSON on stdout: one object per file.

Usage: read_output.py FILE...
"""
import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

try:
    import duckdb
except ImportError:
    duckdb = None


def view(path):
    table = pq.read_table(path)
    meta = pq.read_metadata(path)
    out = {
        "types": {f.name: str(f.type) for f in table.schema},
        "rows": table.num_rows,
        "row_groups": meta.num_row_groups,
        "codecs": sorted({meta.row_group(0).column(i).compression for i in range(meta.num_columns)}) if meta.num_row_groups else [],
        "kv_metadata": {k.decode(): v.decode() for k, v in (meta.metadata or {}).items() if k != b"ARROW:schema"},
        "schema_metadata": {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()},
        "columns": {},
        "fixed_size": {},
    }
    for f in table.schema:
        t = f.type
        if pa.types.is_fixed_size_list(t):
            out["fixed_size"][f.name] = {
                "list_size": t.list_size,
                "value_type": str(t.value_type),
                "equals_pa_list": t == pa.list_(t.value_type, t.list_size),
            }
            values = table[f.name].combine_chunks().flatten().to_numpy(zero_copy_only=False)
            out["columns"][f.name] = values.astype(np.float64).tolist()
        else:
            out["columns"][f.name] = table[f.name].to_pylist()

    # float16 columns must hold numpy's rounding of the float32 column of the same base name.
    for name, info in out["fixed_size"].items():
        if info["value_type"] == "halffloat" and name.endswith("_f16"):
            src = np.array(out["columns"][name[:-4]], np.float32)
            got = np.array(out["columns"][name], np.float64)
            out["fixed_size"][name]["matches_numpy_f16"] = bool(np.array_equal(src.astype(np.float16).astype(np.float64), got))

    if duckdb is not None:
        con = duckdb.connect()
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
        out["duckdb"] = {"types": {r[0]: r[1] for r in described}, "kv": {}, "array_casts": {}}
        for k, v in con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [path]).fetchall():
            if k != b"ARROW:schema":
                out["duckdb"]["kv"][k.decode()] = v.decode()
        for name, info in out["fixed_size"].items():
            n = info["list_size"]
            cast = con.execute(f'SELECT any_value(typeof("{name}"::FLOAT[{n}])), min(len("{name}")), max(len("{name}")) '
                               f"FROM read_parquet(?)", [path]).fetchone()
            out["duckdb"]["array_casts"][name] = list(cast)
    return out


json.dump([view(p) for p in sys.argv[1:]], sys.stdout)
