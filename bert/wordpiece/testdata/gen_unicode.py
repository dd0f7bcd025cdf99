"""Record what HF tokenizers does with every Unicode code point, one character at a time.

Writes unicode_reference.json.gz next to this script. The file is the reference for
TestUnicodeSweep and the input of gen_tables.go (which derives the version-skew tables in
unicode_tables.go). Run with the project's Python:

    $BERTBATCH_PYTHON bert/wordpiece/testdata/gen_unicode.py
"""

import gzip
import json
import os
import sys
import unicodedata

import tokenizers
from tokenizers import normalizers, pre_tokenizers


def bert(clean=False, chinese=False, strip=False, lower=False):
    return normalizers.BertNormalizer(
        clean_text=clean, handle_chinese_chars=chinese, strip_accents=strip, lowercase=lower
    )


def ranges(cps):
    out = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def main():
    clean, chinese = bert(clean=True), bert(chinese=True)
    strip, lower = bert(strip=True), bert(lower=True)
    pretok = pre_tokenizers.BertPreTokenizer()
    nfd = normalizers.NFD()  # the NFD strip_accents runs
    removed, space, cjk, punct, white, reorders = [], [], [], [], [], []
    stripped, lowered = {}, {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue  # not representable in a Python str passed to Rust
        c = chr(cp)
        got = clean.normalize_str(c)
        if got == "":
            removed.append(cp)
        elif got == " " and c != " ":
            space.append(cp)
        elif got != c:
            sys.exit(f"clean_text turned U+{cp:04X} into {got!r}")
        got = chinese.normalize_str(c)
        if got == f" {c} ":
            cjk.append(cp)
        elif got != c:
            sys.exit(f"handle_chinese_chars turned U+{cp:04X} into {got!r}")
        got = strip.normalize_str(c)
        if got != c:
            stripped[cp] = got
        got = lower.normalize_str(c)
        if got != c:
            lowered[cp] = got
        # A combining class below 240 (that of U+0345) puts c before U+0345 in NFD.
        if nfd.normalize_str("\u0345" + c) != "\u0345" + nfd.normalize_str(c):
            reorders.append(cp)
        words = [w for w, _ in pretok.pre_tokenize_str("a" + c + "a")]
        if words == ["a", "a"]:
            white.append(cp)
        elif words == ["a", c, "a"]:
            punct.append(cp)
        elif words != ["a" + c + "a"]:
            sys.exit(f"BertPreTokenizer split a U+{cp:04X} a into {words!r}")
    # Sequences of combining marks, where canonical reordering happens: every mark Python's own
    # Unicode tables know next to marks of other classes, after a letter and after U+11938.
    marks = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and unicodedata.combining(chr(cp))]
    sequences = {}
    for m in marks:
        for seq in ("a" + m + "\u0316\u0301" + m + "b", "\U00011938" + m + "\u0345", "a\U0001D165" + m + "\u1DFA"):
            sequences[seq] = {"nfd": nfd.normalize_str(seq), "strip_accents": strip.normalize_str(seq)}
    doc = {
        "tokenizers": tokenizers.__version__,
        "clean_removed": ranges(removed),
        "clean_space": ranges(space),
        "chinese": ranges(cjk),
        "pretok_whitespace": ranges(white),
        "pretok_punct": ranges(punct),
        "nfd_moves_before_u0345": ranges(reorders),
        "strip_accents": {str(k): v for k, v in stripped.items()},
        "mark_sequences": sequences,
        "lowercase": {str(k): v for k, v in lowered.items()},
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unicode_reference.json.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(json.dumps(doc, ensure_ascii=True, sort_keys=True).encode())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
