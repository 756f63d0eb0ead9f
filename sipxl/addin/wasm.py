"""``sipxl addin wasm``: the SIPXL add-in as xlwings Wasm, static files that run the buttons in the browser.

The app folder from ``sipxl addin init`` gets ``wasm/requirements.txt`` (what Pyodide's micropip installs: xlwings
and sipxl's wheel, which brings its dependencies) and the wheel under ``static/wheels/``; then xlwings Server's own
``xlwings-server build wasm URL -o OUT`` renders the manifest, task pane and function files and copies the scripts.
xlwings Server reads its settings when imported, so the build runs in a child process with Wasm switched on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .. import __version__

__all__ = ["build_wasm", "wasm_requirements"]


def wasm_requirements(wheel_name: str) -> list[str]:
    """micropip's list: xlwings at the server's pin, and sipxl's wheel (its dependencies follow from it)."""
    import importlib.metadata

    from ..excel.xlam import xlwings_vba_dir  # noqa: F401  (xlwings is installed; its version is the pin)

    return [f"xlwings=={importlib.metadata.version('xlwings')}", "pyodide-http", f"/static/wheels/{wheel_name}"]


def build_wasm(app_dir: Path | str, url: str, out: Path | str, wheel: Path | str) -> Path:
    """Build the static site for `url` into `out` from the app in `app_dir` and sipxl's `wheel`."""
    app, out, wheel = Path(app_dir).resolve(), Path(out).resolve(), Path(wheel).resolve()
    if not (app / "custom_scripts").is_dir():
        raise ValueError(f"{app} is not a SIPXL add-in folder: make one with `sipxl addin init DIR --url URL`.")
    if not wheel.name.startswith("sipxl-") or not wheel.name.endswith("-py3-none-any.whl"):
        raise ValueError(f"{wheel.name} is not sipxl's pure-Python wheel (python -m build --wheel).")
    if f"-{__version__}-" not in wheel.name:
        raise ValueError(f"{wheel.name} is not this sipxl ({__version__}).")
    wheels = app / "static" / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    shutil.copy(wheel, wheels / wheel.name)
    (app / "wasm").mkdir(exist_ok=True)
    (app / "wasm" / "requirements.txt").write_text("\n".join(wasm_requirements(wheel.name)) + "\n", encoding="utf-8")
    env = {**os.environ, "XLWINGS_PROJECT_DIR": str(app), "XLWINGS_ENABLE_WASM": "true",
           "XLWINGS_ENABLE_SOCKETIO": "false", "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY",
                                                                                      "noncommercial")}
    subprocess.run([sys.executable, "-m", "xlwings_server.cli", "build", "wasm", url, "-o", str(out)], cwd=app,
                   env=env, check=True, capture_output=True, text=True)
    return out
