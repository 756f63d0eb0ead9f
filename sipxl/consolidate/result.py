"""What checking one file gives the consolidator: the result a worker sends back and the cache keeps.

Kept apart from the checking code (sipxl.consolidate.worker, .tidy) so that a run with nothing to read, which only
loads results from the cache, never imports the templates, the readers or the scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..issues import Issue

# The columns each file contributes; the consolidator puts file, seed_code and project in front
COLUMNS: dict[str, tuple[str, ...]] = {
    "pupils": ("pupil_ref", "pupil_school", "stage", "sex", "simd_decile", "simd_quintile", "looked_after", "asn",
               "eal", "fsm"),
    "assessments": ("pupil_ref", "instrument", "measure", "pre", "post", "change"),
    "sessions": ("source", "session_no", "session_date", "pupil_ref", "leuven"),
    "goals": ("child_ref", "goal_no", "weight", "baseline", "review", "referral_date", "baseline_date",
              "review_date"),
    "survey": ("respondent", "role", "item_no", "statement", "answer"),
    "school_returns": ("section", "stage", "organiser", "group", "quantity", "value"),
}
TABLES = (*COLUMNS, "files")


@dataclass
class FileContent:
    """What one readable workbook contributes, compact enough to send between processes and cache."""

    kind: str
    version: str
    meta: dict[str, object]
    phases: tuple[bool, ...] | None  # Phase 1-5 complete? (project workbooks only)
    # None while the rows are JSON text (rows_json: as a worker sends them and the cache keeps them); decoded
    # only to build the tidy tables (sipxl.consolidate.run.rows_of), so a re-run with nothing to rebuild never does.
    # Both None: the rows of a result loaded from the cache, still in the cache file (sipxl.consolidate.cache).
    rows: dict[str, list[tuple]] | None = field(default_factory=dict)
    rows_json: str | None = field(default=None, repr=False, compare=False)


@dataclass
class FileResult:
    issues: list[Issue] = field(default_factory=list)
    content: FileContent | None = None  # None: nothing could be read (rejected); its rows travel as JSON text
    crash: str = ""  # traceback of an internal error, for sipxl-error.log
