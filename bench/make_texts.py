"""Writes a Parquet file of real texts for the end-to-end benchmarks (bench/gpu_e2e.sh): English prose
from the docstrings of the Python packages named (their documentation paragraphs: natural sentences
of 30 to 600 characters, code and tables left out), then the fortunes of testdata/demo (12 languages),
deduplicated, in a fixed pseudo-random order, the first ROWS of them (repeated when there are fewer;
ROWS 0: each distinct text once).

Usage: python bench/make_texts.py OUT.parquet ROWS [PACKAGE ...]
       (default packages: transformers torch numpy scipy sklearn; run with .venv-ref/bin/python, which has them)
"""
import ast
import hashlib
import importlib.util
import pathlib
import re
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPACE = re.compile(r"\s+")
CODE = re.compile(r"(>>>|::|\bdef\b|\breturn\b|[{}\[\]=<>`|_]{1})")


def paragraphs(doc):
    for para in re.split(r"\n\s*\n", doc):
        text = SPACE.sub(" ", para).strip()
        if not 30 <= len(text) <= 600 or CODE.search(text):
            continue
        letters = sum(c.isalpha() or c == " " for c in text)
        if letters < 0.85 * len(text) or not text[0].isupper() or text[-1] not in ".!?":
            continue
        yield text


def docstrings(package):
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"make_texts: package {package} is not installed in {sys.executable}")
    for path in sorted(pathlib.Path(spec.submodule_search_locations[0]).rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    yield from paragraphs(doc)


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    packages = sys.argv[3:] or ["transformers", "torch", "numpy", "scipy", "sklearn"]
    seen, texts = set(), []
    for package in packages:
        for text in docstrings(package):
            if text not in seen:
                seen.add(text)
                texts.append(text)
    for text in pq.read_table(ROOT / "testdata" / "demo" / "fortunes.parquet").column("text").to_pylist():
        if text and text not in seen:
            seen.add(text)
            texts.append(text)
    texts.sort(key=lambda t: hashlib.sha256(t.encode()).digest())
    distinct = len(texts)
    rows = rows or distinct
    texts = (texts * (rows // distinct + 1))[:rows]
    pq.write_table(pa.table({"id": pa.array(range(rows), pa.int64()), "text": pa.array(texts, pa.string())}),
                   out, compression="zstd", row_group_size=10000)
    print(f"{out}: {rows} texts, {distinct} distinct", file=sys.stderr)


if __name__ == "__main__":
    main()
