"""The ASGI app ``sipxl serve`` runs: xlwings Server for the app folder in ``SIPXL_ADDIN_DIR``, behind the guard.

xlwings Server reads its settings when it is imported, from ``XLWINGS_PROJECT_DIR`` (its ``.env`` and
``pyproject.toml``), so this module sets the environment first. The app folder's ``.env`` also holds sipxl's own
settings (``SIPXL_SERVER_TOKEN``, ``SIPXL_MAX_BODY_BYTES``); the process environment wins over it.
"""

from __future__ import annotations

# ruff: noqa: E402, I001  (the environment must be set before xlwings and xlwings_server are imported)
import os
from pathlib import Path

from dotenv import dotenv_values

_app_dir = Path(os.environ.get("SIPXL_ADDIN_DIR", ".")).resolve()
if not (_app_dir / "custom_scripts").is_dir():
    raise RuntimeError(f"{_app_dir} is not a SIPXL add-in folder: make one with `sipxl addin init DIR --url URL`.")
os.environ["XLWINGS_PROJECT_DIR"] = str(_app_dir)
for _key, _value in dotenv_values(_app_dir / ".env").items():
    if _key.startswith("SIPXL_") and _value is not None:
        os.environ.setdefault(_key, _value)

from ..excel import xlremote  # noqa: F401  - XLWINGS_ON_SERVER and the licence key before xlwings is imported
from .guard import DEFAULT_MAX_BODY_BYTES, Callables, RequestGuard

from xlwings_server.config import settings
from xlwings_server.main import main_app
from xlwings_server.routers import xlwings as _router  # the custom_scripts/custom_functions xlwings Server uses

app = RequestGuard(main_app, int(os.environ.get("SIPXL_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
                   app_path=settings.app_path,
                   callables=Callables(_router.custom_scripts, _router.custom_functions))
