"""Writes one Parquet file with pyarrow for the row-range tests of
io/parquetio/rangetest, and what pyarrow reads back from it.

Usage: ranges.py SPEC_JSON OUT [--file-only]

SPEC_JSON holds the fields of rangetest.Case. The script writes
  OUT        the file under test, with the case's writer options;
  OUT.pages  the same table with the same options plus a page index, from
             which the test reads where each data page starts;
  OUT.json   {"columns": {name: [value per row]}, "row_groups": [rows...]},
             as pq.read_table(OUT) returns it.
With --file-only (benchmarks) it writes OUT alone.
"""
import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "über", "naïve",
         "東京", "data", "page", "row", "group", "boundary", "résumé", "x", "embedding", "unit"]


def ids(rng, spec, n):
    null = rng.random(n) < spec["id_null_fraction"]
    if spec["id_type"] == "string":
        vals = [None if null[i] else "row-%d-%s" % (i, "z" * int(rng.integers(0, 12))) for i in range(n)]
        return pa.array(vals, pa.string())
    vals = np.arange(n, dtype=np.int64) * 3 + 7
    return pa.array(vals, pa.int64(), mask=null)


def lengths(rng, spec, n):
    lo, hi = spec["min_len"], spec["max_len"]
    out = rng.integers(lo, hi + 1, n)
    # a few long rows among the short ones
    long = rng.random(n) < 0.02
    out[long] = hi * 4
    return out


def token_columns(rng, spec, n):
    typ = pa.int32() if spec["token_type"] == "int32" else pa.int64()
    lens = lengths(rng, spec, n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lens, out=offsets[1:])
    total = int(offsets[-1])
    vocab = spec["vocab"]
    values = rng.integers(0, vocab, total)
    starts = offsets[:-1]
    values[starts] = 101
    values[offsets[1:] - 1] = 102
    mask = np.ones(total, dtype=np.int64)
    types = np.zeros(total, dtype=np.int64)
    off = pa.array(offsets, pa.int32())
    cols = {
        "input_ids": pa.ListArray.from_arrays(off, pa.array(values, typ)),
        "attention_mask": pa.ListArray.from_arrays(off, pa.array(mask, typ)),
        "token_type_ids": pa.ListArray.from_arrays(off, pa.array(types, typ)),
    }
    return cols


def texts(rng, spec, n):
    lens = lengths(rng, spec, n)
    return pa.array([" ".join(WORDS[j] for j in rng.integers(0, len(WORDS), k)) for k in lens], pa.string())


def main():
    spec = json.loads(sys.argv[1])
    out = sys.argv[2]
    rng = np.random.default_rng(spec["seed"])
    n = spec["rows"]
    cols = {"id": ids(rng, spec, n)}
    if spec["text"]:
        cols["text"] = texts(rng, spec, n)
    else:
        cols.update(token_columns(rng, spec, n))
    table = pa.table(cols)
    opts = dict(
        row_group_size=spec["row_group_rows"] or None,
        use_dictionary=spec["dictionary"],
        compression=spec["compression"] or "snappy",
        data_page_version=spec["data_page_version"] or "1.0",
    )
    if spec["data_page_size"]:
        opts["data_page_size"] = spec["data_page_size"]
    if spec["delta"]:
        opts["use_dictionary"] = False
        opts["column_encoding"] = {c: "DELTA_BINARY_PACKED" for c in ["id", "input_ids", "attention_mask", "token_type_ids"] if c in cols and not pa.types.is_string(table[c].type)}
    pq.write_table(table, out, write_page_index=spec["page_index"], **opts)
    if sys.argv[3:] == ["--file-only"]:
        return
    pq.write_table(table, out + ".pages", write_page_index=True, **opts)
    back = pq.read_table(out)
    meta = pq.read_metadata(out)
    with open(out + ".json", "w") as f:
        json.dump({
            "columns": back.to_pydict(),
            "row_groups": [meta.row_group(i).num_rows for i in range(meta.num_row_groups)],
        }, f)


main()
