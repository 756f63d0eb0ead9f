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
    rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
    key = authority_key(cons.config.pseudonym_key)
    for r in cons.accepted:
        c = r.content
        if c is None:
            continue
        head = (r.rel, c.kind, *(c.meta.get(k) for k in PREFIX[2:]))
        ret_head = (r.rel, c.meta.get("seed_code"), c.meta.get("school"), c.meta.get("session"))
        for name, table_rows in rows_of(r, key).items():  # decoded file by file: held once, in the tables
            h = ret_head if name == "school_returns" else head
            rows[name].extend(h + tuple(t) for t in table_rows)
    frames = {}
    for name, cols in COLUMNS.items():
        prefix = RETURN_PREFIX if name == "school_returns" else PREFIX
        frames[name] = pd.DataFrame(rows[name], columns=[*prefix, *cols])
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
