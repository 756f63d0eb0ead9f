"""Year on year: the figures of each session's run, kept in the output folder as `history.json`.

Each run records its session's headline outcomes and per-school measures (already published figures: nothing
a dashboard does not show). The previous session comes from `--previous OUT_DIR` (last year's output folder)
or from the history already in this output folder; its sessions are carried forward, so the file grows by one
session a year and the dashboard can say "up 5 percentage points on last year".
"""

from __future__ import annotations

import json
from pathlib import Path

HISTORY = "history.json"
FORMAT = 1


def load_history(folder: Path | None) -> dict[str, dict]:
    """{session: {"headline": {measure: {"value", "n"}}, "schools": {seed: {measure: value}}}}; {} if none."""
    if folder is None:
        return {}
    try:
        data = json.loads((Path(folder) / HISTORY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("sessions"), dict):
        return {}
    return {str(k): v for k, v in data["sessions"].items() if isinstance(v, dict)}


def previous_session(history: dict[str, dict], session: str) -> tuple[str, dict] | tuple[None, None]:
    """The latest session before `session` ("2024/25" before "2025/26": session names sort by year)."""
    earlier = sorted(s for s in history if s < session) if session else []
    return (earlier[-1], history[earlier[-1]]) if earlier else (None, None)


def history_text(history: dict[str, dict], session: str, current: dict) -> str:
    """The history with this session's figures added (or replaced), as the text of history.json."""
    sessions = {k: v for k, v in history.items() if k != session}
    if session:
        sessions[session] = current
    return json.dumps({"format": FORMAT, "sessions": dict(sorted(sessions.items()))}, indent=2, sort_keys=True,
                      ensure_ascii=False, default=_plain) + "\n"


def _plain(v: object) -> object:
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return str(v)
