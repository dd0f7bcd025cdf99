"""Compares two bertbatch output folders with pyarrow, bitwise, for the crash harness.

Usage:  $BERTBATCH_PYTHON compare_outputs.py WANT_DIR GOT_DIR

WANT_DIR is an uninterrupted run's output, GOT_DIR the output of a run that was killed and resumed.
Prints one JSON object:

    {"same": bool, "files": N, "rows": N, "byte_identical_files": N, "problems": ["...", ...]}

"same" holds when both folders hold the same visible Parquet files (results and rejects, by name), and
each pair of files has the same schema, the same number of rows, and the same values in every column, in
the same order: float columns (and lists of floats, the embeddings) are compared by their bits, not by
value. A temporary file left in GOT_DIR is a problem too. Each problem names the file, the first row
that differs with its id, how many rows differ and by how much at most.
"""

import hashlib
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MAX_PROBLEMS = 20


def parquet_files(d):
    return sorted(n for n in os.listdir(d) if n.endswith(".parquet") and not n.startswith("."))


def float_values(col):
    """The float values of a float or list-of-float column as a (rows, width) array, else None."""
    t = col.type
    if pa.types.is_floating(t):
        return col.to_numpy(zero_copy_only=False).reshape(len(col), 1)
    if pa.types.is_fixed_size_list(t) and pa.types.is_floating(t.value_type):
        return col.flatten().to_numpy(zero_copy_only=False).reshape(len(col), t.list_size)
    return None


def compare_column(name, want, got, ids, problems):
    wf, gf = float_values(want), float_values(got)
    if wf is not None and gf is not None:
        if wf.dtype != gf.dtype or wf.shape != gf.shape:
            problems.append(f'column "{name}": {wf.dtype}{wf.shape} against {gf.dtype}{gf.shape}')
            return
        bits = {2: np.uint16, 4: np.uint32, 8: np.uint64}[wf.dtype.itemsize]
        differ = np.nonzero((wf.view(bits) != gf.view(bits)).any(axis=1))[0]
        if len(differ):
            r = int(differ[0])
            diff = np.abs(wf[differ].astype(np.float64) - gf[differ].astype(np.float64)).max()
            problems.append(f'column "{name}": {len(differ)} of {len(wf)} rows differ, first row {r} '
                            f'(id {ids[r]}), max |diff| {diff:.3g}')
        return
    if not want.equals(got):
        wl, gl = want.to_pylist(), got.to_pylist()
        differ = [i for i in range(len(wl)) if wl[i] != gl[i]]
        r = differ[0]
        problems.append(f'column "{name}": {len(differ)} of {len(wl)} rows differ, first row {r} '
                        f'(id {ids[r]}): want {str(wl[r])[:60]}, got {str(gl[r])[:60]}')


def compare_file(want_path, got_path):
    want, got = pq.read_table(want_path), pq.read_table(got_path)
    if not want.schema.equals(got.schema, check_metadata=True):
        return [f"schema differs: want {want.schema}, got {got.schema}"]
    if want.num_rows != got.num_rows:
        return [f"{got.num_rows} rows, want {want.num_rows}"]
    ids = want.column("id").to_pylist() if "id" in want.column_names else list(range(want.num_rows))
    problems = []
    for name in want.column_names:
        compare_column(name, want.column(name).combine_chunks(), got.column(name).combine_chunks(), ids, problems)
    return problems


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_outputs.py WANT_DIR GOT_DIR")
    want_dir, got_dir = sys.argv[1:]
    want, got = parquet_files(want_dir), parquet_files(got_dir)
    problems = [f"missing file {n}" for n in want if n not in got]
    problems += [f"extra file {n}" for n in got if n not in want]
    # Temporary files: ".NAME.tmp-RANDOM" (manifest version 1) or ".bertbatch-tmp-RANDOM-NAME" (version 2).
    problems += [f"temporary file {n} left" for n in os.listdir(got_dir) if n.startswith(".") and "tmp-" in n]
    rows = identical = 0
    for n in want:
        if n not in got:
            continue
        wp, gp = os.path.join(want_dir, n), os.path.join(got_dir, n)
        rows += pq.ParquetFile(gp).metadata.num_rows
        if digest(wp) == digest(gp):
            identical += 1
            continue
        problems += [f"{n}: {p}" for p in compare_file(wp, gp)]
    more = len(problems) - MAX_PROBLEMS
    problems = problems[:MAX_PROBLEMS] + ([f"... and {more} more"] if more > 0 else [])
    json.dump({"same": not problems, "files": len(got), "rows": rows, "byte_identical_files": identical,
               "problems": problems}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
