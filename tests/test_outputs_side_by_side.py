"""The dashboard and the validation report are written in forked processes beside the other outputs; a failure on
either side is raised."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sipxl.consolidate.outputs import side_by_side


def test_both_halves_run_and_write(tmp_path: Path) -> None:
    side_by_side(lambda: (tmp_path / "first").write_text("1"), lambda: (tmp_path / "second").write_text("2"))
    assert (tmp_path / "first").read_text() == "1" and (tmp_path / "second").read_text() == "2"


def test_an_error_in_the_child_is_raised_with_its_traceback(tmp_path: Path) -> None:
    def first() -> None:
        raise ValueError("no such figure")

    with pytest.raises(RuntimeError, match="no such figure") as caught:
        side_by_side(first, lambda: (tmp_path / "second").write_text("2"))
    assert "Traceback" in str(caught.value)
    assert (tmp_path / "second").exists()  # the other half still ran to its end


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="one after the other here: no child to die")
def test_a_child_that_dies_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ended without a word"):
        side_by_side(lambda: os._exit(9), lambda: None)


def test_an_error_in_the_parent_half_is_raised_after_the_child_ends(tmp_path: Path) -> None:
    def second() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        side_by_side(lambda: (tmp_path / "first").write_text("1"), second)
    assert (tmp_path / "first").read_text() == "1"


def test_three_tasks_run_and_a_failing_child_is_named(tmp_path: Path) -> None:
    def letters() -> None:
        raise ValueError("no letters today")

    with pytest.raises(RuntimeError, match="writing the feedback workbooks failed") as caught:
        side_by_side(lambda: (tmp_path / "dashboard").write_text("d"), letters,
                     lambda: (tmp_path / "rest").write_text("r"), names=("the dashboard", "the feedback workbooks"))
    assert "no letters today" in str(caught.value)
    assert (tmp_path / "dashboard").read_text() == "d" and (tmp_path / "rest").read_text() == "r"


def _wait_for(path: Path, seconds: float = 20.0) -> bool:
    import time

    end = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="one after the other here")
def test_meanwhile_runs_the_task_while_the_block_runs(tmp_path: Path) -> None:
    """The validation report is written while the tidy tables are built: each side here waits for the other."""
    from sipxl.consolidate.outputs import meanwhile

    def task() -> None:
        assert _wait_for(tmp_path / "block started")
        (tmp_path / "task done").write_text("t")

    with meanwhile(task, "the validation report"):
        (tmp_path / "block started").write_text("b")
        assert _wait_for(tmp_path / "task done")


def test_meanwhile_raises_the_tasks_error_once_the_block_has_ended(tmp_path: Path) -> None:
    from sipxl.consolidate.outputs import meanwhile

    def task() -> None:
        raise ValueError("no report today")

    with pytest.raises(RuntimeError, match="writing the validation report failed") as caught:
        with meanwhile(task, "the validation report"):
            (tmp_path / "tables").write_text("t")
    assert "no report today" in str(caught.value) and "Traceback" in str(caught.value)
    assert (tmp_path / "tables").read_text() == "t"
