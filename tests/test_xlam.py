"""The desktop add-in: sipxl.xlam built from macros/ holds exactly that VBA, its ribbon calls existing
procedures, and LibreOffice loads the equivalent .xlsm."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser, decompress_stream

pytest.importorskip("ms_ovba", reason="building sipxl.xlam needs ms-ovba (pip install ms-ovba)")

from sipxl.cli import main  # noqa: E402
from sipxl.excel import buttons  # noqa: E402
from sipxl.excel.xlam import (  # noqa: E402
    ADDIN_CONTENT_TYPE,
    RIBBON_PART,
    build_addin,
    default_macros_dir,
    ovba_compress,
)

MACROS = default_macros_dir()
CUSTOMUI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("xlam")
    assert main(["xlam", "build", "--out", str(out / "sipxl.xlam"), "--xlsm"]) == 0
    return {"xlam": out / "sipxl.xlam", "xlsm": out / "sipxl.xlsm"}


def _normal(code: str) -> str:
    return code.replace("\r\n", "\n").strip()


def _vba(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.mark.parametrize("kind", ["xlam", "xlsm"])
def test_addin_holds_exactly_the_vba_of_macros(built: dict[str, Path], kind: str) -> None:
    modules = _vba(built[kind])
    sources = {p.name: p.read_text(encoding="utf-8") for p in MACROS.glob("*.bas")}
    assert sources, "macros/ has no VBA modules"
    standard = {name: code for name, code in modules.items() if name.endswith(".bas")}
    assert set(standard) == set(sources)
    for name, src in sources.items():
        assert _normal(standard[name]) == _normal(src), name
    # besides them only the empty document modules Excel expects
    others = {name: code for name, code in modules.items() if not name.endswith(".bas")}
    assert set(others) == {"ThisWorkbook.cls", "Sheet1.cls"}
    assert all("Sub " not in code for code in others.values())
    assert not list(MACROS.glob("*.bin")) and not list(MACROS.glob("*.new"))  # the build leaves macros/ clean


def _procedures(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", code, re.M | re.I))


def test_every_ribbon_action_names_an_existing_public_procedure(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["xlam"]) as z:
        ribbon = z.read(RIBBON_PART)
        rels = z.read("_rels/.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    assert ribbon == (MACROS / "customUI14.xml").read_bytes()
    assert RIBBON_PART in rels and ADDIN_CONTENT_TYPE in types
    root = ET.fromstring(ribbon)
    tab = root.find(f".//{CUSTOMUI}tab")
    assert tab is not None and tab.get("label") == "SIPXL"
    actions = [b.get("onAction") for b in root.iter(f"{CUSTOMUI}button")]
    labels = [b.get("label") for b in root.iter(f"{CUSTOMUI}button")]
    assert labels == ["Validate", "Score", "Summary", "Check setup", "Prepare for submission"]
    code = "\n".join(_vba(built["xlam"]).values())
    public = set(re.findall(r"^\s*Public\s+Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)", code, re.M))
    assert actions and set(actions) <= public
    # each callback runs one of the server's scripts, and the protection helpers the buttons call exist
    for script in buttons.BUTTONS:
        assert f'SipxlRun "{script}"' in code
    assert {buttons.UNPROTECT_MACRO, buttons.PROTECT_MACRO} <= _procedures(code)
    assert "RunRemotePython" in code and "RunPython" in code and "0.37.8" in code


@pytest.mark.libreoffice
def test_libreoffice_loads_the_macro_workbook(built: dict[str, Path], tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile = tmp_path / "profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx", "--outdir",
         str(tmp_path), str(built["xlsm"])],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "sipxl.xlsx"
    assert converted.exists() and zipfile.is_zipfile(converted)


def test_ovba_compression_round_trips_through_oletools() -> None:
    rng = random.Random(4)
    samples = [b"", b"Sub A()\r\nEnd Sub\r\n" * 400, bytes(rng.randrange(256) for _ in range(9000)),
               bytes(rng.randrange(3) for _ in range(13000)), (MACROS / "SipxlRibbon.bas").read_bytes()]
    for data in samples:
        assert decompress_stream(bytearray(ovba_compress(data))) == data


def test_templates_stay_xlsx() -> None:
    templates = Path(__file__).resolve().parents[1] / "workbook_templates"
    files = list(templates.iterdir())
    assert files and all(p.suffix == ".xlsx" for p in files)
    for path in files:
        with zipfile.ZipFile(path) as z:
            assert not any("vbaProject" in n for n in z.namelist())


def test_build_into_other_folder_from_explicit_macros(tmp_path: Path) -> None:
    macros = tmp_path / "m"
    shutil.copytree(MACROS, macros)
    out = build_addin(tmp_path / "out" / "sipxl.xlam", macros)
    assert out.exists() and sorted(p.name for p in macros.iterdir()) == sorted(p.name for p in MACROS.iterdir())
