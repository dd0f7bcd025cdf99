#!/usr/bin/env bash
# The wheel as a user meets it: a fresh venv outside the repository, `pip install` of the wheel (MLX
# from the package registry), then from another folder `bertbatch version`, `python -m bertbatch`,
# `bertbatch validate` and an embedding job on the tiny test model and on all-MiniLM-L6-v2, whose
# output must hold the same embedding bytes as the same job run by the repository build; last,
# the MLX backend wheel uninstalled, the message that names it.
#
# Usage: test-wheel.sh WHEEL REPO_BINARY REPO_PY MODEL_DIR
#   REPO_PY: a python with pyarrow (the repository's .venv), to cut the input and compare outputs.
# Each check prints "ok NAME" or "FAIL NAME"; the last line counts them. Exit 1 when one failed.
set -uo pipefail
wheel=$(readlink -f "$1") repo_bin=$(readlink -f "$2") repo_py=$3 model=$(readlink -f "$4")
root=$(cd "$(dirname "$0")/.." && pwd -P)
mlx_version=$(grep -Eo '^mlx(\[[a-z0-9]+\])?==[0-9.]+' "$root/python/requirements-cpu.txt" | sed 's/.*==//')
version=$(basename "$wheel" | cut -d- -f2)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bertbatch-wheel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # NAME COMMAND...: run, count, show the output of a failure
	local name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		sed 's/^/     /' "$tmp/check.log" | tail -30
		failed=$((failed + 1))
	fi
}
seconds() { python3 -c 'import time; print(f"{time.time():.3f}")'; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$1" "$(seconds)"; }
# The backend wheel, and whether `bertbatch version` can name the libraries (/proc/self/maps) and OpenBLAS.
case "$(uname -s)" in
Darwin) backend=mlx-metal linux="" ;;
*) backend=mlx-cpu linux=1 ;;
esac

python3 -m venv "$tmp/venv"
t0=$(seconds)
check "pip install $(basename "$wheel")" "$tmp/venv/bin/pip" install -q --disable-pip-version-check "$wheel"
echo "     install: $(elapsed "$t0")"
bb=$tmp/venv/bin/bertbatch
site=$(cd "$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" && pwd -P)
mkdir -p "$tmp/work" && cd "$tmp/work" || exit 1

version_shows() {
	local out
	out=$("$@" version) || return 1
	echo "$out"
	grep -qx "bertbatch $version" <<<"$out" || return 1
	if [ -z "$linux" ]; then
		grep -qx "mlx $mlx_version" <<<"$out"
		return
	fi
	grep -qxF "mlx $mlx_version ($site/mlx/lib/libmlx.so)" <<<"$out" &&
		grep -qxF "blas: openblas ($site/bertbatch.libs/libopenblas.so.0)" <<<"$out"
}
check "bertbatch version: $version, MLX $mlx_version from the venv${linux:+, OpenBLAS from the wheel}" version_shows "$bb"
check "python -m bertbatch version" version_shows "$tmp/venv/bin/python" -m bertbatch

# 128 fortunes and one job file per model; the same job for the wheel and the repository build.
"$repo_py" -c "import pyarrow.parquet as pq, sys; pq.write_table(pq.read_table(sys.argv[1]).slice(0, 128), sys.argv[2])" \
	"$root/testdata/demo/fortunes.parquet" "$tmp/work/fortunes.parquet" || exit 1
job() { # MODEL OUT
	cat <<EOF
model: {ref: $1}
input: {paths: [fortunes.parquet], text_column: text, passthrough: [id]}
output: {dir: $2}
EOF
}
same_embeddings() { # A B: the embedding columns of two outputs, byte for byte, in id order
	"$repo_py" - "$1" "$2" <<'PY'
import sys
import pyarrow.dataset as ds
def load(d):
    t = ds.dataset(d, format="parquet").to_table().sort_by("id")
    return t.column("id"), t.column("embedding").combine_chunks()
(ia, ea), (ib, eb) = load(sys.argv[1]), load(sys.argv[2])
assert len(ia) == 128, f"{sys.argv[1]}: {len(ia)} rows, expected 128"
assert ia.equals(ib), "the two outputs hold different ids"
va, vb = ea.values.to_numpy(), eb.values.to_numpy()
assert ea.type == eb.type, f"embedding types differ: {ea.type} vs {eb.type}"
if va.tobytes() != vb.tobytes():
    sys.exit(f"embeddings differ: {int((va != vb).sum())} of {va.size} floats, max |d| {abs(va - vb).max():.3g}")
print(f"{len(ia)} rows, {ea.type}: identical bytes")
PY
}
for m in "$root/testdata/models/tiny-bert" "$model"; do
	name=$(basename "$m")
	job "$m" "out-wheel-$name" >"$name.yaml"
	job "$m" "out-repo-$name" >"$name-repo.yaml"
	check "bertbatch validate $name.yaml" "$bb" validate "$name.yaml"
	t0=$(seconds)
	check "bertbatch run $name.yaml (wheel)" "$bb" run --quiet "$name.yaml"
	echo "     wheel run: $(elapsed "$t0")"
	check "bertbatch run $name.yaml (repository build)" "$repo_bin" run --quiet "$name-repo.yaml"
	check "$name: identical embedding bytes, wheel and repository build" same_embeddings "out-wheel-$name" "out-repo-$name"
done

check "python/tests: the launcher on missing, mismatched and doubled MLX backends; version.py" \
	"$tmp/venv/bin/python" -m unittest discover -s "$root/python/tests"

# Without its MLX backend wheel, the command names the wheel to install.
missing_mlx() {
	"$tmp/venv/bin/pip" uninstall -q -y "$backend" || return 1
	local out rc
	out=$("$bb" version 2>&1)
	rc=$?
	echo "exit $rc: $out"
	[ "$rc" = 1 ] && grep -q "MLX is not installed: .*$backend==$mlx_version.*pip install '$backend==$mlx_version'" <<<"$out"
}
check "without $backend: exit 1 and a message naming $backend==$mlx_version" missing_mlx

echo "test-wheel: $passed passed, $failed failed"
[ "$failed" = 0 ]
