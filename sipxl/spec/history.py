"""Earlier versions of the templates, so that any later sipxl reads any earlier template.

Each released version stays here as a specification (derived from the current one by what changed).
A workbook is read with the layout of its own version; its answers carry the same keys as the current
version's, so the checks, scores and dashboards need no special cases. A key that the earlier version did
not have is simply empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

from .lists import MEASURE_SHEETS
from .model import Field, Guidance, Heading, Rule, Sheet, Table, Template


def _without_column(template: Template, table_key: str, column_key: str) -> Template:
    def sheet(s: Sheet) -> Sheet:
        blocks = tuple(
            replace(b, columns=tuple(c for c in b.columns if c.key != column_key))
            if isinstance(b, Table) and b.key == table_key else b
            for b in s.blocks
        )
        return replace(s, blocks=blocks)

    return replace(template, sheets=tuple(sheet(s) for s in template.sheets))


def _with(template: Template, table_key: str, **changes: object) -> Template:
    def sheet(s: Sheet) -> Sheet:
        return replace(s, blocks=tuple(replace(b, **changes) if isinstance(b, Table) and b.key == table_key else b
                                       for b in s.blocks))

    return replace(template, sheets=tuple(sheet(s) for s in template.sheets))


def _with_column_rule(template: Template, table_key: str, column_key: str, rule: Rule) -> Template:
    def sheet(s: Sheet) -> Sheet:
        blocks = tuple(
            replace(b, columns=tuple(replace(c, rule=rule) if c.key == column_key else c for c in b.columns))
            if isinstance(b, Table) and b.key == table_key else b
            for b in s.blocks
        )
        return replace(s, blocks=blocks)

    return replace(template, sheets=tuple(sheet(s) for s in template.sheets))


def _without_blocks(template: Template, keep: Callable[[object], bool]) -> Template:
    return replace(template, sheets=tuple(replace(s, blocks=tuple(b for b in s.blocks if keep(b)))
                                          for s in template.sheets))


def _without_reports(template: Template) -> Template:
    """Before 1.1 no template held the Scores and Summary sheets: the buttons add them."""
    return replace(template, sheets=tuple(s for s in template.sheets if not s.report))


def _without_issues(template: Template) -> Template:
    """Before 1.2 (the school data return: 1.3) no template held the Issues sheet: Validate adds it."""
    return replace(template, sheets=tuple(s for s in template.sheets if s.code != "issues"))


def _before_issues(kind: str, version: str) -> Callable[[], Template]:
    """The version before the pre-built Issues sheet: the current layout without it."""
    def make() -> Template:
        from . import get_template

        return _without_issues(replace(get_template(kind), version=version))
    return make


def _same_layout(kind: str, version: str) -> Callable[[], Template]:
    """An earlier version whose layout is the current one's (only formulas or wording changed), and no Scores or
    Summary sheet."""
    def make() -> Template:
        from . import get_template

        return _without_reports(replace(get_template(kind), version=version))
    return make


def _project_1_0() -> Template:
    """The project workbook 1.0: a register of 8 rows and no "no post assessment" reason; no "measures used" on the
    Project sheet; Phase 5 had one results table, typed, for every measure; attendance had 8 rows."""
    from . import get_template
    from .lists import MEASURES
    from .templates import measure_flag

    flags = {measure_flag(code) for code, _ in MEASURE_SHEETS}
    t = get_template("sipp_project")
    t = _without_blocks(t, lambda b: not (
        (isinstance(b, Field) and b.key in flags)
        or (isinstance(b, Heading) and b.text == "Measures used in this project")
        or (isinstance(b, Guidance) and b.text.startswith("Choose No for each assessment"))
        or (isinstance(b, Table) and b.key == "social_results")))
    t = _without_column(t, "pupils", "no_post")
    t = _with(t, "pupils", rows=8)
    t = _with(t, "attendance", rows=8)
    t = _with_column_rule(t, "results", "measure", Rule("choice", MEASURES, required=True))
    return _without_reports(replace(t, version="1.0"))


def _project_0_9() -> Template:
    """The pilot project workbook (0.9): as 1.0, and the pupil register had no Sex column."""
    return replace(_without_column(_project_1_0(), "pupils", "sex"), version="0.9")


def _return_1_1() -> Template:
    """The school data return 1.1: no submission stamp on the Details sheet, no Issues sheet (1.0: nor Scores and
    Summary sheets)."""
    from . import get_template

    t = _without_blocks(_without_issues(get_template("school_return")), lambda b: not (
        (isinstance(b, Field) and b.key in ("submitted_on", "submitted_with"))
        or (isinstance(b, Heading) and b.text == "Submission")))
    return replace(t, version="1.1")


HISTORY: dict[tuple[str, str], Callable[[], Template]] = {
    ("sipp_project", "0.9"): _project_0_9,
    ("sipp_project", "1.0"): _project_1_0,
    **{(kind, "1.1"): _before_issues(kind, "1.1")
       for kind in ("sipp_project", "social_skills", "observation", "gas", "rosenberg", "attendance", "survey")},
    **{(kind, "1.0"): _same_layout(kind, "1.0")
       for kind in ("social_skills", "observation", "gas", "rosenberg", "attendance", "survey")},
    ("school_return", "1.0"): lambda: _without_reports(replace(_return_1_1(), version="1.0")),
    ("school_return", "1.1"): _return_1_1,
    ("school_return", "1.2"): _before_issues("school_return", "1.2"),
}
@cache
def template_version(kind: str, version: str) -> Template | None:
    """The specification of `kind` at `version`: the current one, an earlier one, or None if unknown."""
    from . import get_template

    current = get_template(kind)
    if version == current.version:
        return current
    make = HISTORY.get((kind, version))
    return make() if make else None
