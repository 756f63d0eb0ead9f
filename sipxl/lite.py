"""sipxl as an xlwings Lite plugin: the five ribbon buttons as scripts, and the custom functions.

xlwings Lite runs Python in the browser (Pyodide) inside Microsoft's free xlwings Lite add-in. A workbook lists
``sipxl`` (the wheel's URL) in its ``requirements.txt``; importing this module registers the scripts and
functions with xlwings (its ``@script``/``@func`` decorators), so the workbook's ``main.py`` is one line::

    from sipxl.lite import *  # noqa: F401,F403

Each script gets the ``xw.Book`` that Lite builds from the Office.js client's payload, exactly as under
xlwings Server (:mod:`sipxl.excel.scripts`, which these are). Lite has no ribbon tab: the buttons are in its
task pane (and may be placed on a sheet as xlwings "sheet buttons").
"""

from __future__ import annotations

from .excel.functions import GAST, LEUVENENGAGED, LEUVENMEAN, MEANCHANGE
from .excel.scripts import check_setup, prepare, score, summary, validate

__all__ = ["validate", "score", "summary", "check_setup", "prepare", "GAST", "LEUVENMEAN", "LEUVENENGAGED",
           "MEANCHANGE"]
