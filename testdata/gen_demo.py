"""Writes testdata/demo/fortunes.parquet, the sample dataset `make demo` embeds.

Rows are the texts of the tokenizer parity corpus (bert/wordpiece/testdata/corpus.jsonl.gz, taken
from Debian's fortunes packages in several languages), with an id and the fortune's source file.
Run with the project's Python: .venv/bin/python testdata/gen_demo.py
"""
import gzip
import json
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

root = pathlib.Path(__file__).resolve().parent.parent
rows = []
with gzip.open(root / "bert/wordpiece/testdata/corpus.jsonl.gz", "rt", encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        if r.get("text", "").strip() and "source" in r:
            rows.append(r)
table = pa.table({
    "id": pa.array(range(len(rows)), pa.int64()),
    "source": pa.array([r["source"] for r in rows], pa.string()),
    "text": pa.array([r["text"] for r in rows], pa.string()),
})
out = root / "testdata/demo/fortunes.parquet"
out.parent.mkdir(parents=True, exist_ok=True)
pq.write_table(table, out, row_group_size=1024, compression="zstd")
print(f"{out}: {table.num_rows} rows")
