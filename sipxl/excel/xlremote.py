"""The one place that prepares xlwings for server-side (remote) use.

xlwings reads ``XLWINGS_ON_SERVER`` and ``XLWINGS_LICENSE_KEY`` at import time, so both must be set
*before* ``import xlwings``. Other sipxl modules import xlwings from here::

    from sipxl.excel.xlremote import xw, book_from_payload

``setdefault`` is used so a deployment can still provide its own (e.g. commercial) license key.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

_imported_before = "xlwings" in sys.modules

import xlwings as xw  # noqa: E402

if "remote" not in [engine.name for engine in xw.engines]:  # pragma: no cover
    raise RuntimeError(
        "xlwings' remote engine is unavailable"
        + (" because xlwings was imported before sipxl.excel.xlremote" if _imported_before else "")
        + ": set XLWINGS_LICENSE_KEY (e.g. 'noncommercial') and XLWINGS_ON_SERVER=true before importing it."
    )

__all__ = ["XLWINGS_VERSION", "book_from_payload", "xw"]

#: The server's xlwings version. A VBA client must send exactly this in ``payload["version"]``.
XLWINGS_VERSION: str = xw.__version__


def book_from_payload(payload: dict) -> xw.Book:
    """Build the remote-engine ``xw.Book`` that a button function receives.

    ``payload`` is the JSON body an Office.js or VBA client posts (see :mod:`sipxl.excel.payload`).
    Changes made through the xlwings API are recorded; ``book.json()`` returns ``{"actions": [...]}``,
    which is what the server sends back for the client (or :func:`support.apply.apply_actions` (tests))
    to apply.
    """
    if not isinstance(payload, dict):
        raise TypeError(f"payload must be a dict, got {type(payload).__name__}")
    for key in ("version", "book", "sheets"):
        if key not in payload:
            raise ValueError(f"payload is missing the {key!r} key")
    client = payload.get("client")
    if client != "Office.js" and payload["version"] != XLWINGS_VERSION:
        # xlwings raises too, but name both versions and the fix.
        raise xw.XlwingsError(
            f"{client or 'The'} client sent xlwings version {payload['version']!r} but the server runs "
            f"{XLWINGS_VERSION!r}; the VBA add-in must be built from the same xlwings version."
        )
    return xw.Book(json=payload)
