"""The SIPXL ribbon's five buttons, each a function of one ``xw.Book``.

    validate(book)   marks bad cells and lists every problem on an Issues sheet, with a link to its cell
    score(book)      writes each instrument's scores and the pre/post summaries to a Scores sheet
    summary(book)    writes a one-page, printable project Summary sheet
    check_setup(book) says which versions run and whether this is a sipxl template at all
    prepare(book)    validates; refuses with the list of errors, or stamps the submission on the Project sheet

The functions only speak the xlwings API, so the same code runs under every client: the remote engine
(``xw.Book(json=payload)``, for the Office.js add-in and VBA's RunRemotePython) and classic RunPython.
They only use actions both shipped clients implement (values, fills, hyperlinks, number formats, column
autofit, sheet add/clear/activate, alert; never ``runMacro``), and they read nothing but values, because the
remote engine cannot read colours or formats. The template sheets stay protected: their protection allows
formatting cells and leaves the submission stamp open (``sipxl.io.build.SHEET_PROTECTION``). A workbook built
before that (no ``protection`` row on its metadata sheet) gets no marks or stamp on its template sheets, and
the alert says so; the Issues sheet, which the buttons own, still lists and links every problem.
All the logic is in the domain (:mod:`sipxl.domain`): this layer reads the grids, calls it, and writes the results back.

Nothing here imports xlwings: a live book under RunPython and a remote book both come in as ``book``.
Any failure becomes a short alert in the teacher's words; the details go to the log (``sipxl.excel``).
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections.abc import Callable, Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..domain.extract import extract
from ..io.read import Unreadable
from ..issues import SEVERITY_ORDER, Issue
from ..spec.layout import a1, layout_template
from . import cells
from .alerts import fit_alert
from .bookread import BookInfo, raw_from_book
from .pages import (
    ISSUE_HEADER,
    ISSUES_FIRST_ROW,
    ISSUES_SHEET,
    SCORES_SHEET,
    SUMMARY_SHEET,
    Checked,
    Page,
    count,
    issue_cell,
    issues_page,
    plural,
    scores_page,
    summary_page,
)

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

__all__ = [
    "BUTTONS",
    "ISSUES_SHEET",
    "SCORES_SHEET",
    "SUMMARY_SHEET",
    "check_setup",
    "prepare",
    "score",
    "summary",
    "validate",
]

ALERT_TITLE = "SIPXL"
#: What the alerts add when a workbook's protection does not let the buttons write on its template sheets.
NO_MARKS = ("This workbook was made before its sheets' protection allowed sipxl to colour cells, so the cells "
            "with problems are not coloured: use the links on the Issues sheet to go to each one.")


log = logging.getLogger("sipxl.excel")


class UserError(Exception):
    """A problem to tell the teacher about as it is (no log reference)."""


# ---------------------------------------------------------------- reading


def _read(book: Any, score: bool = False) -> Checked:
    from ..domain.rules import validate_content

    info = BookInfo(book)
    try:
        raw = raw_from_book(book, info)
    except Unreadable as e:
        raise UserError(f"{e.issue.message}\n\n{e.issue.fix}") from e
    content = extract(raw.file, raw.template, raw.version, raw.sheet_names, raw.grids, raw.issues)
    checked = Checked(info, content, validate_content(content))
    if score:
        from ..domain.scores import score_workbook

        checked.scores = score_workbook(content)
    return checked


# ---------------------------------------------------------------- writing helpers


def _client(book: Any) -> str:
    """'Office.js', 'VBA' (remote engine) or 'Excel' (classic RunPython on a live Excel)."""
    try:
        api = book.api
    except Exception:  # pragma: no cover
        return "Excel"
    if isinstance(api, dict):
        return str(api.get("client") or "VBA")
    return "Excel"


def _sheet(book: Any, name: str, *, clear: bool = True) -> Any:
    """The sheet called `name`, cleared; added after the last sheet if the book has none."""
    names = [s.name for s in book.sheets]
    if name in names:
        sheet = book.sheets[name]
        if clear:
            sheet.clear()
        return sheet
    return book.sheets.add(name, after=book.sheets[len(names) - 1])


def _cell_value(v: object) -> object:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, bool):
        return "Yes" if v else "No"
    return cells.as_text(v)


def _write_page(sheet: Any, page: Page, fit: bool = False) -> None:
    """Write a page's values and formats. With `fit` (a sheet the workbook's template did not build, so its columns
    have Excel's default width), the columns are autofitted to the rows of tables (rows of two cells or more) and
    the numbers: those are written first, a text alone on its row (a title, a line of text) only after the
    autofit, so it runs on into the empty cells beside it and does not make its column as wide as itself."""
    if not page.rows:
        return
    values = [[_cell_value(v) for v in row] for row in page.rows]
    whole = sheet.range((1, 1), (len(values), page.width))
    if fit:
        whole.value = [row if sum(v not in (None, "") for v in row) > 1 else
                       [v if isinstance(v, int | float) else None for v in row] for row in values]
        _write_formats(sheet, page)
        whole.columns.autofit()
    whole.value = values
    if not fit:
        _write_formats(sheet, page)
    for r0, c0, r1, c1, colour in page.fills:
        sheet.range((r0 + 1, c0 + 1), (r1 + 1, c1 + 1)).color = colour
    for row, col, address, text in page.links:
        sheet.range((row + 1, col + 1)).add_hyperlink(address, text, "Go to the cell")
    for r0, r1 in page.fit:
        sheet.range((r0 + 1, 1), (r1 + 1, page.width)).columns.autofit()


def _write_formats(sheet: Any, page: Page) -> None:
    for r0, c0, r1, c1, fmt in page.formats:
        # one cell at a time: the Office.js client sends [[format]], which Excel takes only for a single cell
        for row in range(r0, r1 + 1):
            for col in range(c0, c1 + 1):
                sheet.range((row + 1, col + 1)).number_format = fmt


def _built(checked: Checked, code: str) -> bool:
    """Whether the workbook's template built the sheet `code` (with its widths and print setup)."""
    return any(s.code == code for s in checked.content.template.sheets)


def _alert(book: Any, prompt: str, mode: str = "info") -> None:
    book.app.alert(fit_alert(prompt), title=ALERT_TITLE, buttons="ok", mode=mode)


# ---------------------------------------------------------------- Validate


def _previous_marks(book: Any, sheet_names: dict[str, str]) -> set[tuple[str, str, int, int]]:
    """The cells the last Validate marked: the Cell column of the Issues sheet it wrote."""
    if ISSUES_SHEET not in [s.name for s in book.sheets]:
        return set()
    from .bookread import sheet_grid

    grid = sheet_grid(book.sheets[ISSUES_SHEET])
    col = ISSUE_HEADER.index("Cell")
    by_name = {v: k for k, v in sheet_names.items()}
    out = set()
    for row in grid[ISSUES_FIRST_ROW + 1:]:
        if len(row) <= col or not isinstance(row[col], str):
            continue
        parsed = cells.parse_ref(row[col])
        if parsed and parsed[0] in by_name:
            out.add((by_name[parsed[0]], parsed[0], parsed[1], parsed[2]))
    return out


def _marks(issues: Sequence[Issue], sheet_names: dict[str, str], template: Any) -> dict[tuple, str]:
    """Cell -> mark colour, by the worst severity of the cell's issues (infos are not marked)."""
    fills = cells.original_fills(template)
    worst: dict[tuple, str] = {}
    for issue in issues:
        where = issue_cell(issue, sheet_names)
        if where is None or (where[0], where[2], where[3]) not in fills or issue.severity not in cells.MARK_COLOURS:
            continue
        if where not in worst or SEVERITY_ORDER[issue.severity] < SEVERITY_ORDER[worst[where]]:
            worst[where] = issue.severity
    return {where: cells.MARK_COLOURS[sev] for where, sev in worst.items()}


def _apply_marks(book: Any, checked: Checked, issues: Sequence[Issue]) -> bool:
    """Colour the cells with problems and undo the last Validate's marks; False if the protection forbids it."""
    if not checked.info.template_sheets_writable:
        return False
    content = checked.content
    fills = cells.original_fills(content.template)
    new = _marks(issues, content.sheet_names, content.template)
    old = _previous_marks(book, content.sheet_names)
    changes: dict[tuple, str] = {}
    for where in old:
        if where not in new:
            changes[where] = fills[(where[0], where[2], where[3])] if (where[0], where[2], where[3]) in fills else ""
    changes.update(new)
    changes = {k: v for k, v in changes.items() if v}
    by_sheet: dict[str, list[tuple[int, int, str]]] = {}
    for (_code, name, row, col), colour in changes.items():
        by_sheet.setdefault(name, []).append((row, col, colour))
    for name in [n for n in content.sheet_names.values() if n in by_sheet]:  # in workbook order
        sheet = book.sheets[name]
        for row, col, colour in sorted(by_sheet[name]):
            sheet.range((row + 1, col + 1)).color = colour
    return True


def _validate(book: Any, checked: Checked, *, activate: bool = True) -> bool:
    """Write the Issues sheet and the marks; False if the marks could not be shown."""
    issues = checked.issues
    marked = _apply_marks(book, checked, issues)
    if _built(checked, "issues") and ISSUES_SHEET in [s.name for s in book.sheets]:
        page = issues_page(issues, checked, added=False)
        sheet = _emptied_issues(book, page)
    else:  # an older workbook: the sheet is added (or cleared), and its columns autofitted
        page = issues_page(issues, checked)
        sheet = _sheet(book, ISSUES_SHEET)
    _write_page(sheet, page)
    if activate:
        sheet.activate()
    return marked


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted 0-based rows as runs (first, last) of consecutive rows."""
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _emptied_issues(book: Any, page: Page) -> Any:
    """The template's Issues sheet made ready for `page` while keeping its columns' format (text wrapped at the
    top of the row), which Clear would reset to Normal: the table's cells are only cleared of their contents.
    What Clear Contents leaves is undone where it would mislead: the rows above the table are cleared whole (the
    template's title formats), and so is each Cell with no link to write (Clear Contents keeps a hyperlink); a
    Severity cell without a colour to write is coloured white (no client can remove a fill alone)."""
    from .bookread import sheet_grid

    sheet = book.sheets[ISSUES_SHEET]
    width, first = len(ISSUE_HEADER), ISSUES_FIRST_ROW + 1  # first: the 0-based row of the first issue
    last = max(len(sheet_grid(sheet)), len(page.rows)) - 1
    sheet.range((1, 1), (first, width)).clear()
    if last < first:
        return sheet
    sheet.range((first + 1, 1), (last + 1, width)).clear_contents()
    cell = ISSUE_HEADER.index("Cell")
    linked = {row for row, col, _, _ in page.links if col == cell}
    coloured = {r for r0, c0, r1, _c1, _ in page.fills if c0 == 0 for r in range(r0, r1 + 1)}
    for r0, r1 in _runs([r for r in range(first, last + 1) if r not in linked]):
        sheet.range((r0 + 1, cell + 1), (r1 + 1, cell + 1)).clear()
    for r0, r1 in _runs([r for r in range(first, last + 1) if r not in coloured]):
        sheet.range((r0 + 1, 1), (r1 + 1, 1)).color = "#FFFFFF"
    return sheet


def validate(book: xw.Book) -> None:
    """Validate: mark bad cells, list every problem on the Issues sheet, clear marks that no longer apply."""

    def run() -> None:
        checked = _read(book)
        marked = _validate(book, checked)
        n = count(checked.issues)
        empty = _empty_note(checked)
        if not checked.issues:
            _alert(book, "No problems found. The Issues sheet says so too.")
        elif empty is not None:
            _alert(book, f"{empty.message} Nothing is wrong: the Issues sheet says so too.")
        else:
            _alert(book, f"Found {plural(n['error'], 'error')} and {plural(n['warning'], 'warning')}. "
                         "They are listed on the Issues sheet, with a link to each cell."
                         + ("" if marked else "\n\n" + NO_MARKS),
                   "critical" if n["error"] else "info")

    _guard(book, "Validate", run)


# ---------------------------------------------------------------- Score


def score(book: xw.Book) -> None:
    """Score: write each instrument's scores and the pre/post summaries, with the caution, to a Scores sheet."""

    def run() -> None:
        checked = _read(book, score=True)
        sheet = _sheet(book, SCORES_SHEET)
        added = not _built(checked, "scores")
        _write_page(sheet, scores_page(checked, added), fit=added)
        sheet.activate()
        n = count(checked.issues)
        extra = (f" The workbook has {plural(n['error'], 'error')}: click Validate to see them, as they can "
                 "change the scores.") if n["error"] else ""
        _alert(book, "The scores are on the Scores sheet." + extra)

    _guard(book, "Score", run)


# ---------------------------------------------------------------- Summary


def summary(book: xw.Book) -> None:
    """Summary: a one-page project summary for a head teacher, on a Summary sheet."""

    def run() -> None:
        checked = _read(book, score=True)
        sheet = _sheet(book, SUMMARY_SHEET)
        added = not _built(checked, "summary")
        _write_page(sheet, summary_page(checked, added), fit=added)
        sheet.activate()
        _alert(book, "The one-page summary is on the Summary sheet, ready to print.")

    _guard(book, "Summary", run)


# ---------------------------------------------------------------- Check setup


def setup_report(book: Any) -> list[str]:
    """The lines Check setup shows."""
    from .. import __version__ as sipxl_version

    lines = [f"sipxl {sipxl_version}"]
    try:
        import xlwings

        lines.append(f"xlwings {xlwings.__version__} ({_client(book)} client)")
    except Exception:  # pragma: no cover
        lines.append(f"({_client(book)} client)")
    if _client(book) == "VBA" and isinstance(book.api, dict):
        lines.append(f"The add-in sent xlwings version {book.api.get('version')}.")
    info = BookInfo(book)
    try:
        raw = raw_from_book(book, info)
    except Unreadable as e:
        lines.append("This workbook is not a sipxl template that can be read: " + e.issue.message)
        lines.append(e.issue.fix)
        return lines
    t = raw.template
    lines.append(f"This is a sipxl template: {t.title} (kind '{t.kind}'), version {raw.version or 'unknown'}; "
                 f"this sipxl reads version {t.version}.")
    found = [i for i in raw.issues if i.code in ("SIPXL-F006", "SIPXL-F008", "SIPXL-F009", "SIPXL-F012")]
    if found:
        lines.extend("- " + i.message for i in found)
    else:
        lines.append(f"All {len(raw.sheet_names)} sheets are in place.")
    return lines


def check_setup(book: xw.Book) -> None:
    """Check setup: versions, the template's kind and version, and whether this is a sipxl template at all."""

    def run() -> None:
        _alert(book, "\n".join(setup_report(book)))

    _guard(book, "Check setup", run)


# ---------------------------------------------------------------- Prepare for submission


def prepare(book: xw.Book) -> None:
    """Prepare for submission: validate; refuse with the list of errors, or stamp the date and sipxl version."""

    def run() -> None:
        checked = _read(book)
        marked = _validate(book, checked, activate=False)
        no_marks = [] if marked else ["", NO_MARKS]
        errors = [i for i in checked.issues if i.severity == "error"]
        if errors:
            book.sheets[ISSUES_SHEET].activate()
            shown = [f"- {_where(i, checked)}{i.message}" for i in errors[:10]]
            more = [f"... and {len(errors) - 10} more."] if len(errors) > 10 else []
            _alert(book, "\n".join([f"Not ready to send yet: {plural(len(errors), 'error')} must be fixed first.",
                                    *shown, *more, "", "The Issues sheet lists them all, with a link to each cell.",
                                    *no_marks]),
                   "critical")
            return
        content = checked.content
        layout = layout_template(content.template)
        warnings = sum(1 for i in checked.issues if i.severity == "warning")
        note = f" {plural(warnings, 'warning')} remain on the Issues sheet; please read them." if warnings else ""
        empty = _empty_note(checked)
        # said plainly: a teacher may have opened the blank template instead of the filled one
        instead = "" if empty is None else (f"\nTo send your answers instead, start with {empty.expected}, then "
                                            "click Prepare for submission again.")
        if "submitted_on" not in layout.fields:
            book.sheets[ISSUES_SHEET].activate()
            verdict = ("No errors, but this is an EMPTY return: nothing has been entered in this workbook yet."
                       if empty is not None else "No errors: the workbook can be sent as it is.")
            from ..spec import get_template

            why = (f"It was made from an earlier template (version {content.version}) without a submission stamp, "
                   "so nothing was stamped; please use the current template next time."
                   if "submitted_on" in layout_template(get_template(content.kind)).fields else
                   f"A {content.template.title} workbook carries no submission stamp, so nothing was stamped.")
            _alert(book, f"{verdict}\n{why}{note}{instead}")
            return
        on, with_ = layout.fields["submitted_on"], layout.fields["submitted_with"]
        name = content.sheet_names[on.sheet]
        if not marked:  # the stamp cells are locked on the protected sheet: say so, and leave the sheet alone
            book.sheets[ISSUES_SHEET].activate()
            _alert(book, f"No errors: the workbook can be sent. It could not be stamped, because it was made "
                         f"before its {name} sheet's protection left the stamp cells open; please tell the "
                         f"authority it was checked today with sipxl {__version__}. Save it and send it.{note}")
            return
        sheet = book.sheets[name]
        sheet.range((on.row + 1, on.col + 1)).value = cells.today()
        sheet.range((with_.row + 1, with_.col + 1)).value = cells.as_text(f"sipxl {__version__}")
        sheet.activate()
        if empty is not None:
            _alert(book, f"Stamped as an EMPTY return: nothing has been entered in this workbook yet.\nThe stamp on "
                         f"the {name} sheet ({a1(on.row, on.col)}) says it was checked today with sipxl "
                         f"{__version__}.{note}{instead}")
            return
        _alert(book, f"Ready to send. The workbook is stamped on the {name} sheet ({a1(on.row, on.col)}) as checked "
                     f"today with sipxl {__version__}. Save it and send it to the authority.{note}")

    _guard(book, "Prepare for submission", run)


def _empty_note(checked: Checked) -> Issue | None:
    """The "Nothing entered yet" note of a workbook as the template left it, or None."""
    return next((i for i in checked.issues if i.code == "SIPXL-V010"), None)


def _where(issue: Issue, checked: Checked) -> str:
    where = issue_cell(issue, checked.content.sheet_names)
    return f"{cells.cell_display(where[1], where[2], where[3])}: " if where else ""


# ---------------------------------------------------------------- failures


def _log_file() -> Path | None:
    base = os.environ.get("SIPXL_LOG_DIR")
    path = Path(base) if base else Path.home() / ".sipxl" / "logs"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return path / "sipxl-excel.log"
    except OSError:
        return None


def _ensure_log_handler() -> None:
    if any(getattr(h, "_sipxl", False) for h in log.handlers):
        return
    target = _log_file()
    if target is None:
        return
    try:
        handler = RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return
    handler._sipxl = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def _discard_actions(book: Any) -> None:
    """Drop what a failed button had queued, so the workbook is left as it was (remote engine only)."""
    try:
        actions = book.impl._json["actions"]
    except Exception:
        return
    actions.clear()


def _guard(book: Any, button: str, run: Callable[[], None]) -> None:
    try:
        run()
    except UserError as e:
        _discard_actions(book)
        _safe_alert(book, f"{button}: {e}", "critical")
    except Exception:
        ref = uuid.uuid4().hex[:8].upper()
        _ensure_log_handler()
        log.exception("%s failed on %r (reference %s)", button, getattr(book, "name", "?"), ref)
        _discard_actions(book)
        _safe_alert(book, f"{button} could not finish, and your workbook was not changed. Please try again; if it "
                          f"happens again, send your workbook to the authority's sipxl contact and quote reference "
                          f"{ref}.", "critical")


def _safe_alert(book: Any, prompt: str, mode: str) -> None:
    try:
        _alert(book, prompt, mode)
    except Exception:  # pragma: no cover - not even an alert could be queued
        log.exception("could not show an alert")


#: The ribbon's buttons by script name (the names the manifest, the task pane and the VBA callbacks use).
BUTTONS: dict[str, Callable[[Any], None]] = {
    "validate": validate,
    "score": score,
    "summary": summary,
    "check_setup": check_setup,
    "prepare": prepare,
}
