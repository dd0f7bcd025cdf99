#!/usr/bin/env bash
# Download Debian's fortunes packages (several languages) with apt-get and unpack each into
# DEST/<package>/. No root needed. The parity corpus generator (gen_parity.py) reads them.
# Usage: fetch_fortunes.sh DEST
set -euo pipefail
dest=${1:?usage: fetch_fortunes.sh DEST}
pkgs=(fortunes fortunes-min fortunes-bg fortunes-br fortunes-cs fortunes-de fortunes-eo fortunes-es
      fortunes-ga fortunes-it fortunes-pl fortunes-ru fortunes-zh)
mkdir -p "$dest/debs"
(cd "$dest/debs" && apt-get download "${pkgs[@]}")
for p in "${pkgs[@]}"; do
  deb=$(ls "$dest/debs/${p}_"*.deb)
  rm -rf "$dest/${p:?}" && dpkg -x "$deb" "$dest/$p"
  echo "$p $(dpkg-deb -f "$deb" Version)"
done | tee "$dest/versions.txt"
