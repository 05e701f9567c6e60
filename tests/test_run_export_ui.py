"""The Train tab's "Export epoch N" for a stopped run, offscreen, with a stand-in export
command (a real export is covered by tests/test_trainer_run.py)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from trainer_helpers import make_run_folder

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.ui import run_export
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.train_tab import TrainTab

STOPPED = {"epoch": 4, "epochs": 10, "status": "stopped", "best_epoch": 3,
           "best_val_accuracy": 0.612}


def _model_json(epoch: int) -> dict:
    info = {"bytes": 1, "public_accuracy": 0.6, "private_accuracy": 0.6,
            "private_recall": dict.fromkeys(EMOTIONS, 0.6),
            "private_confusion": (np.eye(7, dtype=int) * 10).tolist()}
    return {"classes": list(EMOTIONS), "accuracy": {"model.tflite": info},
            "recipe": {"preset": "default", "epochs": 10},
            "training": {"epochs_done": 4, "best_epoch": epoch}}


@pytest.fixture
def tab(qtbot, tmp_path):
    widget = TrainTab(AppSettings.from_file(tmp_path / "settings.ini"))
    qtbot.addWidget(widget)
    widget.form.out_edit.setText(str(tmp_path / "runs"))
    yield widget
    for process in (widget.process, widget.validator, widget.exporter.process):
        if process.is_active:
            process.kill()
            process.wait(10)


def _stand_in(monkeypatch, script: str) -> None:
    """``trainer export RUN`` replaced by ``script`` (its argv[1] is the run folder)."""
    monkeypatch.setattr(run_export, "trainer_command",
                        lambda args: (sys.executable, ["-c", textwrap.dedent(script), args[1]]))


def _select(tab, run: Path) -> None:
    tab.refresh_runs()
    tab._select_run(run)


def test_a_stopped_run_is_exported_from_the_results_and_can_then_be_used(
        qtbot, tab, tmp_path, monkeypatch):
    run = make_run_folder(tmp_path / "runs", "20261205-140000-default", STOPPED,
                          config={"preset": "default", "epochs": 10})
    _select(tab, run)
    button = tab.results.export_button
    assert not button.isHidden() and button.isEnabled() and button.text() == "Export epoch 3"
    assert "best epoch so far is 3 (PublicTest 61.2%)" in tab.results.summary.text()
    assert not tab.results.use_button.isEnabled()
    _stand_in(monkeypatch, f"""
        import json, pathlib, sys
        pathlib.Path(sys.argv[1], "model.json").write_text(json.dumps({_model_json(3)!r}))
    """)
    with qtbot.waitSignal(tab.exporter.ended, timeout=30_000) as ended:
        button.click()
        assert not tab.form.start_button.isEnabled()  # the form waits for the export
        assert not button.isEnabled() and tab.form.stop_button.isEnabled()
        bar = tab.progress_box.progress_bar
        assert (bar.minimum(), bar.maximum()) == (0, 0)  # moving: the export has no steps
    assert ended.args[1] is True
    assert tab.progress_box.progress_bar.maximum() == 1  # still again
    assert tab.form.message.text().startswith("Exported epoch 3 of 20261205-140000-default")
    assert button.isHidden()  # its best epoch has its model now
    assert "Made from epoch 3, the best after 4 of 10 epochs" in tab.results.summary.text()
    assert tab.results.use_button.isEnabled() and tab.form.resume_button.isEnabled()


def test_a_failed_export_names_why_and_keeps_the_offer(qtbot, tab, tmp_path, monkeypatch):
    run = make_run_folder(tmp_path / "runs", "20261205-140000-default", STOPPED,
                          config={"preset": "default", "epochs": 10})
    _select(tab, run)
    _stand_in(monkeypatch, """
        import json, sys
        print(json.dumps({"v": 1, "event": "error", "time": 0, "kind": "user",
                          "message": "best.keras: missing"}), flush=True)
        sys.exit(2)
    """)
    with qtbot.waitSignal(tab.exporter.ended, timeout=30_000) as ended:
        tab.results.export_button.click()
    assert ended.args[1] is False
    assert tab.form.message.text() == ("Could not export 20261205-140000-default: "
                                       "best.keras: missing")
    assert not (run / "model.json").exists()
    assert tab.results.export_button.isEnabled()  # try again, or Resume


def test_stop_ends_an_export_and_the_run_stays_as_it_was(qtbot, tab, tmp_path, monkeypatch):
    run = make_run_folder(tmp_path / "runs", "20261205-140000-default", STOPPED,
                          config={"preset": "default", "epochs": 10})
    _select(tab, run)
    _stand_in(monkeypatch, "import time; time.sleep(60)")
    tab.results.export_button.click()
    with qtbot.waitSignal(tab.exporter.ended, timeout=30_000) as ended:
        tab.form.stop_button.click()
    assert ended.args[1] is False and "stopped; the run is as it was" in ended.args[2]
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "state.json"]
    assert tab.form.start_button.isEnabled()


def test_a_newer_best_epoch_is_offered_beside_the_model_it_has(tab, tmp_path):
    run = make_run_folder(tmp_path / "runs", "20261205-140000-default",
                          STOPPED | {"epoch": 7, "best_epoch": 6},
                          config={"preset": "default", "epochs": 10})
    (run / "model.json").write_text(json.dumps(_model_json(3)))
    _select(tab, run)
    text = tab.results.summary.text()
    assert "Made from epoch 3" in text and "its best epoch since is 6" in text
    assert tab.results.export_button.text() == "Export epoch 6"
    tab._select_run(None)
    assert tab.results.export_button.isHidden()


def test_resume_says_the_run_goes_on_to_its_own_epochs(tab, tmp_path, monkeypatch):
    """Trial 11: with Epochs 25 in the form, Resume of a 40-epoch run went on to 40 while the
    form said "With 25 epochs ..."; the message now says whose count it follows."""
    run = make_run_folder(tmp_path / "runs", "20261205-140000-default", STOPPED,
                          config={"preset": "default", "epochs": 10})
    _select(tab, run)
    tab.form.epochs_spin.setValue(25)
    monkeypatch.setattr(tab.process, "resume", lambda *args, **kwargs: None)
    tab.form.resume_button.click()
    text = tab.form.message.text()
    assert "from epoch 5 of its 10" in text and "the form's are for new runs" in text
    assert "its own number of epochs" in tab.form.resume_button.toolTip()
