"""Writes the io/ test fixtures and the values pyarrow reads back from them.

Run from the repository root:  $BERTBATCH_PYTHON io/testdata/gen_fixtures.py
Every fixture is small; the expected values (expected/*.json) come from
pyarrow reading each written file, so the Go readers are checked against an
independent reader.
"""
import json
import os
import random
import shutil

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.json as pajson
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)


def token_rows(n):
    ids, masks, types = [], [], []
    for _ in range(n):
        k = rng.randint(1, 10)
        row = [101] + [rng.randrange(1000, 30522) for _ in range(k)] + [102]
        ids.append(row)
        masks.append([1] * len(row))
        split = rng.randint(1, len(row))
        types.append([0] * split + [1] * (len(row) - split))
    return ids, masks, types


def base_table(n, id_type, start=0):
    ids, masks, types = token_rows(n)
    texts = [f"row {start + i}, with \"quotes\"" + ("\nand a newline" if i % 7 == 3 else "") for i in range(n)]
    return pa.table({
        "id": pa.array(range(start, start + n), pa.int64()),
        "text": pa.array(texts, pa.string()),
        "input_ids": pa.array(ids, pa.list_(id_type)),
        "attention_mask": pa.array(masks, pa.list_(pa.int8())),
        "token_type_ids": pa.array(types, pa.list_(pa.int32())),
        "weight": pa.array([rng.random() for _ in range(n)], pa.float64()),
    })


def path(*parts):
    p = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def expect(name, table, extra=None):
    """Writes the rows pyarrow read, with the column types, as expected/<name>.json."""
    doc = {"types": {f.name: str(f.type) for f in table.schema}, "rows": table.to_pylist()}
    doc.update(extra or {})
    with open(path("expected", name + ".json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def write_parquet(name, table, row_group_size):
    p = path(name)
    pq.write_table(table, p, row_group_size=row_group_size)
    meta = pq.ParquetFile(p).metadata
    groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    expect(name, pq.read_table(p), {"row_groups": groups})
    return p


def write_ipc(name, table, batch_rows, stream):
    p = path(name)
    batches = table.to_batches(max_chunksize=batch_rows)
    with pa.OSFile(p, "wb") as sink:
        writer = (ipc.new_stream if stream else ipc.new_file)(sink, table.schema)
        for b in batches:
            writer.write_batch(b)
        writer.close()
    with pa.memory_map(p) as src:
        read = (ipc.open_stream(src).read_all() if stream else ipc.open_file(src).read_all())
    expect(name, read, {"batches": [b.num_rows for b in batches]})


def write_csv(name, table, delimiter):
    listed = {}
    for col in table.column_names:
        if pa.types.is_list(table.schema.field(col).type):
            listed[col] = pa.array([json.dumps(v) if v is not None else None
                                    for v in table[col].to_pylist()], pa.string())
        else:
            listed[col] = table[col]
    p = path(name)
    pacsv.write_csv(pa.table(listed), p, pacsv.WriteOptions(delimiter=delimiter))
    read = pacsv.read_csv(p, parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True))
    expect(name, read)


def write_jsonl(name, rows):
    p = path(name)
    with open(p, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    expect(name, pajson.read_json(p))


def with_vectors(table):
    """Adds "vec", a fixed_size_list<float32>[3] column (a passthrough that must keep its type)."""
    vecs = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(table.num_rows)]
    return table.append_column("vec", pa.array(vecs, pa.list_(pa.float32(), 3)))


def good():
    write_parquet("tokens_i32.parquet", with_vectors(base_table(50, pa.int32())), 16)
    write_parquet("tokens_i64.parquet", base_table(40, pa.int64()), 32)
    t = base_table(12, pa.int64())
    t = t.set_column(2, "input_ids", t["input_ids"].cast(pa.large_list(pa.int64())))
    write_parquet("tokens_large.parquet", t, 5)
    write_parquet("zero_rows.parquet", base_table(0, pa.int32()), 16)

    t = with_vectors(base_table(33, pa.int32()))
    write_ipc("tokens.arrow", t, 20, stream=False)
    write_ipc("tokens.arrows", t, 20, stream=True)

    t = base_table(25, pa.int32())
    write_csv("tokens.csv", t, ",")
    write_csv("tokens.tsv", t, "\t")

    t = base_table(23, pa.int64())
    rows = t.to_pylist()
    for i, r in enumerate(rows):
        r["meta"] = {"k": i}
        r["flag"] = i % 2 == 0
    write_jsonl("tokens.jsonl", rows)


def hive():
    root = os.path.join(HERE, "hive")
    shutil.rmtree(root, ignore_errors=True)
    n = 0
    for lang in ("en", "fr"):
        for split in ("test", "train"):
            t = base_table(6, pa.int32(), start=n)
            n += 6
            write_parquet(f"hive/lang={lang}/split={split}/part-0.parquet", t, 4)
    for junk in ("hive/_SUCCESS", "hive/lang=en/_SUCCESS", "hive/lang=en/split=test/.part-0.parquet.crc",
                 "hive/_temporary/0/part-9.parquet"):
        with open(path(junk), "w") as f:
            f.write("not data\n")


def bad():
    t = base_table(10, pa.int32())
    pq.write_table(t.drop_columns(["input_ids"]), path("bad", "missing_column.parquet"))
    pq.write_table(t.set_column(2, "input_ids", pa.array(["101 102"] * 10)), path("bad", "ids_string.parquet"))
    pq.write_table(t.set_column(2, "input_ids", pa.array([[1.5]] * 10, pa.list_(pa.float32()))),
                   path("bad", "ids_float.parquet"))
    pq.write_table(t.set_column(1, "text", pa.array(range(10), pa.int64())), path("bad", "text_int.parquet"))

    good_bytes = open(path("tokens_i32.parquet"), "rb").read()
    with open(path("bad", "truncated.parquet"), "wb") as f:
        f.write(good_bytes[: len(good_bytes) // 2])
    with open(path("bad", "garbage_footer.parquet"), "wb") as f:
        f.write(good_bytes[:-40] + bytes(range(32)) + good_bytes[-8:])
    with open(path("bad", "corrupt_pages.parquet"), "wb") as f:
        f.write(good_bytes[:200] + bytes([0xFF] * 600) + good_bytes[800:])
    with open(path("bad", "not_parquet.parquet"), "wb") as f:
        f.write(b"id,text\n1,hello\n")
    open(path("bad", "empty.parquet"), "wb").close()
    open(path("bad", "empty.arrow"), "wb").close()

    pq.write_table(t, path("bad", "mixed", "a.parquet"))
    pq.write_table(t.set_column(0, "id", pa.array([str(i) for i in range(10)])), path("bad", "mixed", "b.parquet"))

    ids = [[101, 7, 102] for _ in range(12)]
    ids[3] = None          # null list
    ids[5] = [101, None, 102]  # null element
    ids[7] = []            # empty list
    masks = [[1, 1, 1] for _ in range(12)]
    masks[9] = [1, 1]      # length differs from input_ids
    masks[10] = None       # null mask
    texts = [f"t{i}" for i in range(12)]
    texts[2] = None
    texts[4] = ""
    nulls = pa.table({"id": pa.array(range(12), pa.int64()), "text": pa.array(texts),
                      "input_ids": pa.array(ids, pa.list_(pa.int64())),
                      "attention_mask": pa.array(masks, pa.list_(pa.int64()))})
    write_parquet("bad/null_tokens.parquet", nulls, 5)
    big = pa.table({"input_ids": pa.array([[101, 2**40, 102], [-1, 5]], pa.list_(pa.int64()))})
    pq.write_table(big, path("bad", "out_of_int32.parquet"))

    with open(path("bad", "bad_tokens.csv"), "w") as f:
        f.write('id,input_ids\n0,"[101, 102]"\n1,"[101, 102]"\n2,"[101, x]"\n3,"101 102"\n4,\n')
    with open(path("bad", "bad_types.jsonl"), "w") as f:
        f.write('{"id": 0, "input_ids": [101, 102]}\n{"id": 1, "input_ids": [101, 102]}\n'
                '{"id": 2.5, "input_ids": [101, 102]}\n{"id": 3, "input_ids": "oops"}\n'
                '{"id": 4, "input_ids": [101, 1.5]}\nnot json\n')


def float16_cases():
    """float32 inputs and the float16 bits numpy rounds them to."""
    import numpy as np
    r = np.random.default_rng(3)
    specials = np.array([0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, 1e9, -1e9, np.inf, -np.inf,
                         2.0**-14, 2.0**-24, 2.0**-25, 2.0**-25 * 1.0001, 3 * 2.0**-25, 2.0**-26, 1e-30,
                         1 + 2.0**-11, 1 + 3 * 2.0**-11, 1 + 2.0**-11 + 2.0**-20], np.float32)
    # exact midpoints between neighbouring float16 values (ties), all subnormal and a sample of normal ones
    lo = np.concatenate([np.arange(0, 0x400), np.arange(0x400, 0x7BFF, 29)]).astype(np.uint16)
    mids = (lo.view(np.float16).astype(np.float64) + (lo + 1).view(np.float16).astype(np.float64)) / 2
    halfway = np.concatenate([mids, -mids]).astype(np.float32)
    values = np.concatenate([specials, halfway,
                             r.standard_normal(2000).astype(np.float32),
                             (r.standard_normal(500) * 1e-5).astype(np.float32),
                             (r.standard_normal(500) * 3e4).astype(np.float32)])
    with np.errstate(over="ignore"):
        halves = values.astype(np.float16)
    doc = {"float32_bits": values.view(np.uint32).tolist(),
           "float16_bits": halves.view(np.uint16).tolist()}
    with open(path("expected", "float16.json"), "w") as f:
        json.dump(doc, f)
        f.write("\n")


if __name__ == "__main__":
    float16_cases()
    good()
    hive()
    bad()
