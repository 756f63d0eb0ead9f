"""The tidy tables of a consolidation as pandas DataFrames (what is written as CSV and Parquet)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .privacy import authority_key
from .run import STATUS_LABELS, Consolidation, columns_of
from .tidy import COLUMNS

PREFIX = ("file", "kind", "seed_code", "school", "project", "intervention", "partnership", "jst")
RETURN_PREFIX = ("file", "seed_code", "school", "session")
FILE_COLUMNS = ("file", "status", "status_label", "kind", "version", "seed_code", "school", "project",
                "intervention", "partnership", "session", "submitted_on", "modified", "date_used", "date_source",
                "errors", "warnings", "infos", "codes", "duplicate_of", "superseded_by", "sha256", "size_bytes",
                "phase1", "phase2", "phase3", "phase4", "phase5")

PUPIL_LEVEL_NOTE = (
    "pupils, assessments, sessions and goals hold one row per pupil (by pseudonymous reference only) and are "
    "for the authority's analysts: they are NOT suppressed and must not be published. Only the dashboard's "
    "tables, which suppress small counts, are fit to publish."
)


def tidy_frames(cons: Consolidation) -> dict[str, pd.DataFrame]:
    """The tidy tables, gathered column by column: each file's rows are decoded once and go straight into the
    columns, and a file's own values (file, school, project...) are kept once per file, not once per row.

    Text that repeats (a file, school or project on each of its rows; a section, stage, statement or answer) is
    dictionary-encoded (pandas Categorical, categories sorted as text sorts, so grouping and sorting order as
    before): the largest table, hundreds of thousands of school return counts, shrinks about tenfold. The values,
    and the files written from them, are the same."""
    key = authority_key(cons.config.pseudonym_key)
    names = {name: [*(RETURN_PREFIX if name == "school_returns" else PREFIX), *cols] for name, cols in COLUMNS.items()}
    heads: dict[str, list[tuple]] = {name: [] for name in names}  # per file: its own values, and how many rows
    counts: dict[str, list[int]] = {name: [] for name in names}
    columns: dict[str, list[list]] = {name: [[] for _ in cols] for name, cols in COLUMNS.items()}
    for r in cons.accepted:
        c = r.content
        if c is None:
            continue
        head = (r.rel, c.kind, *(c.meta.get(k) for k in PREFIX[2:]))
        ret_head = (r.rel, c.meta.get("seed_code"), c.meta.get("school"), c.meta.get("session"))
        for name, table_columns in columns_of(r, key).items():
            if not table_columns:
                continue
            heads[name].append(ret_head if name == "school_returns" else head)
            counts[name].append(len(table_columns[0]))
            for out, values in zip(columns[name], table_columns, strict=True):
                out.extend(values)
    frames = {}
    for name, cols in names.items():
        if not counts[name]:
            frames[name] = pd.DataFrame(columns=cols)
            continue
        n, repeat = sum(counts[name]), np.asarray(counts[name])
        own = heads.pop(name)
        per_file = [_per_file([h[j] for h in own], repeat) for j in range(len(cols) - len(COLUMNS[name]))]
        lists = columns.pop(name)  # each table's lists go as soon as its frame holds them
        data = [*per_file, *(_encoded(values, n) for values in lists)]
        del lists
        frames[name] = pd.DataFrame(dict(zip(cols, data, strict=True)), columns=cols)
    frames["files"] = files_frame(cons)
    return frames


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _text_codes(values: list) -> tuple[np.ndarray, pd.Index] | None:
    """Codes and sorted categories of `values` when all are text (or missing), else None."""
    objects = _objects(values)
    if pd.api.types.infer_dtype(objects, skipna=True) != "string":
        return None
    codes, uniques = pd.factorize(objects, sort=True)  # sorted as text sorts: groups and sorts order as before
    return codes, pd.Index(uniques, dtype="str")


def _per_file(values: list, repeat: np.ndarray) -> object:
    """A column holding one value per file (`values`), each repeated over the file's `repeat` rows."""
    coded = _text_codes(values)
    if coded is None:
        return [v for v, k in zip(values, repeat.tolist(), strict=True) for _ in range(k)]
    return pd.Categorical.from_codes(np.repeat(coded[0], repeat), categories=coded[1])


def _encoded(values: list, n: int) -> object:
    """Text that repeats as a Categorical; anything else (numbers, dates, text mostly distinct) as it was."""
    coded = _text_codes(values)
    if coded is None or 2 * len(coded[1]) > n:  # mostly distinct text (a reference): codes would save nothing
        return values
    return pd.Categorical.from_codes(*coded)


def files_frame(cons: Consolidation) -> pd.DataFrame:
    out = []
    for r in cons.records:
        sev = [i.severity for i in r.issues]
        m = r.meta
        out.append((r.rel, r.status, STATUS_LABELS[r.status], r.kind, r.content.version if r.content else "",
                    r.seed_code, m("school") or cons.school_name(r.seed_code), m("project"), m("intervention"),
                    m("partnership"), m("session"), m("submitted_on"), r.modified, r.date_used, r.date_source,
                    sev.count("error"), sev.count("warning"), sev.count("info"),
                    " ".join(sorted({i.code for i in r.issues})), r.duplicate_of, r.superseded_by, r.sha256,
                    r.found.size, *(phases if (phases := r.content and r.content.phases) else (None,) * 5)))
    return pd.DataFrame(out, columns=list(FILE_COLUMNS))
