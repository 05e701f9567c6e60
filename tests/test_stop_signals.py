"""SIGTERM and SIGHUP close the window as its close button does, without its questions
(audit 57: a logout or `kill PID` lost what a close saves, as kill -9 does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ui_helpers import make_video

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX signals")


def test_a_stop_signal_wakes_the_event_loop_and_the_handlers_are_put_back(qtbot):
    from fer_desktop.ui.stop_signals import leaving_on_stop_signals

    def quiet(*_):
        pass

    # not ignored before, whatever ran the tests (`nohup` ignores SIGHUP: left alone then)
    outer = signal.signal(signal.SIGHUP, quiet)
    left: list[int] = []
    try:
        with leaving_on_stop_signals(lambda: left.append(1)):
            previous = signal.signal(signal.SIGUSR1, quiet)  # another signal's number:
            try:                                             # it stays
                os.kill(os.getpid(), signal.SIGUSR1)
                qtbot.wait(300)
                assert left == []
            finally:
                signal.signal(signal.SIGUSR1, previous)
            os.kill(os.getpid(), signal.SIGHUP)
            qtbot.waitUntil(lambda: left == [1], timeout=5000)
        assert signal.getsignal(signal.SIGHUP) is quiet  # put back
    finally:
        signal.signal(signal.SIGHUP, outer)


def test_a_signal_ignored_before_stays_ignored(qtbot):
    """Review 60: `nohup fer-desktop &` ignores SIGHUP; the handler replaced that, and closing
    the terminal closed the window."""
    from fer_desktop.ui.stop_signals import leaving_on_stop_signals

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    left: list[int] = []
    try:
        with leaving_on_stop_signals(lambda: left.append(1)):
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)
            qtbot.wait(300)
            assert left == []
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_kill_pid_closes_the_window_and_keeps_what_a_close_keeps(tmp_path):
    """The process ended at once (-15): the settings of the session were not written."""
    video = make_video(tmp_path / "clip.avi", frames=300, fps=30.0)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(home / ".config")}
    app = subprocess.Popen([sys.executable, "-m", "fer_desktop", "--verbose", "--source",
                            str(video)], cwd=Path(__file__).resolve().parent.parent, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120  # a busy machine: the window up and playing
        while time.monotonic() < deadline and not any("Showing file" in s for s in seen):
            line = app.stderr.readline()
            if not line:
                break
            seen.append(line)
        assert app.poll() is None and any("Showing file" in s for s in seen), seen[-20:]
        app.send_signal(signal.SIGTERM)
        _, rest = app.communicate(timeout=60)  # drained: a full pipe would block the app
    finally:
        app.kill()
    assert app.returncode == 0, seen[-20:] + [rest[-2000:]]
    settings = next((home / ".config").rglob("FER Desktop.conf"))
    assert "clip.avi" in settings.read_text(encoding="utf-8", errors="replace")
