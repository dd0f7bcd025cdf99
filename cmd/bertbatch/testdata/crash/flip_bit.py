"""Rewrites a bertbatch result file with the lowest bit of one float of one row's embedding flipped.

Usage:  $BERTBATCH_PYTHON flip_bit.py PART_FILE ROW

The crash harness uses it to check that compare_outputs.py sees a one-bit difference. The file keeps
its schema and metadata; only that one value changes.
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: flip_bit.py PART_FILE ROW")
    path, row = sys.argv[1], int(sys.argv[2])
    table = pq.read_table(path)
    i = table.schema.get_field_index("embedding")
    col = table.column(i).combine_chunks()
    width = col.type.list_size
    values = col.flatten().to_numpy(zero_copy_only=False).copy()
    bits = values.view(np.uint32 if values.dtype == np.float32 else np.uint16)
    bits[row * width] ^= 1
    flipped = pa.FixedSizeListArray.from_arrays(pa.array(values, col.type.value_type), type=col.type)
    pq.write_table(table.set_column(i, table.schema.field(i), flipped), path)


if __name__ == "__main__":
    main()
