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

from .model import Sheet, Table, Template


def _without_column(template: Template, table_key: str, column_key: str) -> Template:
    def sheet(s: Sheet) -> Sheet:
        blocks = tuple(
            replace(b, columns=tuple(c for c in b.columns if c.key != column_key))
            if isinstance(b, Table) and b.key == table_key else b
            for b in s.blocks
        )
        return replace(s, blocks=blocks)

    return replace(template, sheets=tuple(sheet(s) for s in template.sheets))


def _project_0_9() -> Template:
    """The pilot project workbook (0.9): the pupil register had no Sex column."""
    from . import get_template

    return replace(_without_column(get_template("sipp_project"), "pupils", "sex"), version="0.9")


HISTORY: dict[tuple[str, str], Callable[[], Template]] = {
    ("sipp_project", "0.9"): _project_0_9,
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
