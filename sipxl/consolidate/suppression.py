"""Statistical disclosure control for authority-level tables (pure, no I/O).

Primary suppression hides every count from 1 to threshold-1 (zeros are shown: "none" discloses nothing a
published total does not). Secondary suppression then hides further cells so that no hidden count can be
worked back from a published total: in every published relation (a row with its total, a column with its
total, the totals with the grand total) either nothing is hidden or at least two members are. The extra cell
chosen is the smallest other member, cells before totals, so as little as possible is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SUPPRESSED = "c"  # what a suppressed cell shows (as in Scottish Government publications)
SUPPRESSED_NOTE = ("c = not shown: fewer than {t}, or hidden so that a number fewer than {t} cannot be worked out "
                   "from the totals.")

Key = tuple  # ("c", i, j) cell, ("r", i) row total, ("k", j) column total, ("g",) grand total


@dataclass(frozen=True)
class Suppressed:
    cells: list[list[bool]]
    row_totals: list[bool]  # all False when row totals are not published
    col_totals: list[bool]
    grand_total: bool

    @property
    def any(self) -> bool:
        return any(any(r) for r in self.cells) or any(self.row_totals) or any(self.col_totals) or self.grand_total


def is_small(n: float | None, threshold: int) -> bool:
    return n is not None and 0 < n < threshold


def suppress(counts: Sequence[Sequence[float | None]], threshold: int = 5, row_totals: bool = True,
             col_totals: bool = False) -> Suppressed:
    """Which cells (and totals) of a table of counts to hide. A None count is treated as an empty cell (0)."""
    rows = len(counts)
    cols = max((len(r) for r in counts), default=0)
    value: dict[Key, float] = {}
    for i in range(rows):
        for j in range(cols):
            v = counts[i][j] if j < len(counts[i]) else None
            value[("c", i, j)] = float(v or 0)
    relations: list[list[Key]] = []
    if row_totals:
        for i in range(rows):
            value[("r", i)] = sum(value[("c", i, j)] for j in range(cols))
            relations.append([("c", i, j) for j in range(cols)] + [("r", i)])
    if col_totals:
        for j in range(cols):
            value[("k", j)] = sum(value[("c", i, j)] for i in range(rows))
            relations.append([("c", i, j) for i in range(rows)] + [("k", j)])
    if row_totals and col_totals:
        value[("g",)] = sum(value[("r", i)] for i in range(rows))
        relations.append([("r", i) for i in range(rows)] + [("g",)])
        relations.append([("k", j) for j in range(cols)] + [("g",)])
    hidden = {k for k, v in value.items() if is_small(v, threshold)}
    changed = True
    while changed:
        changed = False
        for members in relations:
            if sum(m in hidden for m in members) != 1:
                continue
            candidates = [m for m in members if m not in hidden]
            if not candidates:
                continue
            # the smallest other member: a positive cell first, then a zero cell, then a total
            best = min(candidates, key=lambda m: (m[0] != "c", value[m] == 0, value[m], m))
            hidden.add(best)
            changed = True
    return Suppressed(
        [[("c", i, j) in hidden for j in range(cols)] for i in range(rows)],
        [("r", i) in hidden for i in range(rows)] if row_totals else [False] * rows,
        [("k", j) in hidden for j in range(cols)] if col_totals else [False] * cols,
        ("g",) in hidden,
    )


def suppress_column(counts: Sequence[float | None], threshold: int = 5,
                    with_total: bool = True) -> tuple[list[bool], bool]:
    """A single column of counts (e.g. pupils per intervention) with or without its published total."""
    result = suppress([[c] for c in counts], threshold, row_totals=False, col_totals=with_total)
    return [r[0] for r in result.cells], (result.col_totals[0] if with_total and result.col_totals else False)


def show(value: object, hidden: bool) -> object:
    """The value as it may be published: SUPPRESSED when hidden."""
    return SUPPRESSED if hidden else value
