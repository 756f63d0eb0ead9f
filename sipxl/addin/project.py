"""``sipxl addin init DIR --url URL``: write one authority's SIPXL add-in as an xlwings Server app.

The layout is xlwings Server's own (``xlwings-server init``, run first): ``custom_scripts/``,
``custom_functions/``, ``templates/``, ``static/``, ``certs/``, ``.env`` and ``pyproject.toml`` with fresh manifest
IDs, so every authority's add-in has its own. sipxl then puts in its part:

* ``custom_scripts/__init__.py`` and ``custom_functions/__init__.py`` import sipxl's scripts and functions;
* ``templates/manifest.xml`` (the SIPXL tab), ``templates/taskpane.html``;
* ``static/js/ribbon.js`` (binds the ribbon's buttons to the scripts), ``static/js/auth.js``, the icons;
* ``auth/custom/__init__.py``: the token check, used when ``SIPXL_SERVER_TOKEN`` is set;
* ``.env``: the settings for this authority, each explained.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from .. import __version__
from .ribbon import BUTTON_LABELS, manifest_template

__all__ = ["FILES", "init_app", "manifest_version"]

FILES = Path(__file__).parent / "files"


def manifest_version() -> str:
    """sipxl's version as the manifest wants it: four numbers."""
    parts = [int(p) for p in re.findall(r"\d+", __version__)[:4]]
    return ".".join(str(p) for p in parts + [0] * (4 - len(parts)))


def _set_env(env: Path, values: dict[str, str], comment: str) -> None:
    """Set `values` in the .env written by xlwings-server init (replacing a line or a commented default)."""
    text = env.read_text(encoding="utf-8") if env.exists() else ""
    lines = text.splitlines()
    for key, value in values.items():
        line = f"{key}={value}"
        pattern = re.compile(rf"^\s*#?\s*{re.escape(key)}=")
        hits = [i for i, old in enumerate(lines) if pattern.match(old)]
        if hits:
            lines[hits[0]] = line
            for i in reversed(hits[1:]):
                del lines[i]
        else:
            lines.append(line)
    text = "\n".join(lines) + "\n"
    env.write_text(f"# {comment}\n" + text if comment not in text else text, encoding="utf-8")


def init_app(directory: Path | str, url: str, *, token: str | None = None, authority: str = "SIPXL") -> Path:
    """Write the app into `directory` for the public address `url` (https://host[/path]); return the folder."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise ValueError(f"--url must be the add-in's public address, like https://sipxl.council.gov.uk (got {url!r})")
    app = Path(directory).resolve()
    app.mkdir(parents=True, exist_ok=True)
    # xlwings Server's own project layout, .env and fresh manifest IDs
    subprocess.run([sys.executable, "-m", "xlwings_server.cli", "init", str(app)], check=True, cwd=app,
                   stdout=subprocess.DEVNULL)
    for sample in ("custom_scripts/scripts.py", "custom_functions/functions.py"):
        (app / sample).unlink(missing_ok=True)
    (app / "custom_scripts" / "__init__.py").write_text(
        "# The SIPXL ribbon's buttons (sipxl.excel.scripts), as xlwings Server custom scripts.\n"
        "from sipxl.excel.scripts import *  # noqa: F401,F403\n", encoding="utf-8")
    (app / "custom_functions" / "__init__.py").write_text(
        "# sipxl's custom functions (=SIPXL.GAST(...), sipxl.excel.functions).\n"
        "from sipxl.excel.functions import *  # noqa: F401,F403\n", encoding="utf-8")
    (app / "templates" / "manifest.xml").write_text(manifest_template(manifest_version()), encoding="utf-8")
    buttons = "\n    ".join(
        f'<button xw-click="{name}" class="btn btn-primary btn-sm" type="button">{label}</button>'
        for name, (label, _tip) in BUTTON_LABELS.items())
    (app / "templates" / "taskpane.html").write_text(
        (FILES / "taskpane.html").read_text(encoding="utf-8").replace("__SIPXL_BUTTONS__", buttons), encoding="utf-8")
    js = app / "static" / "js"
    js.mkdir(parents=True, exist_ok=True)
    (js / "ribbon.js").write_text((FILES / "ribbon.js").read_text(encoding="utf-8").replace(
        "__SIPXL_SCRIPTS__", json.dumps(list(BUTTON_LABELS))), encoding="utf-8")
    shutil.copy(FILES / "auth.js", js / "auth.js")
    shutil.copy(FILES / "sipxl-token.js", js / "sipxl-token.js")
    icons = app / "static" / "images" / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    for icon in (FILES / "icons").glob("*.png"):
        shutil.copy(icon, icons / icon.name)
    shutil.copy(FILES / "icons" / "sipxl-32.png", app / "static" / "images" / "favicon.png")
    custom_auth = app / "auth" / "custom"
    custom_auth.mkdir(parents=True, exist_ok=True)
    (app / "auth" / "__init__.py").touch()
    shutil.copy(FILES / "auth_custom.py", custom_auth / "__init__.py")
    settings = {
        "XLWINGS_PROJECT_NAME": json.dumps(authority),
        "XLWINGS_LICENSE_KEY": '"noncommercial"',
        "XLWINGS_ENVIRONMENT": "prod",
        "XLWINGS_HOSTNAME": parsed.netloc if parsed.scheme == "https" else "",
        "XLWINGS_APP_PATH": parsed.path.rstrip("/"),
        "XLWINGS_STATIC_URL_PATH": parsed.path.rstrip("/") + "/static",
        "XLWINGS_FUNCTIONS_NAMESPACE": "SIPXL",
        "XLWINGS_ENABLE_SOCKETIO": "false",
        "XLWINGS_ENABLE_HOTRELOAD": "false",
        "XLWINGS_AUTH_PROVIDERS": '["custom"]' if token else "[]",
        "SIPXL_SERVER_TOKEN": token or "",
        "SIPXL_MAX_BODY_BYTES": "20971520",
    }
    _set_env(app / ".env", settings, "SIPXL add-in settings (sipxl addin init): see docs/excel-addin.md. "
                                     "SIPXL_SERVER_TOKEN set -> XLWINGS_AUTH_PROVIDERS must be [\"custom\"].")
    return app
