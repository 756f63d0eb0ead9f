"""Writing values where the template's layout says (`ValueWriter`)."""

from __future__ import annotations

from ..spec import layout_template
from ..spec.model import Template
from .world import Pupil, Timescale

Values = dict[tuple[str, int, int], object]

# ---------------------------------------------------------------- writing values where the layout says


class ValueWriter:
    """Collects {(sheet code, row, col): value} for `build_template`, addressed by the specification's keys."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.layout = layout_template(template)
        self.values: Values = {}
        self.pupils: list[Pupil] = []  # the simulated pupils behind the values (project samples)
        self.timescale: Timescale | None = None

    def _put(self, sheet: str, row: int, col: int, value: object) -> tuple[str, int, int]:
        key = (sheet, row, col)
        if value is None or value == "":
            self.values.pop(key, None)
        else:
            self.values[key] = value
        return key

    def field(self, key: str, value: object) -> tuple[str, int, int]:
        place = self.layout.fields[key]
        return self._put(place.sheet, place.row, place.col, value)

    def table_cell(self, table: str, row: int, column: str) -> tuple[str, int, int]:
        place = self.layout.tables[table]
        if not 0 <= row < len(place.rows):
            raise IndexError(f"table {table!r} has {len(place.rows)} rows, not {row + 1}")
        return place.sheet, place.first_row + row, place.columns[column]

    def cell(self, table: str, row: int, column: str, value: object) -> tuple[str, int, int]:
        return self._put(*self.table_cell(table, row, column), value)

    def row(self, table: str, row: int, **values: object) -> None:
        for column, value in values.items():
            self.cell(table, row, column, value)

    def grid_cell(self, grid: str, pupil: int, occasion: str, item: int | str) -> tuple[str, int, int]:
        """`item` is an item number, or "date" / "by" for the date assessed and who assessed."""
        place = self.layout.grids[grid]
        row = {"date": place.date_row, "by": place.by_row}.get(item) if isinstance(item, str) else None
        row = place.item_rows[item] if row is None else row
        return place.sheet, row, place.columns[(pupil, occasion)]

    def grid(self, grid: str, pupil: int, occasion: str, item: int | str, value: object) -> tuple[str, int, int]:
        return self._put(*self.grid_cell(grid, pupil, occasion, item), value)

    def grid_pupil(self, grid: str, pupil: int, ref: str) -> None:
        place = self.layout.grids[grid]
        self._put(place.sheet, place.pupil_row, place.columns[(pupil, "Pre")], ref)


