"""Writes the input datasets of the crash harness (cmd/bertbatch/crash_test.go).

Usage:  $BERTBATCH_PYTHON gen_inputs.py OUT_DIR

Writes two multi-file datasets, each a folder the harness points one job at:

    OUT_DIR/text/in/    text rows:     Parquet (two files), Arrow IPC file, Arrow IPC stream, CSV, JSON Lines
    OUT_DIR/tokens/in/  token-id rows: Parquet (two files), Arrow IPC file, Arrow IPC stream, JSON Lines

Every row has a unique "id", file number * 1,000,000 + row (int64 for tokens, its decimal string for
text, since CSV reads it as a string). Row lengths vary (2 to ~60 tokens),
so batches built by token budget hold different rows depending on where a run starts.

The Parquet files are written the way that makes resuming hard: row groups of 1,300 and 1,700 rows,
larger than the harness's 500-row units and not a multiple of them, each column chunk cut into many
data pages (data_page_size 2,048 bytes, written 64 rows at a time), one file with dictionary encoding
and one without. A resumed unit therefore starts inside a row group, in the middle of its pages.
The harness checks that shape itself with an independent Parquet reader before it runs.

Token masks: a.parquet has no attention_mask column and c.arrow's masks attend to every token, so
their batches run packed (rows laid end to end); b.parquet, d.arrows and e.jsonl mask one inner token of
each row out, a mask no packing can follow, so batches holding their rows run padded, as every batch
does where the model does not pack (float32 on a GPU). On the padded path a row's bits depend on the
rows batched beside it.

The rows are drawn from a fixed seed: the same files every time.
"""

import json
import os
import random
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

WORDS = (
    "the of and to in is was for on that with as by at from he it an are his be this which or had not "
    "but first one their has also its new after were who they have two been her she all other when there "
    "time into more during only may over some would most can about many year world city state people"
).split()

# Token ids of the tiny test model (vocabulary 512; [CLS] 2, [SEP] 3; ids below 5 are special).
VOCAB, CLS, SEP = 512, 2, 3

# Parquet writer settings that give several pages per row group.
PAGE_BYTES = 2048
WRITE_BATCH_ROWS = 64


def texts(rng, n):
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 40))]
        if rng.random() < 0.2:
            words.insert(rng.randint(0, len(words)), rng.choice(['"quoted, text"', "a,b", "x;y", "it's"]))
        out.append(" ".join(words))
    return out


def token_lists(rng, n):
    ids = []
    for _ in range(n):
        body = [rng.randrange(5, VOCAB) for _ in range(rng.randint(0, 58))]
        ids.append([CLS] + body + [SEP])
    return ids


def id_column(file_no, n):
    return pa.array(range(file_no * 1_000_000, file_no * 1_000_000 + n), pa.int64())


def text_table(rng, file_no, n):
    # CSV has no types: text rows carry their id as a string, so every format reads it as one type.
    ids = pa.array([str(i) for i in id_column(file_no, n).to_pylist()], pa.string())
    return pa.table({"id": ids, "text": pa.array(texts(rng, n), pa.string())})


def token_table(rng, file_no, n, id_type, holes, mask=True):
    """Token rows; with holes, rows of four tokens or more mask one inner token out; without mask, no
    attention_mask column (every token attends)."""
    ids = token_lists(rng, n)
    masks = [[1] * len(r) for r in ids]
    if holes:
        for m in masks:
            if len(m) >= 4:
                m[rng.randrange(1, len(m) - 1)] = 0
    columns = {"id": id_column(file_no, n), "input_ids": pa.array(ids, pa.list_(id_type))}
    if mask:
        columns["attention_mask"] = pa.array(masks, pa.list_(pa.int8()))
    return pa.table(columns)


def write_parquet(table, path, row_group, dictionary, compression):
    pq.write_table(table, path, row_group_size=row_group, data_page_size=PAGE_BYTES,
                   write_batch_size=WRITE_BATCH_ROWS, use_dictionary=dictionary, compression=compression)
    md = pq.ParquetFile(path).metadata
    if md.num_row_groups < 2:
        sys.exit(f"{path}: {md.num_row_groups} row group; the harness needs several")


def write_arrow_file(table, path, batch_rows):
    with ipc.new_file(path, table.schema) as w:
        for b in table.to_batches(max_chunksize=batch_rows):
            w.write_batch(b)


def write_arrow_stream(table, path, batch_rows):
    with ipc.new_stream(path, table.schema) as w:
        for b in table.to_batches(max_chunksize=batch_rows):
            w.write_batch(b)


def write_jsonl(table, path):
    with open(path, "w") as f:
        for row in table.to_pylist():
            f.write(json.dumps(row) + "\n")


def folder(*parts):
    p = os.path.join(*parts)
    os.makedirs(p, exist_ok=True)
    return p


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_inputs.py OUT_DIR")
    rng = random.Random(20261205)

    d = folder(sys.argv[1], "text", "in")
    write_parquet(text_table(rng, 0, 5200), os.path.join(d, "a.parquet"), 1300, False, "none")
    write_parquet(text_table(rng, 1, 3400), os.path.join(d, "b.parquet"), 1700, True, "zstd")
    write_arrow_file(text_table(rng, 2, 1500), os.path.join(d, "c.arrow"), 400)
    write_arrow_stream(text_table(rng, 3, 1500), os.path.join(d, "d.arrows"), 350)
    pacsv.write_csv(text_table(rng, 4, 1500), os.path.join(d, "e.csv"))
    write_jsonl(text_table(rng, 5, 1500), os.path.join(d, "f.jsonl"))

    d = folder(sys.argv[1], "tokens", "in")
    write_parquet(token_table(rng, 0, 5200, pa.int32(), False, mask=False), os.path.join(d, "a.parquet"), 1300, False, "snappy")
    write_parquet(token_table(rng, 1, 3400, pa.int64(), True), os.path.join(d, "b.parquet"), 1700, True, "zstd")
    write_arrow_file(token_table(rng, 2, 1500, pa.int32(), False), os.path.join(d, "c.arrow"), 400)
    write_arrow_stream(token_table(rng, 3, 1500, pa.int64(), True), os.path.join(d, "d.arrows"), 350)
    write_jsonl(token_table(rng, 4, 1500, pa.int32(), True), os.path.join(d, "e.jsonl"))


if __name__ == "__main__":
    main()
