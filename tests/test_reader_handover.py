"""The sheets sipxl's bounds inflate are handed to calamine inflated (sipxl.io.package.Package.for_reader), so
each is inflated once. What calamine reads must be what it reads from the file itself: the same grids, the
same issues, the same words for a damaged file, whatever the damage (hypothesis edits the zip's bytes and the
sheets' XML of real workbooks)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hostile_files import build, parts, sheet_part, write_parts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipxl.io.package import Package
from sipxl.io.read import Unreadable, read_workbook

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("handover")
    return {kind: build(root / f"{kind}.xlsx", kind=kind) for kind in ("sipp_project", "school_return")}


def _outcome(path: Path) -> tuple:
    try:
        raw = read_workbook(path)
    except Unreadable as e:
        return ("unreadable", e.issue.code, e.issue.message)
    return ("read", raw.kind, raw.version, raw.sheet_names, raw.grids, [i.message for i in raw.issues])


def _both(path: Path, monkeypatch) -> tuple[tuple, tuple]:
    handed = _outcome(path)
    with monkeypatch.context() as m:
        m.setattr(Package, "for_reader", lambda self: None)  # calamine reads the file itself
        itself = _outcome(path)
    return handed, itself


def _assert_reads_the_same(path: Path, monkeypatch) -> None:
    handed, itself = _both(path, monkeypatch)
    assert handed == itself


def _written(tmp_path_factory, data: bytearray) -> Path:
    path = tmp_path_factory.mktemp("damaged") / "damaged.xlsx"
    path.write_bytes(bytes(data))
    return path


def test_a_real_workbook_reads_the_same_handed_over(good, monkeypatch) -> None:
    for path in good.values():
        handed, itself = _both(path, monkeypatch)
        assert handed[0] == "read"
        assert handed == itself


@SETTINGS
@given(kind=st.sampled_from(["sipp_project", "school_return"]),
       edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4))
def test_damaged_zip_bytes_read_the_same_handed_over(good, tmp_path_factory, monkeypatch, kind, edits) -> None:
    data = bytearray(good[kind].read_bytes())
    for where, byte in edits:
        data[int(where * len(data))] = byte
    _assert_reads_the_same(_written(tmp_path_factory, data), monkeypatch)


@SETTINGS
@given(kind=st.sampled_from(["sipp_project", "school_return"]), data=st.data())
def test_damaged_zip_headers_read_the_same_handed_over(good, tmp_path_factory, monkeypatch, kind, data) -> None:
    """Bytes of the headers (each part's local header, the central directory, the end record) edited."""
    raw = bytearray(good[kind].read_bytes())
    with zipfile.ZipFile(good[kind]) as z:
        starts = [i.header_offset for i in z.infolist()] + [z.start_dir]
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.sampled_from(starts))
        at = min(start + data.draw(st.integers(0, 120)), len(raw) - 1)
        raw[at] = data.draw(st.integers(0, 255))
    _assert_reads_the_same(_written(tmp_path_factory, raw), monkeypatch)


@SETTINGS
@given(kind=st.sampled_from(["sipp_project", "school_return"]), data=st.data())
def test_edited_sheet_xml_reads_the_same_handed_over(good, tmp_path_factory, monkeypatch, kind, data) -> None:
    content = parts(good[kind])
    name = data.draw(st.sampled_from(sorted(n for n in content if n.startswith("xl/worksheets/sheet"))))
    xml = content[name]
    at = data.draw(st.integers(0, len(xml)))
    cut = data.draw(st.integers(0, 40))
    snippet = data.draw(st.sampled_from([b"", b'<c r="B2" t="e"><v>#N/A</v></c>', b"</sheetData>", b"<", b"\x00",
                                         b'<c r="A1" t="zz"><v>1</v></c>', b'<dimension ref="A1:XFD1048576"/>']))
    content[name] = xml[:at] + snippet + xml[at + cut:]
    _assert_reads_the_same(write_parts(tmp_path_factory.mktemp("xml") / "edited.xlsx", content), monkeypatch)


def test_the_reader_is_handed_the_sheets_inflated(good) -> None:
    """The hand-over happens for a real workbook (else the tests above compare the file with itself)."""
    from sipxl.io.bounds import Limits, check_bounds

    with Package(good["sipp_project"]) as package:
        check_bounds(package, Limits())
        handed = package.for_reader()
    assert handed is not None
    import io

    with zipfile.ZipFile(io.BytesIO(handed)) as z:
        stored = {i.filename for i in z.infolist() if i.compress_type == zipfile.ZIP_STORED}
    assert sheet_part(parts(good["sipp_project"]), "Pupils") in stored
