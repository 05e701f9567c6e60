"""Errors in the window reach the terminal as one line; tracebacks only with --verbose; a
snapshot that cannot be written names the file the user gave (issue 13)."""

from __future__ import annotations

import logging
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from fer_desktop.core.errors import ExportError
from fer_desktop.core.types import FrameResult
from fer_desktop.ui.app import install_excepthook, save_snapshot


def fake_output():
    return types.SimpleNamespace(annotated=np.zeros((8, 8, 3), np.uint8),
                                 result=FrameResult(index=0, timestamp_s=0.0, faces=()),
                                 source="test")


def test_snapshot_is_written_under_the_given_name(tmp_path):
    out = save_snapshot(tmp_path / "shot.png", fake_output())
    assert out == tmp_path / "shot.png" and out.with_suffix(".json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.json", "shot.png"]


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_snapshot_failure_names_the_output_not_a_temporary_folder(tmp_path, where):
    if where == "proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux /proc")
        out = Path("/proc/x.png")
    else:
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "x.png"
    with pytest.raises(ExportError) as info:
        save_snapshot(out, fake_output())
    assert info.value.path == out and str(out) in str(info.value)
    assert ".snapshot-" not in str(info.value)


def test_notifier_logs_one_line_and_the_traceback_only_at_info(qtbot, caplog):
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.notifications import Notifier

    bar = QStatusBar()
    qtbot.addWidget(bar)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = exc
    with caplog.at_level(logging.WARNING, logger="fer_desktop"):
        Notifier(bar).error("The model did not load.", exc=error)
    assert [r.getMessage() for r in caplog.records] == ["The model did not load."]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fer_desktop"):  # --verbose
        Notifier(bar).error("The model did not load.", exc=error)
    assert "Traceback" in caplog.text and "RuntimeError: boom" in caplog.text


def test_uncaught_exception_is_one_line_without_verbose(monkeypatch, caplog):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook(verbose=False)
    try:
        raise ValueError("bad value")
    except ValueError:
        kind, value, tb = sys.exc_info()
    with caplog.at_level(logging.WARNING, logger="fer_desktop"):
        sys.excepthook(kind, value, tb)
    assert "unexpected error: ValueError: bad value" in caplog.text
    assert "--verbose" in caplog.text and "Traceback" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fer_desktop"):
        sys.excepthook(kind, value, tb)
    assert "Traceback" in caplog.text
