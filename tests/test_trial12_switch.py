"""Trial 12: the "Use this model" question on a tiny CSV's run, worded so it can be followed."""

from __future__ import annotations

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
