"""Open a returned workbook read-only and hand over its sheets as plain grids of values.

Everything that can go wrong with the file itself (corrupt, password, .xls, not a sipxl template, a newer
or older version, renamed, moved or missing sheets) becomes an Issue here; the cells are judged later by
the domain (sipxl.domain), which sees only grids and the specification.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..issues import Issue, issue
from ..spec import all_templates, get_template
from ..spec.history import template_version
from ..spec.model import Template
from . import stages
from .bounds import ZIP_DAMAGE, Limits, OutOfBounds, check_bounds
from .build import META_NAME_PREFIX, META_SHEET
from .errors import mark_error_values
from .package import Package

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
KNOWN_KINDS = {t.kind for t in all_templates()}


class Unreadable(Exception):
    """The file could not be read at all; carries the one Issue that says why."""

    def __init__(self, found: Issue):
        super().__init__(found.message)
        self.issue = found


@dataclass
class RawWorkbook:
    """A workbook's values, sheet by sheet, located by the template's sheet codes."""

    file: str
    template: Template
    version: str
    sheet_names: dict[str, str]  # sheet code -> the tab's name in this file
    grids: dict[str, list[list]]  # sheet code -> rows of cell values ('' or None when empty)
    issues: list[Issue] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.template.kind

    def value(self, code: str, row: int, col: int) -> object:
        grid = self.grids.get(code)
        if grid is None or row >= len(grid) or col >= len(grid[row]):
            return None
        v = grid[row][col]
        return None if v == "" else v


def sniff(path: Path) -> None:
    """Raise Unreadable for a file that is not an .xlsx at all."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise Unreadable(issue("SIPXL-F001", detail=e.strerror or str(e))) from e
    if head.startswith(OLE_MAGIC):
        raise Unreadable(issue("SIPXL-F002" if _is_encrypted_ooxml(path) else "SIPXL-F003"))
    if not head.startswith(ZIP_MAGIC):
        raise Unreadable(issue("SIPXL-F001", detail="it is not an Excel file"))


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container with an EncryptionInfo stream; an .xls has a Workbook."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo")
    except (OSError, ValueError):  # a damaged OLE container: treat as an old .xls
        return False


_DEFINED = re.compile(r'<definedName[^>]*\bname="([^"]+)"[^>]*>([^<]*)</definedName>')
_PROP = re.compile(r'<property[^>]*\bname="([^"]+)"[^>]*>\s*<vt:\w+>([^<]*)</vt:\w+>')


def _unescape(text: str) -> str:
    return text.replace("&apos;", "'").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&amp;", "&")


def _zip_parts(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Defined names (name -> the sheet they point to) and custom document properties."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise Unreadable(issue("SIPXL-F001", detail="it has no workbook part"))
            workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            custom = zf.read("docProps/custom.xml").decode("utf-8", "replace") \
                if "docProps/custom.xml" in names else ""
    except ZIP_DAMAGE as e:
        raise Unreadable(issue("SIPXL-F001", detail=f"the file is damaged: {e}")) from e
    defined: dict[str, str] = {}
    for name, ref in _DEFINED.findall(workbook):
        if name.startswith(META_NAME_PREFIX):
            sheet = _unescape(ref).rsplit("!", 1)[0]
            if sheet.startswith("'") and sheet.endswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
            defined[name[len(META_NAME_PREFIX):]] = sheet
    props = {name: _unescape(value) for name, value in _PROP.findall(custom)}
    return defined, props


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in version.split("."))
    except ValueError:
        return (0,)


def read_workbook(path: Path | str, expect_kind: str | None = None, limits: Limits | None = None) -> RawWorkbook:
    """Read every sheet the template knows, by code; raise Unreadable when nothing can be read.

    The file's bounds are checked first (sipxl.io.bounds), and any failure of the parser on a damaged part
    becomes an Issue of that file, never an error of sipxl's."""
    path = Path(path)
    stages.at("opening the file")
    sniff(path)
    stages.at("checking the file's size and structure")
    try:
        package = Package(path)  # opened once: the bounds, then the error values of the sheets read
    except ZIP_DAMAGE:
        package = None  # not a zip after all: calamine says so in its own words
    try:
        return _read(path, package, limits, expect_kind)
    finally:
        if package is not None:
            package.close()


def _read(path: Path, package: Package | None, limits: Limits | None, expect_kind: str | None) -> RawWorkbook:
    import python_calamine

    if package is not None:
        try:
            check_bounds(package, limits or Limits.from_env())
        except OutOfBounds as e:
            raise Unreadable(e.issue) from None
    parts: list[tuple[dict[str, str], dict[str, str]]] = []

    def zip_parts() -> tuple[dict[str, str], dict[str, str]]:
        """Defined names and document properties, read only when the sheets are not where they were built."""
        if not parts:
            parts.append(_zip_parts(path))
        return parts[0]

    stages.at("opening the workbook")
    book = _handed_over(path, package)
    try:
        if book is None:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
    except BaseException as e:  # noqa: BLE001 - calamine raises its own error types (and panics) on damage
        _reraise_fatal(e)
        raise Unreadable(issue("SIPXL-F001", detail=f"the file is damaged: {_short(e)}")) from None
    present = list(book.sheet_names)

    meta_rows = _grid(book, META_SHEET, trim=True) if META_SHEET in present else []
    raw = raw_from_sheets(str(path), present, meta_rows, lambda name: _grid(book, name),
                          lambda: zip_parts()[0], lambda: zip_parts()[1], expect_kind)
    stages.at("looking for error values (#N/A) in the sheets")
    if package is not None:  # calamine reads #N/A and the like as blanks
        mark_error_values(raw.grids, raw.sheet_names, package)
    return raw


def _handed_over(path: Path, package: Package | None):
    """calamine's workbook from the package with the sheets the bounds inflated (and the error-value scan
    reads) handed over inflated, so no sheet is inflated twice; None when calamine is to read the file
    itself: not an .xlsx or .xlsm (read by that name, calamine guesses the kind from the bytes, here it is
    told), or opening fails (the file's own words then say why)."""
    import python_calamine

    if package is None or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    inflated = package.for_reader()
    if inflated is None:
        return None
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(inflated))
    except BaseException as e:  # noqa: BLE001 - damaged: read again from the file, for its own message
        _reraise_fatal(e)
        return None


def _reraise_fatal(e: BaseException) -> None:
    """Interrupts and exhausted memory are not a damaged file: they go on up (an isolated worker then dies,
    and its parent sets the file aside as not readable safely)."""
    if isinstance(e, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        raise e


def _short(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def raw_from_sheets(file: str, present: list[str], meta_rows: list[list],
                    grid_of: Callable[[str], list[list]],
                    defined_names: Callable[[], dict[str, str]],
                    properties: Callable[[], dict[str, str]],
                    expect_kind: str | None = None) -> RawWorkbook:
    """Identify the template (kind and version) and find its sheets by code; shared by the file reader and the
    ribbon's reader of an xw.Book. `defined_names` and `properties` are asked for only when needed."""
    meta: dict[str, str] = {}
    built_names: dict[str, str] = {}
    for row in meta_rows:
        if len(row) >= 2 and row[0] not in ("", None):
            key = _meta_text(row[0])
            if key in ("kind", "version", "title"):
                meta[key] = _meta_text(row[1])
            else:
                built_names[key] = _meta_text(row[1])
    if not meta.get("kind") or not meta.get("version"):
        props = properties()
        meta["kind"] = meta.get("kind") or props.get("sipxl_kind", "")
        meta["version"] = meta.get("version") or props.get("sipxl_version", "")
    kind, version = meta["kind"], meta["version"]
    if not kind:
        raise Unreadable(issue("SIPXL-F004", detail="it carries no sipxl template kind"))
    if kind not in KNOWN_KINDS:
        raise Unreadable(issue("SIPXL-F004", detail=f"unknown template kind '{kind}'"))
    template = get_template(kind)
    issues: list[Issue] = []
    if expect_kind and kind != expect_kind:
        raise Unreadable(issue("SIPXL-F007", value=template.title, expected=get_template(expect_kind).title))
    if _version_key(version) > _version_key(template.version):
        raise Unreadable(issue("SIPXL-F005", value=version, expected=template.version))
    if _version_key(version) < _version_key(template.version):
        earlier = template_version(kind, version)
        if earlier is None:
            raise Unreadable(issue("SIPXL-F004", detail=f"unknown version {version} of the {template.title}"))
        issues.append(issue("SIPXL-F006", value=version, expected=template.version))
        template = earlier  # read with its own layout; its answers carry the current keys

    sheet_names: dict[str, str] = {}
    grids: dict[str, list[list]] = {}
    for sheet in template.sheets:
        name = sheet.name if sheet.name in present else \
            _find_sheet(sheet.code, sheet.name, present, defined_names(), built_names)
        if name is None:
            if sheet.has_answers:  # a missing Help, printed form or report sheet loses no answer
                issues.append(issue("SIPXL-F009", sheet=sheet.name, expected=sheet.name))
            continue
        if name != sheet.name:
            issues.append(issue("SIPXL-F008", sheet=name, value=name, expected=sheet.name))
        sheet_names[sheet.code] = name
        # A sheet with nothing to answer (Help) is not parsed: nothing on it is read.
        grids[sheet.code] = grid_of(name) if sheet.fields or sheet.tables or sheet.grids else []
    in_file = [n for n in present if n in set(sheet_names.values())]
    in_spec = [sheet_names[s.code] for s in template.sheets if s.code in sheet_names]
    if in_file != in_spec:
        moved = next(a for a, b in zip(in_file, in_spec, strict=True) if a != b)
        issues.append(issue("SIPXL-F012", sheet=moved, value=moved))
    return RawWorkbook(file, template, version, sheet_names, grids, issues)


def _meta_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _find_sheet(code: str, name: str, present: list[str], defined: dict[str, str],
                built_names: dict[str, str]) -> str | None:
    """A sheet is found by its name, else by the defined name that Excel moves with a renamed sheet."""
    if name in present:
        return name
    target = defined.get(code)
    if target and target in present:
        return target
    old = built_names.get(code)
    if old and old in present:
        return old
    return None


def _grid(book, name: str, trim: bool = False) -> list[list]:
    stages.at(f"reading the sheet '{name}'")
    try:
        sheet = book.get_sheet_by_name(name)
        if trim:
            return sheet.to_python()
        rows = sheet.to_python(skip_empty_area=False)
    except BaseException as e:  # noqa: BLE001 - damaged sheet XML: calamine raises (or panics)
        _reraise_fatal(e)
        raise Unreadable(issue("SIPXL-F016", sheet=name, label=name, detail=_short(e))) from None
    start = sheet.start or (0, 0)
    r0, c0 = start
    if c0:  # calamine trims leading empty rows and columns; put the values back at their cells
        rows = [[""] * c0 + list(r) for r in rows]
    return [[] for _ in range(r0)] + rows
