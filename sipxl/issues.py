"""Every problem sipxl can find, as one catalogue of stable codes.

An Issue says where (sheet, cell as Excel shows it, column label), what was found, what is wrong and
what to do, in a teacher's words. The catalogue renders the Help sheet's list and docs/errors.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from .safe_text import cut_text  # a value from a file is never longer than a cell in a report

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    severity: Severity
    message: str  # str.format template: {value}, {label}, {expected}, {detail}
    fix: str
    where: str = "workbook"  # "file", "workbook" or "cell"


_CODES: tuple[Code, ...] = (
    # -- reading the file
    Code("SIPXL-F001", "File cannot be opened", "error",
         "The file could not be opened as an Excel workbook ({detail}).",
         "Open the file in Excel, check it opens, save it as .xlsx and send it again.", "file"),
    Code("SIPXL-F002", "Password-protected file", "error",
         "The file is protected with a password, so it cannot be read.",
         "Remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it) and send it "
         "again.", "file"),
    Code("SIPXL-F003", "Old .xls file", "error",
         "The file is in the old Excel 97-2003 (.xls) format.",
         "Copy your answers into a fresh sipxl template (.xlsx) and send that.", "file"),
    Code("SIPXL-F004", "Not a sipxl template", "error",
         "This workbook is not a sipxl template ({detail}).",
         "Use the template the authority sent, or copy your answers into it.", "file"),
    Code("SIPXL-F005", "Template from a newer sipxl", "error",
         "The template version {value} is newer than this sipxl understands ({expected}).",
         "Update sipxl (pip install --upgrade sipxl) and run again.", "file"),
    Code("SIPXL-F006", "Template from an earlier version", "info",
         "The template version {value} is older than the current {expected}; it was read and its answers "
         "moved to the current layout.",
         "Nothing to do now. Use the current template next session.", "file"),
    Code("SIPXL-F007", "Unexpected kind of template", "error",
         "This is a {value} workbook, not the {expected} expected here.",
         "Check you sent the right file.", "file"),
    Code("SIPXL-F008", "Sheet renamed", "warning",
         "The sheet '{expected}' has been renamed to '{value}'. It was read, but please keep the names.",
         "Rename the sheet back to '{expected}' (right-click the tab > Rename).", "workbook"),
    Code("SIPXL-F009", "Sheet missing", "error",
         "The sheet '{expected}' is missing, so none of its answers could be read.",
         "Copy your answers into a fresh template, or restore the sheet from the template.", "workbook"),
    Code("SIPXL-F010", "Answers outside the form", "warning",
         "Something was typed outside the form's cells ({value}); sipxl does not read it.",
         "Move it into the form (for example the Notes column) or delete it.", "cell"),
    Code("SIPXL-F011", "Calculated value out of date", "warning",
         "The calculated {label} shows {value} but the answers give {expected}.",
         "Press F9 (or reopen the file in Excel) to recalculate; sipxl uses the recalculated value.", "cell"),
    Code("SIPXL-F012", "Sheet moved", "info",
         "The sheet '{value}' has been moved; it was read correctly.", "Nothing to do.", "workbook"),
    Code("SIPXL-F013", "File far too large when unpacked", "error",
         "The file is far larger unpacked than any return: {value}, more than sipxl reads ({expected}), so the "
         "file was not read.",
         "Open the file in Excel, delete pictures and anything that is not part of the form, save it and send "
         "it again.", "file"),
    Code("SIPXL-F014", "Sheet far larger than the form", "error",
         "The sheet '{label}' says it spans {value}, more than sipxl reads ({expected}), so the file was not read.",
         "Delete the rows and columns below and to the right of the form (select them, right-click > Delete), "
         "save the file and send it again.", "file"),
    Code("SIPXL-F015", "File holds XML that Excel never writes", "error",
         "A part of the file ({value}) declares XML entities (a DOCTYPE), which Excel never writes, so the file "
         "was not read.",
         "Open the file in Excel, save it again as .xlsx (File > Save As) and send it again.", "file"),
    Code("SIPXL-F016", "Sheet damaged", "error",
         "The sheet '{label}' is damaged and could not be read ({detail}), so the file was not read.",
         "Open the file in Excel; if it opens, save it again as .xlsx and send it. Otherwise copy your answers "
         "into a fresh template.", "file"),
    Code("SIPXL-F017", "File could not be read safely", "error",
         "The file ({value}) could not be read safely: {detail}. It was set aside; every other file was read.",
         "Open the file in Excel, save it again as .xlsx and send it again. If that does not help, send the "
         "file to the sipxl maintainers.", "file"),
    # -- single answers
    Code("SIPXL-V001", "Required answer missing", "error",
         "{label} is empty.", "Fill in {label}.", "cell"),
    Code("SIPXL-V002", "Not a number", "error",
         "{label} should be {expected} but holds the text '{value}'.",
         "Type just the number (for example 3).", "cell"),
    Code("SIPXL-V003", "Number typed as text", "error",
         "{label} holds the text '{value}', not the number {expected}, so the sheet's totals leave it out "
         "and sipxl does not count it either.",
         "Type just the number (for example {expected}), so Excel can add it up.", "cell"),
    Code("SIPXL-V004", "Out of range", "error",
         "{label} is {value}, but it should be {expected}.", "Correct the value.", "cell"),
    Code("SIPXL-V005", "Not one of the choices", "error",
         "{label} is '{value}', which is not {expected}.", "Choose a value from the cell's list.", "cell"),
    Code("SIPXL-V006", "Extra spaces in a choice", "info",
         "{label} is '{value}' with extra spaces; sipxl read it as '{expected}'.",
         "Choose the value from the list.", "cell"),
    Code("SIPXL-V007", "Not a date", "error",
         "{label} should be a date but holds '{value}'.", "Type the date as dd/mm/yyyy.", "cell"),
    Code("SIPXL-V008", "Not a whole number", "error",
         "{label} is {value}, but it should be a whole number.", "Type a whole number.", "cell"),
    Code("SIPXL-V009", "Error value in an answer", "error",
         "{label} holds the error value {value} instead of an answer; the calculations that use it show the "
         "error too.",
         "Delete the error and type {expected}, or leave the cell blank (an error often comes from a copied "
         "formula: paste values only).",
         "cell"),
    Code("SIPXL-V010", "Nothing entered yet", "info",
         "Nothing entered yet: start with {expected}.",
         "Fill in the form and click Validate again. Sent as it is, the workbook counts as an empty return.",
         "workbook"),
    Code("SIPXL-V011", "TRUE or FALSE in an answer", "error",
         "{label} holds the logical value {value} instead of an answer; the calculations that use it show "
         "'check entry'.",
         "Type {expected}, or leave the cell blank.", "cell"),
    # -- the project as a whole
    Code("SIPXL-P001", "Target group size", "warning",
         "The target group has {value} pupils; the methodology targets a small group of 4-6.",
         "List 4-6 target learners on the Pupils sheet.", "workbook"),
    Code("SIPXL-P002", "Too many research questions", "warning",
         "There are {value} research questions; the guidance asks for no more than 2 or 3.",
         "Keep the 2 or 3 questions that matter most, one per row.", "cell"),
    Code("SIPXL-P003", "Post assessment missing", "error",
         "{label} has a pre assessment for {value} but no post assessment.",
         "Enter the post assessment, or explain in Phase 5 why it could not be done.", "cell"),
    Code("SIPXL-P004", "Post dated before pre", "error",
         "The post assessment date {value} is not after the pre assessment date {expected}.",
         "Check both dates.", "cell"),
    Code("SIPXL-P005", "Session outside the timescale", "warning",
         "The session on {value} is outside the planned timescale {expected}.",
         "Check the date, or update the start and end dates in Phase 3.", "cell"),
    Code("SIPXL-P006", "SMART outcome without a measure or date", "error",
         "The SMART outcome '{value}' has no {expected}.",
         "Name how you will measure it and by when.", "cell"),
    Code("SIPXL-P007", "Pupil reference looks like a name", "error",
         "The pupil reference '{value}' looks like a person's name.",
         "Use a pseudonymous reference such as SIP-A1; never a pupil's name.", "cell"),
    Code("SIPXL-P008", "Pupil reference looks like a Scottish Candidate Number", "error",
         "The pupil reference '{value}' looks like a Scottish Candidate Number.",
         "Use a pseudonymous reference such as SIP-A1; never a candidate number.", "cell"),
    Code("SIPXL-P009", "Duplicate pupil reference", "error",
         "The pupil reference '{value}' appears more than once ({detail}).",
         "Give each pupil one reference and use it once on the Pupils sheet.", "cell"),
    Code("SIPXL-P010", "Results table disagrees with the assessment", "warning",
         "The results table gives {value} for {label}, but the assessment sheet gives {expected}.",
         "Correct the results table, or the assessment sheet.", "cell"),
    Code("SIPXL-P011", "End date before start date", "error",
         "The end date {value} is before the start date {expected}.", "Check both dates.", "cell"),
    Code("SIPXL-P012", "Pupil not on the register", "warning",
         "'{value}' is not a pupil reference on the Pupils sheet.",
         "Use the references typed on the Pupils sheet (choose from the cell's list).", "cell"),
    Code("SIPXL-P013", "Assessment incomplete", "warning",
         "{label} for {value} has {detail} of {expected} items answered, so no total is given.",
         "Answer every item, or leave the whole column empty.", "cell"),
    Code("SIPXL-P014", "More sessions attended than possible", "error",
         "{label} is {value}, more than the {expected} possible sessions.",
         "Check both numbers: attended sessions cannot be more than possible sessions.", "cell"),
    Code("SIPXL-P015", "More pupils achieving than assessed", "error",
         "{label} is {value}, more than the {expected} pupils assessed.",
         "Check both numbers: pupils achieving the level are counted among those assessed.", "cell"),
    Code("SIPXL-P016", "SEED code not 7 digits", "error",
         "{label} is '{value}'; a SEED code is 7 digits.",
         "Type the school's 7-digit SEED code (for example 8123456).", "cell"),
    Code("SIPXL-P017", "Pupil without assessment columns", "error",
         "{value} is pupil {detail} on the register, but the assessment sheets have columns for {expected} "
         "pupils only.",
         "Keep the target group to the pupils the assessment sheets hold, or start a second project workbook.",
         "cell"),
    Code("SIPXL-P018", "Post assessment not done", "info",
         "{label} has no post assessment for {value}: {detail}.",
         "Nothing to do: the reason is recorded in Phase 5.", "cell"),
    # -- the authority's collection
    Code("SIPXL-C001", "Duplicate file", "info",
         "This file has the same content as {value}; it was counted once.", "Nothing to do.", "file"),
    Code("SIPXL-C002", "Same school and project twice", "warning",
         "{value} sent this project more than once; the later submission ({expected}) is used.",
         "Send one workbook per project; tell the QIO which one is final.", "file"),
    Code("SIPXL-C003", "Late submission", "info",
         "Submitted {value}, after the deadline {expected}.", "Nothing to do now.", "file"),
    Code("SIPXL-C004", "Not prepared for submission", "info",
         "The workbook was not stamped by Prepare for submission.",
         "Click Prepare for submission on the SIPXL ribbon before sending.", "file"),
    Code("SIPXL-C005", "Unexpected school", "warning",
         "The SEED code {value} is not on the authority's list of expected schools.",
         "Check the SEED code on the Project sheet.", "file"),
    Code("SIPXL-C006", "Not an Excel workbook", "warning",
         "This {value} file is not an Excel workbook, so it was not read.",
         "Send the workbook as .xlsx, or take this file out of the returns folder.", "file"),
    Code("SIPXL-C007", "sipxl could not check this file", "error",
         "sipxl met an internal error while checking this file; the details are in sipxl-error.log.",
         "Send sipxl-error.log to the sipxl maintainers; check the file by hand meanwhile.", "file"),
    Code("SIPXL-C008", "Expected return missing", "warning",
         "No {label} was received from this school (expected: {expected}).",
         "Ask the school to send it.", "file"),
)

CATALOGUE: dict[str, Code] = {c.code: c for c in _CODES}


@dataclass(frozen=True)
class Issue:
    code: str
    sheet: str = ""
    cell: str = ""  # as Excel shows it, e.g. 'Social Skills'!D7 ("" for the whole file)
    label: str = ""
    value: str = ""
    expected: str = ""
    detail: str = ""
    file: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    sheet_no: int = field(default=999, compare=False)  # the sheet's place in its workbook, for sorting

    @property
    def spec(self) -> Code:
        return CATALOGUE[self.code]

    @property
    def severity(self) -> Severity:
        return self.spec.severity

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def message(self) -> str:
        return _fill(self.spec.message, self)

    @property
    def fix(self) -> str:
        return _fill(self.spec.fix, self)

    def as_row(self) -> dict[str, str]:
        row = {k: v for k, v in asdict(self).items() if k not in ("extra", "sheet_no")}
        row.update(severity=self.severity, title=self.title, message=self.message, fix=self.fix)
        return row


def _fill(template: str, issue: Issue) -> str:
    label = issue.label or "This cell"
    text = template.format(value=issue.value, label=label, expected=issue.expected, detail=issue.detail)
    return text[0].upper() + text[1:] if text else text


def issue(code: str, **kw: object) -> Issue:
    if code not in CATALOGUE:
        raise KeyError(f"unknown issue code {code}")
    return Issue(code, **{k: ("" if v is None else v if k == "extra" else cut_text(str(v))) for k, v in kw.items()})



def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Errors first, then in the order of the workbook's sheets (as a teacher pages through it), then cells."""
    return sorted(issues, key=lambda i: (i.file, SEVERITY_ORDER[i.severity], i.sheet_no, i.sheet,
                                         _cell_key(i.cell), i.code))


def in_sheet_order(issues: list[Issue], sheet_names: list[str]) -> list[Issue]:
    """The issues, each knowing its sheet's place in the workbook (`sheet_names` in template order)."""
    order = {name: k for k, name in enumerate(sheet_names)}
    return [replace(i, sheet_no=order.get(i.sheet, 999)) for i in issues]


def _cell_key(cell: str) -> tuple[int, str]:
    ref = cell.rsplit("!", 1)[-1]
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (int(digits) if digits else 0, letters.rjust(3))


def catalogue_markdown() -> str:
    """docs/errors.md: every code, its severity, what it means and what to do."""
    lines = ["# sipxl issue codes", "",
             "Generated from `sipxl/issues.py` by `sipxl docs errors`; a test keeps it current.", "",
             "| code | severity | title | message | what to do |", "|---|---|---|---|---|"]
    for c in _CODES:
        lines.append(f"| {c.code} | {c.severity} | {c.title} | {c.message} | {c.fix} |")
    return "\n".join(lines) + "\n"
