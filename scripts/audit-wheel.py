#!/usr/bin/env python3
"""`auditwheel show` for the bertbatch wheel, with libmlx.so excluded, as `auditwheel repair --exclude` does.

    audit-wheel.py WHEEL

libmlx.so comes from the MLX backend wheel (mlx-cpu, mlx-cuda-13), a pinned dependency, as MLX's own
frontend wheel links it; `auditwheel show` has no --exclude and would count it as an unknown system
library. This runs the same analysis (auditwheel's analyze_wheel_abi, the pinned auditwheel of
python/requirements-wheel.txt) with the exclusion, prints what `show` prints, and exits 1 unless the
wheel is consistent with the platform tag in its file name.
"""

import sys
from pathlib import Path

from auditwheel.wheel_abi import analyze_wheel_abi
from auditwheel.wheeltools import get_wheel_architecture, get_wheel_libc

EXCLUDE = frozenset({"libmlx.so"})


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    wheel = Path(sys.argv[1])
    tag = wheel.name.removesuffix(".whl").split("-")[-1]
    info = analyze_wheel_abi(
        get_wheel_libc(wheel.name),
        get_wheel_architecture(wheel.name),
        wheel,
        EXCLUDE,
        disable_isa_ext_check=False,
        allow_graft=False,
    )
    policies = info.policies
    print(f"{wheel.name} (excluding {', '.join(sorted(EXCLUDE))}) is consistent with the platform tag "
          f'"{info.overall_policy.name}"')
    print(f'versioned symbols constrain it to "{info.sym_policy.name}": '
          + ", ".join(f"{lib} {sorted(v)}" for lib, v in sorted(info.versioned_symbols.items())))
    external = info.external_refs[policies.lowest.name].libs
    print("external libraries outside the manylinux policy: " + (", ".join(sorted(external)) or "none"))
    wanted = policies.get_policy_by_name(tag)
    if wanted is None:
        print(f"audit-wheel: {tag!r} is not a platform tag auditwheel knows", file=sys.stderr)
        return 1
    if info.overall_policy < wanted:
        print(f'audit-wheel: {wheel.name} is not consistent with "{tag}"', file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
