"""pandera schemas for every table of every template, generated from the specification's Rules.

A table's frame (sipxl.domain.extract.TableData.frame) holds only the rows a teacher used, indexed by the
Excel row number, with values already typed (None where the reader found an unusable value and said so).
The schemas check types, ranges, closed lists and required answers; each failure pandera reports is mapped
back to the sheet, the cell as Excel shows it, the column label and the value, as an Issue.

pandas and pandera are imported only when a table needs pandera (see screen_table): most files never do, and
a worker or a re-run that does not need them does not pay for loading them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from .._memo import by_identity
from ..issues import Issue, issue
from ..spec.model import Column, Rule, Table, Template
from .extract import TableData, WorkbookContent, _show, is_blank

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

__all__ = ["table_schema", "validate_table", "schema_issues", "schema_issues_many", "screen_table"]

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


def _check_fns(rule: Rule) -> list[tuple[str, Callable[[object], bool]]]:
    """(name, element-wise check) for one column's rule: what the schema runs and what the screen runs."""
    checks: list[tuple[str, Callable[[object], bool]]] = []
    if rule.type in ("integer", "number"):
        checks.append(("is_number", _is_number))
        if rule.type == "integer":
            checks.append(("is_whole_number", _is_whole))
        if rule.min is not None or rule.max is not None:
            checks.append(("in_range", _in_range(rule)))
    if rule.choices:
        checks.append(("is_choice", _is_choice(rule)))
    if rule.type == "date":
        checks.append(("is_date", _is_date))
    return checks


def _checks(rule: Rule) -> list[pa.Check]:
    import pandera.pandas as pa

    return [pa.Check(fn, element_wise=True, name=name) for name, fn in _check_fns(rule)]


def _input_columns(table: Table) -> list[Column]:
    return [c for c in table.columns if c.is_input]


@cache
def table_schema(table: Table) -> pa.DataFrameSchema:
    """The schema of one table's used rows: every input column, its checks, and required = not nullable."""
    import pandera.pandas as pa

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
    if data.empty or screen_table(table, data):
        return []
    return _issues(table, data, _failures(table, data.frame), skip)


def _failures(table: Table, frame: pd.DataFrame) -> list[dict]:
    """pandera's failure cases of a frame against the table's schema (lazy: every failure), as records."""
    import pandera.pandas as pa

    try:
        schema_of(table).validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as e:
        return e.failure_cases.to_dict("records")


def _issues(table: Table, data: TableData, failures: list[dict], skip: frozenset[tuple[str, str]]) -> list[Issue]:
    rules = _input_rules(table)
    out: list[Issue] = []
    seen: set[tuple[str, str]] = set(skip)
    for rec in failures:
        column, check, index = rec.get("column"), str(rec.get("check")), rec.get("index")
        if column not in rules or index is None or (isinstance(index, float) and math.isnan(index)):
            continue
        code = CHECK_CODES.get(check.split("(")[0])
        if code is None:
            continue
        excel_row = int(index)
        cell = data.ref(excel_row, column)
        raw = data.raw_value(excel_row, column)
        if code == "SIPXL-V001" and not is_blank(raw):
            continue  # something was typed but could not be used: the reader's issue says what
        if (code, cell) in seen:
            continue
        seen.add((code, cell))
        value = "" if is_blank(raw) else _show(raw)
        out.append(issue(code, sheet=data.sheet, cell=cell, label=data.labels[column], value=value,
                         expected=rules[column].describe()))
    return out


# ---------------------------------------------------------------- the schema's checks, without pandas
#
# Most tables pass. Running pandera on a table costs milliseconds whatever its size, so each table's records
# are first screened with the schema's own checks (the same functions, taken from the schema, with pandera's
# rules: a null fails `not_nullable` when the column is not nullable and is otherwise left out of the
# element-wise checks). A table the screen passes would pass pandera; any other (a failure, or a value the
# screen cannot judge) is validated by pandera, which says what failed.


schema_of = by_identity(table_schema)  # hashing a frozen Table for functools.cache costs a deep walk


@by_identity
def _input_rules(table: Table) -> dict[str, Rule]:
    return {c.key: c.rule for c in _input_columns(table)}


@by_identity
def _screen_of(table: Table) -> tuple:
    """(column, nullable, check functions) per input column that can fail (a nullable column without checks
    never does): the very functions and nullability table_schema gives pandera."""
    screen = []
    for col in _input_columns(table):
        fns = tuple(fn for _, fn in _check_fns(col.rule))
        nullable = not col.rule.required
        if fns or not nullable:
            screen.append((col.key, nullable, fns, set()))
    return tuple(screen)


_PASSED_MAX = 512  # (type, value) pairs remembered per column as passing its checks


_PLAIN_TYPES = frozenset((str, int, bool, dt.date))  # never null for pandas
_ABSENT = object()


def screen_table(table: Table, data: TableData) -> bool:
    """True when every used row of `data` passes the table's schema for certain (pandera would find nothing).

    Only for values extract typed itself (`data.from_records`); a frame built elsewhere goes to pandera.
    A value of a type other than those extract gives (None, str, int, float, bool, date) also goes to pandera."""
    if not data.from_records:
        return False
    screen = _screen_of(table)
    plain = _PLAIN_TYPES
    try:
        for _, rec in data.records:
            for key, nullable, fns, passed in screen:
                v = rec.get(key, _ABSENT)
                if v is None:
                    if not nullable:
                        return False
                    continue
                if v is _ABSENT:
                    continue  # a column the frame does not have: not required
                t = type(v)
                if t is float:
                    if v != v:  # NaN: null
                        if not nullable:
                            return False
                        continue
                elif t not in plain:
                    return False
                # A column's answers repeat (a few choices, small whole numbers) and the checks depend on the
                # value and its type alone: a (type, value) that passed once passes again.
                seen = (t, v)
                if seen in passed:
                    continue
                for fn in fns:
                    if fn(v) is not True:
                        return False
                if len(passed) < _PASSED_MAX:
                    passed.add(seen)
    except Exception:  # noqa: BLE001 - a check that raises: pandera reports it
        return False
    return True


@by_identity
def _tables(template: Template) -> dict[str, Table]:
    return {t.key: t for s in template.sheets for t in s.tables}


def schema_issues(content: WorkbookContent, skip_columns: frozenset[tuple[str, str]] = frozenset()) -> list[Issue]:
    """Every table of the workbook against its schema. `skip_columns` = (table, column) pairs whose missing
    answers a named rule reports in its own words (e.g. a SMART outcome without a measure)."""
    return schema_issues_many([content], skip_columns)[0]


def needs_schemas(content: WorkbookContent) -> bool:
    """True when some used table of the workbook may fail its schema (screen_table cannot pass it for certain), so
    that pandera must judge it; False when schema_issues would find nothing."""
    for key, table in _tables(content.template).items():
        data = content.tables.get(key)
        if data is not None and not data.empty and not screen_table(table, data):
            return True
    return False


_ROW_SPAN = 1 << 21  # more than Excel's 1,048,576 rows: file k's row r is k * _ROW_SPAN + r in a batch


def schema_issues_many(contents: list[WorkbookContent],
                       skip_columns: frozenset[tuple[str, str]] = frozenset()) -> list[list[Issue]]:
    """schema_issues of many workbooks at once, the same issues for each as one by one.

    The tables that need pandera (see screen_table) are gathered across the workbooks by table, their rows
    stacked (file k's Excel row r indexed as k * 2**21 + r) and each table validated once for the batch;
    every failure goes back to its own file, row and cell."""
    pending: dict[int, tuple[Table, list[tuple[int, TableData]]]] = {}
    for k, content in enumerate(contents):
        for key, table in _tables(content.template).items():
            data = content.tables.get(key)
            if data is None or data.empty or screen_table(table, data):
                continue
            pending.setdefault(id(table), (table, []))[1].append((k, data))
    failures: dict[tuple[int, str], list[dict]] = {}
    for table, batch in pending.values():
        if len(batch) == 1:
            k, data = batch[0]
            failures[(k, table.key)] = _failures(table, data.frame)
            continue
        import pandas as pd

        frames = []
        for k, data in batch:
            frame = data.frame.copy(deep=False)
            frame.index = pd.Index([k * _ROW_SPAN + int(r) for r in frame.index], name="excel_row")
            frames.append(frame)
            failures[(k, table.key)] = []
        for rec in _failures(table, pd.concat(frames)):
            index = rec.get("index")
            if index is None or (isinstance(index, float) and math.isnan(index)):
                continue  # a failure of no row: cannot be placed (one by one, it is skipped too)
            k, row = divmod(int(index), _ROW_SPAN)
            failures[(k, table.key)].append({**rec, "index": row})
    out: list[list[Issue]] = []
    for k, content in enumerate(contents):
        skip = frozenset((i.code, i.cell) for i in content.issues)
        found: list[Issue] = []
        for key, table in _tables(content.template).items():
            if (k, key) not in failures:
                continue
            data = content.tables[key]
            got = _issues(table, data, failures[(k, key)], skip)
            found.extend(i for i in got if not (i.code == "SIPXL-V001" and (key, _column_of(data, i)) in skip_columns))
        out.append(found)
    return out


def _column_of(data: TableData, found: Issue) -> str:
    for key, label in data.labels.items():
        if label == found.label:
            return key
    return ""


def frame_of(rows: list[dict], index: list[int]) -> pd.DataFrame:
    """A table frame as the reader makes it (tests build frames with this)."""
    import pandas as pd

    return pd.DataFrame(rows, index=pd.Index(index, name="excel_row"), dtype=object)
