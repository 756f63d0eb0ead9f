"""``sipxl serve``: run a SIPXL add-in folder with uvicorn, over HTTPS when given a certificate and key."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["serve"]


def serve(app_dir: Path | None, host: str, port: int, certfile: Path | None = None, keyfile: Path | None = None,
          workers: int = 1) -> int:
    import uvicorn

    from .project import init_app

    if (certfile is None) != (keyfile is None):
        raise ValueError("HTTPS needs both --cert and --key.")
    scheme = "https" if certfile else "http"
    if app_dir is None:  # a trial: one app per port in the temporary folder, written again on every start
        app_dir = init_app(Path(tempfile.gettempdir()) / f"sipxl-trial-addin-{port}", f"{scheme}://{host}:{port}")
    os.environ["SIPXL_ADDIN_DIR"] = str(Path(app_dir).resolve())
    print(f"SIPXL add-in ({app_dir}) on {scheme}://{host}:{port} (manifest: /manifest.xml). Ctrl+C stops it.",
          flush=True)
    if scheme == "http":
        print("No certificate: HTTP only. The VBA add-in works over HTTP; Office.js add-ins need HTTPS.", flush=True)
    uvicorn.run("sipxl.addin.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                ssl_certfile=str(certfile) if certfile else None, ssl_keyfile=str(keyfile) if keyfile else None)
    return 0
