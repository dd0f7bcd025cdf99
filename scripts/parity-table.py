"""Summarises the figures `go test -v` logs for the golden comparisons of package bert.

    go test -count=1 -v -run 'GoldenEncoders|GoldenHeads|GoldenPaddingInvariance|PackedBatchOfManyLengths' ./bert/ \
        | python3 scripts/parity-table.py

prints the table of docs/parity.md (largest |Δ| and smallest cosine per model and dtype, over both layouts) and
the head, padding-invariance and packed-batch figures.
"""

import collections
import re
import sys

LINE = re.compile(r"(golden_test|heads_test|padding_test|family_test)\.go:\d+: (.+?)\s+(\S+)\s+max\|Δ\| (\S+)\s+min cos (\S+)")


def main():
    enc = collections.defaultdict(lambda: [0.0, 1.0, 0.0, 1.0])
    heads, pad, packed = collections.defaultdict(float), collections.defaultdict(float), collections.defaultdict(lambda: [0.0, 1.0])
    for line in sys.stdin:
        m = LINE.search(line)
        if not m:
            continue
        kind, label, output, d, c = m.group(1), m.group(2), m.group(3), float(m.group(4)), float(m.group(5))
        model = label.split("/")[0]
        if kind == "golden_test":
            e = enc[(model, label.split("/")[1])]
            i = 0 if output == "last_hidden_state" else 2
            e[i], e[i + 1] = max(e[i], d), min(e[i + 1], c)
        elif kind == "heads_test" and output in ("logits", "probabilities"):
            heads[model] = max(heads[model], d)
        elif kind == "padding_test":
            pad[model] = max(pad[model], d)
        elif kind == "family_test":
            p = packed[model]
            p[0], p[1] = max(p[0], d), min(p[1], c)
    print("| Model | dtype | `last_hidden_state` max \\|Δ\\| | min cos | vectors max \\|Δ\\| | min cos |")
    print("|---|---|---|---|---|---|")
    for (model, dtype), e in enc.items():
        print(f"| {model} | {dtype} | {e[0]:.1e} | {e[1]:.8f} | {e[2]:.1e} | {e[3]:.8f} |")
    print("\nheads, logits and probabilities max |Δ|:", ", ".join(f"{k} {v:.1e}" for k, v in heads.items()))
    print("padding invariance max |Δ|:", ", ".join(f"{k} {v:.1e}" for k, v in pad.items()))
    print("packed batch vs alone:", ", ".join(f"{k} {v[0]:.1e} / {v[1]:.8f}" for k, v in packed.items()))


if __name__ == "__main__":
    main()
