"""The realistic mistakes injected into a share of the sample project workbooks."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ..spec import lists as L
from ..spec.layout import a1
from .world import _NAME_FIRST, _NAME_LAST
from .writer import ValueWriter

# Stable names of the mistakes a sample project workbook may carry (see _inject).
MISTAKES = (
    "score_out_of_range",
    "missing_post_assessment",
    "text_in_number_cell",
    "renamed_sheet",
    "name_as_pupil_ref",
    "duplicate_pupil_ref",
    "session_outside_timescale",
    "trailing_space_choice",
)


# ---------------------------------------------------------------- mistakes


@dataclass
class _Mistake:
    name: str
    sheet: str
    cell: str
    value: object = None
    related: list[tuple[str, str]] = field(default_factory=list)  # other cells where the value was copied

    def as_json(self) -> dict:
        out = {"name": self.name, "sheet": self.sheet, "cell": self.cell}
        if self.value is not None:
            out["value"] = self.value if isinstance(self.value, (str, int, float)) else self.value.isoformat()
        if self.related:
            out["related"] = [{"sheet": s, "cell": c} for s, c in self.related]
        return out


def _pupil_ref_cells(w: ValueWriter, ref: str) -> list[tuple[str, int, int]]:
    """Every typed cell (outside the register) that holds this pupil reference."""
    out = []
    for sheet in w.template.sheets:
        for table in sheet.tables:
            place = w.layout.tables[table.key]
            for col in table.columns:
                if col.identifies_pupil and table.key != "pupils":
                    for row in place.rows:
                        key = (place.sheet, row, place.columns[col.key])
                        if w.values.get(key) == ref:
                            out.append(key)
    return sorted(out)


def _inject(w: ValueWriter, rng: random.Random, name: str, touched: set[int],
            sheet_names: dict[str, str]) -> _Mistake | None:
    """Put one mistake into a filled project; `touched` holds the pupils already used by another mistake."""
    pupils, ts = w.pupils, w.timescale
    assert ts is not None
    free = [k for k in range(len(pupils)) if k not in touched]
    if not free:
        return None
    p = rng.choice(free)

    def here(key: tuple[str, int, int]) -> tuple[str, str]:
        return key[0], a1(key[1], key[2])

    if name == "score_out_of_range":
        touched.add(p)
        key = w.grid("social_skills", p, rng.choice(("Pre", "Post")), rng.randint(1, 15), rng.choice((5, 7)))
        return _Mistake(name, *here(key), w.values[key])
    if name == "missing_post_assessment":
        touched.add(p)
        for item in (*range(1, 16), "date", "by"):
            w.grid("social_skills", p, "Post", item, None)
        related = []
        place = w.layout.tables["results"]
        for row in place.rows:
            ref_key = (place.sheet, row, place.columns["pupil_ref"])
            measure_key = (place.sheet, row, place.columns["measure"])
            if w.values.get(ref_key) == pupils[p].ref and w.values.get(measure_key) == L.MEASURES[0]:
                related.append(w._put(place.sheet, row, place.columns["post"], None))
        return _Mistake(name, *here(w.grid_cell("social_skills", p, "Post", 1)),
                        related=[here(k) for k in related])
    if name == "text_in_number_cell":
        touched.add(p)
        if rng.random() < 0.5:
            item = rng.randint(1, 15)
            key = w.grid_cell("social_skills", p, "Pre", item)
            old = w.values[key]
            text = rng.choice((f"{old} - {L.SOCIAL_SKILLS_WORDS[old]}",
                               ("zero", "one", "two", "three", "four")[old]))  # type: ignore[index]
        else:
            place = w.layout.tables["sessions"]
            rows = [r for r in place.rows if (place.sheet, r, place.columns[f"leuven_{p + 1}"]) in w.values]
            key = (place.sheet, rng.choice(rows), place.columns[f"leuven_{p + 1}"])
            old = w.values[key]
            text = f"{old} - {L.LEUVEN[old - 1][1].lower()}"  # type: ignore[operator]
        w._put(*key, text)
        return _Mistake(name, *here(key), text)
    if name == "renamed_sheet":
        code, new = rng.choice((("phase2", "Phase 2 (draft)"), ("social_skills", "Social Skills (copy)"),
                                ("pupils", "Pupil list"), ("phase4", "Phase 4 sessions")))
        if code in sheet_names:
            return None
        sheet_names[code] = new
        return _Mistake(name, code, "A1", new)
    if name in ("name_as_pupil_ref", "duplicate_pupil_ref"):
        if name == "duplicate_pupil_ref":
            others = [k for k in free if k != p]
            if not others:
                return None
            other = rng.choice(others)
            touched.add(other)
            new = pupils[other].ref
        else:
            new = f"{rng.choice(_NAME_FIRST)} {rng.choice(_NAME_LAST)}"
        touched.add(p)
        related = _pupil_ref_cells(w, pupils[p].ref)
        for key in related:
            w._put(*key, new)
        key = w.cell("pupils", p, "pupil_ref", new)
        return _Mistake(name, *here(key), new, [here(k) for k in related])
    if name == "session_outside_timescale":
        place = w.layout.tables["sessions"]
        key = (place.sheet, place.first_row + len(ts.sessions) - 1, place.columns["session_date"])
        new = ts.end + dt.timedelta(days=rng.randint(21, 60))
        w._put(*key, new)
        return _Mistake(name, *here(key), new)
    if name == "trailing_space_choice":
        touched.add(p)
        key = w.table_cell("pupils", p, rng.choice(("looked_after", "asn", "eal", "fsm", "sex")))
        new = f"{w.values[key]} "
        w._put(*key, new)
        return _Mistake(name, *here(key), new)
    raise ValueError(f"unknown mistake {name!r}")


