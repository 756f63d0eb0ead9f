"""Text that came from a school, made safe for the place it is written: a sheet name, an xlsx cell, a CSV field.

Every output uses these functions, so a school or file name, or a cell's text, can never make an output
invalid (a sheet name Excel refuses, XML a spreadsheet cannot open) or active (a formula run by a
spreadsheet that opens a CSV).
"""

from __future__ import annotations

import re

CELL_LIMIT = 32_767  # the most characters an Excel cell holds
SHEET_NAME_LIMIT = 31  # UTF-16 code units: an emoji counts 2
RESERVED_SHEET_NAMES = ("history",)  # Excel keeps 'History' for its change tracking

# Characters XML 1.0 cannot hold at all (C0 controls but tab, newline and return; lone surrogates; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# In a sheet name also no line breaks, tabs or C1 controls, and none of the characters Excel forbids.
_NOT_IN_SHEET_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\\[\\]:*?/\\\\]")
# OWASP "CSV injection": a field beginning with one of these is taken for a formula by spreadsheets.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def utf16_units(text: str) -> int:
    """The length Excel counts: UTF-16 code units (a character beyond U+FFFF counts 2)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cut_units(text: str, units: int) -> str:
    """The longest start of `text` within `units` UTF-16 code units, never half a character."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


def _tidy_name(text: str) -> str:
    return " ".join(text.split()).strip("' ")  # Excel: no apostrophe at either end


def sheet_name(text: object, used: set[str] | None = None, fallback: str = "Sheet") -> str:
    """A valid, unique Excel sheet name made from any school or file name.

    No control characters or []:*?/\\, no apostrophe at either end, at most 31 UTF-16 code units, never
    'History', and not the same (ignoring case) as a name in `used`, to which the name is added."""
    used = set() if used is None else used
    taken = {u.casefold() for u in used} | set(RESERVED_SHEET_NAMES)
    base = _tidy_name(_cut_units(_tidy_name(_NOT_IN_SHEET_NAME.sub(" ", str(text or ""))), SHEET_NAME_LIMIT))
    base = base or fallback
    name, k = base, 1
    while name.casefold() in taken:
        k += 1
        suffix = f" ({k})"
        name = _tidy_name(_cut_units(base, SHEET_NAME_LIMIT - len(suffix))) + suffix
    used.add(name)
    return name


def xml_text(text: str) -> str:
    """`text` without the characters an xlsx part cannot hold (they would make the file unreadable)."""
    return _NOT_XML.sub("", text)


def cell_text(value: object, limit: int = CELL_LIMIT) -> str:
    """Text for an xlsx cell: no characters XML cannot hold, and at most `limit` characters (an Excel
    cell's most); a longer text is cut and says so at its end."""
    return cut_text(xml_text(str(value)), limit)


def cut_text(text: str, limit: int = CELL_LIMIT) -> str:
    """`text`, or when it is longer than `limit` characters its start, saying at its end that it was cut."""
    if len(text) <= limit:
        return text
    note = f" … [cut: {len(text):,} characters, more than a cell can hold]"
    return text[:limit - len(note)] + note


def csv_field(value: object) -> object:
    """A CSV field a spreadsheet will not run as a formula: text beginning with = + - @ tab or return gets a
    leading apostrophe (OWASP's advice). Anything that is not text is returned as it is."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def csv_table(table):
    """csv_field over every text column of a pyarrow Table, in one vectorised pass per column; a
    dictionary-encoded text column (sipxl.consolidate.frames) is neutralised in its dictionary, once per value."""
    import pyarrow as pa

    columns = []
    for col in table.columns:
        if _is_text(col.type):
            col = _neutralised(col)
        elif pa.types.is_dictionary(col.type) and _is_text(col.type.value_type):
            col = pa.chunked_array([pa.DictionaryArray.from_arrays(chunk.indices, _neutralised(chunk.dictionary))
                                    for chunk in col.chunks], col.type)
        columns.append(col)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _is_text(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _neutralised(col):
    import pyarrow as pa
    import pyarrow.compute as pc

    # the first character against the set: far cheaper than a regex, and most columns hold no risky text
    starts = pa.array(list(CSV_FORMULA_START), col.type)
    risky = pc.is_in(pc.utf8_slice_codeunits(col, 0, 1), value_set=starts)
    if not pc.any(risky).as_py():
        return col
    quote = pa.scalar("'", col.type)
    return pc.if_else(risky, pc.binary_join_element_wise(quote, col, pa.scalar("", col.type)), col)
