#!/usr/bin/env bash
# Tokenizer throughput, side by side on the same texts and the same number of cores: bertbatch's
# bert/wordpiece and bert/autotokenizer (BenchmarkEncodeBatch) and HF tokenizers' encode_batch
# (bench/tokenizer_peer.py). Texts: the 2,075 fortunes (12 languages) of
# bert/wordpiece/testdata/corpus.jsonl.gz; truncation at 256, no padding. Tokenizers: the real
# all-MiniLM-L6-v2 one (WordPiece), multilingual-e5-small's (Unigram) and the byte-level BPE one
# of the parity tests.
# Usage: bench/tokenizer.sh [CORES]   (default 2; needs `make model tokenizers`)
set -euo pipefail
cd "$(dirname "$0")/.."
cores=${1:-2}
eval "$(make -s env)"
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c "0-$((cores - 1))"); fi
go test -c -o "${TMPDIR:-/tmp}/wordpiece.test" ./bert/wordpiece
echo "bertbatch bert/wordpiece, GOMAXPROCS=$cores:"
(cd bert/wordpiece && "${pin[@]}" "${TMPDIR:-/tmp}/wordpiece.test" -test.run '^$' -test.bench EncodeBatch \
  -test.cpu "$cores" -test.benchtime 3s -test.count 3 | grep '^Benchmark')
go test -c -o "${TMPDIR:-/tmp}/autotokenizer.test" ./bert/autotokenizer
echo "bertbatch bert/autotokenizer (Unigram: e5, BPE: bpe-roberta), GOMAXPROCS=$cores:"
(cd bert/autotokenizer && "${pin[@]}" "${TMPDIR:-/tmp}/autotokenizer.test" -test.run '^$' -test.bench EncodeBatch \
  -test.cpu "$cores" -test.benchtime 3s -test.count 3 | grep '^Benchmark')
echo "HF tokenizers encode_batch, RAYON_NUM_THREADS=$cores:"
RAYON_NUM_THREADS=$cores "${pin[@]}" "$BERTBATCH_PYTHON" bench/tokenizer_peer.py "$BERTBATCH_MODEL_DIR" 30 \
  "e5=$BERTBATCH_TOKENIZERS_DIR/e5/tokenizer.json" "bpe-roberta=$BERTBATCH_TOKENIZERS_DIR/bpe-roberta/tokenizer.json"
