"""Fuzzing: real sample workbooks, mutated by hypothesis (the zip's bytes, the XML of sheets and shared strings,
cell values and types, school and file names), go through `consolidate` and the checking behind `validate`.

Whatever the mutation: no internal error (SIPXL-C007, exit 3) and no crash; every file accounted for exactly
once; the good files' rows identical with and without the bad file; outputs written, and they open in
LibreOffice. The CI profile is bounded (a few minutes); SIPXL_FUZZ_EXAMPLES=N runs N cases per family, and
SIPXL_FUZZ_RECORD=path appends each family's figures to a JSON-lines file (benchmarks/fuzz.py writes them up).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hostile_files import build, opens_in_libreoffice, parts, sheet_part, write_parts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipxl.checking import check_and_report
from sipxl.consolidate import consolidate, write_outputs

LONG = int(os.environ.get("SIPXL_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=LONG or 12, deadline=None, derandomize=not LONG, database=None,
                suppress_health_check=list(HealthCheck))
GOOD = {"good project.xlsx": "sipp_project", "good return.xlsx": "school_return"}
SNIPPETS = [b'<!DOCTYPE x [<!ENTITY a "b">]>', b'<c r="XFD1048576"><v>1</v></c>',
            b'<c r="B2" t="s"><v>99999999</v></c>',
            b"\x00\x01\x1f", b"<f>cmd|' /c calc'!A1</f>", b'<dimension ref="A1:XFD1048576"/>', b"&#0;", b"&xx;",
            b'<row r="0">', b'<c r="A0"/>', b"<v>1e999</v>", b"<v>NaN</v>", b"</sheetData>", b"<si><t>", "é🏫".encode(),
            b"<" * 50, b"=HYPERLINK(\"http://x\")"]
CELL_TYPES = ["s", "n", "b", "e", "str", "inlineStr", "d", "zz", ""]
stats: dict[str, dict] = {}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The good files, their rows read alone (the baseline), and the sample workbooks to mutate."""
    root = tmp_path_factory.mktemp("fuzz")
    seeds = {}
    for name, kind in GOOD.items():
        seeds[name] = build(root / "seeds" / name, kind=kind)
    build(root / "seeds" / "survey.xlsx", kind="survey")
    seeds["survey.xlsx"] = root / "seeds" / "survey.xlsx"
    alone = consolidate([_inputs(root / "alone", seeds, None)], root / "alone-out", jobs=1)
    baseline = {r.rel: r.content.rows for r in alone.records}
    return root, seeds, baseline


def _inputs(folder: Path, seeds: dict[str, Path], bad: tuple[str, bytes] | None) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in GOOD:
        shutil.copy(seeds[name], folder / name)
    if bad is not None:
        (folder / bad[0]).write_bytes(bad[1])
    return folder


def _record(family: str, started: float, failed: bool = False) -> None:
    s = stats.setdefault(family, {"cases": 0, "seconds": 0.0, "failures": 0})
    s["cases"] += 1
    s["seconds"] += time.perf_counter() - started
    s["failures"] += failed


@pytest.fixture(scope="module", autouse=True)
def _write_figures():
    yield
    target = os.environ.get("SIPXL_FUZZ_RECORD")
    if target:
        with open(target, "a", encoding="utf-8") as f:
            for family, s in stats.items():
                f.write(json.dumps({"family": family, **s}) + "\n")


def _check(world, family: str, name: str, data: bytes, outputs: bool = False) -> None:
    root, seeds, baseline = world
    started = time.perf_counter()
    ok = False
    try:
        folder = _inputs(root / "in", seeds, (name, data))
        out = root / "out"
        cons = consolidate([folder], out, jobs=1, force=True)
        on_disk = sorted(p.name for p in folder.iterdir())
        assert sorted([r.rel for r in cons.records] + cons.ignored) == on_disk  # each file exactly once
        for r in cons.records:
            assert not any(i.code == "SIPXL-C007" for i in r.issues), (r.rel, r.result.crash)
        by = {r.rel: r for r in cons.records}
        read = {g: by[by[g].duplicate_of] if by[g].status == "duplicate" else by[g] for g in GOOD}
        assert {g: r.content.rows for g, r in read.items()} == baseline  # read exactly as without the bad one
        (reported,) = check_and_report([str(folder / name)])  # what `sipxl validate` prints
        assert not reported.crash and "SIPXL-C007" not in json.dumps(reported.as_dict)
        if outputs:
            write_outputs(cons, out, force=True)
        ok = True
    finally:
        _record(family, started, failed=not ok)


def _seed(world, which: str) -> tuple[str, bytes]:
    return which, world[1][which].read_bytes()


SEED_NAMES = st.sampled_from(["good project.xlsx", "good return.xlsx", "survey.xlsx"])


# ---------------------------------------------------------------- the zip's bytes


@FUZZ
@given(which=SEED_NAMES, edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1,
                                                                                               max_size=8)),
                                        min_size=1, max_size=6), cut=st.one_of(st.none(), st.floats(0.05, 1)))
def test_fuzz_zip_bytes(world, which, edits, cut):
    name, data = _seed(world, which)
    buf = bytearray(data)
    for where, new in edits:
        i = int(where * len(buf))
        buf[i:i + len(new)] = new
    if cut is not None:
        buf = buf[:max(1, int(cut * len(buf)))]
    _check(world, "zip bytes", "bad " + name, bytes(buf))


# ---------------------------------------------------------------- the XML of sheets and shared strings


@st.composite
def xml_mutations(draw, content: dict[str, bytes]):
    candidates = sorted(n for n in content if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml")
    part = draw(st.sampled_from(candidates))
    data = bytearray(content[part])
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "replace"]))
        i = draw(st.integers(0, len(data)))
        j = min(len(data), i + draw(st.integers(0, 400)))
        if op == "delete":
            del data[i:j]
        elif op == "duplicate":
            data[i:i] = data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from(SNIPPETS))
        else:
            data[i:j] = draw(st.one_of(st.sampled_from(SNIPPETS), st.binary(max_size=20)))
    return part, bytes(data)


@FUZZ
@given(which=SEED_NAMES, data=st.data())
def test_fuzz_sheet_and_shared_string_xml(world, which, data):
    content = parts(world[1][which])
    part, new = data.draw(xml_mutations(content))
    content[part] = new
    target = world[0] / "made" / which
    write_parts(target, content)
    _check(world, "sheet and shared-string XML", "aa bad " + which, target.read_bytes())


# ---------------------------------------------------------------- cell values and types

VALUES = st.one_of(st.text(max_size=60), st.integers(-10**20, 10**20).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr), st.sampled_from(["", "-0", "1e308", "=1+1",
                                                                                             "TRUE", "#N/A"]))


@FUZZ
@given(which=SEED_NAMES, data=st.data())
def test_fuzz_cell_values_and_types(world, which, data):
    content = parts(world[1][which])
    sheets = sorted(n for n in content if n.startswith("xl/worksheets/sheet"))
    part = data.draw(st.sampled_from(sheets))
    xml = content[part].decode("utf-8")
    cells = list(re.finditer(r'<c r="[A-Z]+\d+"[^>]*?(?:/>|>.*?</c>)', xml))
    for _ in range(data.draw(st.integers(1, 5))):
        if not cells:
            break
        m = data.draw(st.sampled_from(cells))
        ref = re.match(r'<c (r="[A-Z]+\d+")', m.group(0)).group(1)
        kind = data.draw(st.sampled_from(CELL_TYPES))
        text = data.draw(VALUES)
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        safe = "".join(ch for ch in safe if ch in "\t\n\r" or 0x20 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) < 0xFFFE)
        t_attr = f' t="{kind}"' if kind else ""
        new = f"<c {ref}{t_attr}><is><t>{safe}</t></is></c>" if kind == "inlineStr" else \
            f"<c {ref}{t_attr}><v>{safe}</v></c>"
        xml = xml.replace(m.group(0), new, 1)
        cells = list(re.finditer(r'<c r="[A-Z]+\d+"[^>]*?(?:/>|>.*?</c>)', xml))
    content[part] = xml.encode("utf-8")
    target = world[0] / "made" / which
    write_parts(target, content)
    _check(world, "cell values and types", "bad " + which, target.read_bytes(), outputs=True)


# ---------------------------------------------------------------- school and file names

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=50)


@settings(FUZZ, max_examples=max(4, (LONG or 12) // 3))
@given(school=NAMES, file=NAMES)
def test_fuzz_school_and_file_names(world, school, file):
    file = "".join(ch for ch in file if ch not in "/\x00")[:40].strip() or "x"
    if file in (".", "..") or file + ".xlsx" in GOOD or len(file.encode("utf-8")) > 200:
        file = "renamed " + str(len(file))
    target = build(world[0] / "made" / "named.xlsx", lead_school=school, start_date="soon")
    _check(world, "school and file names", file + ".xlsx", target.read_bytes(), outputs=True)


# ---------------------------------------------------------------- all at once, opened in LibreOffice


@pytest.mark.libreoffice
def test_many_mutated_files_together_make_outputs_libreoffice_opens(world, tmp_path):
    root, seeds, baseline = world
    folder = tmp_path / "in"
    _inputs(folder, seeds, None)
    data = {n: p.read_bytes() for n, p in seeds.items()}
    content = parts(seeds["good project.xlsx"])
    sp = sheet_part(content, "Project")
    for k, snippet in enumerate(SNIPPETS):  # each hostile snippet in the Project sheet, and in shared strings
        for part in (sp, "xl/sharedStrings.xml"):
            c = dict(content)
            c[part] = c[part].replace(b"</sheetData>" if part == sp else b"</sst>",
                                      snippet + (b"</sheetData>" if part == sp else b"</sst>"), 1)
            write_parts(folder / f"snippet {k} {part.rsplit('/', 1)[-1]}.xlsx", c)
    for k, cut in enumerate((0.1, 0.5, 0.9, 0.99)):
        (folder / f"cut {k}.xlsx").write_bytes(data["good project.xlsx"][:int(cut * len(data["good project.xlsx"]))])
    build(folder / "named.xlsx", lead_school="Sgoil 🏫\x01 [Annex]: *?/\\ " + "x" * 40, start_date="soon")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "sipxl.cli", "consolidate", str(folder), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 1, done.stderr
    report = json.loads((out / "validation_report.json").read_text(encoding="utf-8"))
    assert len(report["files"]) == len(list(folder.iterdir()))
    assert "SIPXL-C007" not in {i["code"] for i in report["issues"]}
    files = sorted(str(p) for p in folder.iterdir())
    done = subprocess.run([sys.executable, "-m", "sipxl.cli", "validate", *files], capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    for name in ("validation_report.xlsx", "dashboard.xlsx"):
        with zipfile.ZipFile(out / name) as z:
            assert z.testzip() is None
        assert opens_in_libreoffice(out / name), name
