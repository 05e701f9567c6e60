"""One trainer a run: the run claimed before the slow start, export refused meanwhile (audit 50)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from trainer_helpers import make_run_folder

from trainer import rundir
from trainer.runs import CLAIM, claim_run, claimed_by

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from trainer.runs import claim_run
    claim_run(Path(sys.argv[1]), *sys.argv[2:])
    print("claimed", flush=True)
    time.sleep(60)
    """)


@pytest.fixture
def held_run(tmp_path):
    """A run folder claimed by another live process (as a trainer loading its data)."""
    run = make_run_folder(tmp_path, "20261207-070000-fast",
                          {"epoch": 2, "epochs": 5, "status": "stopped"},
                          config={"preset": "fast"})
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "claimed"
        yield run, holder
    finally:
        holder.kill()
        holder.wait(10)


def test_a_second_trainer_cannot_claim_a_run_held(held_run):
    """Two --resume of one run in the same second both trained it: the run's state names
    its trainer only once it has loaded its data and built its model."""
    run, holder = held_run
    assert claimed_by(run)["pid"] == holder.pid
    with pytest.raises(rundir.RunDirError, match=f"is being trained now by process "
                                                 f"{holder.pid} on this machine"):
        claim_run(run)


def test_a_claim_left_by_a_trainer_gone_is_taken_over(held_run):
    run, holder = held_run
    holder.kill()
    holder.wait(10)
    assert claimed_by(run) is None
    claim_run(run)
    assert json.loads((run / CLAIM).read_text()) == {**rundir.this_process(), "doing": "trained"}
    claim_run(run)  # this process's own: a resume after a run, in one process


def test_export_refuses_a_run_being_trained(held_run, capsys):
    """`python -m trainer export RUN` wrote the model of a run still training, and re-linked
    its best.keras under the trainer."""
    from trainer.cli import main

    run, holder = held_run
    assert main(["export", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"is being trained now by process {holder.pid} on this machine; stop it first " \
           "(Stop in the Train tab, or Ctrl+C where it runs), then export it" in err
    assert not (run / "model.json").exists()


def test_resume_refuses_a_run_claimed_before_loading_anything(held_run, capsys):
    from trainer.cli import main

    run, holder = held_run
    assert main(["--resume", str(run), "--threads", "0"]) == 2
    assert f"is being trained now by process {holder.pid}" in capsys.readouterr().err


def test_a_claim_survives_the_ways_a_run_is_named_and_made_again(tmp_path, monkeypatch):
    """Review 51: the same run under two spellings refused itself; a run folder removed and
    made again under one name was never locked again; a file system that cannot lock
    refused every run as "being trained by process ?"."""
    import errno
    import fcntl
    import os
    import shutil

    from trainer.runs import release_run

    run = make_run_folder(tmp_path, "20261207-074000-fast", {"epoch": 1, "epochs": 2},
                          config={"preset": "fast"})
    claim_run(run)
    monkeypatch.chdir(tmp_path)
    claim_run(run.relative_to(tmp_path))  # another spelling: this process's own
    shutil.rmtree(run)
    run.mkdir()
    claim_run(run)  # made again: claimed again, its file there
    assert (run / CLAIM).is_file()
    release_run(run)
    assert not (run / CLAIM).exists()

    def no_locks(fd, flags):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    claim_run(run)  # goes on without a lock: nothing to refuse it for
    release_run(run)
    assert os.listdir(run) == []


def test_export_of_a_folder_that_is_no_run_leaves_no_claim(tmp_path, capsys):
    """Review 51: `export` of a folder without config.json left a claim file in it."""
    from trainer.cli import main

    folder = tmp_path / "not a run"
    folder.mkdir()
    assert main(["export", str(folder)]) == 2
    assert not (folder / CLAIM).exists()


def test_a_run_another_process_has_claimed_is_not_moved_to_the_trash(held_run):
    """Review 50: a run resumed in a terminal, in its slow start, read as "stopped" in the
    run list, and Move to trash was allowed: the folder went from under its trainer."""
    from trainer.runs import TRASH_BLOCKS, read_run_row, trash_block, trash_refusal

    run, holder = held_run
    row = read_run_row(run)
    assert row.state == "stopped"  # its state names its trainer only once it has started
    assert TRASH_BLOCKS[trash_block(row)] == "busy in another program"
    assert "is being trained or exported by another program" in trash_refusal(row)
    holder.kill()
    holder.wait(10)
    assert trash_refusal(row) == ""


def test_on_windows_a_probe_gives_its_lock_back_before_closing(tmp_path, monkeypatch):
    """Review 51: claimed_by's probe closed the claim file still locked; Windows lets such a
    lock go only "at the system's convenience", so a trainer starting at once could read
    the run as claimed. (Windows' msvcrt stood in for: no Windows machine here.)"""
    import os
    import types

    from trainer import runs

    calls = []
    fake = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0,
                                 locking=lambda fd, mode, size: calls.append(mode))
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    run = make_run_folder(tmp_path, "20261207-070000-fast", {"epoch": 1, "epochs": 2,
                                                              "status": "stopped"})
    (run / CLAIM).write_text("{}")
    monkeypatch.setattr(runs, "_lock", lambda fd: calls.append("lock") or True)
    monkeypatch.setattr(os, "name", "nt")
    assert claimed_by(run) is None
    monkeypatch.undo()
    assert calls == ["lock", fake.LK_UNLCK]


def test_a_resume_refused_during_an_export_is_told_so_not_to_stop_a_training(tmp_path):
    """Audit 53: a resume of a run another window was exporting read "is being trained now
    by process N ...; stop it first", and the window called it "Training failed"."""
    run = make_run_folder(tmp_path, "20261207-070000-fast",
                          {"epoch": 2, "epochs": 2, "status": "finished"},
                          config={"preset": "fast"})
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run), "exported"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "claimed"
        with pytest.raises(rundir.RunDirError, match=f"is being exported now by process "
                                                     f"{holder.pid} on this machine: wait "
                                                     "for the export to end"):
            claim_run(run)
    finally:
        holder.kill()
        holder.wait(10)
