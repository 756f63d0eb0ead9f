"""The synthetic authority: deterministic, complete, pseudonymous, and its manifest tells the truth."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from sipxl.io.build import META_NAME_PREFIX
from sipxl.sample import MANIFEST, MISTAKES, build_clean_project, generate_authority, manifest_path
from sipxl.spec import get_template, layout_template
from sipxl.spec.layout import a1

PROJECT = get_template("sipp_project")
LAYOUT = layout_template(PROJECT)
REF = re.compile(r"^SIP-[A-Z0-9]+-\d{2}$")
NAME_LIKE = re.compile(r"^[A-Z][a-z]+(?:[ '-][A-Z][a-z]+)+$")
NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _manifest(root: Path) -> dict:
    assert not (root / MANIFEST).exists()  # the answer key is beside the folder, never read as a school's file
    return json.loads(manifest_path(root).read_text(encoding="utf-8"))


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class Book:
    """A project workbook read by sheet code: the `_sipxl_<code>` defined names survive a renamed sheet."""

    def __init__(self, path: Path) -> None:
        self.wb = openpyxl.load_workbook(path)
        self.names = {}
        for sheet in PROJECT.sheets:
            ((title, _),) = self.wb.defined_names[f"{META_NAME_PREFIX}{sheet.code}"].destinations
            self.names[sheet.code] = title

    def ws(self, code: str):
        return self.wb[self.names[code]]

    def at(self, code: str, ref: str):
        return self.ws(code)[ref].value

    def get(self, code: str, row: int, col: int):
        return self.ws(code).cell(row + 1, col + 1).value

    def field(self, key: str):
        place = LAYOUT.fields[key]
        return self.get(place.sheet, place.row, place.col)


def _symptoms(book: Book) -> set[tuple[str, str, str]]:
    """Every trace of a mistake of `MISTAKES` found in a project workbook, as (name, sheet code, cell)."""
    found: set[tuple[str, str, str]] = set()
    for sheet in PROJECT.sheets:
        if book.names[sheet.code] != sheet.name:
            found.add(("renamed_sheet", sheet.code, "A1"))
    # typed text in number cells, and choices with stray spaces
    for sheet in PROJECT.sheets:
        cells = []
        for f in sheet.fields:
            if f.is_input:
                place = LAYOUT.fields[f.key]
                cells.append((place.row, place.col, f.rule))
        for table in sheet.tables:
            place = LAYOUT.tables[table.key]
            cells += [(r, place.columns[c.key], c.rule) for c in table.columns if c.is_input for r in place.rows]
        for grid in sheet.grids:
            place = LAYOUT.grids[grid.key]
            cells += [(r, c, grid.rule) for c in place.columns.values() for r in place.item_rows.values()]
        for row, col, rule in cells:
            value = book.get(sheet.code, row, col)
            if rule.type in ("integer", "number") and isinstance(value, str):
                found.add(("text_in_number_cell", sheet.code, a1(row, col)))
            if (rule.choices or rule.choices_from) and isinstance(value, str) and value != value.strip():
                found.add(("trailing_space_choice", sheet.code, a1(row, col)))
    # social skills scores out of range; pupils with a pre but no post assessment
    grid = LAYOUT.grids["social_skills"]
    for p in range(6):
        answered = {}
        for occasion in ("Pre", "Post"):
            c = grid.columns[(p, occasion)]
            values = [book.get("social_skills", r, c) for r in grid.item_rows.values()]
            answered[occasion] = any(v is not None for v in values)
            for r, v in zip(grid.item_rows.values(), values, strict=True):
                if isinstance(v, (int, float)) and not 0 <= v <= 4:
                    found.add(("score_out_of_range", "social_skills", a1(r, c)))
        if answered["Pre"] and not answered["Post"]:
            found.add(("missing_post_assessment", "social_skills", a1(grid.item_rows[1], grid.columns[(p, "Post")])))
    # pupil references that look like names; the same reference twice in the register
    register = LAYOUT.tables["pupils"]
    refs: dict[str, list[str]] = {}
    for row in register.rows:
        ref = book.get("pupils", row, register.columns["pupil_ref"])
        if ref is None:
            continue
        cell = a1(row, register.columns["pupil_ref"])
        refs.setdefault(ref, []).append(cell)
        if NAME_LIKE.match(ref):
            found.add(("name_as_pupil_ref", "pupils", cell))
    for cells in refs.values():
        if len(cells) > 1:
            found.update(("duplicate_pupil_ref", "pupils", cell) for cell in cells)
    # sessions outside the Phase 3 timescale
    start, end = book.field("start_date"), book.field("end_date")
    sessions = LAYOUT.tables["sessions"]
    for row in sessions.rows:
        day = book.get("phase4", row, sessions.columns["session_date"])
        if isinstance(day, dt.datetime) and not start <= day <= end:
            found.add(("session_outside_timescale", "phase4", a1(row, sessions.columns["session_date"])))
    return found


def _expected(entry: dict) -> set[tuple[str, str, str]]:
    out = set()
    for m in entry["mistakes"]:
        out.add((m["name"], m["sheet"], m["cell"]))
    return out


# ---------------------------------------------------------------- tests


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate_authority(tmp_path / "a", schools=7, seed=5, mistake_rate=0.5, workers=1)
    b = generate_authority(tmp_path / "b", schools=7, seed=5, mistake_rate=0.5, workers=2)
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    tree_a, tree_b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert tree_a.keys() == tree_b.keys()
    for name in tree_a:
        assert tree_a[name] == tree_b[name], f"{name} differs between two runs with the same seed"
    # a re-run into the same folder replaces its own files, byte for byte
    generate_authority(tmp_path / "a", schools=7, seed=5, mistake_rate=0.5)
    assert _tree(tmp_path / "a") == tree_a
    # a different seed gives a different authority
    generate_authority(tmp_path / "c", schools=7, seed=6, mistake_rate=0.5)
    assert _manifest(tmp_path / "c")["school_list"] != _manifest(tmp_path / "a")["school_list"]


def test_rerun_removes_files_of_the_earlier_run(tmp_path: Path) -> None:
    generate_authority(tmp_path, schools=9, seed=1)
    generate_authority(tmp_path, schools=4, seed=2)
    listed = {f["path"] for f in _manifest(tmp_path)["files"]}
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xlsx")}
    assert on_disk == listed
    assert all(p.is_file() or any(p.iterdir()) for p in tmp_path.rglob("*"))


def test_clean_project_is_deterministic(tmp_path: Path) -> None:
    a = build_clean_project(tmp_path / "a.xlsx", seed=3)
    b = build_clean_project(tmp_path / "b.xlsx", seed=3)
    c = build_clean_project(tmp_path / "c.xlsx", seed=4)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


def test_counts_and_manifest(sample_authority: Path) -> None:
    manifest = _manifest(sample_authority)
    files = manifest["files"]
    assert [f["path"] for f in files] == sorted(f["path"] for f in files)
    on_disk = sorted(p.relative_to(sample_authority).as_posix() for p in sample_authority.rglob("*.xlsx"))
    assert on_disk == [f["path"] for f in files]
    assert all(len(Path(f["path"]).parts) == 2 for f in files), "each file sits in a school or partnership folder"
    kinds = Counter(f["kind"] for f in files)
    schools = {s["seed_code"] for s in manifest["school_list"]}
    assert len(schools) == manifest["schools"] == kinds["school_return"]
    assert {f["seed_code"] for f in files if f["kind"] == "school_return"} == schools
    assert all(re.fullmatch(r"99\d{5}", code) for code in schools)
    # every school is in exactly one partnership of 2-3 schools, led by the school whose code the file carries
    members = [f["schools"] for f in files if f["kind"] == "sipp_project"]
    assert kinds["sipp_project"] == len(members) >= len(schools) // 3
    assert sorted(c for m in members for c in m) == sorted(schools)
    assert all(2 <= len(m) <= 3 for m in members)
    assert all(f["seed_code"] == f["schools"][0] for f in files if f["kind"] == "sipp_project")
    # each file says what it is inside, as the manifest says
    for f in files:
        wb = openpyxl.load_workbook(sample_authority / f["path"], read_only=True)
        props = {p.name: p.value for p in wb.custom_doc_props}
        assert props["sipxl_kind"] == f["kind"]
        wb.close()


@pytest.mark.parametrize("schools,rate,expected", [(20, 0.0, 0), (20, 1.0, None), (3, 0.01, 1)])
def test_mistake_rate(tmp_path: Path, schools: int, rate: float, expected: int | None) -> None:
    generate_authority(tmp_path, schools=schools, seed=9, mistake_rate=rate)
    projects = [f for f in _manifest(tmp_path)["files"] if f["kind"] == "sipp_project"]
    mistaken = [f for f in projects if f["mistakes"]]
    assert len(mistaken) == (len(projects) if expected is None else expected)
    assert all(1 <= len(f["mistakes"]) <= 2 for f in mistaken)
    assert all(not f["mistakes"] for f in _manifest(tmp_path)["files"] if f["kind"] == "school_return")


@pytest.fixture(scope="module")
def mistaken_authority(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every project with mistakes, enough projects for every kind of mistake to appear."""
    root = tmp_path_factory.mktemp("mistaken")
    generate_authority(root, schools=30, seed=77, mistake_rate=1.0)
    return root


def test_every_kind_of_mistake_appears(mistaken_authority: Path) -> None:
    names = Counter(m["name"] for f in _manifest(mistaken_authority)["files"] for m in f["mistakes"])
    assert set(names) == set(MISTAKES), f"missing: {set(MISTAKES) - set(names)}"


@pytest.mark.parametrize("which", ["sample_authority", "mistaken_authority"])
def test_mistakes_are_where_the_manifest_says_and_nowhere_else(request: pytest.FixtureRequest, which: str) -> None:
    root: Path = request.getfixturevalue(which)
    n_clean = 0
    for entry in _manifest(root)["files"]:
        if entry["kind"] != "sipp_project":
            continue
        book = Book(root / entry["path"])
        found, expected = _symptoms(book), _expected(entry)
        # a duplicated reference shows in both register rows; the manifest names the row that was changed
        dup = {x for x in found if x[0] == "duplicate_pupil_ref"}
        if dup:
            assert len(dup) == 2 and len(dup & expected) == 1, f"{entry['path']}: {dup} vs {expected}"
            found -= dup - expected
        assert found == expected, f"{entry['path']}: found {sorted(found)}, manifest says {sorted(expected)}"
        n_clean += not expected
        for m in entry["mistakes"]:
            _check_mistake(book, m, entry["path"])
    assert which == "mistaken_authority" or n_clean > 0


def _check_mistake(book: Book, m: dict, path: str) -> None:
    value = book.at(m["sheet"], m["cell"]) if m["name"] != "renamed_sheet" else book.names[m["sheet"]]
    where = f"{path} {m['sheet']}!{m['cell']} {m['name']}"
    if "value" in m:
        if isinstance(value, dt.datetime):
            assert value.date().isoformat() == m["value"], where
        else:
            assert value == m["value"], where
    name = m["name"]
    if name == "score_out_of_range":
        assert value in (5, 7), where
    elif name == "missing_post_assessment":
        assert value is None, where
    elif name == "text_in_number_cell":
        assert isinstance(value, str) and not value.strip().isdigit(), where
    elif name == "renamed_sheet":
        assert value != PROJECT.sheet(m["sheet"]).name and value in book.wb.sheetnames, where
    elif name == "name_as_pupil_ref":
        assert NAME_LIKE.match(value), where
    elif name == "duplicate_pupil_ref":
        register = LAYOUT.tables["pupils"]
        refs = [book.get("pupils", r, register.columns["pupil_ref"]) for r in register.rows]
        assert refs.count(value) == 2 and REF.match(value), where
    elif name == "trailing_space_choice":
        assert value.endswith(" ") and value.strip() in ("Yes", "No", "Female", "Male", "Not disclosed"), where
    for rel in m.get("related", []):
        got = book.at(rel["sheet"], rel["cell"])
        expected = None if name == "missing_post_assessment" else value
        assert got == expected, f"{where}: related {rel} holds {got!r}"


def test_pseudonymous(sample_authority: Path) -> None:
    manifest = _manifest(sample_authority)
    for entry in manifest["files"]:
        wb = openpyxl.load_workbook(sample_authority / entry["path"], read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, (str, int)) and not isinstance(value, bool):
                        assert not NINE_DIGITS.search(str(value)), f"{entry['path']} {ws.title}: {value!r}"
        wb.close()
        if entry["kind"] != "sipp_project":
            continue
        allowed = {(m["sheet"], m["cell"]) for m in entry["mistakes"] if m["name"] == "name_as_pupil_ref"}
        allowed |= {(r["sheet"], r["cell"]) for m in entry["mistakes"] if m["name"] == "name_as_pupil_ref"
                    for r in m.get("related", [])}
        book = Book(sample_authority / entry["path"])
        n_refs = 0
        for sheet in PROJECT.sheets:
            for table in sheet.tables:
                place = LAYOUT.tables[table.key]
                for col in table.columns:
                    if not col.identifies_pupil:
                        continue
                    for row in place.rows:
                        value = book.get(place.sheet, row, place.columns[col.key])
                        if value is None:
                            continue
                        n_refs += 1
                        cell = (place.sheet, a1(row, place.columns[col.key]))
                        if cell in allowed:
                            assert NAME_LIKE.match(value)
                        else:
                            assert REF.match(value), f"{entry['path']} {cell}: {value!r} is not a pseudonym"
        assert n_refs >= 4 * 4  # register, results (x2), attendance, observations, GAS


def test_another_session_has_the_same_schools_and_its_own_answers(tmp_path: Path) -> None:
    generate_authority(tmp_path / "now", schools=6, seed=9, workers=1)
    generate_authority(tmp_path / "before", schools=6, seed=9, workers=1, session="2024/25")
    now, before = _manifest(tmp_path / "now"), _manifest(tmp_path / "before")
    assert now["school_list"] == before["school_list"] and before["session"] == "2024/25"
    paths = sorted(f["path"] for f in before["files"])
    assert paths == sorted(f["path"].replace("2025-26", "2024-25") for f in now["files"])
    project = next(p for p in paths if "SIPP project" in p)
    book = Book(tmp_path / "before" / project)
    assert book.field("session") == "2024/25"
    stamp = book.field("submitted_on")
    assert stamp is None or stamp.year == 2025
    after = Book(tmp_path / "now" / project.replace("2024-25", "2025-26"))
    assert book.field("project_title") == after.field("project_title")
    with pytest.raises(ValueError):
        generate_authority(tmp_path / "x", schools=2, session="next year")


def test_missing_returns_are_left_out_and_listed(tmp_path: Path) -> None:
    generate_authority(tmp_path / "s", schools=10, seed=3, workers=1, missing=0.2)
    m = _manifest(tmp_path / "s")
    assert len(m["not_returned"]) == 2
    returned = {f["seed_code"] for f in m["files"] if f["kind"] == "school_return"}
    assert returned.isdisjoint(m["not_returned"]) and len(returned) == 8
