"""Writes the benchmark workloads into a folder (default bench/results/work):

  tokens.parquet   synthetic token rows, log-normal lengths exp(N(4.0, 0.6)) clipped to 8..256
                   (mean ~64, the peer script's mix), [CLS] … [SEP], ids in 1000..29999
  lengths.txt      the same rows' lengths, one per line (for bertbench)
  texts.parquet    real short texts: the fortunes of testdata/demo (12 languages)
  tokens_<N>.parquet  short synthetic rows (8..32 tokens, ids below 512) for the memory-flatness
                   runs with testdata/models/tiny-bert

Usage: python bench/make_workloads.py OUT_DIR ROWS [RSS_ROWS ...]
"""
import pathlib
import shutil
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def token_table(lengths, rng, vocab=30000):
    ids = [np.concatenate(([101], rng.integers(vocab // 30, vocab, n - 2), [102])).astype(np.int32) for n in lengths]
    return pa.table({"id": pa.array(np.arange(len(lengths)), pa.int64()),
                     "input_ids": pa.array(ids, pa.list_(pa.int32()))})


def main():
    out = pathlib.Path(sys.argv[1])
    rows = int(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    lengths = np.clip(np.exp(rng.normal(4.0, 0.6, rows)), 8, 256).astype(int)
    pq.write_table(token_table(lengths, rng), out / "tokens.parquet", row_group_size=4096)
    (out / "lengths.txt").write_text("\n".join(map(str, lengths)) + "\n")
    root = pathlib.Path(__file__).resolve().parent.parent
    shutil.copy(root / "testdata/demo/fortunes.parquet", out / "texts.parquet")
    for n in map(int, sys.argv[3:]):
        path = out / f"tokens_{n}.parquet"
        if path.exists():
            continue
        writer = None
        for start in range(0, n, 100_000):
            k = min(100_000, n - start)
            t = token_table(rng.integers(8, 33, k), rng, vocab=512)  # tiny-bert's vocabulary
            t = t.set_column(0, "id", pa.array(np.arange(start, start + k), pa.int64()))
            writer = writer or pq.ParquetWriter(path, t.schema)
            writer.write_table(t, row_group_size=16384)
        writer.close()
    print(f"workloads in {out}: {rows} token rows (mean length {lengths.mean():.1f})")


if __name__ == "__main__":
    main()
