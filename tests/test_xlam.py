"""The desktop add-in: sipxl.xlam built from macros/ holds exactly that VBA, its ribbon calls existing
procedures, and LibreOffice loads the equivalent .xlsm."""

from __future__ import annotations

import importlib.metadata
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

pytest.importorskip("ms_ovba", reason="building sipxl.xlam needs ms-ovba (pip install ms-ovba)")

from sipxl.cli import main  # noqa: E402
from sipxl.excel import buttons  # noqa: E402
from sipxl.excel.cfb import write_compound_file  # noqa: E402
from sipxl.excel.xlam import (  # noqa: E402
    ADDIN_CONTENT_TYPE,
    RIBBON_PART,
    XLWINGS_MODULES,
    build_addin,
    default_macros_dir,
    ovba_compress,
    xlwings_vba_dir,
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


def _xlwings_source(rel: str) -> str:
    """xlwings' own module as the VBA project stores it (an exported .cls starts with VERSION ... END)."""
    lines = (xlwings_vba_dir() / rel).read_text(encoding="latin-1").splitlines()
    return "\n".join(lines[next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name")):])


@pytest.mark.parametrize("kind", ["xlam", "xlsm"])
def test_addin_holds_exactly_macros_and_xlwings_own_modules(built: dict[str, Path], kind: str) -> None:
    modules = _vba(built[kind])
    sources = {p.name: p.read_text(encoding="utf-8") for p in MACROS.glob("*.bas")}
    assert sources, "macros/ has no VBA modules"
    xlwings_modules = {Path(rel).name: _xlwings_source(rel) for rel in XLWINGS_MODULES}
    assert set(modules) == set(sources) | set(xlwings_modules) | {"ThisWorkbook.cls", "Sheet1.cls"}
    for name, src in (sources | xlwings_modules).items():
        assert _normal(modules[name]) == _normal(src), name
    # besides them only the empty document modules Excel expects
    assert all("Sub " not in modules[name] for name in ("ThisWorkbook.cls", "Sheet1.cls"))
    assert not list(MACROS.glob("*.bin")) and not list(MACROS.glob("*.new"))  # the build leaves macros/ clean


def _procedures(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", code, re.M | re.I))


def _signature(code: str, name: str) -> list[str]:
    """The parameter names of Function `name` in `code`."""
    match = re.search(rf"^Function {name}\((.*?)\n\)", code, re.M | re.S)
    assert match, name
    return re.findall(r"(?:Optional\s+)?(\w+)\s+As\s", match.group(1).replace("_\r", "").replace("_\n", ""))


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
    code = _vba(built["xlam"])["SipxlRibbon.bas"]
    public = set(re.findall(r"^\s*Public\s+Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)", code, re.M))
    assert actions and set(actions) <= public
    for script in buttons.BUTTONS:  # each callback runs one of the server's scripts
        assert f'SipxlRun "{script}"' in code


def test_ribbon_calls_xlwings_inside_its_own_project_with_the_configured_token_proxy_and_timeout(
        built: dict[str, Path]) -> None:
    modules = {name: code.replace("\r\n", "\n") for name, code in _vba(built["xlam"]).items()}
    code = modules["SipxlRibbon.bas"]
    # no other workbook's name: xlwings' modules are in this project (xlwings' documented standalone way)
    assert "xlwings.xlam" not in code and "Application.Run" not in code and "'!" not in code
    # and no macro the buttons would call: the buttons use only actions xlwings' clients implement
    assert not {"SipxlProtectSheet", "SipxlUnprotectSheet"} & _procedures(code)
    assert "Protect" not in code
    called = {"RunRemotePython", "RunPython", "GetConfig"}
    assert all(re.search(rf"\b{name}\b", code) for name in called)
    xlwings_code = "\n".join(modules[Path(rel).name] for rel in XLWINGS_MODULES)
    assert called <= _procedures(xlwings_code)
    version = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', modules["xlwings.bas"]).group(1)
    assert version == importlib.metadata.version("xlwings") == "0.37.8"  # Remote.bas sends it: the server's pin
    # RunRemotePython gets the token, timeout and proxy settings by name, each a parameter of xlwings' own function
    call = re.search(r"RunRemotePython _\n(.*?)\n\s*Exit Sub", code, re.S).group(1)
    passed = dict(re.findall(r"(\w+):=(.*?)(?:, _)?$", call, re.M))
    assert set(passed) <= set(_signature(modules["Remote.bas"], "RunRemotePython"))
    assert {"url", "auth", "timeout", "proxyServer", "proxyBypassList", "proxyUsername", "proxyPassword"} <= set(passed)
    assert 'SipxlSetting("SIPXL_TOKEN")' in passed["auth"] and "SIPXL_TIMEOUT_MS" in passed["timeout"]
    assert 'SipxlSetting("SIPXL_PROXY_SERVER")' in passed["proxyServer"]
    # settings come from the environment, then xlwings.conf (GetConfig)
    setting = re.search(r"Private Function SipxlSetting.*?End Function", code, re.S).group(0)
    assert "Environ(key)" in setting and "GetConfig(key" in setting


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


streams = st.dictionaries(
    st.tuples(st.sampled_from(["", "VBA/", "VBA/Sub/"]), st.text("abcdefgHIJ_0", min_size=1, max_size=31))
    .map("".join),
    # random bytes of the boundary sizes, drawn from a seeded Random: as varied as st.binary, without tripping
    # Hypothesis' entropy limit on 40 streams of up to 9 kB
    st.builds(lambda n, rnd: rnd.randbytes(n), st.sampled_from([0, 1, 63, 64, 65, 4095, 4096, 4097, 9000]),
              st.randoms(use_true_random=False)),
    max_size=40,
)


# Up to 40 streams of up to 9,000 bytes are large on purpose (the mini/regular cutoff is 4,096): hypothesis's
# size health check failed this at random in a fresh clone, so it is not applied here.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(streams)
def test_compound_file_reads_back_with_olefile(files: dict[str, bytes]) -> None:
    """Any set of streams (mini and regular, across the 4096-byte cutoff, many mini sectors) reads back intact."""
    files = {k: v for k, v in files.items() if not any(o != k and o.startswith(k + "/") for o in files)}
    ole = olefile.OleFileIO(write_compound_file(files))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(files)
    for path, data in files.items():
        assert ole.openstream(path).read() == data
