"""The tidy tables of a consolidation as pandas DataFrames (what is written as CSV and Parquet)."""

from __future__ import annotations

import pandas as pd

from .privacy import authority_key
from .run import STATUS_LABELS, Consolidation, rows_of
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
    columns (its file, school and project repeated by reference), so no table is held row by row as well."""
    key = authority_key(cons.config.pseudonym_key)
    names = {name: [*(RETURN_PREFIX if name == "school_returns" else PREFIX), *cols] for name, cols in COLUMNS.items()}
    columns: dict[str, list[list]] = {name: [[] for _ in cols] for name, cols in names.items()}
    for r in cons.accepted:
        c = r.content
        if c is None:
            continue
        head = (r.rel, c.kind, *(c.meta.get(k) for k in PREFIX[2:]))
        ret_head = (r.rel, c.meta.get("seed_code"), c.meta.get("school"), c.meta.get("session"))
        for name, table_rows in rows_of(r, key).items():
            if not table_rows:
                continue
            h = ret_head if name == "school_returns" else head
            out, n = columns[name], len(table_rows)
            for j, v in enumerate(h):
                out[j].extend([v] * n)
            for j, values in enumerate(zip(*table_rows, strict=True), start=len(h)):
                out[j].extend(values)
    frames = {}
    for name, cols in names.items():
        lists = columns.pop(name)  # each table's lists go as soon as its frame holds them
        frames[name] = pd.DataFrame(dict(zip(cols, lists, strict=True)), columns=cols) if lists[0] else \
            pd.DataFrame(columns=cols)
    frames["files"] = files_frame(cons)
    return frames


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
