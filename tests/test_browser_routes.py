"""The two routes with no Python server: xlwings Wasm (the SIPXL add-in as static files) and the xlwings Lite plugin.

Both run sipxl in Pyodide. Pyodide's packages come from a CDN at run time, which tests cannot reach, so the
environment is taken from the real thing instead: the `pyodide` npm package (0.27.5, the version xlwings Server
1.20's Wasm task pane loads) ships its package list (`pyodide-lock.json`) and its standard library
(`python_stdlib.zip`). The five buttons then run, on the payload the Office.js client sends, through the same
calls the Wasm runtime and Lite make (`xlwings.server.custom_scripts_call` on an `xw.Book(json=payload)`), in a
child process where any import made by sipxl (or the built scripts) of something Pyodide would not have fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from lxml import etree
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sipxl.addin.project import init_app
from sipxl.addin.wasm import build_wasm
from sipxl.excel import buttons
from sipxl.excel.payload import payload_from_xlsx
from sipxl.sample import build_clean_project

PYODIDE = Path(__file__).parent / "node" / "node_modules" / "pyodide"
XSD = Path(__file__).parent / "data" / "officeapp-xsd" / "OfficeAppManifestV1_1.xsd"
URL = "https://sipxl.example.org/addin"
#: the environment markers micropip evaluates in Pyodide 0.27
PYODIDE_MARKERS = {"sys_platform": "emscripten", "platform_system": "Emscripten", "python_version": "3.12",
                   "python_full_version": "3.12.7", "implementation_name": "cpython", "os_name": "posix",
                   "platform_machine": "wasm32", "extra": ""}

#: what xlwings Server's own Wasm build installs with micropip (its wasm/requirements.txt): upstream runs these
#: in Pyodide (xlwings publishes a pure-Python wheel besides the compiled ones installed here)
UPSTREAM_WASM = {canonicalize_name(line.split("=")[0].strip()) for line in
                 (Path(metadata.distribution("xlwings-server").locate_file("xlwings_server/wasm/requirements.txt"))
                  .read_text().split()) if line.strip()}

pytestmark = pytest.mark.skipif(not (PYODIDE / "pyodide-lock.json").exists(),
                                reason="needs the pyodide npm package: npm install --prefix tests/node")


class Pyodide:
    """What Pyodide 0.27.5 provides: its packages (by distribution and import name) and standard library."""

    def __init__(self) -> None:
        lock = json.loads((PYODIDE / "pyodide-lock.json").read_text())
        self.version = lock["info"]["version"]
        self.packages = {canonicalize_name(k): v for k, v in lock["packages"].items()}
        self.imports = {imp for v in self.packages.values() for imp in v.get("imports", [])}
        with zipfile.ZipFile(PYODIDE / "python_stdlib.zip") as z:
            self.stdlib = {n.split("/")[0].removesuffix(".py") for n in z.namelist()}
        # the modules compiled into Pyodide's interpreter (math, _json, ...), as its loader names them
        self.stdlib |= set(re.findall(r"PyInit_(\w+)", (PYODIDE / "pyodide.asm.js").read_text(errors="replace")))
        self.stdlib |= {"sys", "builtins", "marshal"}  # part of the interpreter's core


def _pure_wheel(dist: metadata.Distribution) -> bool:
    wheel = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    return bool(tags) and all(t.endswith("-none-any") for t in tags)


def _top_level(dist: metadata.Distribution) -> set[str]:
    names = set((dist.read_text("top_level.txt") or "").split())
    for f in dist.files or []:
        part = f.parts[0]
        if part.endswith(".py"):
            names.add(part[:-3])
        elif "." not in part and part != "__pycache__":
            names.add(part)
    return names


def resolve_in_pyodide(requirements: list[str], pyodide: Pyodide) -> tuple[set[str], list[str]]:
    """Follow `requirements` as micropip would in Pyodide: each must be one of Pyodide's packages (in a version
    the specifier allows) or a pure-Python wheel (checked on the installed distribution); a pure wheel's own
    requirements are followed in turn. Returns the import names so made available, and the problems."""
    importable: set[str] = set()
    problems: list[str] = []
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        if req.marker and not req.marker.evaluate(PYODIDE_MARKERS):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        if req.url:  # a wheel micropip fetches by URL (sipxl's); the caller passes its requirements
            if not req.url.endswith("-none-any.whl"):
                problems.append(f"{req}: not a pure-Python wheel")
            with zipfile.ZipFile(req.url.removeprefix("file://")) as z:
                importable |= {n.split("/")[0] for n in z.namelist() if ".dist-info" not in n.split("/")[0]}
            continue
        if name in pyodide.packages:
            version = pyodide.packages[name]["version"]
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{req}: Pyodide has {version}")
            importable |= set(pyodide.packages[name].get("imports", []))
            for dep in pyodide.packages[name].get("depends", []):
                todo.append(Requirement(dep))
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req}: not in Pyodide and not installed here to check it is pure Python")
            continue
        if not _pure_wheel(dist) and name not in UPSTREAM_WASM:
            problems.append(f"{req}: not in Pyodide {pyodide.version} and not a pure-Python wheel")
            continue
        if not req.specifier.contains(dist.version, prereleases=True):
            problems.append(f"{req}: installed {dist.version}")
        importable |= _top_level(dist)
        todo += [Requirement(r) for r in dist.requires or []
                 if not Requirement(r).marker or Requirement(r).marker.evaluate(PYODIDE_MARKERS)]
    return importable, problems


def wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    return Parser().parsestr(meta).get_all("Requires-Dist") or []


# The child process: an import hook that refuses, for importers in `guarded`, any top-level module not in
# `allowed`; then the five scripts of `module` run through xlwings.server on the Office.js payload.
HARNESS = r"""
import builtins, json, sys, asyncio
allowed, guarded = set(json.loads(sys.argv[1])), tuple(json.loads(sys.argv[2]))
refused = []
_import = builtins.__import__
def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__", "") or ""
    top = name.split(".")[0]
    if level == 0 and importer.startswith(guarded) and top not in allowed:
        refused.append(f"{importer} imports {name}")
        raise ImportError(f"{name} is not available in Pyodide")
    return _import(name, globals, locals, fromlist, level)
builtins.__import__ = guarded_import
sys.path[0:0] = [sys.argv[8], sys.argv[3]]
import importlib
module = importlib.import_module(sys.argv[4])
import sipxl.excel.xlremote as xr
import xlwings.server
payload = json.load(open(sys.argv[5]))
results = {}
for name in json.loads(sys.argv[6]):
    book = xr.xw.Book(json=json.loads(json.dumps(payload)))
    asyncio.run(xlwings.server.custom_scripts_call(module, name, None, typehint_to_value={xr.xw.Book: book}))
    results[name] = book.json()["actions"]
functions = sys.argv[7]
if functions:
    fmodule = importlib.import_module(functions)
    call = {"func_name": "GAST", "args": [[[-2], [0], [-1], [2], [0], [1]], [[3], [5], [1], [4], [2], [6]]],
            "caller_address": "Sheet1!A1", "client": "Office.js", "version": xr.XLWINGS_VERSION, "runtime": "1.4"}
    results["GAST"] = asyncio.run(xlwings.server.custom_functions_call(call, fmodule))
import sipxl
print(json.dumps({"results": results, "refused": refused, "sipxl": sipxl.__file__}, default=str))
"""


def run_in_pyodide_env(allowed: set[str], guarded: tuple[str, ...], path: Path, module: str, payload: Path,
                       wheel: Path, functions: str = "") -> dict:
    """Run the harness with sipxl installed from `wheel` (unpacked, as micropip installs it), not the checkout."""
    site = path.parent / f"site-packages-{path.name}"
    if not site.exists():
        zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", HARNESS, json.dumps(sorted(allowed)), json.dumps(list(guarded)),
                           str(path), module, str(payload), json.dumps(list(buttons.BUTTONS)), functions, str(site)],
                          capture_output=True, text=True, timeout=600, env=env, cwd=path)
    assert done.returncode == 0, done.stderr[-4000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(out["sipxl"]).is_relative_to(site)  # the buttons ran from the wheel
    return out


@pytest.fixture(scope="module")
def pyodide() -> Pyodide:
    return Pyodide()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="needs the build package (pip install build)")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(Path.cwd())], check=True,
                   capture_output=True, timeout=600)
    [whl] = out.glob("sipxl-*-py3-none-any.whl")
    return whl


@pytest.fixture(scope="module")
def office_js_payload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("payload")
    project = build_clean_project(tmp / "project.xlsx", seed=11)
    path = tmp / "payload.json"
    path.write_text(json.dumps(payload_from_xlsx(project, client="Office.js")))
    return path


@pytest.fixture(scope="module")
def wasm_site(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    tmp = tmp_path_factory.mktemp("wasm")
    app = init_app(tmp / "app", URL)
    return build_wasm(app, URL, tmp / "site", wheel)


def test_sipxl_installs_in_pyodide(wheel: Path, pyodide: Pyodide) -> None:
    """Every requirement of sipxl's wheel, as micropip resolves it in Pyodide, is one of Pyodide's packages or a
    pure-Python wheel; python-calamine (Rust, not in Pyodide) is left out there by its marker."""
    requirements = wheel_requirements(wheel)
    calamine = next(r for r in requirements if r.startswith("python-calamine"))
    assert not Marker(calamine.split(";", 1)[1]).evaluate(PYODIDE_MARKERS)
    importable, problems = resolve_in_pyodide([f"sipxl @ file://{wheel}", *requirements], pyodide)
    assert problems == []
    assert {"xlwings", "pandas", "numpy", "pandera"} <= importable | pyodide.imports


def test_wasm_build_is_the_sipxl_addin(wasm_site: Path, wheel: Path, pyodide: Pyodide) -> None:
    manifest = etree.parse(str(wasm_site / "manifest.xml"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(manifest), schema.error_log
    text = (wasm_site / "manifest.xml").read_text()
    assert "SipxlTab" in text and 'DefaultValue="SIPXL"' in text
    urls = {u.split('"')[0] for u in text.split('DefaultValue="https://')[1:]}
    assert urls and all(u.startswith("sipxl.example.org/addin/") for u in urls), urls
    # micropip's list names the wheel that the site carries, and xlwings at the pin
    [config] = (wasm_site / "xlwings").glob("pyodide*.json")
    packages = json.loads(config.read_text())["packages"]
    assert f"/addin/static/wheels/{wheel.name}" in packages and "xlwings==0.37.8" in packages
    assert (wasm_site / "static" / "wheels" / wheel.name).read_bytes() == wheel.read_bytes()
    # the task pane loads the Pyodide whose package list these tests use, and runs in Wasm mode
    taskpane = (wasm_site / "taskpane.html").read_text()
    assert f"/pyodide/v{pyodide.version}/full/pyodide.js" in taskpane and '"onWasm": true' in taskpane
    assert "from sipxl.excel.scripts import *" in (wasm_site / "custom_scripts" / "__init__.py").read_text()


def test_wasm_build_runs_the_five_buttons_with_only_what_pyodide_has(
        wasm_site: Path, wheel: Path, pyodide: Pyodide, office_js_payload: Path) -> None:
    [config] = (wasm_site / "xlwings").glob("pyodide*.json")
    packages = [p if not p.endswith(".whl") else f"sipxl @ file://{wheel}"
                for p in json.loads(config.read_text())["packages"]]
    from_micropip, problems = resolve_in_pyodide(packages + wheel_requirements(wheel), pyodide)
    assert problems == []
    allowed = pyodide.stdlib | pyodide.imports | from_micropip | {"sipxl", "custom_scripts", "custom_functions"}
    bundled = wasm_site / "static" / "wheels" / wheel.name  # the wheel the site carries
    out = run_in_pyodide_env(allowed, ("sipxl", "custom_scripts", "custom_functions"), wasm_site, "custom_scripts",
                             office_js_payload, bundled, functions="custom_functions")
    assert out["refused"] == []
    for name in buttons.BUTTONS:
        actions = out["results"][name]
        assert actions and actions[-1]["func"] == "alert", name
    # Validate lists the problems on the Issues sheet: the template's own (pre-built since 1.2), else one it adds
    names = [sheet["name"] for sheet in json.loads(office_js_payload.read_text())["sheets"]]
    validate = out["results"]["validate"]
    if buttons.ISSUES_SHEET in names:
        assert any(a["func"] == "setValues" and a["sheet_position"] == names.index(buttons.ISSUES_SHEET)
                   for a in validate)
    else:
        assert any(a["func"] == "addSheet" and buttons.ISSUES_SHEET in a["args"] for a in validate)
    gast = out["results"]["GAST"]
    assert (gast[0][0] if isinstance(gast, list) else gast) == pytest.approx(55.0)


def test_the_guard_refuses_what_pyodide_lacks(wasm_site: Path, wheel: Path, pyodide: Pyodide,
                                               office_js_payload: Path) -> None:
    """The stand-in is strict: a module not allowed (here xlwings, which micropip would have to fetch) cannot be
    imported by the buttons, and the run fails saying so. (pandera and pandas, which Pyodide lacks or ships, are
    no longer imported by the buttons at all: sipxl loads them only where a table needs pandera.)"""
    allowed = (pyodide.stdlib | pyodide.imports | {"sipxl", "custom_scripts", "xlsxwriter", "pandera"}) - {"xlwings"}
    with pytest.raises(AssertionError, match="xlwings is not available in Pyodide"):
        run_in_pyodide_env(allowed, ("sipxl", "custom_scripts"), wasm_site, "custom_scripts", office_js_payload,
                           wasm_site / "static" / "wheels" / wheel.name)


def test_lite_plugin_runs_the_five_buttons_on_the_office_js_payload(
        wheel: Path, pyodide: Pyodide, office_js_payload: Path, tmp_path: Path) -> None:
    """The xlwings Lite plugin: requirements.txt names sipxl's wheel; `sipxl.lite` holds the scripts."""
    from_micropip, problems = resolve_in_pyodide(["xlwings==0.37.8", f"sipxl @ file://{wheel}",
                                                  *wheel_requirements(wheel)], pyodide)
    assert problems == []
    allowed = pyodide.stdlib | pyodide.imports | from_micropip | {"sipxl"}
    out = run_in_pyodide_env(allowed, ("sipxl",), tmp_path, "sipxl.lite", office_js_payload, wheel,
                             functions="sipxl.lite")
    assert out["refused"] == []
    for name in buttons.BUTTONS:
        assert out["results"][name][-1]["func"] == "alert", name
    gast = out["results"]["GAST"]
    assert (gast[0][0] if isinstance(gast, list) else gast) == pytest.approx(55.0)
