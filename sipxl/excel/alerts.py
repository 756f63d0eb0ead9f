"""Fit a button's message to what every client can show.

VBA shows an alert with ``MsgBox``, whose prompt holds at most 1,024 characters; xlwings Server's Office.js client
opens its dialog with the prompt in the page's URL. A message that quotes a long cell value (a teacher pasted a
paragraph into a number cell) would be cut by one and could stop the other from opening at all, so each line is
shortened and the whole message bounded, keeping its first lines (the verdict) and its last (what to do).
"""

from __future__ import annotations

__all__ = ["ALERT_MAX_CHARS", "ALERT_LINE_CHARS", "fit_alert"]

ALERT_MAX_CHARS = 1000
ALERT_LINE_CHARS = 200
_CUT = "…"
_MORE = "… (more on the Issues sheet)"


def fit_alert(prompt: str) -> str:
    """`prompt` with each line at most ALERT_LINE_CHARS and the whole at most ALERT_MAX_CHARS characters."""
    lines = [line if len(line) <= ALERT_LINE_CHARS else line[:ALERT_LINE_CHARS - 1] + _CUT
             for line in prompt.split("\n")]
    text = "\n".join(lines)
    if len(text) <= ALERT_MAX_CHARS:
        return text
    tail = lines[-1]
    head: list[str] = []
    budget = ALERT_MAX_CHARS - len(tail) - len(_MORE) - 2
    for line in lines[:-1]:
        if len(line) + 1 > budget:
            break
        head.append(line)
        budget -= len(line) + 1
    return "\n".join([*head, _MORE, tail])
