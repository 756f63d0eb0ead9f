"""Helpers for the hostile-input tests: real workbooks built from the templates, then damaged on purpose."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from sipxl.io.build import build_template
from sipxl.sample import clean_values
from sipxl.spec import layout_template


def build(path: Path, kind: str = "sipp_project", seed: int = 2026, **fields) -> Path:
    """A clean, filled workbook of `kind`, with `fields` (specification keys) set to the values given."""
    t, values = clean_values(kind, seed)
    values = dict(values)
    lay = layout_template(t).fields
    for key, value in fields.items():
        p = lay[key]
        if value is None:
            values.pop((p.sheet, p.row, p.col), None)
        else:
            values[(p.sheet, p.row, p.col)] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_template(t, path, values=values)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_parts(path: Path, content: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in content.items():
            z.writestr(name, data)
    return path


def sheet_part(content: dict[str, bytes], sheet_name: str) -> str:
    """The zip part holding the sheet named `sheet_name`."""
    wb = content["xl/workbook.xml"].decode()
    rels = content["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet_name)}"[^>]*r:id="([^"]+)"', wb).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    t = target.group(1).lstrip("/")
    return t if t.startswith("xl/") else "xl/" + t


def opens_in_libreoffice(path: Path) -> bool:
    """LibreOffice headless converts the workbook to PDF (it cannot when the XML is invalid)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        import pytest

        pytest.skip("LibreOffice is not installed")
    profile = Path(tempfile.mkdtemp(prefix="sipxl-lo-open-"))
    try:
        subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(profile / "out"), str(path)],
                       capture_output=True, timeout=300, check=False)
        pdf = profile / "out" / (path.stem + ".pdf")
        return pdf.exists() and pdf.stat().st_size > 1000
    finally:
        shutil.rmtree(profile, ignore_errors=True)
