"""Ctrl+Q, a window title that names the source and the model, and a quiet close at any moment
(also while the model is still loading)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import test_ui_window
from PySide6.QtGui import QKeySequence
from ui_helpers import SAMPLE

ROOT = Path(__file__).resolve().parent.parent
WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window


def test_ctrl_q_quits_and_the_title_names_source_and_model(qtbot, main_window):
    window = main_window(source=str(SAMPLE))
    assert QKeySequence("Ctrl+Q") in window.act_quit.shortcuts()
    qtbot.waitUntil(lambda: window.windowTitle() == "Sample image \u2013 stub \u2013 FER Desktop",
                    timeout=WAIT_MS)


def test_the_title_drops_the_last_files_name_when_a_file_cannot_open(qtbot, main_window,
                                                                    tmp_path):
    """A file that failed to open left the title naming the file shown before it."""
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    qtbot.waitUntil(lambda: window.windowTitle().startswith("Sample image"), timeout=WAIT_MS)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    with qtbot.waitSignal(live.source_failed, timeout=WAIT_MS):
        live.set_source(str(broken))
    assert window.windowTitle() == "broken.mp4 (cannot be opened) \u2013 stub \u2013 FER Desktop"
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):  # a good one names itself again
        live.set_source(str(SAMPLE))
    qtbot.waitUntil(lambda: window.windowTitle() == "Sample image \u2013 stub \u2013 FER Desktop",
                    timeout=WAIT_MS)


def test_closing_while_the_model_loads_prints_nothing(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from fer_desktop.ui.main_window import MainWindow
        from fer_desktop.ui.settings import AppSettings
        app = QApplication([])
        window = MainWindow(AppSettings.from_file({str(tmp_path / 's.ini')!r}),
                            source={str(SAMPLE)!r}, start=False)
        window.show()
        window.live_view.start()       # the shipped model starts loading in a worker
        QTimer.singleShot(30, window.close)
        QTimer.singleShot(60, app.quit)
        app.exec()
        print("closed")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env={"QT_QPA_PLATFORM": "offscreen",
                                            "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "closed" in proc.stdout
    assert "Traceback" not in proc.stderr and "Signal source has been deleted" not in proc.stderr


def test_the_title_names_a_trained_model_as_the_status_bar_does(qtbot, main_window):
    """Trial 11: the title said "default 20261204-095120-default", the status bar "default
    20261204-095120": two forms of one name read as two models."""
    window = main_window(source=str(SAMPLE))
    qtbot.waitUntil(lambda: window.windowTitle() == "Sample image \u2013 stub \u2013 FER Desktop",
                    timeout=WAIT_MS)
    window._classifier.name = "default 20261204-095120-default"
    window._update_title()
    assert window.windowTitle() == "Sample image \u2013 default 20261204-095120 \u2013 FER Desktop"
    from fer_desktop.core.model import default_model_dir

    window._classifier.model_dir = default_model_dir()  # the shipped model: a code to a new
    window._update_title()  # user, and the status bar says "shipped" (trial 24)
    assert window.windowTitle() == "Sample image \u2013 FER Desktop"
