"""Tests of scripts/version.py: `git describe` output to PEP 440 versions."""

import importlib.util
import unittest
from pathlib import Path

_spec = importlib.util.spec_from_file_location("version", Path(__file__).resolve().parents[2] / "scripts" / "version.py")
version = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(version)


class PEP440Test(unittest.TestCase):
    def test_versions(self):
        cases = [
            # name, describe output, commits, sha, dirty, want
            ("no tag", "", "140", "749b5e8ad3f7", False, "0.0.0.dev140+g749b5e8ad3f7"),
            ("no tag, dirty", "", "140", "749b5e8ad3f7", True, "0.0.0.dev140+g749b5e8ad3f7.dirty"),
            ("on a tag", "v0.1.0-0-g749b5e8ad3f7", "", "", False, "0.1.0"),
            ("on a tag without v", "0.1.0-0-g749b5e8ad3f7", "", "", False, "0.1.0"),
            ("on a tag, dirty", "v0.1.0-0-g749b5e8ad3f7-dirty", "", "", False, "0.1.0+dirty"),
            ("after a tag", "v0.1.0-3-g749b5e8ad3f7", "", "", False, "0.1.0.post3+g749b5e8ad3f7"),
            ("after a tag, dirty", "v0.1.0-3-g749b5e8ad3f7-dirty", "", "", False, "0.1.0.post3+g749b5e8ad3f7.dirty"),
            ("a release candidate", "v1.2.0rc1-0-gabc", "", "", False, "1.2.0rc1"),
            ("a tag with a dash in it", "v1.0-beta-2-gabc", "", "", False, None),
            ("not a version", "release-0-gabc", "", "", False, None),
            ("after a post release", "v1.0.post1-2-gabc", "", "", False, None),
        ]
        for name, described, commits, sha, dirty, want in cases:
            with self.subTest(name):
                if want is None:
                    with self.assertRaises(ValueError):
                        version.pep440(described, commits, sha, dirty)
                else:
                    self.assertEqual(version.pep440(described, commits, sha, dirty), want)


if __name__ == "__main__":
    unittest.main()
