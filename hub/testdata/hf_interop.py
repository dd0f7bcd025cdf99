"""huggingface_hub side of the hub package's interop tests.

Run by hub/python_test.go with BERTBATCH_PYTHON; every command prints one JSON document on stdout.
The environment (HF_ENDPOINT, HF_HUB_CACHE, HF_HUB_OFFLINE, HF_TOKEN, ...) is set by the test.

  snapshot REPO CACHE                  snapshot_download against HF_ENDPOINT
  read-offline REPO CACHE FILE...      snapshot_download / hf_hub_download with local_files_only=True,
                                       try_to_load_from_cache and scan_cache_dir on a filled cache
  cached-absent REPO CACHE FILE...     whether try_to_load_from_cache knows each file is absent (.no_exist)
  validate-ids ID...                   validate_repo_id verdicts
  validate-filenames NAME...           verdicts of the relative-filename check used before writing files
  folder-name ID...                    repo_folder_name
  settings                             HF_HUB_CACHE and the token huggingface_hub would use
"""

import hashlib
import json
import sys

import huggingface_hub
from huggingface_hub import constants
from huggingface_hub._local_folder import _validate_relative_filename
from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError
from huggingface_hub.file_download import repo_folder_name
from huggingface_hub.utils import validate_repo_id


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(repo, cache):
    path = huggingface_hub.snapshot_download(repo, cache_dir=cache)
    return {"path": path, "version": huggingface_hub.__version__}


def read_offline(repo, cache, *files):
    out = {"snapshot": huggingface_hub.snapshot_download(repo, cache_dir=cache, local_files_only=True), "files": {}}
    for name in files:
        path = huggingface_hub.hf_hub_download(repo, name, cache_dir=cache, local_files_only=True)
        cached = huggingface_hub.try_to_load_from_cache(repo, name, cache_dir=cache)
        out["files"][name] = {"path": path, "sha256": sha256(path), "try_to_load_from_cache": cached}
    try:
        huggingface_hub.hf_hub_download(repo, "tf_model.h5", cache_dir=cache, local_files_only=True)
        out["tf_model.h5"] = "found"
    except LocalEntryNotFoundError as e:
        out["tf_model.h5"] = type(e).__name__
    info = huggingface_hub.scan_cache_dir(cache)
    out["scan"] = {
        "warnings": [str(w) for w in info.warnings],
        "repos": [
            {
                "repo_id": r.repo_id,
                "repo_type": r.repo_type,
                "revisions": [
                    {"commit": rev.commit_hash, "refs": sorted(rev.refs), "files": sorted(f.file_name for f in rev.files)}
                    for rev in r.revisions
                ],
            }
            for r in info.repos
        ],
    }
    return out


def cached_absent(repo, cache, *files):
    from huggingface_hub.file_download import _CACHED_NO_EXIST

    return {f: huggingface_hub.try_to_load_from_cache(repo, f, cache_dir=cache) is _CACHED_NO_EXIST for f in files}


def validate_ids(*ids):
    verdicts = {}
    for i in ids:
        try:
            validate_repo_id(i)
            verdicts[i] = True
        except HFValidationError:
            verdicts[i] = False
    return verdicts


def validate_filenames(*names):
    verdicts = {}
    for n in names:
        try:
            _validate_relative_filename(n)
            verdicts[n] = True
        except ValueError:
            verdicts[n] = False
    return verdicts


def folder_names(*ids):
    return {i: repo_folder_name(repo_id=i, repo_type="model") for i in ids}


def settings():
    return {"cache": constants.HF_HUB_CACHE, "token": huggingface_hub.get_token()}


COMMANDS = {
    "snapshot": snapshot,
    "read-offline": read_offline,
    "cached-absent": cached_absent,
    "validate-ids": validate_ids,
    "validate-filenames": validate_filenames,
    "folder-name": folder_names,
    "settings": settings,
}

if __name__ == "__main__":
    json.dump(COMMANDS[sys.argv[1]](*sys.argv[2:]), sys.stdout)
