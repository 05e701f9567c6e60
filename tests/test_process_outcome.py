"""How a trainer process ended, as the Train tab says it: every branch, without a process."""

from __future__ import annotations

import pytest

from trainer.process_outcome import ProcessEnd, outcome_of
from trainer.rundir import FAILED, FINISHED, STOPPED
from trainer.runs import NOTHING_KEPT_HINT, RESUME_HINT

DONE = {"stopped": False, "epochs_done": 3}
STOPPED_EVENT = {"stopped": True, "epochs_done": 2}


@pytest.mark.parametrize(("end", "state", "message"), [
    (ProcessEnd(0, finished=DONE), FINISHED, "finished"),
    (ProcessEnd(0, finished=STOPPED_EVENT, stop_requested=True), STOPPED,
     f"stopped; {RESUME_HINT}"),
    (ProcessEnd(0, finished={"stopped": True, "epochs_done": 0}, stop_requested=True),
     STOPPED, f"stopped in its first epoch; {NOTHING_KEPT_HINT}"),
    # not this window's Stop: another window's, or a signal (audit 53: read as this one's)
    (ProcessEnd(0, finished=STOPPED_EVENT), STOPPED,
     f"stopped from outside this window (another window's Stop, or a signal); {RESUME_HINT}"),
    # a stopped run exits 130, as Ctrl+C (it exited 0, read as done by scripts, audit 57)
    (ProcessEnd(130, finished=STOPPED_EVENT), STOPPED,
     f"stopped from outside this window (another window's Stop, or a signal); {RESUME_HINT}"),
    (ProcessEnd(130, finished=STOPPED_EVENT, stop_requested=True), STOPPED,
     f"stopped; {RESUME_HINT}"),
    # killed after its "finished" event: it had saved everything, its word stands
    (ProcessEnd(-9, finished=DONE, killed=True), FINISHED, "finished"),
    # a "finished" event and then a crash is not a finish
    (ProcessEnd(1, finished=DONE, stderr=("Segmentation fault",)), FAILED,
     "the trainer exited with code 1; last message: Segmentation fault"),
    (ProcessEnd(-15, stop_requested=True), STOPPED, f"stopped; {RESUME_HINT}"),
    (ProcessEnd(-9, stop_requested=True, killed=True), STOPPED,
     f"killed after it did not stop in time; {RESUME_HINT}"),
    (ProcessEnd(-9, stop_requested=True, killed=True, exporting=True), STOPPED,
     "ended during its export, as asked; Resume writes the model of the finished epochs"),
    (ProcessEnd(2, error={"message": "fer.csv: row 3: 2303 pixels"}), FAILED,
     "fer.csv: row 3: 2303 pixels"),
    (ProcessEnd(0), FINISHED, "finished"),
    (ProcessEnd(-9, stderr=("loading", "  ", "")), FAILED,
     "the trainer was killed (SIGKILL); last message: loading"),
    (ProcessEnd(-200), FAILED, "the trainer was killed (signal 200)"),
    (ProcessEnd(3), FAILED, "the trainer exited with code 3"),
])
def test_each_way_a_trainer_ends_has_its_sentence(end, state, message):
    outcome = outcome_of(end)
    assert (outcome.state, outcome.message) == (state, message)
    assert outcome.exit_code == end.code


def test_the_run_folder_travels_with_the_outcome(tmp_path):
    run = tmp_path / "20261205-010000-default"
    run.mkdir()
    assert outcome_of(ProcessEnd(0, str(run), finished=DONE)).run_dir == str(run)


def test_a_stopped_run_exits_130_and_says_how_to_go_on(tmp_path, capsys):
    """Audit 57: a training stopped by SIGTERM exited 0 with only "[finished] ...
    stopped=True"; review 59: a fine-tune, which keeps no checkpoint, was told to resume."""
    from trainer_helpers import make_run_folder

    from trainer.cli import _ended

    stopped = make_run_folder(tmp_path, "s", {"epoch": 1, "epochs": 3, "status": "stopped"})
    assert _ended(stopped) == 130
    assert capsys.readouterr().err == (f"stopped after 1 of 3 epochs; the epochs finished are "
                                       f"kept and no model was made: go on with python -m "
                                       f"trainer --resume {stopped}\n")
    assert _ended(stopped, fine_tune=True) == 130
    assert capsys.readouterr().err == ("stopped after 1 of 3 epochs: a fine-tune keeps no "
                                       "checkpoint, so nothing was made; start it again\n")
    done = make_run_folder(tmp_path, "f", {"epoch": 3, "epochs": 3, "status": "finished"})
    assert _ended(done) == 0 and capsys.readouterr().err == ""
    (done / "state.json").write_text("{ cut")  # its word was "finished": not exit 2
    assert _ended(done) == 0


def test_a_refusal_before_any_run_is_not_called_a_failed_training():
    """Trial 49: a votes file that does not line up read "Training failed" and "Trainer
    failed." of a training that never started."""
    refused = outcome_of(ProcessEnd(2, error={"message": "votes.csv has 4 rows",
                                              "kind": "user"}))
    assert refused.state == FAILED and refused.refused
    crashed = outcome_of(ProcessEnd(1, run_dir="runs/r", error={"message": "boom",
                                                                "kind": "internal"}))
    assert not crashed.refused
    later = outcome_of(ProcessEnd(2, run_dir="runs/r", error={"message": "disk full",
                                                              "kind": "user"}))
    assert not later.refused  # a run had begun: it failed
