"""The command line never shows a traceback: an internal error exits 3 with the details in a log file."""

from __future__ import annotations

from sipxl.cli import main


def test_internal_error_exits_3_with_log_and_no_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the sample folder should go")
    assert main(["sample", "--out", str(blocker / "sample"), "--schools", "2"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "sipxl-error.log" in err
    assert "Traceback" in (tmp_path / "sipxl-error.log").read_text()


def test_usage_error_exits_2(capsys):
    try:
        main(["validate"])
    except SystemExit as e:
        assert e.code == 2
    else:  # pragma: no cover - argparse always exits on a usage error
        raise AssertionError("expected a usage error")
