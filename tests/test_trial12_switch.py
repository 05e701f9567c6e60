"""Trial 12: the "Use this model" question on a tiny CSV's run, worded so it can be followed."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QTabWidget, QWidget

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.ui.run_results import ResultsView
from fer_desktop.ui.train_layout import results_page


def _tiny_run(folder: Path, sha: str = "tiny", csv: str = "/data/tiny.csv") -> Path:
    """A run folder as the trainer leaves it on a 30-row CSV: 30 PrivateTest faces, 17%."""
    folder.mkdir(parents=True)
    confusion = np.zeros((7, 7), int)
    for true, answer, n in ((0, 0, 2), (0, 3, 3), (2, 3, 4), (3, 0, 3), (3, 3, 3), (4, 0, 2),
                            (4, 3, 4), (5, 0, 3), (6, 0, 2), (6, 3, 4)):
        confusion[true, answer] = n
    meta = {"name": f"default {folder.name}", "dataset_sha256": sha,
            "scored_on_fer2013": True, "files": {"tflite": "model.tflite"},
            "accuracy": {"model.tflite": {
                "private_accuracy": 5 / 30, "public_accuracy": 0.27,
                "private_recall": {e: 0.0 for e in EMOTIONS},
                "private_confusion": confusion.tolist()}}}
    (folder / "model.json").write_text(json.dumps(meta))
    (folder / "config.json").write_text(json.dumps({"csv": csv}))
    return folder


def test_switching_to_the_shown_run_keeps_the_results_at_their_top(qtbot, tmp_path):
    """s59: after "Switch to the new model" the Results scrolled down and hid their header
    and the button: the focused "Use this model" was disabled ("In use"), and the focus it
    passed on made the scroll area show the next widget."""
    run = _tiny_run(tmp_path / "20261205-173530-default")
    view = ResultsView()
    tabs = QTabWidget()
    page = results_page(view)
    tabs.addTab(page, "Results")
    qtbot.addWidget(tabs)
    tabs.resize(600, 220)  # shorter than the summary and the matrix: it scrolls
    tabs.show()
    qtbot.waitExposed(tabs)
    view.show_run(run)
    # the question is open (its own window active): the focus given back to the button
    # is the window's focus widget, without the keyboard focus
    question = QWidget()
    qtbot.addWidget(question)
    question.show()
    question.activateWindow()
    qtbot.waitUntil(question.isActiveWindow)
    view.use_button.setFocus()
    assert tabs.focusWidget() is view.use_button
    assert page.verticalScrollBar().maximum() > 0
    assert page.verticalScrollBar().value() == 0
    view.set_model_in_use(run, view.metadata)  # the switch went through
    assert view.use_button.text() == "In use"
    assert page.verticalScrollBar().value() == 0


def _shipped_like(confusion_total: int = 3589) -> dict:
    """The shipped model's model.json as far as the question reads it: FER-2013's PrivateTest."""
    confusion = np.zeros((7, 7), int)
    confusion[3, 3] = confusion_total
    return {"name": "default 20261204-095120-default", "dataset_sha256": "fer2013",
            "files": {"tflite_int8": "model-int8.tflite"},
            "accuracy": {"model-int8.tflite": {"private_accuracy": 0.717,
                                               "private_recall": {e: 0.7 for e in EMOTIONS},
                                               "private_confusion": confusion.tolist()}}}


class _Model:
    """A classifier as ``switch_question`` reads it when no test faces are shared."""

    def __init__(self, meta: dict, model_dir: Path | None) -> None:
        self.name, self.metadata, self.model_dir = meta["name"], meta, model_dir


def test_two_models_scored_on_different_csvs_say_which_faces_each(tmp_path):
    """s58: "never scored on the same faces", while the Results said "PrivateTest 16.7%" and
    the status bar "PrivateTest 71.7%": the sentence says on which faces each was scored."""
    from fer_desktop.core.model_compare import switch_question

    run = _tiny_run(tmp_path / "20261205-173530-default")
    tiny = json.loads((run / "model.json").read_text())
    question = switch_question(_Model(_shipped_like(), tmp_path / "elsewhere"),
                               _Model(tiny, run), run)
    assert question.comparison is None
    assert question.apart == (
        "were scored on different test faces (the new model on tiny.csv's 30 PrivateTest "
        "faces, the model in use on FER-2013's 3,589), so their scores cannot be compared "
        "here.")
    # the warning names the same faces as the heading
    assert question.warnings[0] == (
        "The new model is no better than always guessing the most common emotion: right on "
        "17% of tiny.csv's 30 PrivateTest faces, where that guess would be right on 20%.")


def test_going_back_to_the_shipped_model_says_which_faces_each_was_scored_on(tmp_path):
    """s61: the same sentence, going back from the tiny run to the shipped model."""
    from fer_desktop.core.model import default_model_dir
    from fer_desktop.core.model_compare import switch_question

    run = _tiny_run(tmp_path / "20261205-173530-default")
    tiny = json.loads((run / "model.json").read_text())
    question = switch_question(_Model(tiny, run), _Model(_shipped_like(), default_model_dir()),
                               default_model_dir())
    assert question.shipped
    assert question.apart.startswith(
        "were scored on different test faces (the shipped model on FER-2013's 3,589 "
        "PrivateTest faces, the model in use on tiny.csv's 30)")


def test_the_apart_sentence_without_a_csv_name_or_scores(tmp_path):
    from fer_desktop.core.model_compare import NEVER_SCORED_TOGETHER, apart_words

    tiny = json.loads((_tiny_run(tmp_path / "run", csv="") / "model.json").read_text())
    assert "(the new model on its own 30 PrivateTest faces, the model in use on FER-2013's " \
           "3,589)" in apart_words(_shipped_like(), tiny, None, tmp_path / "run")
    assert apart_words({}, tiny, None, tmp_path / "run") == NEVER_SCORED_TOGETHER
    # the same name and count (two copies of fer2013.csv that differ)
    twin = _tiny_run(tmp_path / "twin")
    assert apart_words(tiny | {"x": 1}, tiny, twin, twin).startswith(
        "were each scored on tiny.csv's 30 PrivateTest faces, but from two different files")


def test_the_dialog_names_the_model_as_the_status_bar_does(qtbot):
    from fer_desktop.ui.model_switch import CompareDialog

    dialog = CompareDialog(None, "default 20261205-173530-default",
                           apart="were scored on different test faces (...), so ...")
    qtbot.addWidget(dialog)
    heading = dialog.heading.text()
    assert heading.startswith("<b>default 20261205-173530</b> and the model in use were "
                              "scored on different test faces")
    assert dialog.heading.toolTip() == "default 20261205-173530-default"


def test_the_switch_messages_name_the_model_as_the_status_bar_does(qtbot, settings):
    """s59: "Now using the model default 20261205-173530-default" on the left of the status
    bar, "default 20261205-173530" on its right."""
    from ui_helpers import SAMPLE, StubClassifier, no_cameras

    from fer_desktop.ui.main_window import MainWindow

    window = MainWindow(settings, source=str(SAMPLE), camera_lister=no_cameras,
                        classifier_loader=lambda path: StubClassifier(
                            "default 20261205-173530-default"),
                        confirm_switch=lambda question: True)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.classifier is not None, timeout=15000)
        with qtbot.waitSignal(window.model_changed, timeout=15000):
            window.use_model("/anywhere")
        assert window.notifier.last_info == \
            "Now using the model default 20261205-173530 (PrivateTest 50.0%)"
        assert "Model: default 20261205-173530 (" in window.model_label.text()
    finally:
        window.close()
        qtbot.waitUntil(lambda: window.busy_workers() == 0, timeout=15000)


def test_the_comparison_columns_name_the_models_as_the_status_bar_does(qtbot):
    from fer_desktop.core.model_compare import Comparison, ModelScores
    from fer_desktop.ui.model_switch import CompareDialog

    recall = {e: 0.5 for e in EMOTIONS}
    comparison = Comparison("your 10 test faces", 10,
                            ModelScores("default 20261204-095120-default", 0.5, recall),
                            ModelScores("default 20261205-173530-default", 0.6, recall), 0.2, ())
    dialog = CompareDialog(comparison, "default 20261205-173530-default")
    qtbot.addWidget(dialog)
    header = [dialog.table.horizontalHeaderItem(c) for c in range(2)]
    assert [item.text() for item in header] == ["in use\ndefault 20261204-095120",
                                                "new\ndefault 20261205-173530"]
    assert header[1].toolTip() == "new: default 20261205-173530-default"  # whole


def test_a_model_below_the_majority_guess_is_said_to_be_no_better_than_it(tmp_path):
    """s58: 17% where always answering the most common emotion scores 20% was "near chance";
    the Results said that baseline in other words."""
    from fer_desktop.core.model_compare import own_warnings
    from fer_desktop.core.plain_words import run_sentences

    tiny = json.loads((_tiny_run(tmp_path / "run") / "model.json").read_text())
    assert own_warnings(tiny)[0] == (
        "The new model is no better than always guessing the most common emotion: right on "
        "17% of its own 30 test faces, where that guess would be right on 20%.")
    # the Results say the baseline in the same words
    assert "always guessing the most common emotion would be right on 20%" in \
        run_sentences(tiny, "model.tflite")[0]


def test_the_results_of_a_run_on_another_csv_name_its_privatetest(qtbot, tmp_path):
    """s58: the Results said "On FER-2013 PrivateTest" of tiny.csv's own 30 faces, and the
    question then said the two models were not scored on the same faces."""
    view = ResultsView()
    qtbot.addWidget(view)
    view.show_run(_tiny_run(tmp_path / "run"))
    text = html.unescape(view.summary.text())
    assert "On tiny.csv's PrivateTest: Right on 17% of the faces (5 of 30)" in text
    assert "FER-2013" not in text
    # a run on the whole of FER-2013 (or with no config.json) says FER-2013, as before
    full = _shipped_like() | {"name": "full"}
    full_run = tmp_path / "full"
    full_run.mkdir()
    (full_run / "model.json").write_text(json.dumps(full))
    (full_run / "config.json").write_text(json.dumps({"csv": "/data/fer2013.csv"}))
    from fer_desktop.core.plain_words import run_sentences

    assert run_sentences(full, "model-int8.tflite", "fer2013.csv")[0].startswith(
        "On FER-2013 PrivateTest: ")
