"""Build the desktop add-in ``sipxl.xlam`` from the readable sources in ``macros/``.

``macros/`` holds the ribbon XML (``customUI14.xml``) and the VBA modules (``*.bas``) as text. The build:

1. compiles them, together with xlwings' own VBA modules from the installed (pinned) xlwings package
   (:data:`XLWINGS_MODULES`: what ``xlwings release`` embeds in a standalone workbook that calls xlwings Server),
   into a ``vbaProject.bin`` with the ``ms-ovba`` package (MS-OVBA compressed source streams and no p-code, so
   Excel compiles the source when it first loads the add-in). The add-in so needs no ``xlwings.xlam`` and calls
   ``RunRemotePython`` in its own project;
2. writes a one-sheet workbook with that project using xlsxwriter (``add_vba_project``);
3. adds the ribbon part last (``customUI/customUI14.xml`` and its relationship from the package root), since
   openpyxl and xlsxwriter know nothing of it, and for ``.xlam`` marks the workbook part as an add-in.

The same steps with ``kind="xlsm"`` give the equivalent macro workbook (LibreOffice cannot open an .xlam by
its content type; the test loads both). Templates stay ``.xlsx``: no macro is ever put into them.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path

from .cfb import write_compound_file

__all__ = ["ADDIN_CONTENT_TYPE", "MACRO_CONTENT_TYPE", "XLWINGS_MODULES", "build_addin", "default_macros_dir",
           "vba_project_bin", "xlwings_vba_dir"]

MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_PART = "customUI/customUI14.xml"
PROJECT_ID = "{5C1D7A2E-3B4F-4A6D-8E9F-0A1B2C3D4E5F}"
#: xlwings' VBA for a standalone workbook that calls xlwings Server (xlwings/cli.py: ``release`` embeds
#: ``xlwings.bas`` and ``Dictionary.cls``, and ``import_remote_modules`` the rest), relative to the xlwings package.
XLWINGS_MODULES = ("xlwings.bas", "addin/Dictionary.cls", "addin/Remote.bas", "addin/IWebAuthenticator.cls",
                   "addin/WebClient.cls", "addin/WebRequest.cls", "addin/WebResponse.cls", "addin/WebHelpers.bas")


def xlwings_vba_dir() -> Path:
    """The installed xlwings package folder (found without importing xlwings, which reads its environment)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:  # pragma: no cover
        raise RuntimeError("Building sipxl.xlam needs the xlwings package (pip install sipxl)")
    return Path(spec.origin).parent


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA compression (the VBA source streams' format, [MS-OVBA] 2.4.1), greedy longest match per chunk.

    The ms-ovba package's own compressor garbles some inputs (its output does not decompress to the source),
    so the build uses this one; tests check that oletools decompresses it back to every module's source.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        body = _compress_chunk(chunk)
        if len(body) + 2 > 4098:  # does not pay: an uncompressed chunk holds exactly 4096 bytes
            raw = chunk.ljust(4096, b"\x00")
            out += (0x3FFF).to_bytes(2, "little") + raw
        else:
            out += (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + body
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    pos, n = 0, len(chunk)
    seen: dict[bytes, list[int]] = {}
    while pos < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bitcount = max((pos - 1).bit_length() if pos > 1 else 0, 4)
            max_len = (0xFFFF >> bitcount) + 3
            best_len, best_off = 0, 0
            for cand in reversed(seen.get(chunk[pos:pos + 3], ())):
                length = 0
                limit = min(max_len, n - pos)
                while length < limit and chunk[cand + length] == chunk[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_off = length, pos - cand
                    if length == limit:
                        break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bitcount)) | (best_len - 3)
                body += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                body.append(chunk[pos])
            for k in range(pos, pos + step):
                seen.setdefault(chunk[k:k + 3], []).append(k)
            pos += step
        body[flag_at] = flags
    return bytes(body)


def default_macros_dir() -> Path:
    """``macros/`` next to the ``sipxl`` package (a source checkout), else ``./macros``."""
    here = Path(__file__).resolve().parents[2] / "macros"
    return here if here.is_dir() else Path("macros")


def vba_project_bin(macros_dir: Path) -> bytes:
    """A vbaProject.bin holding ThisWorkbook, Sheet1 and every ``*.bas`` module of `macros_dir`."""
    try:
        import ms_ovba
        from ms_ovba.Models.Entities.doc_module import DocModule
        from ms_ovba.Models.Entities.reference import Reference
        from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
        from ms_ovba.Models.Entities.std_module import StdModule
        from ms_ovba.Models.Fields.libid_reference import LibidReference
        from ms_ovba.vbaProject import VbaProject
        from ms_ovba.Views.project_ole_file import ProjectOleFile
    except ImportError as e:  # pragma: no cover
        raise RuntimeError("Building sipxl.xlam needs the ms-ovba package: pip install ms-ovba") from e

    modules = sorted(Path(macros_dir).glob("*.bas"))
    if not modules:
        raise FileNotFoundError(f"no VBA modules (*.bas) in {macros_dir}")
    xlwings_dir = xlwings_vba_dir()
    embedded = [xlwings_dir / rel for rel in XLWINGS_MODULES]
    blank = Path(ms_ovba.__file__).parent / "blank_files"
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="sipxl-vba-") as tmp:
        # ms-ovba writes its intermediate files into the working directory and next to each source file
        for src in [*modules, *embedded]:
            shutil.copy(src, Path(tmp) / src.name)
        for name in ("Sheet1.cls", "ThisWorkbook.cls"):
            shutil.copy(blank / name, Path(tmp) / name)
        os.chdir(tmp)
        from ms_ovba_compression.ms_ovba import MsOvba

        original = MsOvba.compress
        MsOvba.compress = lambda self, data: ovba_compress(bytes(data))  # type: ignore[method-assign]
        try:
            project = VbaProject()
            project.project_id = PROJECT_ID
            for name, guid in (("Sheet1", "0002082000000000C000000000000046"),
                               ("ThisWorkbook", "0002081900000000C000000000000046")):
                doc = DocModule(name)
                doc.add_file(f"{name}.cls")
                doc.add_guid(uuid.UUID(guid))
                doc.normalize_file()
                project.add_module(doc)
            for src in [*embedded, *modules]:
                module = _ClassModule(src.stem) if src.suffix == ".cls" else StdModule(src.stem)
                module.add_file(src.name)
                module.normalize_file()
                project.add_module(module)
            for libid, version, path, title, name in (
                ("0002043000000000C000000000000046", "2.0", r"C:\Windows\System32\stdole2.tlb", "OLE Automation",
                 "stdole"),
                ("2DF8D04C5BFA101BBDE500AA0044DE52", "2.0",
                 r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
                 "Microsoft Office 16.0 Object Library", "Office"),
            ):
                ref = LibidReference(uuid.UUID(libid), version, "0", path, title)
                project.add_reference(Reference(ReferenceRegistered(ref), name))
            # ms-ovba writes each stream's bytes; the container is written by sipxl.excel.cfb (see there why)
            ProjectOleFile._build_ole_directory(project)
            streams = {f"VBA/{m.name}": Path(m.bin_path).read_bytes() for m in project.get_modules()}
            for name, file in (("VBA/dir", "dir.bin"), ("VBA/_VBA_PROJECT", "vba_project.bin"),
                               ("PROJECT", "project.bin")):
                streams[name] = Path(file).read_bytes()
            if project.projectwm:
                streams["PROJECTwm"] = Path("projectwm.bin").read_bytes()
            return write_compound_file(streams)
        finally:
            MsOvba.compress = original  # type: ignore[method-assign]
            os.chdir(cwd)


def _class_module_type():  # ms-ovba 0.0.1 has standard and document modules only
    from ms_ovba.Models.Entities.module_base import ModuleBase

    class ClassModule(ModuleBase):
        """A class module ([MS-OVBA] 2.3.4.2.3.2.8 MODULETYPE 0x0022; PROJECT stream ``Class=Name``)."""

        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.type = "Class"

        def normalize_file(self) -> None:
            # an exported .cls starts with VERSION/BEGIN/MultiUse/END; the module stream starts at its Attributes
            text = Path(self._file_path).read_text(encoding="latin-1").splitlines()
            start = next(i for i, line in enumerate(text) if line.startswith("Attribute VB_Name"))
            Path(self._file_path + ".new").write_bytes("\r\n".join(text[start:]).encode("latin-1") + b"\r\n")

        def pack(self, endien: str, cp_name: str) -> bytes:
            self.type = "Document"  # ModuleBase.pack writes 0x0022 only for this name; classes share the id
            try:
                return super().pack(endien, cp_name)
            finally:
                self.type = "Class"

    return ClassModule


def _ClassModule(name: str):  # noqa: N802 - reads like the class it builds
    return _class_module_type()(name)


def _workbook_with_vba(vba: bytes) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"title": "SIPXL add-in", "author": "sipxl", "comments": "Built by sipxl xlam build"})
    wb.set_vba_name("ThisWorkbook")
    ws = wb.add_worksheet("SIPXL")
    ws.set_vba_name("Sheet1")
    ws.write(0, 0, "The SIPXL ribbon add-in. Its buttons are on the SIPXL tab.")
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()
    return buffer.getvalue()


def _add_ribbon(package: bytes, ribbon_xml: bytes, kind: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "_rels/.rels":
                rel = (f'<Relationship Id="rIdSipxlRibbon" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>')
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml" and kind == "xlam":
                data = data.replace(MACRO_CONTENT_TYPE.encode(), ADDIN_CONTENT_TYPE.encode())
            dst.writestr(item, data)
        dst.writestr(RIBBON_PART, ribbon_xml)
    return out.getvalue()


def build_addin(out: Path | str, macros_dir: Path | str | None = None, kind: str | None = None) -> Path:
    """Write ``sipxl.xlam`` (or, with kind="xlsm" or an .xlsm name, the equivalent macro workbook)."""
    out = Path(out)
    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    kind = kind or ("xlsm" if out.suffix.lower() == ".xlsm" else "xlam")
    ribbon = (macros / "customUI14.xml").read_bytes()
    package = _add_ribbon(_workbook_with_vba(vba_project_bin(macros)), ribbon, kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(package)
    return out
