"""A run the window's Stop had to kill is marked stopped in its state.json."""

from __future__ import annotations

import json
import sys
import textwrap

from trainer_helpers import make_run_folder

from fer_desktop.ui.trainer_process import TrainerProcess, mark_stopped
from trainer import rundir


def test_a_run_the_window_killed_reads_stopped_in_its_files(qtbot, tmp_path):
    """Trial 61 and review 67: a fine-tune ended by a second Stop read "stopped" in its
    session and "interrupted" after a restart, its state.json still "running"; a trainer that
    died unasked could not be told from it."""
    run = make_run_folder(tmp_path, "20261208-000240-finetune",
                          {"epoch": 8, "epochs": 8, "status": "running"},
                          config={"preset": "finetune"})
    started = json.dumps({"v": 1, "event": "started", "run_dir": str(run), "epochs": 8,
                          "steps_per_epoch": 1, "initial_epoch": 0})
    script = textwrap.dedent(f"""
        import signal, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # scoring: a stop request waits
        print({started!r}, flush=True)
        time.sleep(60)
    """)
    process = TrainerProcess(poll_ms=20, stop_grace_s=0.5, log_dir=tmp_path / "logs")
    process.start_command(sys.executable, ["-c", script])
    qtbot.waitUntil(lambda: process.run_dir == str(run), timeout=10_000)
    with qtbot.waitSignal(process.finished, timeout=10_000):
        process.stop()  # not heard: killed after the grace period
    assert json.loads((run / rundir.STATE).read_text())["status"] == "stopped"


def test_a_run_that_wrote_its_own_end_is_left_alone(tmp_path):
    for status in ("finished", "failed", "stopped"):
        run = make_run_folder(tmp_path, f"20261208-00024{len(status)}-{status}",
                              {"epoch": 8, "epochs": 8, "status": status})
        mark_stopped(run)
        assert json.loads((run / rundir.STATE).read_text())["status"] == status
    mark_stopped(tmp_path / "gone")  # nothing there: nothing said, nothing raised
    mark_stopped(None)
