"""What an input cell may hold: one definition, written twice — as Excel formula text and as Python.

A sheet's formulas and sipxl's reader must agree on every value a cell can hold, so both are built from
this module. A cell is *blank* when it is empty or holds only spaces (Excel's TRIM leaves nothing). A
number cell is *valid* when it is blank or holds a number (not text, not TRUE/FALSE, not an error) within
the rule's range (a whole number for an integer rule, one of the listed numbers for a numeric closed list).
A choice cell is valid when it is blank or its text, with spaces trimmed as Excel's TRIM does, equals one
of the choices ignoring case (Excel's "=" ignores case; it knows no wildcards, unlike MATCH and COUNTIF). A
text cell is always valid. An error value (#N/A, #DIV/0!, ...) is never valid. A formula whose inputs are
not all valid shows CHECK ("check entry") or the error, and sipxl reports an error at the input cell.

The Excel expressions are for array formulas (the builder writes them with write_array_formula), so that
IF, TRIM and comparisons work cell by cell over a range in every spreadsheet program.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import Rule

CHECK = "check entry"  # what a calculated cell shows when an answer it uses is not valid


# ---------------------------------------------------------------- Python


def excel_trim(text: str) -> str:
    """Excel's TRIM: spaces (only U+0020) removed at both ends and runs of spaces inside made one."""
    return " ".join(part for part in text.split(" ") if part)


def is_blank_value(v: object) -> bool:
    """Empty, or only spaces (what LEN(TRIM(x))=0 says in Excel)."""
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip(" ")  # TRIM leaves nothing exactly when only spaces are there


def same_text(a: str, b: str) -> bool:
    """Excel's "=" on two texts: equal ignoring case (ASCII case rules; sipxl's lists are plain ASCII)."""
    return a.lower() == b.lower()


def choice_of(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice `text` means (TRIM, then equal ignoring case), or None."""
    key = excel_trim(text).lower()
    for c in choices:
        if c.lower() == key:
            return c
    return None


def text_key(v: object) -> str:
    """The key under which two references are the same in Excel's TRIM(a)=TRIM(b)."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return excel_trim(str(v)).lower()


# ---------------------------------------------------------------- Excel


def xl_blank(ref: str) -> str:
    """TRUE where the cell (or each cell of a range, in an array formula) is blank."""
    return f"(LEN(TRIM({ref}))=0)"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _number_ok(ref: str, rule: Rule) -> str:
    """For a number known to be a number: 1 when the rule allows it, else 0."""
    if rule.choices:
        return "(" + "+".join(f"({ref}={c})" for c in rule.choices) + ")"
    terms = []
    if rule.min is not None:
        terms.append(f"({ref}>={_num(rule.min)})")
    if rule.max is not None:
        terms.append(f"({ref}<={_num(rule.max)})")
    if rule.type == "integer":
        terms.append(f"({ref}=INT({ref}))")
    return "*".join(terms) if terms else "1"


def xl_bad(ref: str, rule: Rule) -> str:
    """How many cells of `ref` are not valid for `rule` (0 or more); an error value in them gives the error.

    Array formula only. Text rules are never bad (an error in them shows through the formula itself).
    """
    # ISERROR first, then ISLOGICAL: an error would spread through every later test, and LibreOffice stores TRUE
    # and FALSE as the numbers 1 and 0 (ISNUMBER is TRUE there, FALSE in Excel); tested in this order, a
    # boolean or an error value is not valid in both programs.
    if rule.type in ("integer", "number"):
        ok = _number_ok(ref, rule)
        return (f"SUM(IF(ISERROR({ref}),1,IF(ISLOGICAL({ref}),1,IF(ISNUMBER({ref}),1-{ok},"
                f"--(LEN(TRIM({ref}))>0)))))")
    if rule.type == "choice" and rule.choices:
        hit = "+".join(f'(TRIM({ref})="{c}")' for c in rule.choices)
        return (f"SUM(IF(ISERROR({ref}),1,IF(ISLOGICAL({ref}),1,IF(ISNUMBER({ref}),1,"
                f"(LEN(TRIM({ref}))>0)*(1-({hit}))))))")
    return "0"


def xl_checked(body: str, *bad: str, blank_if: str | None = None) -> str:
    """`=IF(blank_if,"",IF(bad>0,"check entry",body))` for an array formula; `body` without its "=".

    A test of validity that meets an error value (in a term such as part>whole) counts as not valid: IFERROR
    makes it "check entry" instead of the error."""
    inner = f'IF(IFERROR(({"+".join(bad)})>0,TRUE),"{CHECK}",{body})' if bad else body
    if blank_if:
        inner = f'IF({blank_if},"",{inner})'
    return "{=" + inner + "}"


def xl_not_checked(*refs: str) -> str:
    """TRUE where one of these calculated cells shows CHECK (a formula built on other formulas)."""
    return "OR(" + ",".join(f'{r}="{CHECK}"' for r in refs) + ")"


#: The texts of Excel's error values, as both xlwings clients send an error cell (VBA's WebHelpers.ConvertToJson
#: and Office.js's range.values) and as openpyxl reads one.
ERROR_TEXTS = frozenset({
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!", "#SPILL!", "#CALC!", "#BUSY!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#PYTHON!", "#EXTERNAL!",
})


@dataclass(frozen=True)
class CellError:
    """An error value in a cell (#N/A, #DIV/0!, #VALUE!...), as the reader finds it: never a valid answer."""

    text: str

    def __str__(self) -> str:
        return self.text
