"""Shared test fixtures: a small sample authority, and recalculation with LibreOffice headless.

`recalculate(path, out_dir)` and `recalculate_all(paths, out_dir)` open workbooks in LibreOffice, recalculate
every formula and save them again as .xlsx into `out_dir` (read the results with openpyxl ``data_only=True``).
Each call uses its own LibreOffice profile, so parallel test runs do not clash; without `soffice` the test
is skipped. Mark such tests ``@pytest.mark.libreoffice``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from sipxl.sample import generate_authority

SAMPLE_SCHOOLS = 16
SAMPLE_SEED = 2026
SAMPLE_MISTAKE_RATE = 0.5

# Always recalculate on load, whatever wrote the file (LibreOffice's setting OOXMLRecalcMode: 0 = always).
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    """The LibreOffice executable, or skip the test."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice headless (soffice) is not installed: cannot recalculate formulas")
    return exe


def recalculate_all(paths: Sequence[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    """Recalculate and re-save `paths` as .xlsx in `out_dir`, in one LibreOffice run (it is slow to start)."""
    return _convert(paths, out_dir, "xlsx:Calc MS Excel 2007 XML", ".xlsx", timeout)


def render_pdfs(paths: Sequence[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    """Print `paths` to PDF in `out_dir` (recalculated first), in one LibreOffice run; every sheet, as printed."""
    return _convert(paths, out_dir, "pdf", ".pdf", timeout)


def _convert(paths: Sequence[Path], out_dir: Path, target: str, ext: str, timeout: float) -> list[Path]:
    exe = soffice()
    paths = [Path(p).resolve() for p in paths]
    out_dir = Path(out_dir).resolve()
    if len({p.stem for p in paths}) != len(paths):
        raise ValueError("LibreOffice conversions need distinct file names (the outputs share one folder)")
    if any(p.parent == out_dir for p in paths):
        raise ValueError("out_dir must not be the folder of an input file (it would be overwritten)")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="sipxl-lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out_dir), *map(str, paths)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    outs = [out_dir / (p.stem + ext) for p in paths]
    missing = [str(o) for o in outs if not o.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}: rc={done.returncode}\n{done.stdout}\n{done.stderr}")
    return outs


def recalculate(path: Path, out_dir: Path) -> Path:
    """Recalculate one workbook with LibreOffice and re-save it as .xlsx in `out_dir`; returns the new path."""
    return recalculate_all([path], out_dir)[0]


@pytest.fixture(scope="session")
def sample_authority(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic authority (16 schools, half the project workbooks with mistakes), made once.

    The root folder holds the workbooks in sub-folders; the answer key is beside it (sipxl.sample.manifest_path).
    Treat it as read-only: it is shared by every test of the session.
    """
    root = tmp_path_factory.mktemp("sample_authority")
    generate_authority(root, schools=SAMPLE_SCHOOLS, seed=SAMPLE_SEED, mistake_rate=SAMPLE_MISTAKE_RATE, workers=1)
    return root
