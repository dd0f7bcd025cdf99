"""HF tokenizers' encode_batch on the texts BenchmarkEncodeBatch uses, for a side-by-side figure.

    RAYON_NUM_THREADS=2 $BERTBATCH_PYTHON bench/tokenizer_peer.py $BERTBATCH_MODEL_DIR

Texts: the fortunes rows of bert/wordpiece/testdata/corpus.jsonl.gz (see parity.json). Truncation
at the model's own limit (256, sentence_bert_config.json max_seq_length), no padding. tokens/s
counts every id produced, special tokens included, as the Go benchmark does.
"""

import gzip
import json
import os
import statistics
import sys
import time

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "bert", "wordpiece", "testdata")


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ["BERTBATCH_MODEL_DIR"]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    groups = json.load(open(os.path.join(TESTDATA, "parity.json")))["groups"]
    rows = [json.loads(l) for l in gzip.open(os.path.join(TESTDATA, "corpus.jsonl.gz"), "rt", encoding="utf-8")]
    texts = [rows[i]["text"] for i in groups["fortunes"]]
    files = [("wordpiece", os.path.join(model_dir, "tokenizer.json"))]
    files += [tuple(a.split("=", 1)) for a in sys.argv[3:]]
    for name, path in files:
        run(name, Tokenizer.from_file(path), texts, repeats)


def run(name, tok, texts, repeats):
    tok.no_padding()
    tok.enable_truncation(256)
    tokens = sum(len(e.ids) for e in tok.encode_batch(texts))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        tok.encode_batch(texts)
        times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)
    threads = os.environ.get("RAYON_NUM_THREADS", "all cores")
    print(f"{name}: tokenizers encode_batch ({threads} threads): {len(texts)} rows, {tokens} tokens; "
          f"median {median * 1e3:.1f} ms = {tokens / median:,.0f} tokens/s ({len(texts) / median:,.0f} rows/s); "
          f"best {tokens / best:,.0f} tokens/s")


if __name__ == "__main__":
    main()
