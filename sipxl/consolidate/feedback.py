"""Feedback a QIO can send: one workbook per school with something to fix or a return missing, and a mail-merge
list (school, e-mail, file to attach).

Each workbook opens with what to do and by when (the deadline and contact from the authority's configuration),
then the issues in fixing order: files that could not be read first, then each file's problems with the root
cause first and a value repeated in many cells once, with all its cells. It names workbooks by their file name
only (no folders), and never shows a value flagged as a pupil's name or candidate number: only its cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import __version__
from ..domain.issue_groups import group_issues
from ..issues import SEVERITY_ORDER, Issue, _cell_key
from ..safe_text import cell_text, csv_field
from .privacy import FLAGGED_CODES
from .row_heights import fit_row
from .run import STATUS_LABELS, Consolidation

FEEDBACK = "feedback"
MAIL_MERGE = "mail_merge.csv"
MAIL_COLUMNS = ("school", "seed_code", "email", "attachment", "errors", "warnings", "missing", "reply_by")
REGISTER_SHEETS = frozenset({"Pupils"})  # where a pupil reference is typed first; other sheets copy it


@dataclass(frozen=True)
class Row:
    """One line of a school's feedback: a problem once, with every cell where it appears."""

    code: str
    file: str
    sheet: str
    cells: tuple[str, ...]
    severity: str
    problem: str
    value: str
    fix: str


_NOT_IN_FILE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def file_stem(text: str, used: set[str]) -> str:
    """A file name (without extension) any system accepts, at most 100 characters, unique within `used`."""
    base = " ".join(_NOT_IN_FILE_NAME.sub(" ", text).split()).strip(". ")[:100] or "School"
    stem, k = base, 1
    while stem.casefold() in used:
        k += 1
        stem = f"{base} ({k})"
    used.add(stem.casefold())
    return stem


def _file_name(rel: str) -> str:
    return PurePosixPath(rel).name if rel else ""


def _cell(i: Issue) -> str:
    return i.cell.rsplit("!", 1)[-1] if i.cell else ""


def fixing_order(issues: list[Issue]) -> list[Row]:
    """A school's issues as rows in the order to fix them: per file, whole-file problems first (a file that
    cannot be read hides everything else), then errors before warnings, sheet by sheet, cell by cell."""
    wanted = [i for i in issues if i.severity in ("error", "warning")]
    wanted.sort(key=lambda i: (i.file, bool(i.cell), SEVERITY_ORDER[i.severity], i.sheet_no, i.sheet,
                               _cell_key(i.cell), i.code))
    rows = []
    for group in group_issues(wanted, REGISTER_SHEETS):  # shared with the workbook's own Issues sheet
        g, root = group.issues, group.root
        flagged = root.code in FLAGGED_CODES
        rows.append(Row(
            code=root.code, file=_file_name(root.file), sheet=root.sheet,
            cells=tuple(dict.fromkeys(f"{_cell(i)}" if i.sheet == root.sheet else f"{i.sheet}!{_cell(i)}"
                                      for i in g if i.cell)),
            severity=root.severity,
            problem=(f"{root.title} (the value is not repeated here)" if flagged else root.message),
            value="" if flagged else str(root.value),
            fix=root.fix))
    return rows


def _schools_to_write(cons: Consolidation) -> dict[str, list[Issue]]:
    """Seed code -> the school's issues, for every school with an error, a warning or a return missing."""
    out: dict[str, list[Issue]] = {}
    for i in cons.all_issues:
        seed = str(i.extra.get("seed_code", "")) if i.extra else ""
        if seed and i.severity in ("error", "warning"):
            out.setdefault(seed, []).append(i)
    return dict(sorted(out.items()))


def _email(cons: Consolidation, seed: str) -> str:
    school = cons.config.school(seed)
    return school.email if school is not None else ""


def write_feedback(cons: Consolidation, folder: Path) -> list[Path]:
    """Write feedback/<SEED> <School>.xlsx for each school to write to, and the mail-merge list."""
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = {MAIL_MERGE.casefold()}
    written = []
    merge = []
    reply_by = cons.config.feedback_deadline
    by_school: dict[str, list] = {}  # each school's files, found once (not a pass over every file per school)
    for rec in sorted(cons.records, key=lambda x: x.rel):
        by_school.setdefault(rec.seed_code, []).append(rec)
    for seed, issues in _schools_to_write(cons).items():
        name = cons.school_name(seed) or "School"
        path = folder / f"{file_stem(f'{seed} {name}', used)}.xlsx"
        rows = fixing_order(issues)
        missing = [i for i in issues if i.code == "SIPXL-C008"]
        _write_school(path, cons, seed, name, rows, missing, reply_by, by_school.get(seed, []))
        written.append(path)
        sev = [r.severity for r in rows]
        merge.append({"school": name, "seed_code": seed, "email": _email(cons, seed),
                      "attachment": f"{FEEDBACK}/{path.name}", "errors": sev.count("error"),
                      "warnings": sev.count("warning") - len(missing), "missing": len(missing),
                      "reply_by": reply_by.isoformat() if reply_by else ""})
    with open(folder / MAIL_MERGE, "w", newline="", encoding="utf-8-sig") as f:  # Excel opens UTF-8 with a BOM
        w = csv.DictWriter(f, fieldnames=MAIL_COLUMNS)
        w.writeheader()
        for m in merge:
            w.writerow({k: csv_field(v) for k, v in m.items()})
    return written


def _write_school(path: Path, cons: Consolidation, seed: str, name: str, rows: list[Row], missing: list[Issue],
                  reply_by: dt.date | None, records: list) -> None:
    """One school's feedback workbook; `records` are the school's files, in name order."""
    import xlsxwriter  # imported here: a run with nothing to rebuild never needs the writers

    from .dashboard import FIXED_DATE

    cfg = cons.config
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "in_memory": True})
    wb.set_properties({"title": f"Feedback for {name}", "author": cfg.name, "created": FIXED_DATE,
                       "comments": f"sipxl {__version__}"})
    base = {"font_name": "Arial", "font_size": 10, "valign": "top", "text_wrap": True}
    title = wb.add_format({**base, "bold": True, "font_size": 16, "font_color": "#2F5597", "text_wrap": False})
    h2 = wb.add_format({**base, "bold": True, "font_size": 12, "font_color": "#2F5597", "text_wrap": False})
    text = wb.add_format(base)
    bold = wb.add_format({**base, "bold": True})
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = wb.add_format({**base, "border": 1, "border_color": "#BFBFBF"})
    sev_fmt = {s: wb.add_format({**base, "border": 1, "border_color": "#BFBFBF", "bold": True, "font_color": c})
               for s, c in (("error", "#9C0006"), ("warning", "#9C5700"))}

    ws = wb.add_worksheet("What to do")
    ws.set_column(0, 0, 100)
    ws.set_row(0, 24)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, cell_text(f"{name} ({seed}): your School Improvement Partnership returns"), title)
    errors = sum(r.severity == "error" for r in rows)
    steps = []
    if missing:
        steps.append("We have not received: " + "; ".join(f"{m.label} ({m.expected})" for m in missing) + ". "
                     "Please send it.")
    fix_rows = [r for r in rows if r.code != "SIPXL-C008"]
    if fix_rows:
        steps.append(f"Please correct the {len(fix_rows)} problem(s) listed on the Issues sheet ({errors} error(s) "
                     "must be corrected; warnings are worth checking), in the order listed: the first may cause "
                     "others. Each names the workbook, the sheet and the cell(s).")
        steps.append("Open the workbook, correct the cells, click Check workbook on the SIPXL ribbon until it "
                     "reports no errors, then Prepare for submission, save, and send the workbook back.")
    when = f"by {reply_by:%A %d %B %Y}" if reply_by else "as soon as you can"
    steps.append(f"Please reply {when}.")
    if cfg.contact:
        steps.append(f"Questions: {cfg.contact}.")
    steps.append("Pupils' names or candidate numbers must never be typed in a workbook: where a reference looked "
                 "like one, this feedback shows only its cell.")
    r = 2
    ws.write_string(r, 0, "What to do", h2)
    for k, s in enumerate(steps, start=1):
        r += 1
        ws.write_string(r, 0, cell_text(f"{k}. {s}"), text)
        ws.set_row(r, 14 * max(1, -(-len(s) // 110)))
    r += 2
    ws.write_string(r, 0, f"From {cfg.name}. Made by sipxl {__version__}.", bold)

    iss = wb.add_worksheet("Issues")
    cols = ("No.", "Workbook", "Sheet", "Cell(s)", "Severity", "Problem", "Value", "What to do")
    widths = (5, 34, 16, 16, 9, 50, 16, 44)
    iss.set_landscape()
    iss.fit_to_pages(1, 0)
    iss.repeat_rows(0)
    for j, w in enumerate(widths):
        iss.set_column(j, j, w)
    data = [[k, r.file, r.sheet, ", ".join(r.cells), r.severity, r.problem, r.value, r.fix]
            for k, r in enumerate(rows, start=1)]
    iss.add_table(0, 0, max(len(data), 1), len(cols) - 1, {
        "style": "Table Style Light 1", "autofilter": True,
        "columns": [{"header": c, "header_format": head} for c in cols]})
    for i, values in enumerate(data, start=1):
        texts = []
        for j, v in enumerate(values):
            if isinstance(v, int):
                iss.write_number(i, j, v, cell)
            else:
                text = cell_text(v)
                iss.write_string(i, j, text, sev_fmt.get(v, cell) if j == 4 else cell)
                texts.append((text, widths[j]))
        fit_row(iss, i, texts)
    iss.freeze_panes(1, 0)

    files = wb.add_worksheet("Your files")
    file_widths = (50, 40)
    for j, w in enumerate(file_widths):
        files.set_column(j, j, w)
    files.add_table(0, 0, max(1, len(records)), 1, {
        "style": "Table Style Light 1", "columns": [{"header": "Workbook", "header_format": head},
                                                    {"header": "What happened", "header_format": head}]})
    for k, rec in enumerate(records, start=1):
        texts = (cell_text(_file_name(rec.rel)), STATUS_LABELS[rec.status])
        for j, text in enumerate(texts):
            files.write_string(k, j, text, cell)
        fit_row(files, k, zip(texts, file_widths, strict=True))
    ws.activate()
    wb.close()
