"""Entry point for the desktop add-in's classic RunPython mode (Python installed on the teacher's PC).

``sipxl.xlam`` calls ``RunPython "import sipxl.excel.desktop as desktop; desktop.run('validate')"`` through the
xlwings add-in. Here xlwings drives the live Excel (the ``excel`` engine, BSD licence), so xlwings is imported
directly, not through :mod:`sipxl.excel.xlremote` (which would switch it to the remote engine).
"""

from __future__ import annotations


def run(button: str) -> None:
    import xlwings as xw

    from .buttons import BUTTONS

    BUTTONS[button](xw.Book.caller())
