"""sipxl builds as a pure-Python wheel that installs into a fresh virtual environment and runs.

CI runs the quick form: `python -m build --wheel` (isolated, as pip does), a fresh venv, `pip install --no-deps`
of the wheel, the dependencies taken from this interpreter's site-packages (added to the venv's path by a .pth
file, so no editable install of the checkout can leak in), and a check that every requirement the wheel declares
(with the `server` extra) is met there. SIPXL_FULL_INSTALL_TEST=1 also installs the wheel with all its
dependencies from the package index into another fresh venv.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.install


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="needs the build package (pip install build)")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)], check=True,
                   capture_output=True, timeout=600)
    [whl] = out.glob("sipxl-*.whl")
    return whl


def _venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    return folder / ("Scripts" if os.name == "nt" else "bin")


def _run(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    # a clean environment: nothing of the checkout on PYTHONPATH, run from a folder outside it
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_wheel_is_pure_python_and_carries_the_addin_files(wheel: Path) -> None:
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("sipxl/addin/files/manifest.xml", "sipxl/addin/files/ribbon.js", "sipxl/addin/files/auth_custom.py",
                 "sipxl/addin/files/icons/sipxl-32.png", "sipxl/excel/scripts.py", "sipxl/cli/__main__.py"):
        assert part in names, part
    assert not any(n.endswith((".so", ".pyd", ".dll")) for n in names)


def test_wheel_installs_into_a_fresh_venv_and_runs(wheel: Path, tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "venv")
    py = bin_dir / "python"
    purelib = Path(_run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path)
                   .stdout.strip())
    (purelib / "_sipxl_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    result = _run(py, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    where = _run(py, "-c", "import sipxl; print(sipxl.__file__)", cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where  # the wheel's sipxl, not the checkout's
    # every requirement the wheel declares (with the server extra) is met by what the venv sees
    check = _run(py, "-c", """
import importlib.metadata as md
from packaging.requirements import Requirement
bad = []
for text in md.requires("sipxl"):
    req = Requirement(text)
    if req.marker and not req.marker.evaluate({"extra": "server"}):
        continue
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        bad.append(f"{req} (missing)")
        continue
    if not req.specifier.contains(version, prereleases=True):
        bad.append(f"{req} (found {version})")
print("\\n".join(bad))
""", cwd=tmp_path)
    assert check.returncode == 0 and check.stdout.strip() == "", check.stdout + check.stderr
    helped = _run(bin_dir / "sipxl", "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    for command in ("validate", "consolidate", "serve", "addin", "xlam"):
        assert command in helped.stdout
    # the add-in's files came with the wheel
    made = _run(bin_dir / "sipxl", "addin", "init", str(tmp_path / "app"), "--url", "https://sipxl.example.org",
                cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "SipxlTab" in (tmp_path / "app" / "templates" / "manifest.xml").read_text()


@pytest.mark.skipif(not os.environ.get("SIPXL_FULL_INSTALL_TEST"), reason="set SIPXL_FULL_INSTALL_TEST=1 (downloads)")
def test_wheel_installs_with_all_dependencies_from_the_index(wheel: Path, tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "venv")
    result = _run(bin_dir / "python", "-m", "pip", "install", "-q", f"{wheel}[server]", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    helped = _run(bin_dir / "sipxl", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "serve" in helped.stdout, helped.stderr
