"""Find the bertbatch binary, check the MLX backend wheel it links against, and exec it.

The binary's run path points at ``mlx/lib`` beside this package in site-packages (``$ORIGIN/../../mlx/lib``
on Linux, ``@loader_path/../../mlx/lib`` on macOS), where the MLX backend wheel (``mlx-cpu``,
``mlx-cuda-13`` or ``mlx-metal``) puts ``libmlx``. Without that wheel the dynamic loader would stop the
binary with a bare "cannot open shared object file"; the checks here name the wheel to install instead.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

from bertbatch import _build

# Exit code of the program when it cannot run (the program's own "failed" code).
_EXIT_FAILED = 1


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def binary_path() -> Path:
    """The path of the bertbatch binary this package carries."""
    return _package_dir() / "bin" / "bertbatch"


def _site_dir() -> Path:
    return _package_dir().parent


def _mlx_library() -> Path:
    """Where the binary's run path finds libmlx: mlx/lib in the same site-packages."""
    return _site_dir() / "mlx" / "lib" / _build.MLX_LIBRARY


def _installed_backends() -> dict[str, metadata.Distribution]:
    """The MLX backend wheels installed in this package's site-packages, by distribution name."""
    found: dict[str, metadata.Distribution] = {}
    for name in _build.MLX_BACKENDS:
        dists = list(metadata.distributions(name=name, path=[str(_site_dir())]))
        if dists:
            found[name] = dists[0]
    return found


def _install_hint(name: str) -> str:
    return f"pip install '{name}=={_build.MLX_VERSION}'"


def _record_size(dist: metadata.Distribution, relpath: str) -> int | None:
    """The size the wheel's RECORD gives for relpath, or None when it does not list it."""
    for f in dist.files or []:
        if f.as_posix() == relpath and f.size is not None:
            return f.size
    return None


def backend_problem() -> tuple[str | None, str | None]:
    """Check the MLX backend wheel: (error, warning), each None when there is nothing to say.

    An error means the binary cannot load MLX (or would load one it was not built against).
    """
    wanted = " or ".join(f"{n}=={_build.MLX_VERSION}" for n in _build.MLX_BACKENDS)
    installed = _installed_backends()
    if not installed:
        hint = _install_hint(_build.MLX_BACKENDS[0])
        if len(_build.MLX_BACKENDS) > 1:
            hint += f" (or {_install_hint(_build.MLX_BACKENDS[1])} for NVIDIA GPUs)"
        return (
            f"MLX is not installed: bertbatch {_build.VERSION} needs the MLX backend wheel {wanted} "
            f"in {_site_dir()}, where it looks for {_mlx_library().relative_to(_site_dir())}. "
            f"Install it: {hint}",
            None,
        )
    for name, dist in installed.items():
        if dist.version != _build.MLX_VERSION:
            return (
                f"bertbatch {_build.VERSION} was built against MLX {_build.MLX_VERSION}, but {name} "
                f"{dist.version} is installed (MLX has no stable C++ ABI). Install the matching one: "
                f"{_install_hint(name)}",
                None,
            )
    lib = _mlx_library()
    rel = lib.relative_to(_site_dir()).as_posix()
    if not lib.is_file():
        names = ", ".join(installed)
        return (
            f"{lib} is missing although {names} is installed (a second MLX backend wheel, removed since, "
            f"took the file with it). Reinstall the backend: "
            f"pip install --force-reinstall --no-deps '{next(iter(installed))}=={_build.MLX_VERSION}'",
            None,
        )
    if len(installed) > 1:
        size = lib.stat().st_size
        owner = [n for n, d in installed.items() if _record_size(d, rel) == size]
        on_disk = f"the one on disk is {owner[0]}'s" if len(owner) == 1 else "the one on disk is either's"
        keep = owner[0] if len(owner) == 1 else _build.MLX_BACKENDS[0]
        return (
            None,
            f"{' and '.join(installed)} are both installed and both carry {rel}; {on_disk}. "
            f"Keep one: pip uninstall -y {' '.join(installed)} && {_install_hint(keep)}",
        )
    return None, None


def main() -> None:
    """Run the bertbatch binary with this process's arguments, in place of this process."""
    error, warning = backend_problem()
    if error is not None:
        print(f"bertbatch: {error}", file=sys.stderr)
        sys.exit(_EXIT_FAILED)
    if warning is not None:
        print(f"bertbatch: warning: {warning}", file=sys.stderr)
    binary = binary_path()
    if not os.access(binary, os.X_OK):
        print(f"bertbatch: {binary} is missing or not executable: reinstall bertbatch", file=sys.stderr)
        sys.exit(_EXIT_FAILED)
    try:
        os.execv(binary, [str(binary), *sys.argv[1:]])
    except OSError as e:
        print(f"bertbatch: cannot start {binary}: {e.strerror} (a wheel for another platform?)", file=sys.stderr)
        sys.exit(_EXIT_FAILED)
