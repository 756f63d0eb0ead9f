"""The practitioner survey as the authority's own Microsoft Forms export ("Download responses" / "Open in Excel").

A shared school workbook is no place for an anonymous survey, so an authority may run the same statements as a
Form. Its export has one row per response: ID, Start time, Completion time, Email, Name (and, in newer exports,
Last modified time), then one column per question, headed with the question's text; a Likert question gives one
column per statement. A column is taken as a statement's when its heading contains the statement's words;
answers are matched to the five agreement levels ignoring case and spaces. Email and Name are never read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..spec import lists as L
from .frames import PREFIX
from .tidy import COLUMNS

KIND = "forms_survey"
_ANSWER = {a.casefold(): a for a in L.AGREEMENT}


def _norm(text: object) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", str(text or "")).split()).casefold()


class FormsError(ValueError):
    """The file is not a Forms export of the practitioner survey; the message says why."""


def _statement_columns(headers: list[object]) -> dict[int, int]:
    """Column position -> statement number (1-based) for each heading holding a statement's words."""
    wanted = {k: _norm(s) for k, s in enumerate(L.SURVEY_STATEMENTS, start=1)}
    out = {}
    for j, h in enumerate(headers):
        text = _norm(h)
        for k, s in wanted.items():
            if s and s in text and k not in out.values():
                out[j] = k
                break
    return out


def read_forms_export(path: Path) -> pd.DataFrame:
    """The survey rows (the tidy `survey` table's columns) of one Forms export."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python()
    except Exception as e:  # noqa: BLE001 - any unreadable file gets the same plain message
        raise FormsError(f"{path.name} could not be read as an Excel workbook ({type(e).__name__})") from e
    if not rows:
        raise FormsError(f"{path.name} is empty")
    headers = list(rows[0])
    columns = _statement_columns(headers)
    if not columns:
        raise FormsError(f"{path.name} has none of the practitioner survey's statements as a column heading "
                         f"(such as '{L.SURVEY_STATEMENTS[0]}')")
    id_col = next((j for j, h in enumerate(headers) if _norm(h) == "id"), None)
    role_col = next((j for j, h in enumerate(headers) if "role" in _norm(h).split()), None)
    out = []
    for n, row in enumerate(rows[1:], start=1):
        if not any(str(v).strip() for v in row):
            continue
        rid = row[id_col] if id_col is not None and id_col < len(row) else n
        rid = int(rid) if isinstance(rid, float) and rid.is_integer() else rid
        role = str(row[role_col]).strip() or None if role_col is not None and role_col < len(row) else None
        for j, k in sorted(columns.items(), key=lambda x: x[1]):
            answer = _ANSWER.get(" ".join(str(row[j]).split()).casefold()) if j < len(row) else None
            out.append((path.name, KIND, None, None, None, None, None, None, f"Form response {rid}", role, k,
                        L.SURVEY_STATEMENTS[k - 1], answer))
    return pd.DataFrame(out, columns=[*PREFIX, *COLUMNS["survey"]])


def read_forms_exports(paths: list[Path]) -> pd.DataFrame:
    frames = [read_forms_export(p) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*PREFIX, *COLUMNS["survey"]])
