"""The manifest (content hash and sipxl version per file) and the per-file result cache.

Both live in the output folder. A cache that cannot be read (damaged, another sipxl version) is treated as
empty, so the worst a bad cache can do is make a run read every file again.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

from .. import __version__
from .worker import FileResult

MANIFEST = "manifest.json"
CACHE_DIR = ".sipxl-cache"
CACHE_FILE = "results.pkl"
CACHE_FORMAT = 1


def cache_key() -> str:
    return f"sipxl {__version__} cache {CACHE_FORMAT}"


def load_manifest(out_dir: Path) -> dict[str, dict]:
    """path -> {sha256, size, mtime_ns} from the last run, when it was written by this sipxl version."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        if data.get("sipxl_version") != __version__:
            return {}
        return {f["path"]: f for f in data.get("files", []) if isinstance(f, dict) and "path" in f}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def load_cache(out_dir: Path) -> dict[str, FileResult]:
    try:
        with open(out_dir / CACHE_DIR / CACHE_FILE, "rb") as f:
            data = pickle.load(f)  # noqa: S301 - our own file in the QIO's own output folder
        if not isinstance(data, dict) or data.get("key") != cache_key():
            return {}
        results = data.get("results", {})
        return {k: v for k, v in results.items() if isinstance(v, FileResult)}
    except Exception:  # noqa: BLE001 - any damage means: start afresh
        return {}


def save_cache(out_dir: Path, results: dict[str, FileResult]) -> None:
    folder = out_dir / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (CACHE_FILE + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump({"key": cache_key(), "results": dict(sorted(results.items()))}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, folder / CACHE_FILE)
