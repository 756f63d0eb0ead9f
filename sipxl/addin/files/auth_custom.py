"""Token authentication for this SIPXL add-in (xlwings Server's "custom" auth provider).

Written by `sipxl addin init`. A call must send the authority's token (SIPXL_SERVER_TOKEN in .env or the
environment) in its Authorization header: the VBA add-in sends it from its configuration, the Office.js add-in
from the task pane's "token" field. Without the token, or with another one, the call gets 401.
"""

import os
import secrets

from dotenv import dotenv_values
from fastapi import HTTPException, status
from xlwings_server.config import settings
from xlwings_server.models import User


def _expected() -> str:
    return os.environ.get("SIPXL_SERVER_TOKEN") or dotenv_values(settings.project_dir / ".env").get(
        "SIPXL_SERVER_TOKEN") or ""


async def validate_token(token_string: str):
    expected = _expected()
    if expected and secrets.compare_digest(token_string.encode(), expected.encode()):
        return User(id="sipxl-token", name="SIPXL token holder")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                        detail="The SIPXL server needs your authority's token. Ask your authority for it.")
