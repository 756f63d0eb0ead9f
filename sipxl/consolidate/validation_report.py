"""The validation report: every file and every issue, as JSON and as a workbook a QIO can send back.

One row per issue (school, file, sheet, cell, label, code, severity, value, message, fix), a sheet of every
file with its status, and one sheet per school with just that school's files and issues.
"""

from __future__ import annotations

import json
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..issues import SEVERITY_ORDER, _cell_key
from ..safe_text import cell_text, sheet_name
from .dashboard import FIXED_DATE
from .row_heights import fit_row
from .run import STATUS_LABELS, Consolidation

ISSUE_COLUMNS = ("school", "seed_code", "file", "sheet", "cell", "label", "code", "severity", "title", "value",
                 "message", "fix")
FILE_COLUMNS = ("school", "seed_code", "file", "status", "kind", "errors", "warnings", "infos", "date_used",
                "date_source", "note")


def issue_rows(cons: Consolidation) -> list[dict[str, str]]:
    rows = []
    for i in cons.all_issues:
        seed = str(i.extra.get("seed_code", "")) if i.extra else ""
        rows.append({"school": cons.school_name(seed), "seed_code": seed, "file": i.file, "sheet": i.sheet,
                     "cell": i.cell.rsplit("!", 1)[-1] if i.cell else "", "label": i.label, "code": i.code,
                     "severity": i.severity, "title": i.title, "value": i.value, "message": i.message,
                     "fix": i.fix})
    rows.sort(key=lambda r: (r["seed_code"] == "", r["seed_code"], r["file"], SEVERITY_ORDER[r["severity"]],
                             r["sheet"], _cell_key(r["cell"]), r["code"], r["label"], r["value"]))
    return rows


def file_rows(cons: Consolidation) -> list[dict[str, str]]:
    rows = []
    for r in cons.records:
        sev = [i.severity for i in r.issues]
        note = (f"Same content as {r.duplicate_of}" if r.duplicate_of else
                f"Replaced by {r.superseded_by}" if r.superseded_by else
                "; ".join(sorted({i.title for i in r.issues if i.severity == "error"})))
        rows.append({"school": cons.school_name(r.seed_code), "seed_code": r.seed_code, "file": r.rel,
                     "status": STATUS_LABELS[r.status], "kind": r.kind, "errors": sev.count("error"),
                     "warnings": sev.count("warning"), "infos": sev.count("info"),
                     "date_used": r.date_used.isoformat() if r.date_used else "", "date_source": r.date_source,
                     "note": note})
    rows.sort(key=lambda r: (r["seed_code"] == "", r["seed_code"], r["file"]))
    return rows


def write_report_json(path: Path, cons: Consolidation) -> None:
    """The validation report as JSON, written as it is encoded: a large authority's report (millions of small
    pieces of text) is never held whole in memory."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(_report_data(cons), f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")


def _report_data(cons: Consolidation) -> dict:
    counts = cons.counts()
    return {
        "sipxl_version": __version__,
        "authority": cons.config.name,
        "deadline": cons.config.deadline.isoformat() if cons.config.deadline else None,
        "files_found": len(cons.records),
        "counts": counts,
        "ignored_system_files": cons.ignored,
        "files": file_rows(cons),
        "issues": issue_rows(cons),
    }


def write_report_xlsx(path: Path, cons: Consolidation) -> None:
    # Written a row at a time (constant_memory: each row goes to a temporary file as the next begins), so a large
    # authority's report never holds every cell of its issue lists in memory (about 100 MiB at 6,694 files). The
    # temporary files go beside the report, in the run's own folder, not wherever the system keeps them.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "constant_memory": True,
                                         "tmpdir": str(Path(path).parent)})
    wb.set_properties({"title": "sipxl validation report", "author": "sipxl", "created": FIXED_DATE,
                       "comments": f"sipxl {__version__}"})
    base = {"font_name": "Arial", "font_size": 10, "valign": "top", "text_wrap": True}
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = wb.add_format(base)
    title = wb.add_format({**base, "bold": True, "font_size": 14, "font_color": "#2F5597", "text_wrap": False})
    sev_fmt = {s: wb.add_format({**base, "bold": True, "font_color": c})
               for s, c in (("error", "#9C0006"), ("warning", "#9C5700"), ("info", "#595959"))}
    widths = {"school": 26, "seed_code": 10, "file": 40, "sheet": 14, "cell": 8, "label": 28, "code": 12,
              "severity": 9, "title": 24, "value": 18, "message": 50, "fix": 44, "status": 22, "kind": 14,
              "errors": 7, "warnings": 9, "infos": 6, "date_used": 11, "date_source": 18, "note": 40}

    def sheet(name: str, heading: str, columns: tuple[str, ...], rows: list[dict]) -> None:
        ws = wb.add_worksheet(name)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        ws.write_string(0, 0, cell_text(heading), title)
        for j, c in enumerate(columns):
            ws.write_string(2, j, c.replace("_", " ").capitalize(), head)
            ws.set_column(j, j, widths.get(c, 14))
        for i, r in enumerate(rows, start=3):
            texts = []
            for j, c in enumerate(columns):
                v = r.get(c, "")
                if isinstance(v, int):
                    ws.write_number(i, j, v, cell)
                else:  # text from a school's file: always a string, never a formula
                    text = cell_text(v)
                    ws.write_string(i, j, text, sev_fmt.get(v, cell) if c == "severity" else cell)
                    texts.append((text, widths.get(c, 14)))
            fit_row(ws, i, texts)
        if rows:
            ws.autofilter(2, 0, 2 + len(rows), len(columns) - 1)
        ws.freeze_panes(3, 0)

    counts = cons.counts()
    summary = ", ".join(f"{STATUS_LABELS[k].lower()}: {v}" for k, v in counts.items() if v)
    issues, files = issue_rows(cons), file_rows(cons)
    sheet("Issues", f"{cons.config.name}: every problem found ({len(cons.records)} files; {summary})",
          ISSUE_COLUMNS, issues)
    sheet("Files", "Every file found and what happened to it (each school with something to fix also has a "
          "feedback workbook to send, in the feedback folder)", FILE_COLUMNS, files)
    used = {"Issues", "Files"}
    # A sheet to send back for each school with something to fix (an error or a warning); every file of every
    # school is on the Files sheet, so a national collection does not make thousands of "all fine" tabs.
    to_fix = {r["seed_code"] for r in issues if r["severity"] in ("error", "warning")}
    seeds = sorted(to_fix, key=lambda s: (s == "", s))
    school_cols = tuple(c for c in ISSUE_COLUMNS if c not in ("school", "seed_code"))
    issues_of: dict[str, list[dict]] = {}
    files_of: dict[str, list[dict]] = {}
    for r in issues:
        issues_of.setdefault(r["seed_code"], []).append(r)
    for r in files:
        files_of.setdefault(r["seed_code"], []).append(r)
    for seed in seeds:
        name = cons.school_name(seed) if seed else "School not known"
        mine = issues_of.get(seed, [])
        mine_files = files_of.get(seed, [])
        with_issues = {i["file"] for i in mine}
        ws_name = sheet_name(f"{seed} {name}".strip() or "No school", used)
        head_text = (f"{name} ({seed}): {len(mine_files)} file(s), {len(mine)} issue(s) to look at" if seed else
                     "Files whose school could not be read")
        listing = [{"file": f["file"], "sheet": "", "cell": "", "label": "", "code": "", "severity": "",
                    "title": f["status"], "value": "", "message": f["note"], "fix": ""} for f in mine_files
                   if f["file"] not in with_issues]
        sheet(ws_name, head_text, school_cols, mine + listing)
    wb.close()
