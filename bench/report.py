"""Prints the tables of one `make bench` run (bench/results/<time>/results.jsonl) as markdown."""
import json
import pathlib
import sys

SHAPES = {"all-MiniLM-L6-v2": (384, 6, 1536), "minilm-l6": (384, 6, 1536), "all-mpnet-base-v2": (768, 12, 3072), "bert-base": (768, 12, 3072), "bert-large": (1024, 24, 4096)}


def flop_per_token(model):
    h, layers, inter = SHAPES.get(model, SHAPES["all-MiniLM-L6-v2"])
    return 2 * layers * (4 * h * h + 2 * h * inter)


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def main():
    out = pathlib.Path(sys.argv[1])
    rs = [json.loads(l) for l in (out / "results.jsonl").read_text().splitlines() if l.strip()]
    by = lambda kind: [r for r in rs if r["bench"] == kind]
    machine = by("machine")[0]
    peak = next((r["gflops"] for r in by("matmul_peak")), None)
    print(f"### bertbatch benchmark — {machine['date']}, {machine['cpu']}, {machine['cores']} cores\n")
    print(f"Command: `make bench` (results in {out}). Matmul peak through MLX (2048³ float32): {fmt(peak, 1)} GFLOP/s.\n")

    def mfu(r, model):
        return None if not peak else 100 * r["tokens_per_s"] * flop_per_token(model) / 1e9 / peak

    st = next((r for r in by("peer") if r["peer"].startswith("sentence-transformers") and r.get("model", "all-MiniLM-L6-v2") == "all-MiniLM-L6-v2"), None)
    torch_tok = next((r for r in by("peer") if r["peer"].startswith("transformers") and r.get("model") == "all-MiniLM-L6-v2"), None)
    rows = []
    for r in by("e2e"):
        if r["name"] in ("tokens", "texts"):
            base = st if r["name"] == "texts" else torch_tok
            rows.append((f"bertbatch run (Parquet → Parquet), {r['workers']} workers", r["name"], r, base))
    for r in by("model"):
        if r["model"] == "all-MiniLM-L6-v2":
            what = f"bertbatch engine only, {r['workers']} workers" + (f", {r['quantize_bits']}-bit weights" if r["quantize_bits"] else "")
            rows.append((what, "tokens", r, torch_tok))
    for r in by("peer"):
        if r.get("model", "all-MiniLM-L6-v2") == "all-MiniLM-L6-v2":
            rows.append((r["peer"], r["workload"], r, st if r["workload"] == "texts" else torch_tok))
    print("#### all-MiniLM-L6-v2 (real weights), float32, CPU\n")
    print("| what | workload | rows/s | tokens/s | × peer | padding | peak RSS MB | MFU % | cosine vs fp32 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for what, wl, r, base in rows:
        ratio = None if not base or base is r else r["rows_per_s"] / base["rows_per_s"]
        cos = r.get("cosine_vs_fp32_min")
        print(f"| {what} | {wl} | {fmt(r['rows_per_s'], 1)} | {fmt(r['tokens_per_s'])} | {fmt(ratio, 2)} | "
              f"{fmt(r.get('padding_ratio'), 3)} | {fmt(r.get('peak_rss_mb'))} | {fmt(mfu(r, 'all-MiniLM-L6-v2'), 1)} | "
              f"{'–' if cos is None else f'min {cos:.5f}'} |")
    print("\n× peer: rows/s over sentence-transformers `encode` (texts) or transformers BertModel (tokens), same rows, same run.")
    e2e = next((r for r in by("e2e") if r["name"] == "tokens"), None)
    only = max((r for r in by("model") if r["model"] == "all-MiniLM-L6-v2" and not r["quantize_bits"]), key=lambda r: r["tokens_per_s"], default=None)
    if e2e and only:
        print(f"End to end reaches {100 * e2e['tokens_per_s'] / only['tokens_per_s']:.0f}% of the engine-only throughput on the same rows.\n")

    mpnet_table(by, mfu)
    shapes = [r for r in by("model") if r["model"] in ("bert-base", "bert-large")]
    if shapes:
        print("#### bert-base and bert-large shapes (random weights), float32, CPU\n")
        print("| model | what | rows | tokens/s | MFU % |")
        print("|---|---|---|---|---|")
        for r in shapes:
            print(f"| {r['model']} | bertbatch engine, {r['workers']} workers | {r['rows']} | {fmt(r['tokens_per_s'])} | {fmt(mfu(r, r['model']), 1)} |")
            peer = next((p for p in by("peer") if p.get("model") == r["model"]), None)
            if peer:
                print(f"| {r['model']} | {peer['peer']} | {peer['rows']} | {fmt(peer['tokens_per_s'])} | {fmt(mfu(peer, r['model']), 1)} |")
        print()
    if by("sgemm"):
        print("#### sgemm through MLX\n")
        print("| BLAS | n | GFLOP/s |")
        print("|---|---|---|")
        for r in by("sgemm"):
            print(f"| {r['blas']} | {r['n']} | {fmt(r['gflops'], 1)} |")
        print()
    rss = [r for r in by("e2e") if r["name"].startswith("rss-")]
    if rss:
        print("#### Peak RSS against input size (bertbatch run, tiny-bert, 8–32-token rows)\n")
        print("| rows | seconds | rows/s | peak RSS MB |")
        print("|---|---|---|---|")
        for r in rss:
            print(f"| {r['rows']:,} | {fmt(r['seconds'], 1)} | {fmt(r['rows_per_s'])} | {fmt(r['peak_rss_mb'])} |")
        print()
    tok = out / "tokenizer.txt"
    if tok.exists():
        print("#### Tokenizer (bench/tokenizer.sh)\n\n```\n" + tok.read_text().strip() + "\n```")


def mpnet_table(by, mfu):
    """all-mpnet-base-v2 end to end beside sentence-transformers encode on the same texts."""
    run = next((r for r in by("e2e") if r["name"] == "mpnet"), None)
    if not run:
        return
    peer = next((r for r in by("peer") if r.get("model") == "all-mpnet-base-v2"), None)
    print(f"#### all-mpnet-base-v2 (real weights), float32, CPU, {run['rows']} texts\n")
    print("| what | rows/s | tokens/s | × peer | padding | peak RSS MB | MFU % |")
    print("|---|---|---|---|---|---|---|")
    for what, r in ((f"bertbatch run (Parquet → Parquet), {run['workers']} workers", run), (peer and f"{peer['peer']}, {peer['threads']} threads", peer)):
        if r:
            ratio = None if not peer or r is peer else r["rows_per_s"] / peer["rows_per_s"]
            print(f"| {what} | {fmt(r['rows_per_s'], 1)} | {fmt(r['tokens_per_s'])} | {fmt(ratio, 2)} | {fmt(r.get('padding_ratio'), 3)} | "
                  f"{fmt(r.get('peak_rss_mb'))} | {fmt(mfu(r, 'all-mpnet-base-v2'), 1)} |")
    print("\nMFU counts bert-base's matmul FLOPs per token (MPNet's relative position bias left out).\n")


if __name__ == "__main__":
    main()
