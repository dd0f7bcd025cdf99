#!/usr/bin/env python3
"""Print bertbatch's version, PEP 440, from git: the one `bertbatch version` shows and the wheel carries.

  on a tag vX.Y.Z (or X.Y.Z)            X.Y.Z
  N commits after that tag              X.Y.Z.postN+gSHA
  no tag reachable                      0.0.0.devN+gSHA   (N: commits in the history)
  uncommitted changes                   the local part gains ".dirty" (+dirty on a tag)

A tag that is not a PEP 440 public version (after an optional leading "v") is an error: a release
must not get a version pip would refuse or sort wrongly. Standard library only.
"""

import re
import subprocess
import sys

PUBLIC = re.compile(r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$")
DESCRIBE = re.compile(r"^(?P<tag>.+)-(?P<n>[0-9]+)-g(?P<sha>[0-9a-f]+)(?P<dirty>-dirty)?$")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout.strip()


def pep440(described: str, commits: str, sha: str, dirty: bool) -> str:
    """The version for `git describe --tags --long --dirty` output ("" when no tag is reachable),
    the number of commits in the history, the abbreviated commit and whether the tree is dirty."""
    if not described:
        return f"0.0.0.dev{commits}+g{sha}" + (".dirty" if dirty else "")
    m = DESCRIBE.match(described)
    if m is None:
        raise ValueError(f"cannot read `git describe` output {described!r}")
    tag = m["tag"].removeprefix("v")
    if not PUBLIC.match(tag):
        raise ValueError(f"tag {m['tag']!r} is not a PEP 440 version (expected vX.Y.Z, e.g. v0.1.0)")
    local = []
    if m["n"] != "0":
        if ".post" in tag or ".dev" in tag:
            raise ValueError(f"{m['n']} commits after tag {m['tag']!r}, which is already a post or dev release")
        tag += f".post{m['n']}"
        local.append(f"g{m['sha']}")
    if m["dirty"]:
        local.append("dirty")
    return tag + ("+" + ".".join(local) if local else "")


def version() -> str:
    try:
        described = git("describe", "--tags", "--long", "--dirty", "--abbrev=12")
    except subprocess.CalledProcessError:
        described = ""
    commits = sha = ""
    dirty = False
    if not described:
        commits = git("rev-list", "--count", "HEAD")
        sha = git("rev-parse", "--short=12", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    try:
        return pep440(described, commits, sha, dirty)
    except ValueError as e:
        raise SystemExit(f"version.py: {e}") from None


if __name__ == "__main__":
    print(version())
    sys.exit(0)
