"""The ribbon's buttons as xlwings custom scripts (the names the manifest, task pane and VBA add-in call).

An xlwings Server app imports them into its ``custom_scripts`` package (``from sipxl.excel.scripts import *``;
see :mod:`sipxl.addin.project`).
"""

from __future__ import annotations

# ruff: noqa: I001, E402  (xlremote must be imported before xlwings.server)

from .xlremote import xw  # sets the xlwings environment: must come first
from xlwings.server import script

from . import buttons

__all__ = ["validate", "score", "summary", "check_setup", "prepare"]


@script
def validate(book: xw.Book) -> None:
    """Validate: mark bad cells and list every problem on the Issues sheet."""
    buttons.validate(book)


@script
def score(book: xw.Book) -> None:
    """Score: each instrument's scores and the pre/post summaries on the Scores sheet."""
    buttons.score(book)


@script
def summary(book: xw.Book) -> None:
    """Summary: a one-page project summary for a head teacher."""
    buttons.summary(book)


@script
def check_setup(book: xw.Book) -> None:
    """Check setup: versions, template kind and version."""
    buttons.check_setup(book)


@script
def prepare(book: xw.Book) -> None:
    """Prepare for submission: validate, then stamp the date and sipxl version."""
    buttons.prepare(book)


SCRIPTS = {name: globals()[name] for name in buttons.BUTTONS}
