"""Trial 57's Train-tab faults: Start moved down under the pointer as an image folder's
refusal lengthened the help (#5), a window reopened on a run it left training called the
run's model-saving phase "8 of 8 epochs done. Stop asks it to stop." (#6), and at 1024x700
the run list was a sliver (#9)."""

from __future__ import annotations

import json

import pytest
from trainer_helpers import make_run_folder, owner_of

from fer_desktop.core.trainer_events import parse_event
from fer_desktop.core.training_progress import TrainingProgress
from fer_desktop.ui.run_list import MIN_ROWS_SHOWN, STATE_COLUMN
from fer_desktop.ui.train_layout import LIST_SHARE
from trainer import rundir


@pytest.fixture
def tab(train_tab):
    return train_tab


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


# ---------------------------------------------------------- 5: Start under the pointer

def _start_y_for(qtbot, tab, folder) -> int:
    """Start's place in the form column once ``folder`` is chosen, counted and laid out."""
    from ui_helpers import settled

    from fer_desktop.ui.data_source import COUNTING_TEXT

    tab.data_source.choose("images", str(folder))
    qtbot.waitUntil(lambda: COUNTING_TEXT not in tab.data_source.help.text(), timeout=10_000)
    start = tab.form.start_button
    return settled(qtbot, lambda: start.mapTo(tab, start.rect().topLeft()).y())


@pytest.mark.parametrize("size", [(1366, 740), (1024, 700)])
def test_start_stays_put_whatever_the_image_folder_is_refused_for(qtbot, tab, tmp_path, size):
    """Trial 57 #5: the red "Training will refuse it: sad has only 3 image(s)..." made the
    help 6 lines instead of 4, and a misspelt emotion folder's list of the accepted names 14:
    Start moved down under the pointer, and a click at its old place opened Advanced. The
    help keeps one height; a longer text is cut, whole behind Details (a Tab stop, Enter),
    in the tooltip and the accessible description."""
    from factories import make_image_folder
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    tab.resize(*size)
    tab.show()
    qtbot.waitExposed(tab)
    fine = make_image_folder(tmp_path / "fine", {"happy": 8, "sad": 8, "angry": 6})
    few = make_image_folder(tmp_path / "few", {"happy": 8, "sad": 3})
    bad = make_image_folder(tmp_path / "bad", {"happy": 6, "sad": 6})
    for name in ("hapy", "sadd", "angri", "suprise"):  # misspelt: the accepted names listed
        (bad / "happy").rename(bad / name)
        make_image_folder(bad, {"happy": 6})
    places = {name: _start_y_for(qtbot, tab, folder)
              for name, folder in (("fine", fine), ("few", few), ("bad", bad))}
    assert places["few"] == places["fine"] and places["bad"] == places["fine"], places
    help_label = tab.data_source.help
    whole = help_label.text()  # the whole refusal, every accepted name included
    assert "unknown emotion folder name(s)" in whole and "noemotion" in whole
    assert help_label.is_cut() and help_label.shown_text().endswith("\u2026")
    assert "noemotion" not in help_label.shown_text()
    assert help_label.toolTip() == whole and help_label.accessibleDescription() == whole
    details = help_label.details
    assert details.isVisible() and details.accessibleDescription() == whole
    assert help_label.rect().contains(details.geometry())  # on the help's last line
    tab.data_source.finetune_check.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(tab.data_source.finetune_check, Qt.Key.Key_Tab)  # the next Tab stop
    assert QApplication.focusWidget() is details
    qtbot.keyClick(details, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: help_label.details_box is not None, timeout=2000)
    box = help_label.details_box
    assert box.isVisible() and box.text() == whole
    box.close()
    assert _start_y_for(qtbot, tab, few) == places["fine"]  # back to a short refusal: whole
    assert not help_label.is_cut() and not details.isVisible() and not help_label.toolTip()


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
                           "owner": owner_of(background_trainer)}, config=config)
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
                           "owner": owner_of(background_trainer)},
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


# ---------------------------------------------------------- 9: the run list at 1024x700

@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_run_list_shows_rows_and_whole_states_in_a_small_window(qtbot, tab, tmp_path,
                                                                      size):
    """Trial 57 #9: at 1024x700 with an image folder chosen the run list was its header and
    half a row, and its State column was cut ("finished, in u")."""
    from factories import make_image_folder
    from ui_helpers import settled


    runs = tmp_path / "runs"
    for i in range(6):
        make_run_folder(runs, f"2026120{i + 1}-20{i}000-finetune",
                        {"epoch": 8, "epochs": 8, "status": "finished",
                         "best_val_accuracy": 0.6 + i / 100},
                        config={"preset": "finetune", "images": str(tmp_path)})
    tab.refresh_runs()
    tab.run_list.set_in_use(runs / "20261201-200000-finetune")  # "finished, in use"
    tab.resize(*size)
    tab.show()
    qtbot.waitExposed(tab)
    tab.data_source.choose("images", str(make_image_folder(tmp_path / "faces",
                                                           {"happy": 8, "sad": 3})))
    qtbot.waitUntil(lambda: "Training will refuse it" in tab.data_source.help.text(),
                    timeout=5000)
    tree = tab.run_list.tree
    settled(qtbot, lambda: (tree.height(), tree.viewport().width()))
    header = tree.header()
    rows_shown = (tree.viewport().height()) / tree.sizeHintForRow(0)
    assert rows_shown >= MIN_ROWS_SHOWN
    state_end = header.sectionViewportPosition(STATE_COLUMN) + header.sectionSize(STATE_COLUMN)
    assert header.sectionSize(STATE_COLUMN) >= tree.sizeHintForColumn(STATE_COLUMN)
    assert state_end <= tree.viewport().width()
    # the charts keep the larger part of the window
    assert tab.splitter.sizes()[0] <= LIST_SHARE * tab.splitter.width() + 1


def test_the_form_column_keeps_its_width_as_a_run_s_state_changes(qtbot, tab, tmp_path):
    """Trial 61: the column widened from 420 to 445 to 480 px as a run went from "running" to
    "finished, in use" (the State column sized by its rows), the charts narrowing each time
    and the buttons moving under the pointer."""
    runs = tmp_path / "runs"
    tab.refresh_runs()
    empty = tab.run_list.wanted_width()  # no run yet: the first one moved it 45 px (review 67)
    run = make_run_folder(runs, "20261208-000240-fast",
                          {"epoch": 3, "epochs": 8, "status": "running",
                           "best_val_accuracy": 0.675, "owner": rundir.this_process()},
                          config={"preset": "fast"})
    tab.refresh_runs()
    running = tab.run_list.wanted_width()
    assert running == empty
    (run / rundir.STATE).write_text(json.dumps({"epoch": 8, "epochs": 8, "status": "finished",
                                                "best_val_accuracy": 0.675}))
    tab.refresh_runs()
    tab.run_list.set_in_use(run)  # "finished, in use"
    assert tab.run_list.tree.topLevelItem(0).text(STATE_COLUMN) == "finished, in use"
    assert tab.run_list.wanted_width() == running
    tab.run_list.set_in_use(None)  # nor narrower again when a text gets shorter
    (run / rundir.STATE).write_text(json.dumps({"epoch": 8, "epochs": 8, "status": "finished"}))
    tab.refresh_runs()
    assert tab.run_list.wanted_width() == running
