"""Prints the table of bench/gpu_e2e.sh from its JSON lines: per shape, the engine's tokens/s, each
bertbatch run's tokens/s and rows/s with its share of the engine's tokens/s, and sentence-transformers'
rows/s on the same texts with bertbatch's multiple of it, each beside its bar.

Usage: python bench/e2e_table.py e2e.jsonl BIG SMALL
"""
import json
import sys

BARS = {"tokens-big": 0.90, "tokens-small": 0.60, "text": 0.70}
ST_BARS = {"minilm-l6": 10.0, "bert-base": 4.0}


def main():
    path, big, small = sys.argv[1], sys.argv[2], sys.argv[3]
    lines = [json.loads(l) for l in open(path) if l.strip()]
    shapes = list(dict.fromkeys(l["shape"] for l in lines))
    print("| shape | measure | rows | tokens/s | rows/s | × engine tokens/s | bar | × ST rows/s | bar |")
    print("|---|---|---|---|---|---|---|---|---|")
    for shape in shapes:
        mine = [l for l in lines if l["shape"] == shape]
        engine = next((l for l in mine if l["bench"] == "e2e-engine"), None)
        st = next((l for l in mine if l["bench"] == "e2e-peer"), None)
        runs = {l["name"]: l for l in mine if l["bench"] == "e2e-run"}
        e_tps = engine["tokens_per_s"] if engine else None
        if engine:
            print(f"| {shape} | engine (gpuprof -pack) | {engine['rows']:,} | {e_tps:,.0f} | {engine['rows_per_s']:,.0f} | 1 | | | |")
        for key, label, name in [("tokens-big", f"run, {int(big):,} token rows", f"tokens-{big}-{shape}"),
                                 ("tokens-small", f"run, {int(small):,} token rows", f"tokens-{small}-{shape}"),
                                 ("text", f"run from text, {int(big):,} texts", f"text-{big}-{shape}")]:
            r = runs.get(name)
            if r is None:
                continue
            share = f"{r['tokens_per_s'] / e_tps:.2f}" if e_tps else "—"
            ok = "" if not e_tps else ("ok" if r["tokens_per_s"] / e_tps >= BARS[key] else "below")
            cells = ["", ""]
            if key == "text" and st:
                times = r["rows_per_s"] / st["rows_per_s"]
                want = ST_BARS.get(shape)
                cells = [f"{times:.1f}", f"≥ {want:g}× {'ok' if times >= want else 'below'}" if want else ""]
            print(f"| {shape} | {label} | {r['rows']:,} | {r['tokens_per_s']:,.0f} | {r['rows_per_s']:,.0f} | {share} | "
                  f"≥ {BARS[key]:.0%} {ok} | {cells[0]} | {cells[1]} |")
        if st:
            print(f"| {shape} | {st['peer']}, {st['dtype']}, batch {st['batch']} | {st['rows']:,} | {st['tokens_per_s']:,.0f} | "
                  f"{st['rows_per_s']:,.0f} | | | 1 | |")


if __name__ == "__main__":
    main()
