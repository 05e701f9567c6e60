"""Bad ``--resume`` requests found by the bad-input audit of session 36: each is refused with
a message naming the run, and nothing of the run changes."""

from __future__ import annotations

import hashlib

from trainer_helpers import make_run_folder, run_trainer

from trainer import rundir


def _hashes(run) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run.iterdir()}


def test_a_run_still_training_here_is_not_resumed(tmp_path):
    """A second trainer took the first one's files and the first died on a rename."""
    run = make_run_folder(tmp_path, "20261206-121107-fast",
                          {"epoch": 1, "epochs": 10, "status": "running",
                           "owner": rundir.this_process()},  # this test: alive
                          config={"preset": "fast"})
    before = _hashes(run)
    result = run_trainer("--resume", str(run), timeout=120)  # refused before any data is read
    assert result.returncode == 2, result.stderr
    assert "is being trained now by process" in result.stderr and run.name in result.stderr
    assert "Traceback" not in result.stderr
    assert _hashes(run) == before
