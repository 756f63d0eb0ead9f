"""One wrong value, many cells: issues grouped so a teacher reads the problem once, root cause first.

A pupil reference typed as a name on the Pupils sheet and then chosen from the dropdown on four other sheets
gives five issues with the same code and value. :func:`group_issues` turns them into one group whose first
issue is the one on the sheet the others copy from (the *source* sheets: the Pupils sheet, whose register
feeds the dropdowns), then the copies in the order given. Pure: no file, no Excel.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ..issues import Issue
from ..spec.model import Template

__all__ = ["IssueGroup", "group_issues", "source_sheets"]


@dataclass(frozen=True)
class IssueGroup:
    """Issues with one code and one value; `issues[0]` is the root cause."""

    issues: tuple[Issue, ...]

    @property
    def root(self) -> Issue:
        return self.issues[0]

    @property
    def copies(self) -> tuple[Issue, ...]:
        return self.issues[1:]

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(i.cell for i in self.issues if i.cell)

    @property
    def severity(self) -> str:
        return self.root.severity


def _key(issue: Issue) -> tuple[str, str, str] | None:
    """Issues that share this key are one wrong value in many cells; None: the issue stands alone."""
    value = " ".join(issue.value.split()).casefold()
    if not issue.cell or not value:
        return None  # a missing answer or a whole-file problem is its own issue in each place
    return (issue.file, issue.code, value)


def group_issues(issues: Iterable[Issue], sources: Collection[str] = ()) -> list[IssueGroup]:
    """Group `issues` (already in reading order) by file, code and value (spaces and case ignored).

    Within a group, issues on a sheet named in `sources` come first (the root cause), then the others in
    the order given; groups keep the order of their first issue in `issues`. Issues without a cell or a value
    are never grouped.
    """
    groups: dict[object, list[Issue]] = {}
    for k, issue in enumerate(issues):
        key = _key(issue)
        groups.setdefault(key if key is not None else k, []).append(issue)
    out = []
    for members in groups.values():
        rooted = sorted(members, key=lambda i: i.sheet not in sources)  # stable: the given order otherwise
        out.append(IssueGroup(tuple(rooted)))
    return out


def source_sheets(template: Template, sheet_names: dict[str, str]) -> frozenset[str]:
    """The names (as in the workbook) of the sheets whose tables feed other cells' dropdowns."""
    from ..spec.layout import layout_template

    layout = layout_template(template)
    out = set()
    for sheet in template.sheets:
        for block in (*sheet.tables, *sheet.fields):
            columns = block.columns if hasattr(block, "columns") else (block,)
            for col in columns:
                if col.rule.choices_from:
                    code = layout.tables[col.rule.choices_from.split(".")[0]].sheet
                    if code in sheet_names:
                        out.add(sheet_names[code])
    return frozenset(out)
