"""A file's tidy rows as JSON text: how a worker sends them, how the parent holds them and how the cache stores
them, so that they are encoded once (in the worker, in parallel) and decoded only to build the tidy tables.

Dates are tagged ({"$d": "2026-03-02"}, {"$t": ...} for a date and time); nothing else is special. Decoding
checks the shape (known tables, rows of the right width) and gives None for anything else.
"""

from __future__ import annotations

import datetime as dt
import json
from sys import intern

from .result import COLUMNS


def _tag(v: object) -> object:
    if isinstance(v, dt.datetime):
        return {"$t": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$d": v.isoformat()}
    if hasattr(v, "item"):  # a numpy scalar
        return v.item()
    raise TypeError(f"not a tidy value: {type(v).__name__}")


def untag(d: dict) -> object:
    if len(d) == 1:
        if "$d" in d:
            return dt.date.fromisoformat(d["$d"])
        if "$t" in d:
            return dt.datetime.fromisoformat(d["$t"])
    return d


def dumps(value: object) -> str:
    """Compact JSON with dates tagged (raises TypeError for a value JSON cannot hold)."""
    return json.dumps(value, default=_tag, ensure_ascii=False, separators=(",", ":"))


def encode_rows(rows: dict[str, list[tuple]]) -> str:
    return dumps(rows)


def decode_rows(text: str) -> dict[str, list[tuple]] | None:
    """The tidy rows `text` holds, or None when they are not what encode_rows writes."""
    columns = decode_columns(text)
    return None if columns is None else rows_from_columns(columns)


def rows_from_columns(columns: dict[str, list]) -> dict[str, list[tuple]]:
    """Each table's rows put back together from its columns (decode_columns's shape)."""
    return {table: list(zip(*cols, strict=True)) if cols else [] for table, cols in columns.items()}


def decode_columns(text: str) -> dict[str, list[list] | list[tuple]] | None:
    """decode_rows's rows a column at a time (each table's columns in COLUMNS order; [] for a table without rows),
    as the tidy tables are built: the rows are never put back together. None when `text` is not what encode_rows
    writes."""
    try:
        data = json.loads(text, object_hook=untag)
        if not isinstance(data, dict):
            return None
        out = {}
        for table, rows in data.items():
            if table not in COLUMNS or not isinstance(rows, list):
                return None
            if not rows:
                out[table] = []
                continue
            # Checked and interned a column at a time, in C loops (map, set, zip) rather than value by value: a
            # large authority decodes millions of values.
            if set(map(type, rows)) != {list} or set(map(len, rows)) != {len(COLUMNS[table])}:
                return None
            out[table] = list(map(_interned, zip(*rows, strict=True)))
        return out
    except (ValueError, TypeError, AttributeError):
        return None


def _interned(column: tuple) -> tuple | list:
    """Texts repeat row after row (a table's labels, a school's name): one copy of each, as the worker had."""
    kinds = set(map(type, column))
    if kinds == {str}:
        return list(map(intern, column))
    if str not in kinds:
        return column
    return [intern(v) if type(v) is str else v for v in column]


def as_json(content):
    """`content` (sipxl.consolidate.tidy.FileContent) with its rows as JSON text, or as it is when a value cannot be
    written as JSON (such a file is then simply not cached)."""
    if content is None or content.rows is None:
        return content
    try:
        text = encode_rows(content.rows)
    except (TypeError, ValueError):
        return content
    content.rows, content.rows_json = None, text
    return content
