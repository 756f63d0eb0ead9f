"""Reading real-world files: what teachers type and what their programs save. Each case is either read as the
teacher meant it or reported with its own code, at the right cell; formula caches are checked, never trusted."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import recalculate_all, soffice

from sipxl.domain.extract import WorkbookContent
from sipxl.engine import check_file
from sipxl.io.build import META_SHEET, build_template
from sipxl.sample import build_clean, clean_values
from sipxl.spec import all_templates, layout_template
from sipxl.spec.layout import a1, excel_ref
from sipxl.spec.lists import SOCIAL_SKILLS_WORDS

KINDS = [t.kind for t in all_templates()]


def build(tmp_path: Path, edit=None, kind: str = "sipp_project", name: str = "w.xlsx", sheet_names=None) -> Path:
    template, values = clean_values(kind)
    values = dict(values)
    if edit is not None:
        edit(values, layout_template(template))
    return build_template(template, tmp_path / name, values=values, sheet_names=sheet_names)


def codes(path: Path) -> list[tuple[str, str]]:
    return [(i.code, i.cell) for i in check_file(path, score=False).issues]


def answers(content: WorkbookContent) -> dict:
    """Every answer the reader found, as plain values (to compare two readings of the same workbook)."""
    inputs = {t.key: [c.key for c in t.columns if c.is_input] for s in content.template.sheets for t in s.tables}
    return {
        "fields": {k: c.value for k, c in content.fields.items()},
        "tables": {k: t.frame[inputs[k]].to_dict("index") for k, t in content.tables.items()},
        "grids": {k: [(p.ref.value, {o: [c.value for c in col.items] + [col.date.value, col.by.value]
                                     for o, col in p.occasions.items()}) for p in g.pupils]
                  for k, g in content.grids.items()},
    }


SS = layout_template(clean_values("social_skills")[0]).grids["social_skills"]


def ss_key(pupil: int, occasion: str, item: int) -> tuple[str, int, int]:
    return ("social_skills", SS.item_rows[item], SS.columns[(pupil, occasion)])


def ss_ref(pupil: int, occasion: str, item: int) -> str:
    _, row, col = ss_key(pupil, occasion, item)
    return excel_ref("Social Skills", row, col)


# ---------------------------------------------------------------- what teachers type


@pytest.mark.parametrize("typed", ["{v} - {word}", "{v}-{word}", "{word_number}", "{v} ", "{v}"])
def test_a_number_typed_as_text_is_an_error_and_not_counted(tmp_path, typed):
    """Excel's totals leave text out, so sipxl does too (the sheet shows "check entry"): an error that says which
    number was meant, never a total the sheet does not show."""
    numbers = ("zero", "one", "two", "three", "four")
    original = clean_values("social_skills")[1][ss_key(1, "Pre", 4)]
    text = typed.format(v=original, word=SOCIAL_SKILLS_WORDS[original], word_number=numbers[original])

    def edit(values, layout):
        values[ss_key(1, "Pre", 4)] = text

    check = check_file(build(tmp_path, edit, kind="social_skills"))
    items = check.content.grids["social_skills"].pupils[1].occasions["Pre"].items
    assert items[3].value is None and items[3].raw == text
    assert [(i.code, i.severity, i.cell, i.value, i.expected) for i in check.issues] == [
        ("SIPXL-V003", "error", ss_ref(1, "Pre", 4), text, str(original))]
    assert ss_key(1, "Pre", 4) in check.content.invalid
    assert check.scores.social_skills.pupils[1].pre.total is None


def test_numbers_stored_as_text(tmp_path):
    def edit(values, layout):
        place = layout.tables["attendance"]
        for k in range(3):
            key = (place.sheet, place.first_row + k, place.columns["attended_before"])
            values[key] = str(values[key])

    as_text = check_file(build(tmp_path, edit, kind="attendance", name="text.xlsx"))
    place = layout_template(clean_values("attendance")[0]).tables["attendance"]
    cells = [excel_ref("Attendance", place.first_row + k, place.columns["attended_before"]) for k in range(3)]
    assert [(i.code, i.cell) for i in as_text.issues] == [("SIPXL-V003", c) for c in cells]
    assert all(as_text.content.tables["attendance"].value(place.first_row + k + 1, "attended_before") is None
               for k in range(3))


@pytest.mark.parametrize("typed", ["mostly", "P4", "Q1 - low", "a3"])
def test_text_that_is_no_number(tmp_path, typed):
    def edit(values, layout):
        values[ss_key(0, "Post", 2)] = typed

    found = codes(build(tmp_path, edit, kind="social_skills"))
    assert found == [("SIPXL-V002", ss_ref(0, "Post", 2))]


@pytest.mark.parametrize("typed", ["Yes ", " Yes", "yes", "Yes  "])
def test_trailing_spaces_in_dropdown_values(tmp_path, typed):
    def edit(values, layout):
        place = layout.tables["pupils"]
        values[(place.sheet, place.first_row + 2, place.columns["asn"])] = typed

    layout = layout_template(clean_values("sipp_project")[0])
    place = layout.tables["pupils"]
    check = check_file(build(tmp_path, edit), score=False)
    assert check.content.tables["pupils"].frame.loc[place.first_row + 3, "asn"] == "Yes"
    assert [(i.code, i.severity) for i in check.issues] == [("SIPXL-V006", "info")]
    assert check.issues[0].cell == excel_ref("Pupils", place.first_row + 2, place.columns["asn"])
    assert check.valid


def test_choice_not_on_the_list(tmp_path):
    def edit(values, layout):
        place = layout.tables["pupils"]
        values[(place.sheet, place.first_row, place.columns["stage"])] = "Primary 5"

    layout = layout_template(clean_values("sipp_project")[0])
    place = layout.tables["pupils"]
    assert codes(build(tmp_path, edit)) == [
        ("SIPXL-V005", excel_ref("Pupils", place.first_row, place.columns["stage"]))]


def test_extra_rows_typed_below_a_table(tmp_path):
    layout = layout_template(clean_values("sipp_project")[0])
    place = layout.tables["pupils"]

    def edit(values, layout):
        values[("pupils", place.last_row + 1, 0)] = "SIP-EXTRA-1"
        values[("pupils", place.last_row + 2, 0)] = "SIP-EXTRA-2"

    check = check_file(build(tmp_path, edit), score=False)
    assert [(i.code, i.cell) for i in check.issues] == [
        ("SIPXL-F010", excel_ref("Pupils", place.last_row + 1, 0))]
    assert "SIP-EXTRA-1" in check.issues[0].message and "1 more" in check.issues[0].message
    # nothing inside the form was lost or changed
    assert len(check.content.tables["pupils"].frame) == 6


# ---------------------------------------------------------------- sheets renamed, moved; versions


def test_sheet_renamed(tmp_path):
    clean = check_file(build(tmp_path, name="clean.xlsx"))
    renamed = check_file(build(tmp_path, name="renamed.xlsx", sheet_names={"social_skills": "Social Skills (copy)"}))
    assert [(i.code, i.sheet, i.value, i.expected) for i in renamed.issues] == [
        ("SIPXL-F008", "Social Skills (copy)", "Social Skills (copy)", "Social Skills")]
    assert renamed.content.sheet_names["social_skills"] == "Social Skills (copy)"
    assert renamed.scores.social_skills == clean.scores.social_skills
    grid = renamed.content.grids["social_skills"]
    assert grid.pupils[0].occasions["Pre"].items[0].ref == f"'Social Skills (copy)'!{a1(SS.item_rows[1], 2)}"


def test_sheet_renamed_issues_point_into_the_renamed_sheet(tmp_path):
    def edit(values, layout):
        values[ss_key(0, "Pre", 1)] = 9

    path = build(tmp_path, edit, kind="social_skills", sheet_names={"social_skills": "SS"})
    assert ("SIPXL-V004", f"SS!{a1(SS.item_rows[1], SS.columns[(0, 'Pre')])}".replace("SS!", "'SS'!")) in codes(path)


def test_sheet_moved(tmp_path):
    src = build(tmp_path, name="clean.xlsx")
    wb = openpyxl.load_workbook(src)
    wb.move_sheet("Social Skills", offset=-5)
    moved = tmp_path / "moved.xlsx"
    wb.save(moved)
    clean, check = check_file(src), check_file(moved)
    assert [(i.code, i.severity) for i in check.issues] == [("SIPXL-F012", "info")]
    assert answers(check.content) == answers(clean.content)
    assert check.valid


def _edit_meta(src: Path, dst: Path, version: str) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb[META_SHEET]
    assert ws["A2"].value == "version"
    ws["B2"] = version
    wb.save(dst)
    return dst


def test_template_from_a_newer_version(tmp_path):
    src = build(tmp_path, kind="social_skills")
    newer = _edit_meta(src, tmp_path / "newer.xlsx", "9.0")
    check = check_file(newer)
    assert not check.readable
    assert [(i.code, i.value) for i in check.issues] == [("SIPXL-F005", "9.0")]


# ---------------------------------------------------------------- files that cannot be read


def test_corrupt_zip(tmp_path):
    good = build(tmp_path, kind="survey")
    data = good.read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + b"\x00not a zip at all" * 50)
    text = tmp_path / "notes.xlsx"
    text.write_text("just some text", encoding="utf-8")
    for path in (truncated, garbage, text):
        check = check_file(path)
        assert not check.readable
        assert [i.code for i in check.issues] == ["SIPXL-F001"], path


def test_password_protected(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    src = build(tmp_path, kind="survey")
    locked = tmp_path / "locked.xlsx"
    with open(src, "rb") as f, open(locked, "wb") as out:
        OOXMLFile(f).encrypt("secret", out)
    check = check_file(locked)
    assert [i.code for i in check.issues] == ["SIPXL-F002"] and not check.readable


@pytest.mark.libreoffice
def test_old_xls(tmp_path):
    exe = soffice()
    src = build(tmp_path, kind="survey")
    profile = Path(tempfile.mkdtemp(prefix="sipxl-lo-xls-"))
    try:
        subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xls:MS Excel 97", "--outdir", str(tmp_path / "xls"), str(src)],
                       capture_output=True, timeout=300, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    xls = tmp_path / "xls" / "w.xls"
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    check = check_file(xls)
    assert [i.code for i in check.issues] == ["SIPXL-F003"] and not check.readable


def test_not_a_sipxl_template(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Pupil"
    wb.active["B1"] = "Score"
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    check = check_file(path)
    assert [i.code for i in check.issues] == ["SIPXL-F004"] and not check.readable


def test_wrong_kind_expected(tmp_path):
    check = check_file(build(tmp_path, kind="survey"), expect_kind="gas")
    assert [i.code for i in check.issues] == ["SIPXL-F007"]


# ---------------------------------------------------------------- files saved by LibreOffice; formula caches


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Every kind of clean workbook, and the same workbook opened, recalculated and saved by LibreOffice."""
    src = tmp_path_factory.mktemp("built")
    paths = [build_clean(kind, src / f"{kind}.xlsx") for kind in KINDS]
    outs = recalculate_all(paths, tmp_path_factory.mktemp("libreoffice"))
    return {kind: (p, o) for kind, p, o in zip(KINDS, paths, outs, strict=True)}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", KINDS)
def test_file_saved_by_libreoffice_reads_the_same(saved_by_libreoffice, kind):
    built, saved = saved_by_libreoffice[kind]
    a, b = check_file(built), check_file(saved)
    assert b.issues == []
    assert answers(b.content) == answers(a.content)
    assert b.scores.__dict__ | {"file": ""} == a.scores.__dict__ | {"file": ""}
    assert b.content.cached  # LibreOffice saved the formulas' values, and every one agreed with Python


def _set_cached(src: Path, dst: Path, sheet_index: int, cell: str, value: str) -> Path:
    """Copy an .xlsx, changing the saved (cached) value of one formula cell in the sheet's XML."""
    part = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                xml = data.decode("utf-8")
                # a number saved as Excel saves it: no t="str" (which xlsxwriter writes for an array formula)
                pattern = re.compile(rf'(<c r="{cell}"[^>]*>)(<f[^>]*>.*?</f>)<v>[^<]*</v>')
                xml, n = pattern.subn(lambda m: re.sub(r' t="\w+"', "", m.group(1)) + m.group(2)
                                      + f"<v>{value}</v>", xml, count=1)
                assert n == 1, f"no formula at {cell}"
                data = xml.encode("utf-8")
            zout.writestr(item, data)
    return dst


@pytest.mark.libreoffice
def test_formula_cache_disagreeing_after_libreoffice(saved_by_libreoffice, tmp_path):
    _, saved = saved_by_libreoffice["social_skills"]
    total = a1(SS.total_row, SS.columns[(2, "Post")])
    stale = _set_cached(saved, tmp_path / "stale.xlsx", 2, total, "59")
    check = check_file(stale)
    right = check_file(saved).scores.social_skills.pupils[2].post.total
    assert [(i.code, i.cell, i.value, i.expected) for i in check.issues] == [
        ("SIPXL-F011", f"'Social Skills'!{total}", "59", str(int(right)))]
    # the score is recomputed from the answers, never taken from the cache
    assert check.scores.social_skills.pupils[2].post.total == right


def test_formula_cache_disagreeing_written_by_a_program(tmp_path):
    """A workbook written by a program with a wrong cached total (as xlsxwriter's value= would)."""
    src = build_clean("gas", tmp_path / "gas.xlsx")
    place = layout_template(clean_values("gas")[0]).tables["goals"]
    cell = a1(place.first_row, place.columns["baseline_t"])
    stale = _set_cached(src, tmp_path / "stale.xlsx", 2, cell, "12.5")
    check = check_file(stale)
    assert [(i.code, i.cell, i.value) for i in check.issues] == [("SIPXL-F011", f"'GAS'!{cell}", "12.5")]
    assert float(check.issues[0].expected) == pytest.approx(check.scores.gas.children[0].score.baseline_t,
                                                            abs=1e-4)


def test_matching_cached_value_is_not_reported(tmp_path):
    src = build_clean("social_skills", tmp_path / "ss.xlsx")
    check = check_file(src)
    right = check.scores.social_skills.pupils[0].pre.total
    cell = a1(SS.total_row, SS.columns[(0, "Pre")])
    ok = _set_cached(src, tmp_path / "ok.xlsx", 2, cell, str(int(right)))
    again = check_file(ok)
    assert again.content.cached and again.issues == []


@pytest.mark.parametrize("value, raw", [(None, None), (3, 3.0), ("Yes", "Yes "), (None, "abc")])
def test_an_answer_cell_made_fast_is_the_dataclass_cell(value, raw):
    """extract makes its answer cells without the frozen dataclass's __init__ (_cell): the same object in every
    respect, and a field added to Cell must be added there too."""
    import dataclasses
    import pickle

    from sipxl.domain.extract import Cell, _cell

    args = (value, raw, "Social Skills", 12, 4, "Pupil 1 Pre, item 3")
    fast, slow = _cell(*args), Cell(*args)
    assert [f.name for f in dataclasses.fields(Cell)] == list(vars(fast))
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert pickle.dumps(fast) == pickle.dumps(slow) and vars(fast) == vars(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.value = 1
