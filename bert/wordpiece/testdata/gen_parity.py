"""Build the tokenizer parity corpus and the ids HF tokenizers gives for it.

    bert/wordpiece/testdata/fetch_fortunes.sh /tmp/fortunes
    $BERTBATCH_PYTHON bert/wordpiece/testdata/gen_parity.py build \
        --model-dir $BERTBATCH_MODEL_DIR --fortunes /tmp/fortunes

writes, next to this script:
  corpus.jsonl.gz          rows {"text", "text_pair"?, "source"}: a sample of Debian's fortunes
                           in 12 languages, pairs of fortunes, and hand-made edge cases
  parity.json              the variants (tokenizer folders) and the modes (rows, max length)
  expected/<variant>.jsonl.gz   {"row", "max_length", "input_ids", "token_type_ids"} per mode and row
  variants/<variant>/...   tokenizer files built here with the tokenizers API (gzipped when big)

Other subcommands, used by the opt-in full-corpus test (TestParityFortunesFull):
  corpus --fortunes DIR    print every fortune of DIR as JSON Lines
  encode --tokenizer FILE --max-length N    read JSON Lines rows on stdin, print the ids
"""

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys

import tokenizers
from tokenizers import AddedToken, Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.implementations import BertWordPieceTokenizer
from tokenizers.models import WordPiece

HERE = os.path.dirname(os.path.abspath(__file__))
# tokenizer_config.json's added_tokens_decoder as transformers writes it for a BERT vocabulary.
SPECIALS_DECODER = {str(i): {"content": c, "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False, "special": True}
                    for i, c in [(0, "[PAD]"), (100, "[UNK]"), (101, "[CLS]"), (102, "[SEP]"), (103, "[MASK]")]}
PER_PACKAGE = 160  # sampled fortunes per package
PAIRS_PER_PACKAGE = 30

from edge_cases import edge_singles, edge_pairs  # noqa: E402  (next to this script)


def read_fortunes(root):
    """Yield (source, text) for every distinct fortune of the unpacked packages, in a fixed order."""
    seen = set()
    for pkg in sorted(os.listdir(root)):
        games = os.path.join(root, pkg, "usr", "share", "games", "fortunes")
        if not os.path.isdir(games):
            continue
        for dirpath, dirnames, files in os.walk(games):
            dirnames.sort()
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                if name.endswith(".dat") or os.path.islink(path):
                    continue
                try:
                    text = open(path, "rb").read().decode("utf-8")
                except UnicodeDecodeError:
                    continue  # legacy 8-bit copies; the .u8 twin is read instead
                for fortune in text.split("\n%\n"):
                    fortune = fortune.strip("%\n")
                    if fortune and fortune not in seen:
                        seen.add(fortune)
                        yield f"{pkg}/{os.path.relpath(path, games)}", fortune


def sample(rows, n):
    if len(rows) <= n:
        return rows
    step = len(rows) / n
    return [rows[int(i * step)] for i in range(n)]


def build_corpus(fortunes_dir):
    by_pkg = {}
    for source, text in read_fortunes(fortunes_dir):
        by_pkg.setdefault(source.split("/")[0], []).append((source, text))
    groups = {"fortunes": [], "fortune_pairs": [], "edge": [], "edge_pairs": []}
    rows = []

    def add(group, row):
        groups[group].append(len(rows))
        rows.append(row)

    for pkg in sorted(by_pkg):
        picked = sample(by_pkg[pkg], PER_PACKAGE + PAIRS_PER_PACKAGE * 2)
        for source, text in picked[:PER_PACKAGE]:
            add("fortunes", {"text": text, "source": source})
        rest = picked[PER_PACKAGE:]
        for (s1, t1), (s2, t2) in zip(rest[0::2], rest[1::2]):
            add("fortune_pairs", {"text": t1, "text_pair": t2, "source": f"{s1} + {s2}"})
    for i, text in enumerate(edge_singles()):
        add("edge", {"text": text, "source": f"edge {i}"})
    for i, (a, b) in enumerate(edge_pairs()):
        add("edge_pairs", {"text": a, "text_pair": b, "source": f"edge pair {i}"})
    return rows, groups


def encode_rows(tok, rows, max_length):
    """Encode rows with truncation at max_length (0: the tokenizer's own truncation, if any)."""
    tok.no_padding()
    if max_length:
        own = tok.truncation or {}
        tok.enable_truncation(max_length, direction=own.get("direction", "right"))
    out = []
    inputs = [(r["text"], r["text_pair"]) if r.get("text_pair") is not None else r["text"] for r in rows]
    for enc in tok.encode_batch(inputs):
        out.append((enc.ids, enc.type_ids))
    return out


def bert_normalizer(lowercase, strip_accents=None):
    return normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=strip_accents, lowercase=lowercase
    )


def tiny_tokenizer(model_dir):
    """A small vocabulary with settings BERT models rarely use, to exercise the rest of the format."""
    words = [l.rstrip("\n") for l in open(os.path.join(model_dir, "vocab.txt"), encoding="utf-8")]
    keep = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<q>"]
    keep += [w for w in words if len(w) == 1]  # every single character
    keep += ["@@" + w[2:] for w in words if w.startswith("##") and len(w) == 3]
    keep += ["@@" + w[2:] for w in words[2000:30000] if w.startswith("##")][:1500]
    keep += [w for w in words[2000:5000] if not w.startswith("##")]
    vocab = {}
    for w in keep:
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(WordPiece(vocab, unk_token="[UNK]", continuing_subword_prefix="@@", max_input_chars_per_word=12))
    tok.normalizer = normalizers.Sequence([
        normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False),
        normalizers.Lowercase(),
    ])
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS]:2 $A:0 [SEP]:2",
        pair="[CLS]:2 $A:0 <q>:1 $B:1 [SEP2]:2",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"]), ("<q>", vocab["<q>"]),
                        {"id": "[SEP2]", "ids": [vocab["[SEP]"], vocab["[SEP]"]], "tokens": ["[SEP]", "[SEP]"]}],
    )
    tok.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.add_tokens([AddedToken("<q>", normalized=False, single_word=True)])
    tok.enable_truncation(24)
    return tok


def extras_tokenizer(model_dir):
    """The real vocabulary with added tokens of every kind, BertProcessing and left truncation."""
    tok = BertWordPieceTokenizer(os.path.join(model_dir, "vocab.txt"), lowercase=True)
    tok = Tokenizer.from_str(tok.to_str())
    tok.add_tokens([
        AddedToken("<ent>", lstrip=True, rstrip=True, normalized=False),
        AddedToken("New York", normalized=True),
        AddedToken("foo", single_word=True, normalized=False),
        AddedToken("[E1]", rstrip=True, normalized=False),
        AddedToken("hello", normalized=False),  # already in the vocabulary: keeps its id
        AddedToken("Ωmega", normalized=True),
    ])
    tok.enable_truncation(20, direction="left")
    return tok


def write_gz(path, data):
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(data)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def build(args):
    model_dir = args.model_dir
    rows, groups = build_corpus(args.fortunes)
    write_gz(os.path.join(HERE, "corpus.jsonl.gz"),
             "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode())
    shutil.rmtree(os.path.join(HERE, "variants"), ignore_errors=True)
    shutil.rmtree(os.path.join(HERE, "expected"), ignore_errors=True)
    os.makedirs(os.path.join(HERE, "expected"))

    uncased = lambda: Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))

    def cased():
        t = uncased()
        t.normalizer = bert_normalizer(lowercase=False, strip_accents=False)
        return t

    def sbert_lower():
        t = cased()
        t.normalizer = normalizers.Sequence([normalizers.Lowercase(), bert_normalizer(False, False)])
        return t

    fallback = lambda lower: lambda: BertWordPieceTokenizer(os.path.join(model_dir, "vocab.txt"), lowercase=lower)._tokenizer
    all_rows = ["fortunes", "fortune_pairs", "edge", "edge_pairs"]
    singles, pairs = ["fortunes", "edge"], ["fortune_pairs", "edge_pairs"]
    variants = {
        "uncased": dict(reference=uncased, model_files=["tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json"],
                        modes=[(all_rows, 512), (singles, 16), (singles, 2), (pairs, 3), (pairs, 4), (pairs, 7),
                               (pairs, 32), (pairs, 128), (all_rows, 0)], default=256),
        "cased": dict(reference=cased, write={"tokenizer.json": cased},
                      modes=[(all_rows, 512), (singles, 16), (pairs, 5), (pairs, 32), (pairs, 128), (all_rows, 0)]),
        "fallback-uncased": dict(reference=fallback(True), model_files=["vocab.txt"],
                                 configs={"tokenizer_config.json": {"do_lower_case": True, "model_max_length": 512,
                                                                   "added_tokens_decoder": SPECIALS_DECODER}},
                                 modes=[(all_rows, 512), (pairs, 32), (all_rows, 0)], default=512),
        "fallback-cased": dict(reference=fallback(False), model_files=["vocab.txt"],
                               configs={"tokenizer_config.json": {"do_lower_case": False},
                                        "sentence_bert_config.json": {"max_seq_length": 64, "do_lower_case": False}},
                               modes=[(all_rows, 512), (pairs, 32), (all_rows, 0)], default=64),
        "sbert-lower": dict(reference=sbert_lower, copy_from="cased",  # the same tokenizer.json
                            configs={"sentence_bert_config.json": {"max_seq_length": 200, "do_lower_case": True}},
                            modes=[(all_rows, 0)], default=200),
        "extras": dict(reference=lambda: extras_tokenizer(model_dir), write={"tokenizer.json": lambda: extras_tokenizer(model_dir)},
                       modes=[(["edge", "edge_pairs"], 0), (all_rows, 64)]),
        "tiny": dict(reference=lambda: tiny_tokenizer(model_dir), write={"tokenizer.json": lambda: tiny_tokenizer(model_dir)},
                     modes=[(all_rows, 0), (all_rows, 40)]),
    }
    manifest = {
        "tokenizers": tokenizers.__version__,
        "model_sha256": {f: sha256(os.path.join(model_dir, f)) for f in
                         ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json"]},
        "groups": groups,
        "variants": {},
    }
    for name, v in variants.items():
        vdir = os.path.join(HERE, "variants", name)
        os.makedirs(vdir)
        files = []
        for fname, make in v.get("write", {}).items():
            data = make().to_str().encode()
            write_gz(os.path.join(vdir, fname + ".gz"), data) if len(data) > 50000 else open(os.path.join(vdir, fname), "wb").write(data)
        for fname, cfg in v.get("configs", {}).items():
            with open(os.path.join(vdir, fname), "w") as f:
                json.dump(cfg, f, indent=2)
        modes, lines = [], []
        for m, (group_names, max_length) in enumerate(v["modes"]):
            idx = [i for g in group_names for i in groups[g]]
            # max_length 0 stands for the limit bertbatch picks by itself: "default" where the
            # folder's configs set one, else the tokenizer.json truncation.
            tok = v["reference"]()
            ref_length = max_length or v.get("default") or (tok.truncation or {}).get("max_length", 0)
            got = encode_rows(tok, [rows[i] for i in idx], ref_length)
            for i, (ids, types) in zip(idx, got):
                lines.append((i, m, json.dumps({"row": i, "max_length": max_length, "input_ids": ids,
                                                "token_type_ids": types}, separators=(",", ":"))))
            modes.append({"groups": group_names, "max_length": max_length, "reference_max_length": ref_length})
        lines.sort()  # all modes of a row side by side: they share prefixes, which gzip sees
        write_gz(os.path.join(HERE, "expected", name + ".jsonl.gz"), "".join(l + "\n" for _, _, l in lines).encode())
        manifest["variants"][name] = {"model_files": v.get("model_files", []), "files_from": v.get("copy_from"),
                                      "modes": modes}
    with open(os.path.join(HERE, "parity.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{len(rows)} rows; groups " + ", ".join(f"{g}={len(i)}" for g, i in groups.items()))


def corpus(args):
    for source, text in read_fortunes(args.fortunes):
        print(json.dumps({"text": text, "source": source}, ensure_ascii=False))


def encode(args):
    tok = Tokenizer.from_file(args.tokenizer)
    rows = [json.loads(line) for line in sys.stdin]
    for ids, types in encode_rows(tok, rows, args.max_length):
        print(json.dumps({"input_ids": ids, "token_type_ids": types}, separators=(",", ":")))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--model-dir", required=True)
    b.add_argument("--fortunes", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("--fortunes", required=True)
    e = sub.add_parser("encode")
    e.add_argument("--tokenizer", required=True)
    e.add_argument("--max-length", type=int, default=0)
    args = p.parse_args()
    {"build": build, "corpus": corpus, "encode": encode}[args.cmd](args)


if __name__ == "__main__":
    main()
