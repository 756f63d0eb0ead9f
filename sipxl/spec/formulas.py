"""Every calculated cell of a template, as the Excel formula the builder writes there.

`formula_cells` is the one list: the builder writes these formulas, and sipxl's checks read which answers each
one uses (`inputs_of`), so that a calculated cell that shows "check entry" in the sheet is one whose answers
sipxl reports as not valid. A formula starting with "{=" is an array formula.
"""

from __future__ import annotations

import re

from .._memo import by_identity
from .layout import TemplateLayout, a1, layout_template, resolve
from .lists import ROSENBERG_RESPONSES, ROSENBERG_REVERSED
from .model import ItemGrid, Template
from .values import CHECK, xl_bad, xl_checked, xl_not_checked


def grid_total(grid: ItemGrid, col: int, first: int, last: int) -> str:
    """A column's total (or a group's sub-total) of an item grid: blank until every item is answered."""
    rng = f"{a1(first, col)}:{a1(last, col)}"
    n = last - first + 1
    bad = xl_bad(rng, grid.rule)
    if grid.total_formula == "ROSENBERG":
        terms = []
        for k, row in enumerate(range(first, last + 1), start=1):
            cell = a1(row, col)
            points = (0, 1, 2, 3) if k in ROSENBERG_REVERSED else (3, 2, 1, 0)
            terms.append("+".join(f'(TRIM({cell})="{a}")*{p}'
                                  for a, p in zip(ROSENBERG_RESPONSES, points, strict=True) if p))
        return xl_checked(f'IF(SUM(--(LEN(TRIM({rng}))>0))<{n},"",' + "+".join(terms) + ")", bad)
    return xl_checked(f'IF(COUNT({rng})<{n},"",SUM({rng}))', bad)


def grid_change(pre: str, post: str) -> str:
    return f'=IF({xl_not_checked(pre, post)},"{CHECK}",IF(OR({pre}="",{post}=""),"",{post}-{pre}))'


Cell = tuple[str, int, int]  # (sheet code, row, col), from 0


@by_identity  # functools.cache would hash the whole template on every call (a third of a millisecond)
def formula_cells(template: Template) -> dict[Cell, str]:
    """Every calculated cell of `template` (not the headers that show a pupil's reference) and its formula."""
    layout = layout_template(template)
    out: dict[Cell, str] = {}
    for sheet in template.sheets:
        code = sheet.code
        for f in sheet.fields:
            if f.formula:
                place = layout.fields[f.key]
                out[(code, place.row, place.col)] = resolve(layout, f.formula, code)
        for t in sheet.tables:
            place = layout.tables[t.key]
            for col in t.columns:
                if col.formula:
                    j = place.columns[col.key]
                    for row in place.rows:
                        out[(code, row, j)] = resolve(layout, col.formula, code, row, t)
            for footer, row in zip(t.footer, place.footer_rows, strict=True):
                for key, text in footer.formulas:
                    out[(code, row, place.columns[key])] = resolve(layout, text, code, row, t, key)
        for g in sheet.grids:
            place = layout.grids[g.key]
            first, last = place.item_rows[g.items[0].number], place.item_rows[g.items[-1].number]
            for c in sorted(place.columns.values()):
                for group, row in place.group_rows.items():
                    rows = [place.item_rows[i.number] for i in g.items if i.group == group]
                    out[(code, row, c)] = grid_total(g, c, rows[0], rows[-1])
                out[(code, place.total_row, c)] = grid_total(g, c, first, last)
            if place.change_row is not None:
                for p in range(g.pupils):
                    pre = a1(place.total_row, place.columns[(p, g.occasions[0])])
                    post = a1(place.total_row, place.columns[(p, g.occasions[1])])
                    out[(code, place.change_row, place.columns[(p, g.occasions[1])])] = grid_change(pre, post)
    return out


_STRING = re.compile(r'"(?:[^"]|"")*"')
_REF = re.compile(r"(?:'((?:[^']|'')+)'!|([A-Za-z_][\w.]*)!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def references(layout: TemplateLayout, code: str, formula: str) -> set[Cell]:
    """The cells a formula written on sheet `code` refers to."""
    names = {layout.sheet_name(s.code): s.code for s in layout.template.sheets}
    text = _STRING.sub('""', formula)
    ranges = set()  # a checked formula names the same range several times: each is expanded once
    for m in _REF.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalpha() or text[m.start() - 1] == "_"):
            continue
        ranges.add(m.group(1, 2, 3, 4, 5, 6))
    out: set[Cell] = set()
    for quoted, plain, col1, row1, col2, row2 in ranges:
        sheet = quoted or plain
        where = code if sheet is None else names[sheet.replace("''", "'")]
        c1, r1 = _col_index(col1), int(row1) - 1
        c2, r2 = (_col_index(col2), int(row2) - 1) if col2 else (c1, r1)
        out.update((where, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return out


@by_identity
def direct_references(template: Template) -> dict[Cell, frozenset[Cell]]:
    """For each calculated cell, the cells its formula refers to (parsed once per template, not per file)."""
    layout = layout_template(template)
    return {cell: frozenset(references(layout, cell[0], text)) for cell, text in formula_cells(template).items()}


@by_identity
def inputs_of(template: Template) -> dict[Cell, frozenset[Cell]]:
    """For each calculated cell, the answer cells it uses, directly or through other calculated cells."""
    cells = formula_cells(template)
    direct = direct_references(template)
    done: dict[Cell, frozenset[Cell]] = {}

    def visit(cell: Cell) -> frozenset[Cell]:
        if cell not in done:
            found: set[Cell] = set()
            for ref in direct[cell]:
                if ref in cells:
                    found |= visit(ref)
                else:
                    found.add(ref)
            done[cell] = frozenset(found)
        return done[cell]

    for cell in cells:
        visit(cell)
    return done
