"""Messages in the window name what to click, not command-line options."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_desktop.core.errors import ExportError, ModelError
from fer_desktop.core.gui_wording import for_window, status_bar_name
from fer_desktop.core.model import EXPORT_HINT
from fer_desktop.core.safe_write import check_outputs


def test_an_existing_file_message_names_no_flag(tmp_path):
    existing = tmp_path / "r.csv"
    existing.write_text("x")
    with pytest.raises(ExportError) as info:
        check_outputs({"the result CSV": existing}, [])
    assert "--force" in str(info.value)  # the terminal's wording...
    text = for_window(str(info.value))
    assert "--" not in text and "choose another name" in text  # ...and the window's


def test_a_model_message_points_at_the_window():
    text = for_window(str(ModelError(Path("m"), f"no such model folder; {EXPORT_HINT}")))
    assert "python -m trainer" not in text and "File > Use model folder" in text
    assert "File > Use the shipped model" in text  # the quick way back


def test_a_broken_model_message_reads_as_one_sentence():
    """It ended "...choose a model folder with File > Use model folder... again", and a
    message ending in the hint showed four dots."""
    broken = for_window(str(ModelError(Path("m/model.json"),
                                       f"is not valid JSON (x); {EXPORT_HINT} again")))
    assert not broken.rstrip(".").endswith("again") and "...." not in broken + "."
    assert "python -m trainer" not in broken


def test_the_notifier_rewords_what_it_shows(qtbot):
    from PySide6.QtWidgets import QMainWindow

    from fer_desktop.ui.notifications import Notifier

    window = QMainWindow()
    qtbot.addWidget(window)
    notifier = Notifier(window.statusBar(), window)
    notifier.info("x.csv already exists and is left alone; choose another name or pass "
                  "--force to replace it")
    assert "--force" not in notifier.last_info
    assert "--force" not in window.statusBar().currentMessage()


def test_with_the_shipped_model_in_use_no_way_back_is_offered():
    """File > Use the shipped model is greyed out while it is in use."""
    text = for_window(str(ModelError(Path("m"), f"no such model folder; {EXPORT_HINT}")),
                      shipped_in_use=True)
    assert "Use the shipped model" not in text and "File > Use model folder" in text


@pytest.mark.parametrize("change", [
    lambda meta: meta.pop("files"),  # the schema's "has no 'files' entry"
    lambda meta: meta.update(classes=7),  # the schema's "classes must be a list"
    lambda meta: meta.update(temperature="hot"),
])
def test_every_broken_model_json_message_is_reworded_for_the_window(tmp_path, change):
    """The schema's errors carried their own copy of the export hint, which the window
    showed as a terminal command."""
    import json

    from fer_desktop.core.model import MODEL_JSON, default_model_dir, read_metadata

    meta = json.loads((default_model_dir() / MODEL_JSON).read_text())
    change(meta)
    (tmp_path / MODEL_JSON).write_text(json.dumps(meta))
    with pytest.raises(ModelError) as info:
        read_metadata(tmp_path)
    text = for_window(str(info.value))
    assert "python -m trainer" not in text and "File > Use model folder" in text


def test_a_file_that_appeared_meanwhile_is_worded_for_the_window(tmp_path):
    """The real message of a commit that lost the race, not a copy of its words."""
    from fer_desktop.core.safe_write import PendingFile

    target = tmp_path / "r.csv"
    pending = PendingFile(target)
    pending.path.write_text("new")
    target.write_text("the user's")
    with pytest.raises(ExportError) as info:
        pending.commit()
    assert "--force" in str(info.value)
    text = for_window(str(info.value))
    assert "--force" not in text and text.endswith("try again")
    assert target.read_text() == "the user's"


@pytest.mark.parametrize(("name", "shown"), [
    # a trained run: the preset, then its folder, which ends with the preset again
    ("default 20261204-095120-default", "default 20261204-095120"),
    ("default 20261204-095120-default-2", "default 20261204-095120-2"),  # the second that second
    ("small 20261204-095120-small fine-tuned on faces",
     "small 20261204-095120 fine-tuned on faces"),
    # anything else as it is
    ("default ensemble of 3", "default ensemble of 3"),
    ("trained on my-faces (20261204-095120-default)",
     "trained on my-faces (20261204-095120-default)"),
    ("small 20261204-095120-default", "small 20261204-095120-default"),  # not its own preset
    ("stub", "stub"),
])
def test_the_status_bar_says_a_runs_preset_once(name, shown):
    assert status_bar_name(name) == shown


def test_an_unwritable_output_folder_names_the_train_forms_field(qtbot, tmp_path):
    """Trial 13: "Training failed: /proc/fer-out: cannot write to the output folder (...);
    choose another with --out" in the Train tab, which has no --out."""
    from fer_desktop.ui.train_form import TrainForm
    from trainer.rundir import RunDirError, check_writable

    blocker = tmp_path / "a file"
    blocker.write_text("x")
    with pytest.raises(RunDirError) as info:
        check_writable(blocker / "runs")  # a folder inside a file: never writable
    assert "--out" in str(info.value)  # the terminal's wording...
    form = TrainForm()
    qtbot.addWidget(form)
    form.say(f"Training failed: {info.value}", error=True)
    shown = form.message.text()
    assert "--" not in shown and "choose another Output folder (Browse...)" in shown
    assert form.shows(f"Training failed: {info.value}")


def test_the_train_log_names_the_output_folder_field_too(qtbot, tmp_path):
    """Trial 17: the red line above said "choose another Output folder (Browse...)", and the
    trainer's own line in the Log under it "choose another with `--out`"."""
    from fer_desktop.core.safe_write import OUT_ADVICE
    from fer_desktop.ui.settings import AppSettings
    from fer_desktop.ui.train_tab import TrainTab

    tab = TrainTab(AppSettings.from_file(tmp_path / "settings.ini"))
    qtbot.addWidget(tab)
    tab.process.log_line.emit(f"error: {tmp_path}: cannot write to the output folder; "
                              f"{OUT_ADVICE}")
    log = tab.log_view.toPlainText()
    assert "--out" not in log and "choose another Output folder (Browse...)" in log
    tab.shutdown()


def test_the_about_box_names_the_model_as_the_window_does_and_gives_its_whole_name():
    """Trial 16: the title and status bar said "default 20261204-095120", About and the CSV
    files "default 20261204-095120-default": read as two names for one model."""
    from fer_desktop.core.gui_wording import about_model_line

    line = about_model_line("default 20261204-095120-default", "PrivateTest 71.7%")
    assert line.startswith("default 20261204-095120 (PrivateTest 71.7%); ")
    assert line.endswith("CSV files' model column give it: default 20261204-095120-default")
    assert about_model_line("my model", "PrivateTest 60.0%") == "my model (PrivateTest 60.0%)"


def test_an_emotion_gets_its_article():
    """Trial 42: "Same face as a angry one just saved"."""
    from fer_desktop.core.emotions import EMOTIONS
    from fer_desktop.core.plain_words import with_article

    assert [with_article(e) for e in EMOTIONS] == [
        "an angry", "a disgust", "a fear", "a happy", "a sad", "a surprise", "a neutral"]
