"""Trial 57's Train-tab faults: Start moved down under the pointer as an image folder's
refusal lengthened the help (#5), a window reopened on a run it left training called the
run's model-saving phase "8 of 8 epochs done. Stop asks it to stop." (#6), and at 1024x700
the run list was a sliver (#9)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from trainer_helpers import make_run_folder

from fer_desktop.core.trainer_events import parse_event
from fer_desktop.core.training_progress import TrainingProgress
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.train_tab import TrainTab
from trainer import rundir

SLEEPER = "import time\nwhile True: time.sleep(0.05)"


@pytest.fixture
def tab(qtbot, tmp_path):
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    widget = TrainTab(settings)
    qtbot.addWidget(widget)
    widget.form.out_edit.setText(str(tmp_path / "runs"))
    yield widget
    for process in (widget.process, widget.validator):
        if process.is_active:
            process.kill()
            process.wait(10)


@pytest.fixture
def background_trainer():
    """A process standing for a trainer left running when the window closed."""
    trainer = subprocess.Popen([sys.executable, "-c", SLEEPER])
    yield trainer
    trainer.kill()
    trainer.wait()


def _owner(process: subprocess.Popen) -> dict:
    import psutil

    return {**rundir.this_process(), "pid": process.pid,
            "started": psutil.Process(process.pid).create_time()}


def _own_runs_headline(finetune: bool) -> str:
    """What the window says of its own run once its 8 epochs are done."""
    progress = TrainingProgress()
    started = {"v": 1, "event": "started", "run_dir": "r", "config": {}, "samples": {},
               "steps_per_epoch": 2, "epochs": 8, "initial_epoch": 0}
    if finetune:
        started["started_from"] = "model"
    progress.update(parse_event(json.dumps(started)))
    progress.update(parse_event(json.dumps(
        {"v": 1, "event": "epoch", "epoch": 8, "epochs": 8, "loss": 1.0, "accuracy": 0.5,
         "val_loss": 1.0, "val_accuracy": 0.5})))
    assert progress.exporting
    return progress.headline()


# ---------------------------------------------------------- 6: a followed run's saving phase

@pytest.mark.parametrize(("preset", "state"), [("finetune", {"status": "running"}),
                                               ("default", {"status": "trained"})])
def test_a_followed_run_saving_its_model_is_said_as_the_windows_own_run(
        qtbot, tab, tmp_path, background_trainer, preset, state):
    """Trial 57 #6: reopened after Keep training, the window said "8 of 8 epochs done. Stop
    asks it to stop." while the run scored and saved its model; its own run says "Scoring the
    final model ..., then saving it", and a Stop then lets the model be finished."""
    config = {"preset": preset, **({"images": str(tmp_path)} if preset == "finetune" else {})}
    run = make_run_folder(tmp_path / "runs", f"20261207-203844-{preset}",
                          {"epoch": 8, "epochs": 8, **state,
                           "owner": _owner(background_trainer)}, config=config)
    tab.show()
    tab.refresh_runs()
    tab.run_list.select(run)
    tab._on_run_selected()
    said = tab.progress_box.epoch_label.text()
    assert _own_runs_headline(preset == "finetune") in said
    assert "Stop asks it to stop" not in said
    assert "A Stop lets this finish, so that the model is kept." in said
    tab.form.stop_button.click()
    message = tab.form.message.text()
    assert message.startswith("Every epoch is done: finishing ")
    assert "model is kept." in message and "Stop again" not in message  # not the own run's
    assert "to stop after its current batch" not in message


def test_a_followed_run_still_training_says_its_epochs(qtbot, tab, tmp_path,
                                                       background_trainer):
    """Before its last epoch ends, the followed run's line is as it was."""
    run = make_run_folder(tmp_path / "runs", "20261207-203844-finetune",
                          {"epoch": 6, "epochs": 8, "status": "running",
                           "owner": _owner(background_trainer)},
                          config={"preset": "finetune", "images": str(tmp_path)})
    tab.show()
    tab.refresh_runs()
    tab.run_list.select(run)
    tab._on_run_selected()
    assert tab.progress_box.epoch_label.text().endswith(
        ": 6 of 8 epochs done. Stop asks it to stop.")
    tab.form.stop_button.click()
    assert tab.form.message.text() == \
        "Asked 20261207-203844-finetune to stop after its current batch..."
