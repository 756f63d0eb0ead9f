"""The manifest (content hash and sipxl version per file) and the per-file result cache.

Both live in the output folder. The cache is data, never code: an SQLite file holding, per content hash, the
file's issues and tidy rows as JSON (dates tagged), i.e. what the outputs hold, after the privacy sanitiser
(sipxl.consolidate.privacy). Reading it runs nothing from it, whoever wrote it; anything in it that is not
what sipxl writes (an unknown issue code, a wrong shape) is dropped. A cache that cannot be read (damaged,
another sipxl version) is treated as empty, so the worst a bad cache can do is make a run read files again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path

from .. import __version__
from ..issues import CATALOGUE, Issue
from .result import FileContent, FileResult
from .rows_json import dumps, encode_rows, untag

MANIFEST = "manifest.json"
CACHE_DIR = ".sipxl-cache"
CACHE_FILE = "results.sqlite"
OLD_CACHE_FILES = ("results.pkl",)  # earlier versions' pickle: removed, never read
CACHE_FORMAT = 3  # 3: the tidy rows in a column of their own, decoded only when the outputs are rebuilt
NOT_CACHED = ("SIPXL-F017",)  # set aside by a worker's limits: tried again next run (the machine may be less busy)


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


# ---------------------------------------------------------------- results as JSON


def encode_result(r: FileResult) -> tuple[str, str | None]:
    """(the result without its tidy rows, the rows) as the cache holds them."""
    c = r.content
    content = None if c is None else {"kind": c.kind, "version": c.version, "meta": c.meta,
                                      "phases": None if c.phases is None else list(c.phases)}
    issues = [[i.code, i.sheet, i.cell, i.label, i.value, i.expected, i.detail] for i in r.issues]
    rows = None if c is None else c.rows_json if c.rows is None else encode_rows(c.rows)
    return dumps({"issues": issues, "content": content, "crash": r.crash}), rows


_DECODER = json.JSONDecoder(object_hook=untag)  # one decoder for thousands of entries (json.loads makes one each)


def decode_result(text: str, has_rows: bool) -> FileResult | None:
    """The FileResult `text` holds, or None when it is not exactly what encode_result writes. Its tidy rows stay in
    the cache file (`has_rows`: the entry holds them) until the outputs are rebuilt (load_rows)."""
    try:
        data = _DECODER.decode(text)
        issues = []
        for row in data["issues"]:
            if len(row) != 7 or row[0] not in CATALOGUE or not all(isinstance(x, str) for x in row):
                return None
            issues.append(Issue(*row))
        c = data["content"]
        content = None
        if c is not None:
            phases = None if c["phases"] is None else tuple(bool(p) for p in c["phases"])
            if not isinstance(c["meta"], dict) or not has_rows:
                return None
            content = FileContent(str(c["kind"]), str(c["version"]), c["meta"], phases, None, None)
        return FileResult(issues, content, str(data.get("crash") or ""))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


# ---------------------------------------------------------------- the cache file


def _is_ours(db: sqlite3.Connection) -> bool:
    """The cache was written by this sipxl version in this format (raises sqlite3.Error when it is no cache)."""
    key = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
    return key is not None and key[0] == cache_key()


def load_cache(out_dir: Path) -> dict[str, FileResult]:
    """content hash -> result, from the last run. The tidy rows stay in the file (load_rows fetches them when the
    outputs are rebuilt): a re-run with nothing changed never reads them."""
    path = out_dir / CACHE_DIR / CACHE_FILE
    if not path.is_file():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            if not _is_ours(db):
                return {}
            entries = [(sha, text, bool(has_rows)) for sha, text, has_rows in
                       db.execute("SELECT sha256, data, typeof(rows) = 'text' FROM results")
                       if isinstance(sha, str) and isinstance(text, str)]
    except (sqlite3.Error, OSError, ValueError):  # damaged or not ours: start afresh
        return {}
    out = {}
    for sha, text, has_rows in entries:
        result = decode_result(text, has_rows)
        if result is not None:
            out[sha] = result
    return out


def load_rows(out_dir: Path, waiting: dict[str, FileContent]) -> None:
    """Give each content of `waiting` (by content hash) its tidy rows' JSON from the cache. One left without
    (the cache changed or was damaged since it was loaded) is read again when its rows are asked for
    (sipxl.consolidate.run.rows_of)."""
    if not waiting:
        return
    try:
        with contextlib.closing(sqlite3.connect(f"{(out_dir / CACHE_DIR / CACHE_FILE).as_uri()}?mode=ro",
                                                uri=True)) as db:
            if not _is_ours(db):
                return
            for sha, rows in db.execute("SELECT sha256, rows FROM results"):
                c = waiting.get(sha)
                if c is not None and isinstance(rows, str):
                    c.rows_json = rows
    except (sqlite3.Error, OSError, ValueError):
        return


def save_cache(out_dir: Path, results: dict[str, FileResult], kept: frozenset[str] = frozenset()) -> None:
    """Write the cache of `results` (content hash -> result). `kept`: hashes whose results came from the cache
    as it is: their entries are copied over as they are, not encoded again (a re-run with 1 % of the files
    changed encodes 1 % of them)."""
    folder = out_dir / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / CACHE_FILE
    tmp = folder / (CACHE_FILE + f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        reuse = bool(kept) and _copy_if_ours(final, tmp)
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            if reuse:
                old = {sha for (sha,) in db.execute("SELECT sha256 FROM results")}
                gone = [(sha,) for sha in old if sha not in kept or sha not in results]
                db.executemany("DELETE FROM results WHERE sha256 = ?", gone)
                todo = {sha: r for sha, r in results.items() if not (sha in kept and sha in old)}
            else:
                db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
                db.execute("CREATE TABLE results (sha256 TEXT PRIMARY KEY, data TEXT NOT NULL, rows TEXT)")
                db.execute("INSERT INTO meta VALUES ('key', ?)", (cache_key(),))
                todo = results
            db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", _encoded(todo))
            db.commit()
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    for old_file in OLD_CACHE_FILES:
        (folder / old_file).unlink(missing_ok=True)


def _encoded(results: dict[str, FileResult]) -> list[tuple[str, str, str | None]]:
    rows = []
    for sha, r in sorted(results.items()):
        if not sha or any(i.code in NOT_CACHED for i in r.issues):
            continue
        if r.content is not None and r.content.rows is None and r.content.rows_json is None:
            continue  # its rows were never fetched from the old cache: the file is read again next time
        try:
            rows.append((sha, *encode_result(r)))
        except (TypeError, ValueError):  # a value JSON cannot hold: the file is simply read again next time
            continue
    return rows


def _copy_if_ours(cache: Path, to: Path) -> bool:
    """Copy the cache file to `to` when it is this version's and readable (its kept entries are reused)."""
    try:
        with contextlib.closing(sqlite3.connect(f"{cache.as_uri()}?mode=ro", uri=True)) as db:
            if not _is_ours(db):
                return False
            with contextlib.closing(sqlite3.connect(to)) as copy:
                db.backup(copy)  # a consistent copy, whatever the file's journal state
        return True
    except (sqlite3.Error, OSError, ValueError):
        to.unlink(missing_ok=True)
        return False
