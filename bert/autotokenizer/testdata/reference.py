"""Tokenizer files for the parity tests of bert/autotokenizer, and the ids HF tokenizers gives.

    variants --src DIR --out DIR
        DIR (made by scripts/fetch-tokenizers.sh) holds multilingual-e5-small/tokenizer.json and
        all-mpnet-base-v2/ from their PyPI packages. Writes one folder per variant under --out:
        the real files, variants of them that exercise other settings of the same components,
        and byte-level and other BPE tokenizers trained here with tokenizers' own trainer on
        the parity corpus of bert/wordpiece (no RoBERTa or ModernBERT tokenizer.json is on PyPI).
    encode --tokenizer FILE --max-length N[,N...]
        reads JSON Lines rows {"text", "text_pair"?} on stdin and prints, for each limit and row,
        {"max_length", "input_ids", "token_type_ids"} (0: no truncation beyond the file's own).
"""

import argparse
import copy
import gzip
import json
import os
import sys

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "wordpiece", "testdata", "corpus.jsonl.gz")


def corpus_texts():
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            yield row["text"]
            if row.get("text_pair"):
                yield row["text_pair"]


def write(out, name, data):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)


def unigram_variants(src, out):
    with open(os.path.join(src, "multilingual-e5-small", "tokenizer.json"), encoding="utf-8") as f:
        e5 = json.load(f)
    write(out, "e5", e5)
    v = copy.deepcopy(e5)
    v["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True}
    write(out, "e5-first", v)
    v = copy.deepcopy(e5)
    v["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": False}
    v["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": True}
    write(out, "e5-never-nosplit", v)
    # Byte fallback: the 256 byte tokens appended to the vocabulary, and added tokens of each kind.
    v = copy.deepcopy(e5)
    v["model"]["vocab"] += [[f"<0x{b:02X}>", -30.0] for b in range(256)]
    v["model"]["byte_fallback"] = True
    # Added tokens get their ids from tokenizers itself ("wor" is already in the vocabulary).
    tok = Tokenizer.from_str(json.dumps(v))
    tok.add_special_tokens([AddedToken("[X]", lstrip=True, rstrip=True, normalized=False)])
    tok.add_tokens([AddedToken("\ufb01x", normalized=True), AddedToken("wor", single_word=True, normalized=True)])
    write(out, "e5-bytes-added", json.loads(tok.to_str()))


def mpnet_variants(src, out):
    d = os.path.join(out, "mpnet")
    os.makedirs(d, exist_ok=True)
    for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "sentence_bert_config.json", "vocab.txt"]:
        with open(os.path.join(src, "all-mpnet-base-v2", name), "rb") as f:
            data = f.read()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    # The WordPiece model behind other components than BERT's.
    with open(os.path.join(src, "all-mpnet-base-v2", "tokenizer.json"), encoding="utf-8") as f:
        v = json.load(f)
    v["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]}
    v["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Punctuation"},
                                                                {"type": "Digits", "individual_digits": True}]}
    write(out, "mpnet-generic", v)


def train_bpe(trainer_args, pre, normalizer=None):
    tok = Tokenizer(models.BPE(unk_token=trainer_args.pop("unk", None)))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.train_from_iterator(corpus_texts(), trainers.BpeTrainer(show_progress=False, **trainer_args))
    return json.loads(tok.to_str())


def bpe_variants(out):
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    # RoBERTa's layout: ByteLevel without a prefix space, RobertaProcessing, <mask> with lstrip.
    v = train_bpe({"vocab_size": 3000, "special_tokens": specials,
                   "initial_alphabet": pre_tokenizers.ByteLevel.alphabet()},
                  pre_tokenizers.ByteLevel(add_prefix_space=False))
    v["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": False}
    v["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    for t in v["added_tokens"]:
        if t["content"] == "<mask>":
            t["lstrip"] = True
    write(out, "bpe-roberta", v)
    # The same with merges written as "a b" strings (the older format), ignore_merges and a
    # ByteLevel post-processor in a Sequence with a template.
    s = copy.deepcopy(v)
    s["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in s["model"]["merges"]]
    s["model"]["ignore_merges"] = True
    s["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    s["post_processor"] = {"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "</s>", "type_id": 0}}],
         "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                  {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                  {"SpecialToken": {"id": "</s>", "type_id": 1}}],
         "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                            "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}}]}
    write(out, "bpe-strings-ignore-merges", s)
    # ByteLevel without its regex, after a Split on a pattern.
    s = copy.deepcopy(v)
    s["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "[0-9]{1,3}"}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
    write(out, "bpe-split-noregex", s)
    # Characters, not bytes: a small alphabet leaves unknown characters (fused), with
    # continuing_subword_prefix and end_of_word_suffix, and the other shared components.
    w = train_bpe({"vocab_size": 2000, "special_tokens": ["[UNK]", "[CLS]", "[SEP]", "[PAD]"], "limit_alphabet": 120,
                   "continuing_subword_prefix": "##", "end_of_word_suffix": "</w>", "unk": "[UNK]"},
                  pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(),
                                           pre_tokenizers.Digits(individual_digits=True)]),
                  normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip(),
                                        normalizers.Replace("``", '"')]))
    w["model"]["fuse_unk"] = True
    w["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]}
    write(out, "bpe-chars-unk", w)
    x = copy.deepcopy(w)
    x["model"]["fuse_unk"] = False
    x["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Prepend", "prepend": "_"},
                                                           {"type": "NFC"}]}
    x["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Whitespace"}, {"type": "Digits", "individual_digits": False},
        {"type": "Split", "pattern": {"String": "e"}, "behavior": "MergedWithPrevious", "invert": False},
        {"type": "Split", "pattern": {"String": "a"}, "behavior": "MergedWithNext", "invert": False},
        {"type": "Split", "pattern": {"String": "o"}, "behavior": "Contiguous", "invert": False},
        {"type": "Split", "pattern": {"String": "i"}, "behavior": "Removed", "invert": False}]}
    write(out, "bpe-chars-splits", x)


def variants(args):
    os.makedirs(args.out, exist_ok=True)
    unigram_variants(args.src, args.out)
    mpnet_variants(args.src, args.out)
    bpe_variants(args.out)


def encode(args):
    tok = Tokenizer.from_file(args.tokenizer)
    tok.no_padding()
    own = tok.truncation or {}
    rows = [json.loads(line) for line in sys.stdin]
    inputs = [(r["text"], r["text_pair"]) if r.get("text_pair") is not None else r["text"] for r in rows]
    w = sys.stdout
    for n in [int(x) for x in args.max_length.split(",")]:
        if n:
            tok.enable_truncation(n, direction=own.get("direction", "right"))
        elif own:
            tok.enable_truncation(own["max_length"], direction=own.get("direction", "right"))
        else:
            tok.no_truncation()
        for enc in tok.encode_batch(inputs):
            w.write(json.dumps({"max_length": n, "input_ids": enc.ids, "token_type_ids": enc.type_ids},
                               separators=(",", ":")) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("variants")
    v.add_argument("--src", required=True)
    v.add_argument("--out", required=True)
    e = sub.add_parser("encode")
    e.add_argument("--tokenizer", required=True)
    e.add_argument("--max-length", default="0")
    args = p.parse_args()
    {"variants": variants, "encode": encode}[args.cmd](args)


if __name__ == "__main__":
    main()
