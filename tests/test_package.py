"""sipxl.io.package reads a part's bytes straight from the mapped zip: exactly what zipfile reads, for any
content, compression and length asked for, and never past the size the zip declares."""

from __future__ import annotations

import zipfile
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from sipxl.io.package import Package

# Parts past the 4 KiB head and the 16 KiB inflate chunk, incompressible (random bytes from a seeded random, so
# hypothesis stores a seed, not the bytes) or compressible (repeated text).
_random = st.builds(lambda n, rnd: rnd.randbytes(n), st.integers(0, 60_000), st.randoms(use_true_random=False))
_repeated = st.builds(lambda t, n: (t * n).encode(), st.text(min_size=1, max_size=40), st.integers(1, 3_000))
parts = st.dictionaries(st.from_regex(r"[a-z]{1,8}/[a-z]{1,8}\.xml", fullmatch=True),
                        _random | _repeated | st.binary(max_size=200), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(parts=parts, method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       size=st.integers(0, 50_000))
def test_head_and_read_are_what_zipfile_reads(tmp_path_factory, parts, method, size) -> None:
    path = tmp_path_factory.mktemp("zip") / "book.xlsx"
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf, Package(path) as package:
        for info in package.infos:
            whole = zf.read(info)
            assert package.read(info.filename) == whole
            assert package.head(info, size) == whole[:size]


def test_a_part_that_inflates_past_its_declared_size_is_cut_there(tmp_path) -> None:
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/big.xml", b"<x>" + b"a" * 100_000 + b"</x>")
    # The central directory now declares 10 bytes for a part that inflates to 100,007.
    raw = bytearray(path.read_bytes())
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 24:central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with Package(path) as package:
        (info,) = package.infos
        assert info.file_size == 10
        assert package.read("xl/big.xml") == b"<x>aaaaaaa"
        assert package.head(info, 4096) == b"<x>aaaaaaa"


@settings(max_examples=30, deadline=None)
@given(parts=parts, twice=st.booleans())
def test_what_the_bounds_keep_is_what_zipfile_reads(tmp_path_factory, parts, twice) -> None:
    """The bounds inflate the sheets whole and keep them for the error-value scan: a later read of a name gives
    what zipfile gives for that name, also when the zip holds the name twice (zipfile reads the last)."""
    import warnings

    from sipxl.io.bounds import Limits, check_bounds

    path = tmp_path_factory.mktemp("zip") / "book.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr("xl/worksheets/" + name, data)
            if twice:
                first = next(iter(parts))
                zf.writestr("xl/worksheets/" + first, b"<other/>")
    with zipfile.ZipFile(path) as zf, Package(path) as package:
        check_bounds(package, Limits())
        assert bool(package._kept) == (twice or any(parts.values()))  # the sheets were kept
        for name in package.names:
            assert package.read(name) == zf.read(name)


def test_a_part_hidden_behind_a_later_one_of_the_same_name_is_never_read_for_it(tmp_path) -> None:
    import warnings

    path = tmp_path / "twice.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/worksheets/sheet1.xml", b"<first/>")
            zf.writestr("xl/worksheets/sheet1.xml", b"<second/>")
    with Package(path) as package:
        first, second = package.infos
        package.keep(first)
        assert package.read("xl/worksheets/sheet1.xml") == b"<second/>"
        package.keep(second)
        assert package.read("xl/worksheets/sheet1.xml") == b"<second/>"


@settings(max_examples=30, deadline=None)
@given(parts=parts, method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
def test_the_package_handed_to_the_reader_holds_what_the_file_holds(tmp_path_factory, parts, method) -> None:
    """The sheets the bounds inflated go to calamine stored: every part reads back as zipfile reads the file."""
    import io

    from sipxl.io.bounds import Limits, check_bounds

    path = tmp_path_factory.mktemp("zip") / "book.xlsx"
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr("xl/worksheets/" + name, data)
            zf.writestr("docProps/" + name, data)  # not kept: copied as it is
    with zipfile.ZipFile(path) as zf, Package(path) as package:
        check_bounds(package, Limits())
        handed = package.for_reader()
        assert (handed is None) == (not any(parts.values()))
        if handed is not None:
            with zipfile.ZipFile(io.BytesIO(handed)) as again:
                assert again.testzip() is None  # every CRC holds
                assert again.namelist() == zf.namelist()
                for name in zf.namelist():
                    assert again.read(name) == zf.read(name)
                    kept = name.startswith("xl/") and zf.getinfo(name).file_size > 0
                    assert (again.getinfo(name).compress_type == zipfile.ZIP_STORED) == (kept or method == 0)


def test_a_part_that_inflates_past_its_declared_size_goes_to_the_reader_as_it_is(tmp_path) -> None:
    """Only a part whose stream ends exactly at its declared size is handed over inflated: a liar's bytes
    reach calamine as they are in the file, and it judges them as before."""
    import io

    from sipxl.io.bounds import Limits, check_bounds

    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<x>" + b"a" * 100_000 + b"</x>")
        zf.writestr("xl/worksheets/sheet2.xml", b"<y/>")
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")  # the first part's entry
    raw[central + 24:central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with Package(path) as package:
        check_bounds(package, Limits())
        with zipfile.ZipFile(io.BytesIO(package.for_reader())) as again:
            liar, honest = again.infolist()
            assert liar.compress_type == zipfile.ZIP_DEFLATED and liar.file_size == 10
            assert honest.compress_type == zipfile.ZIP_STORED


def test_the_sheets_are_inflated_by_isal_where_it_is_installed() -> None:
    """The dependency is used (not silently zlib)."""
    from isal import isal_zlib

    from sipxl.io import package

    assert package._inflating() is isal_zlib


@settings(max_examples=60, deadline=None)
@given(text=st.binary(min_size=1, max_size=5_000), edits=st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6))
def test_a_damaged_deflate_stream_raises_only_what_the_reader_handles(tmp_path_factory, text, edits) -> None:
    """Whatever the damage to a part's compressed bytes, reading it gives at most the declared size or raises
    zlib.error (whichever library inflates), never another error that would escape the reader's handling of a
    damaged file."""
    path = tmp_path_factory.mktemp("zip") / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", text * 3)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        (info,) = zf.infolist()
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        end = start + info.compress_size
    for where, byte in edits:
        raw[start + int(where * (end - start))] = byte
    path.write_bytes(bytes(raw))
    with Package(path) as package:
        (info,) = package.infos
        for read in (lambda: package.whole(info), lambda: package.head(info, 4096)):
            try:
                got = read()
            except zlib.error:
                continue
            assert len(got) <= info.file_size
