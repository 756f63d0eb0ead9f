"""Bounds a workbook must keep before any of it is parsed.

Only the zip's central directory and the first few kilobytes of each XML part are read here, so a file made
to exhaust memory (a part that inflates to gigabytes, a sheet declaring a million rows by 16,384 columns) or
to play XML tricks (an entity declaration) is turned away cheaply, with a plain message, before calamine
reads a byte of its sheets. Limits are far above any real return and can be changed (`Limits`).
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

from ..issues import Issue, issue
from .package import Package

MiB = 1 << 20
HEAD = 4096  # bytes read from the start of each XML part: the prolog and a sheet's <dimension> live there
# Parts the error-value scan (sipxl.io.errors) reads whole: inflated whole here, up to WHOLE bytes, and kept.
WHOLE = 4 * MiB
_SCANNED = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


@dataclass(frozen=True)
class Limits:
    """What sipxl reads of one file. A real return is well under 2 MiB unpacked and a few thousand cells."""

    part_mib: int = 100  # one part of the zip, unpacked
    total_mib: int = 300  # all parts together, unpacked
    sheet_cells: int = 10_000_000  # a sheet's declared rows x columns
    seconds: float = 60.0  # one file's reading and checking, in an isolated worker
    memory_mib: int = 2048  # more memory than a worker had before it started reading

    @classmethod
    def from_env(cls, **overrides: object) -> Limits:
        """Defaults, then SIPXL_LIMIT_<NAME> environment variables (e.g. SIPXL_LIMIT_PART_MIB=50), then
        `overrides` (from the authority's configuration) where they are not None."""
        values: dict[str, object] = {}
        for f in fields(cls):
            env = os.environ.get(f"SIPXL_LIMIT_{f.name.upper()}")
            if env:
                try:
                    values[f.name] = float(env) if f.name == "seconds" else int(env)
                except ValueError:
                    pass
            if overrides.get(f.name) is not None:
                values[f.name] = overrides[f.name]
        return cls(**values)


# What reading a damaged zip raises (a bad header, a corrupt deflate stream, a method zipfile does not know).
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, KeyError)


class OutOfBounds(Exception):
    def __init__(self, found: Issue):
        super().__init__(found.message)
        self.issue = found


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')
# A DOCTYPE (which is where entities are declared) in UTF-8, or in UTF-16 of either byte order.
_DECLARATIONS = tuple(w.encode(enc) for w in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
                      for enc in ("utf-8", "utf-16-le", "utf-16-be"))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _size(n: int) -> str:
    return f"{n / MiB:,.0f} MiB" if n >= MiB else f"{n / 1024:,.0f} KiB"


def check_bounds(path: Path | str | Package, limits: Limits) -> None:
    """Raise OutOfBounds when the file's parts inflate past the limits, a sheet declares an absurd size or an
    XML part declares entities. A file that is not a zip at all is left to the reader's own message."""
    if isinstance(path, Package):
        _check(path, limits)
        return
    try:
        package = Package(path)
    except ZIP_DAMAGE:
        return
    with package:
        _check(package, limits)


def _check(package: Package, limits: Limits) -> None:
    infos = package.infos
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.part_mib * MiB:
            raise OutOfBounds(issue("SIPXL-F013", value=f"{info.filename} unpacks to {_size(info.file_size)}",
                                    expected=f"{limits.part_mib:,} MiB for one part"))
    if total > limits.total_mib * MiB:
        raise OutOfBounds(issue("SIPXL-F013", value=f"all its parts unpack to {_size(total)}",
                                expected=f"{limits.total_mib:,} MiB in all"))
    for info in infos:
        name = info.filename
        if not name.endswith((".xml", ".rels")) or info.is_dir() or info.file_size == 0:
            continue
        head = None
        if info.file_size <= WHOLE and (name.startswith("xl/worksheets/") or name in _SCANNED):
            try:
                head = package.keep(info)[:HEAD]
            except ZIP_DAMAGE:
                pass  # damaged past its start, maybe: its head is still checked
        if head is None:
            try:
                head = package.head(info, HEAD)
            except ZIP_DAMAGE:
                continue  # damaged: the reader says so, in its own terms
        if (b"<!" in head or b"<\x00!" in head) and any(d in head for d in _DECLARATIONS):  # "<!" first: cheap
            raise OutOfBounds(issue("SIPXL-F015", value=name))
        if name.startswith("xl/worksheets/"):
            m = _DIMENSION.search(head)
            if m and m.group(3):
                rows = int(m.group(4)) - int(m.group(2)) + 1
                cols = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
                if rows * cols > limits.sheet_cells:
                    tab = _tab_name(package.zip, name)
                    raise OutOfBounds(issue("SIPXL-F014", sheet=tab, label=tab,
                                            value=f"{rows:,} rows by {cols:,} columns",
                                            expected=f"{limits.sheet_cells:,} cells", detail=name))


def _tab_name(zf: zipfile.ZipFile, part: str) -> str:
    """The sheet tab whose XML is `part` (the part's name when that cannot be told)."""
    try:
        workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except ZIP_DAMAGE:
        return part
    target = part.removeprefix("xl/")
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        t, i = re.search(r'Target="/?([^"]+)"', rel), re.search(r'Id="([^"]+)"', rel)
        if t and i and t.group(1).removeprefix("xl/") == target:
            for sheet in re.findall(r"<sheet\b[^>]*>", workbook):
                if f'r:id="{i.group(1)}"' in sheet:
                    m = re.search(r'name="([^"]*)"', sheet)
                    if m:
                        return m.group(1).replace("&amp;", "&").replace("&apos;", "'").replace("&quot;", '"')
    return part
