"""Tests of the launcher's MLX checks, on fake site-packages folders built around the installed package.

Run with the python of a venv where the bertbatch wheel is installed (scripts/test-wheel.sh does):
    python -m unittest discover -s python/tests
"""

import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import bertbatch
from bertbatch import _build

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from bertbatch import _launcher
print(json.dumps(_launcher.backend_problem()))
"""


class FakeSite:
    """A site-packages folder with a copy of the installed bertbatch package and fake MLX wheels."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(Path(bertbatch.__file__).parent, root / "bertbatch")

    def install(self, name: str, version: str, lib_size: int | None, write_lib: bool = True) -> None:
        """A dist-info for wheel name; its RECORD lists mlx/lib/<library> with lib_size bytes."""
        info = self.root / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        lib = f"mlx/lib/{_build.MLX_LIBRARY}"
        record = [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
        if lib_size is not None:
            record.append(f"{lib},sha256=x,{lib_size}")
            if write_lib:
                path = self.root / lib
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"\0" * lib_size)
        (info / "RECORD").write_text("\n".join(record) + "\n")

    def problem(self) -> tuple:
        out = subprocess.run([sys.executable, "-c", PROBE, str(self.root)], check=True, capture_output=True, text=True)
        return tuple(json.loads(out.stdout))


class BackendProblemTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.site = FakeSite(Path(self.tmp.name) / "site-packages")

    def tearDown(self):
        self.tmp.cleanup()

    def test_cases(self):
        first = _build.MLX_BACKENDS[0]
        pin = f"{first}=={_build.MLX_VERSION}"
        cases = [
            # name, wheels to install as (name, version, library size, write the library), error part, warning part
            ("no backend wheel", [], f"MLX is not installed: bertbatch {_build.VERSION} needs the MLX backend wheel {pin}", None),
            ("the pinned backend", [(first, _build.MLX_VERSION, 10, True)], None, None),
            ("another MLX version", [(first, "0.1.0", 10, True)], f"built against MLX {_build.MLX_VERSION}, but {first} 0.1.0 is installed", None),
            ("library removed by a second backend", [(first, _build.MLX_VERSION, 10, False)], "is missing although", None),
        ]
        if len(_build.MLX_BACKENDS) > 1:
            second = _build.MLX_BACKENDS[1]
            cases.append(("two backends, the second's library in place",
                          [(first, _build.MLX_VERSION, 10, False), (second, _build.MLX_VERSION, 20, True)],
                          None, f"the one on disk is {second}'s. Keep one: pip uninstall -y"))
        for name, wheels, error, warning in cases:
            with self.subTest(name):
                self.tearDown()
                self.setUp()
                for wheel in wheels:
                    self.site.install(*wheel)
                got_error, got_warning = self.site.problem()
                for want, got in ((error, got_error), (warning, got_warning)):
                    if want is None:
                        self.assertIsNone(got)
                    else:
                        self.assertIsNotNone(got)
                        self.assertIn(want, got)


if __name__ == "__main__":
    unittest.main()
