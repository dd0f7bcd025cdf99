#!/usr/bin/env python3
"""Build the bertbatch wheel around a bertbatch binary, with the standard library only.

    build-wheel.py --binary BIN --version V --platform TAG --mlx-version X --out DIR
                   [--license NAME=FILE ...] [--lib FILE ...]

The wheel (PEP 427) holds:
  bertbatch/                  the Python package of python/bertbatch (launcher, `python -m bertbatch`)
  bertbatch/_build.py         written here: the version and the MLX backend the binary was built against
  bertbatch/bin/bertbatch     the binary (mode 755), its run path already set by the caller
  bertbatch.libs/             each --lib file, under its own name (libraries the binary loads besides MLX)
  bertbatch-V.dist-info/      METADATA (2.4), WHEEL, entry_points.txt (console script `bertbatch`),
                              licenses/ (each --license), RECORD (sha256 and size of every file)

The MLX backend is a dependency pinned to the exact version, chosen by the platform tag: Linux
`mlx-cpu`, with the extra `cuda` for `mlx-cuda-13`; macOS `mlx-metal`. Entries are sorted and dated
SOURCE_DATE_EPOCH (default 1980-01-01), so the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "python" / "bertbatch"
NAME = "bertbatch"
SUMMARY = "Datasets (Parquet, Arrow, CSV, JSON Lines) to embeddings with BERT-family models through MLX"
REQUIRES_PYTHON = ">=3.10"


class Backend:
    """The MLX backend wheels a platform's binary links against."""

    def __init__(self, default: str, extras: dict[str, str], library: str):
        self.default = default  # installed with bertbatch
        self.extras = extras  # extra name -> the backend wheel it installs instead
        self.library = library  # the file the binary loads from mlx/lib

    def names(self) -> list[str]:
        return [self.default, *self.extras.values()]


def backend_for(platform: str) -> Backend:
    if platform.startswith(("manylinux", "linux")) and platform.endswith("_x86_64"):
        return Backend("mlx-cpu", {"cuda": "mlx-cuda-13"}, "libmlx.so")
    if platform.startswith("macosx") and platform.endswith("_arm64"):
        return Backend("mlx-metal", {}, "libmlx.dylib")
    raise SystemExit(f"build-wheel: no MLX backend wheel for platform tag {platform!r}")


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def metadata(version: str, mlx_version: str, backend: Backend, licenses: list[str]) -> str:
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {NAME}",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        "Home-page: https://github.com/bertbatch/bertbatch",
        f"Requires-Python: {REQUIRES_PYTHON}",
        *(f"License-File: {name}" for name in licenses),
        f"Requires-Dist: {backend.default}=={mlx_version}",
    ]
    for extra, wheel in backend.extras.items():
        lines += [f"Provides-Extra: {extra}", f'Requires-Dist: {wheel}=={mlx_version}; extra == "{extra}"']
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + (ROOT / "README.md").read_text(encoding="utf-8")


def build_module(version: str, mlx_version: str, backend: Backend) -> str:
    return (
        '"""Written by scripts/build-wheel.py: what this wheel\'s binary was built against."""\n\n'
        f"VERSION = {version!r}\n"
        f"MLX_VERSION = {mlx_version!r}\n"
        f"MLX_BACKENDS = {tuple(backend.names())!r}\n"
        f"MLX_LIBRARY = {backend.library!r}\n"
    )


def parse_pairs(values: list[str], flag: str) -> list[tuple[str, Path]]:
    pairs = []
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or "/" in name:
            raise SystemExit(f"build-wheel: {flag} {v!r}: expected NAME=FILE")
        pairs.append((name, Path(path)))
    return pairs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, type=Path)
    ap.add_argument("--version", required=True)
    ap.add_argument("--platform", required=True, help="platform tag, e.g. manylinux_2_35_x86_64")
    ap.add_argument("--mlx-version", required=True)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--license", action="append", default=[], help="NAME=FILE, into dist-info/licenses/NAME")
    ap.add_argument("--lib", action="append", default=[], type=Path, help="a library for bertbatch.libs/")
    args = ap.parse_args()

    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?(\+[a-z0-9.]+)?", args.version):
        raise SystemExit(f"build-wheel: --version {args.version!r} is not a PEP 440 version")
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", args.mlx_version):
        raise SystemExit(f"build-wheel: --mlx-version {args.mlx_version!r} is not X.Y.Z")
    backend = backend_for(args.platform)
    licenses = parse_pairs(args.license, "--license")
    distinfo = f"{NAME}-{args.version}.dist-info"

    files: dict[str, tuple[bytes, int]] = {}  # archive path -> (content, mode)
    for src in sorted(PACKAGE.glob("*.py")):
        files[f"{NAME}/{src.name}"] = (src.read_bytes(), 0o644)
    files[f"{NAME}/_build.py"] = (build_module(args.version, args.mlx_version, backend).encode(), 0o644)
    files[f"{NAME}/bin/{NAME}"] = (args.binary.read_bytes(), 0o755)
    for lib in args.lib:
        files[f"{NAME}.libs/{lib.name}"] = (lib.read_bytes(), 0o755)
    for name, path in licenses:
        files[f"{distinfo}/licenses/{name}"] = (path.read_bytes(), 0o644)
    meta = metadata(args.version, args.mlx_version, backend, [f"licenses/{n}" for n, _ in licenses])
    files[f"{distinfo}/METADATA"] = (meta.encode(), 0o644)
    wheel = f"Wheel-Version: 1.0\nGenerator: bertbatch scripts/build-wheel.py\nRoot-Is-Purelib: false\nTag: py3-none-{args.platform}\n"
    files[f"{distinfo}/WHEEL"] = (wheel.encode(), 0o644)
    files[f"{distinfo}/entry_points.txt"] = (f"[console_scripts]\n{NAME} = {NAME}:main\n".encode(), 0o644)
    record = [f"{path},{record_hash(data)},{len(data)}" for path, (data, _) in sorted(files.items())]
    record.append(f"{distinfo}/RECORD,,")
    files[f"{distinfo}/RECORD"] = ("\n".join(record).encode() + b"\n", 0o644)

    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{NAME}-{args.version}-py3-none-{args.platform}.whl"
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        # dist-info last, as PEP 427 recommends; RECORD the very last entry.
        order = sorted(files, key=lambda p: (p.startswith(distinfo), p == f"{distinfo}/RECORD", p))
        for path in order:
            data, mode = files[path]
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    partial.replace(target)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
