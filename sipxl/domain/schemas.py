"""pandera schemas for every table of every template, generated from the specification's Rules.

A table's frame (sipxl.domain.extract.TableData.frame) holds only the rows a teacher used, indexed by the
Excel row number, with values already typed (None where the reader found an unusable value and said so).
The schemas check types, ranges, closed lists and required answers; each failure pandera reports is mapped
back to the sheet, the cell as Excel shows it, the column label and the value, as an Issue.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

import pandas as pd
import pandera.pandas as pa

from ..issues import Issue, issue
from ..spec.model import Column, Rule, Table, Template
from .extract import TableData, WorkbookContent, is_blank

__all__ = ["table_schema", "validate_table", "schema_issues"]

# the name of each check -> the issue code it reports
CHECK_CODES = {
    "not_nullable": "SIPXL-V001",
    "is_number": "SIPXL-V002",
    "is_whole_number": "SIPXL-V008",
    "in_range": "SIPXL-V004",
    "is_choice": "SIPXL-V005",
    "is_date": "SIPXL-V007",
}


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))


def _is_whole(v: object) -> bool:
    return not _is_number(v) or float(v).is_integer()


def _in_range(rule: Rule):
    def check(v: object) -> bool:
        if not _is_number(v):
            return True  # reported by is_number
        return (rule.min is None or v >= rule.min) and (rule.max is None or v <= rule.max)
    return check


def _is_choice(rule: Rule):
    allowed = set(rule.choices or ())

    def check(v: object) -> bool:
        if _is_number(v):
            shown = str(int(v)) if float(v).is_integer() else str(v)
            return shown in allowed
        return isinstance(v, str) and v in allowed
    return check


def _is_date(v: object) -> bool:
    return isinstance(v, dt.date)


def _checks(rule: Rule) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if rule.type in ("integer", "number"):
        checks.append(pa.Check(_is_number, element_wise=True, name="is_number"))
        if rule.type == "integer":
            checks.append(pa.Check(_is_whole, element_wise=True, name="is_whole_number"))
        if rule.min is not None or rule.max is not None:
            checks.append(pa.Check(_in_range(rule), element_wise=True, name="in_range"))
    if rule.choices:
        checks.append(pa.Check(_is_choice(rule), element_wise=True, name="is_choice"))
    if rule.type == "date":
        checks.append(pa.Check(_is_date, element_wise=True, name="is_date"))
    return checks


def _input_columns(table: Table) -> list[Column]:
    return [c for c in table.columns if c.is_input]


@cache
def table_schema(table: Table) -> pa.DataFrameSchema:
    """The schema of one table's used rows: every input column, its checks, and required = not nullable."""
    columns = {
        col.key: pa.Column(None, checks=_checks(col.rule), nullable=not col.rule.required, required=False,
                           title=col.label)
        for col in _input_columns(table)
    }
    return pa.DataFrameSchema(columns, name=table.key, coerce=False, strict=False)


def validate_table(table: Table, data: TableData, skip: frozenset[tuple[str, str]] = frozenset()) -> list[Issue]:
    """Run the table's schema (lazily, every failure) and turn each failure into an Issue.

    `skip` holds (code, cell) pairs already reported (by the reader), which are not reported again. A
    required cell where something unusable was typed is not reported as empty: the reader said why.
    """
    frame = data.frame
    if frame.empty:
        return []
    schema = table_schema(table)
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as e:
        failures = e.failure_cases
    rules = {c.key: c.rule for c in _input_columns(table)}
    out: list[Issue] = []
    seen: set[tuple[str, str]] = set(skip)
    for rec in failures.to_dict("records"):
        column, check, index = rec.get("column"), str(rec.get("check")), rec.get("index")
        if column not in rules or index is None or (isinstance(index, float) and math.isnan(index)):
            continue
        code = CHECK_CODES.get(check.split("(")[0])
        if code is None:
            continue
        excel_row = int(index)
        cell = data.ref(excel_row, column)
        raw = data.raw.at[excel_row, column] if excel_row in data.raw.index else None
        if code == "SIPXL-V001" and not is_blank(raw):
            continue  # something was typed but could not be used: the reader's issue says what
        if (code, cell) in seen:
            continue
        seen.add((code, cell))
        value = "" if is_blank(raw) else _show(raw)
        out.append(issue(code, sheet=data.sheet, cell=cell, label=data.labels[column], value=value,
                         expected=rules[column].describe()))
    return out


def _show(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def _tables(template: Template) -> dict[str, Table]:
    return {t.key: t for s in template.sheets for t in s.tables}


def schema_issues(content: WorkbookContent, skip_columns: frozenset[tuple[str, str]] = frozenset()) -> list[Issue]:
    """Every table of the workbook against its schema. `skip_columns` = (table, column) pairs whose missing
    answers a named rule reports in its own words (e.g. a SMART outcome without a measure)."""
    skip = frozenset((i.code, i.cell) for i in content.issues)
    out: list[Issue] = []
    for key, table in _tables(content.template).items():
        data = content.tables.get(key)
        if data is None:
            continue
        found = validate_table(table, data, skip)
        out.extend(i for i in found if not (i.code == "SIPXL-V001" and (key, _column_of(data, i)) in skip_columns))
    return out


def _column_of(data: TableData, found: Issue) -> str:
    for key, label in data.labels.items():
        if label == found.label:
            return key
    return ""


def frame_of(rows: list[dict], index: list[int]) -> pd.DataFrame:
    """A table frame as the reader makes it (tests build frames with this)."""
    return pd.DataFrame(rows, index=pd.Index(index, name="excel_row"), dtype=object)
