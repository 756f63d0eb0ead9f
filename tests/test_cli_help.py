"""Every command explains itself: a description, each option's default, one example; a wrong argument gets the
message of the command it was given to."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from sipxl.cli import _subcommands, build_parser, main


def _leaves():
    return [(path, p) for path, p, _ in _subcommands(build_parser())
            if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)]


def test_every_command_has_a_description_defaults_and_an_example():
    leaves = _leaves()
    assert {"sample", "validate", "score", "consolidate", "templates build", "docs errors"} <= {p for p, _ in leaves}
    for path, parser in leaves:
        text = parser.format_help()
        assert parser.description, path
        assert "example" in (parser.epilog or ""), path
        for a in parser._actions:
            if a.option_strings and not isinstance(a, argparse._HelpAction):
                assert "default" in (a.help or "") or "required" in (a.help or ""), (path, a.option_strings)
        assert "sipxl " + path in text


@pytest.mark.parametrize("argv, command", [
    (["validate", "--bogus", "x.xlsx"], "sipxl validate"),
    (["consolidate", "in", "--frobnicate"], "sipxl consolidate"),
    (["docs", "errors", "--x"], "sipxl docs errors"),
    (["sample", "--nope"], "sipxl sample"),
])
def test_an_unknown_option_is_answered_by_its_command(argv, command, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert f"{command}: error: unrecognized arguments" in err and f"usage: {command}" in err


def test_a_folder_given_to_validate_is_told_what_to_do(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sipxl.cli", "validate", str(tmp_path)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2
    assert "is a folder" in done.stderr and "sipxl consolidate" in done.stderr and "Traceback" not in done.stderr
