"""Train tab details: the newest run selected at launch, a refused CSV clears "Checking the
CSV...", a stop keeps the curves and clears the ETA, TensorFlow's chatter kept out of
the Log."""

from __future__ import annotations

import pytest
from trainer_helpers import make_run_folder

from fer_desktop.core.log_filter import is_framework_noise
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.train_progress import ProgressBox
from fer_desktop.ui.training_curves import TrainingCurves
from trainer import rundir
from trainer.runs import RunCurves


@pytest.mark.parametrize(("line", "noise"), [
    ("I0000 00:00:1733075200.123456   12345 cpu_feature_guard.cc:210] This TensorFlow binary",
     True),
    ("2026-12-01 19:29:00.123456: I tensorflow/core/util/port.cc:153] oneDNN custom", True),
    ("oneDNN custom operations are on. You may see slightly different numerical results", True),
    ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
     True),
    ("To enable the following instructions: AVX2 FMA, in other operations, rebuild", True),
    ("data: 28,709 training rows, 3,589 PublicTest rows", False),
    ("epoch 3: loss 1.21", False),
    ("Traceback (most recent call last):", False),
])
def test_framework_noise(line, noise):
    assert is_framework_noise(line) is noise


STOPS_THEN_LINGERS = """
import json, signal, sys, time
def out(event):
    sys.stdout.write(json.dumps(dict(v=1, **event)) + "\\n")
    sys.stdout.flush()
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
out({"event": "started", "run_dir": RUN, "epochs": 60, "steps_per_epoch": 10,
     "initial_epoch": 0})
for step in range(1, 4):
    out({"event": "batch", "epoch": 1, "epochs": 60, "step": step, "steps": 10, "loss": 1.9,
         "accuracy": 0.2, "images_per_s": 50.0})
while not stop:
    time.sleep(0.02)
out({"event": "finished", "run_dir": RUN, "stopped": True, "epochs_done": 0})
while True:  # the interpreter's slow exit (TensorFlow's threads on a busy machine)
    time.sleep(0.05)
"""


def test_a_stop_in_the_first_epoch_says_stopped_and_nothing_kept(qtbot, tmp_path):
    """Stop in epoch 1: the trainer wrote its finished event ("stopped", 0 epochs done) but
    its process outlived the 20 s grace, so the tab said "killed ... Resume continues from the
    last completed epoch", and the plots went blank (walk-through 12)."""
    import sys

    from fer_desktop.ui.train_tab import TrainTab
    from trainer.runs import STARTS_OVER_TOOLTIP

    out = tmp_path / "runs"
    run = make_run_folder(out, "20261202-150000-default",
                          {"epoch": 0, "epochs": 60, "checkpoint": None, "status": "stopped"},
                          config={"preset": "default"})
    settings = AppSettings.from_file(tmp_path / "s.ini")
    tab = TrainTab(settings)
    qtbot.addWidget(tab)
    tab.form.out_edit.setText(str(out))
    tab.process._stop_grace_s = 0.5   # the finished event comes later than this
    tab.process._exit_grace_s = 1.0
    with qtbot.waitSignal(tab.process.event_received, timeout=30_000,
                          check_params_cb=lambda e: e.name == "batch" and e["step"] == 3):
        tab.process.start_command(sys.executable,
                                  ["-c", f"RUN = {str(run)!r}\n" + STOPS_THEN_LINGERS])
    with qtbot.waitSignal(tab.process.finished, timeout=30_000) as done:
        tab._on_stop_clicked()
    outcome = done.args[0]
    assert outcome.state == rundir.STOPPED and "killed" not in outcome.message
    message = tab.form.message.text()
    assert message.startswith("Training stopped in its first epoch; no epoch was completed, "
                              "so nothing was kept: Start begins again")
    assert "last completed epoch" not in message
    assert "ended it" in tab.log_view.toPlainText()  # said in the Log, not as "killed"
    tab.curves.redraw()
    assert tab.curves.points()["batch_loss"] == 3  # the curve drawn so far stays
    assert all(hint.isHidden() for hint in tab.curves.empty_hints)
    row = tab.run_list.selected_row()
    assert row is not None and row.run_dir == run and row.starts_over
    assert tab.form.resume_button.toolTip() == STARTS_OVER_TOOLTIP  # "again from epoch 1"
    tab.shutdown()


def test_the_end_clears_the_speed_and_eta(qtbot):
    box = ProgressBox()
    qtbot.addWidget(box)
    box.speed_label.setText("120 images/s, 3 min left")
    box.show_end("stopped", finished=False)
    assert box.speed_label.text().strip() == ""


def test_the_bar_and_speed_line_show_only_while_a_job_runs(qtbot):
    """Idle, "Not training." stands alone: an empty bar and a blank line took two lines
    of the column that hid the run list at 800x600 (trial 12)."""
    from fer_desktop.core.training_progress import TrainingProgress

    box = ProgressBox()
    qtbot.addWidget(box)
    idle = (box.progress_bar, box.speed_label)
    assert all(part.isHidden() for part in idle)
    box.show_progress(TrainingProgress(), 1.0, 128)
    assert not any(part.isHidden() for part in idle)
    box.show_end("finished", finished=True)  # the end stays shown, its bar full
    assert not box.progress_bar.isHidden()
    assert box.progress_bar.value() == box.progress_bar.maximum()
    box.idle()
    assert all(part.isHidden() for part in idle) and box.epoch_label.text() == "Not training."
    box.show_busy("Exporting the model...")
    assert not box.progress_bar.isHidden()
    box.reset()
    assert all(part.isHidden() for part in idle)


def test_the_newest_run_is_selected_at_launch(qtbot, tmp_path):
    from fer_desktop.ui.train_tab import TrainTab

    out = tmp_path / "runs"
    make_run_folder(out, "20260101-100000-default", {"status": "finished", "epochs_done": 2})
    newest = make_run_folder(out, "20260102-100000-default",
                             {"status": "stopped", "epochs_done": 1})
    settings = AppSettings.from_file(tmp_path / "s.ini")
    values = settings.train_form
    settings.train_form = type(values)(**{**values.__dict__, "out": str(out)})
    tab = TrainTab(settings)
    qtbot.addWidget(tab)
    assert tab.run_list.selected_row() is not None
    assert tab.run_list.selected_row().run_dir == newest
    tab.shutdown()


def test_no_blank_lines_in_the_form_column_with_nothing_to_say(qtbot, tmp_path):
    """With the CSV chosen and no message, an empty help line over "Train a model" and an
    empty message line under Start took two lines of a column that hid the run list at
    800x600; a message still shows, and goes with its text."""
    from fer_desktop.ui.collect_folder import CollectFolder
    from fer_desktop.ui.data_source import DataSourceBox
    from fer_desktop.ui.train_form import TrainForm

    box = DataSourceBox(CollectFolder(tmp_path / "collected"))
    qtbot.addWidget(box)
    box.choose("csv")
    assert box.help.isHidden()
    box.choose("images")
    assert not box.help.isHidden()
    form = TrainForm()
    qtbot.addWidget(form)
    assert form.message.isHidden()
    form.say("Choose the FER-2013 CSV file first.", error=True)
    assert not form.message.isHidden()
    form.say("")
    assert form.message.isHidden()


def test_a_refused_start_or_its_reason_gone_says_not_training(qtbot, tmp_path):
    """Trial 13: a Start refused (no faces) left the last run's "Trainer failed."
    in the Progress box, and a CSV chosen again after a refusal left "Not training: the CSV
    was not accepted." under a form with no error."""
    from fer_desktop.ui.train_tab import TrainTab
    from trainer.rundir import FAILED

    settings = AppSettings.from_file(tmp_path / "s.ini")
    values = settings.train_form
    settings.train_form = type(values)(**{**values.__dict__, "out": str(tmp_path / "runs")})
    tab = TrainTab(settings)
    qtbot.addWidget(tab)
    headline = tab.progress_box.epoch_label
    tab.progress_box.show_end("failed", finished=False)
    tab.data_source.choose("images")  # no folder chosen: refused before anything starts
    tab.form.start_button.click()
    assert tab.form.message.text() and headline.text() == "Not training."
    tab.data_source.choose("csv")
    config = tab.form.values()
    tab._on_csv_checked(config, FAILED, "fer.csv, row 7: 2303 pixels, expected 2304")
    assert headline.text() == "Not training: the CSV was not accepted."
    tab.form.csv_edit.setText(str(tmp_path / "other.csv"))  # another CSV: the error goes
    assert tab.form.message.text() == "" and headline.text() == "Not training."
    tab.shutdown()


def test_a_face_collected_with_no_csv_chosen_makes_the_collected_faces_the_data(qtbot,
                                                                                tmp_path):
    """Trial 14: after collecting faces the Train tab still offered "FER-2013 CSV", with no
    CSV chosen; a CSV the user chose stays the data."""
    from fer_desktop.ui.train_tab import TrainTab

    settings = AppSettings.from_file(tmp_path / "s.ini")
    values = settings.train_form
    settings.train_form = type(values)(**{**values.__dict__, "out": str(tmp_path / "runs"),
                                          "csv": ""})
    tab = TrainTab(settings)
    qtbot.addWidget(tab)
    assert tab.data_source.choice().kind == "csv"
    settings.collect.note_faces_changed()  # a face saved in the Live tab
    assert tab.data_source.choice().kind == "collected"
    tab.data_source.choose("csv")
    tab.form.csv_edit.setText(str(tmp_path / "fer2013.csv"))
    settings.collect.note_faces_changed()
    assert tab.data_source.choice().kind == "csv"
    tab.shutdown()


def test_with_no_run_the_results_say_what_they_are_for(qtbot, tmp_path):
    """With no run to show, the Results tab was blank (the list's refresh put back an
    empty summary) beside a disabled "Use this model" (trial 13)."""
    from fer_desktop.ui.run_results import NO_RUN_TEXT
    from fer_desktop.ui.train_tab import TrainTab

    settings = AppSettings.from_file(tmp_path / "s.ini")
    values = settings.train_form
    settings.train_form = type(values)(**{**values.__dict__, "out": str(tmp_path / "none")})
    tab = TrainTab(settings)
    qtbot.addWidget(tab)
    tab.refresh_runs()
    assert tab.results.summary.text() == NO_RUN_TEXT
    tab.shutdown()


def test_empty_plots_say_where_curves_come_from(qtbot):
    """Two blank grids with 0.2 to 0.8 "epochs" told a new user nothing."""
    from fer_desktop.core.contrast import MIN_TEXT_CONTRAST, contrast_ratio

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 400)
    curves.show()
    assert all(hint.isVisible() and "appear here" in hint.text() for hint in curves.empty_hints)
    axes = [plot.getPlotItem().getAxis(side) for plot in (curves.loss_plot, curves.accuracy_plot)
            for side in ("left", "bottom")]
    assert not any(axis.isVisible() for axis in axes)  # their ticks ran under the hint
    for hint, plot in zip(curves.empty_hints, (curves.loss_plot, curves.accuracy_plot),
                          strict=True):
        assert plot.geometry().contains(hint.geometry())  # over its own plot
    assert contrast_ratio("#555555", "#ffffff") >= MIN_TEXT_CONTRAST
    curves.add_batch(1, 1, 10, 1.9)
    curves.redraw()
    assert not any(hint.isVisible() for hint in curves.empty_hints)
    assert all(axis.isVisible() for axis in axes)
    curves.clear()  # a new run starts: empty again
    assert all(hint.isVisible() for hint in curves.empty_hints)


def test_a_run_stopped_after_one_batch_shows_its_point(qtbot):
    """A run stopped in its first epoch kept one batch's loss: a line needs two points, so
    its plot showed empty axes (trial 20). A lone point is a dot; two make a line again."""
    from trainer.runs import RunCurves

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.show_curves(RunCurves(batch_x=[0.5], batch_loss=[2.3]))
    assert list(curves.lone_batches.getData()[1]) == [2.3]
    assert all(hint.isHidden() for hint in curves.empty_hints)
    curves.add_batch(1, 2, 2, 2.2)
    curves.redraw()
    assert len(curves.lone_batches.getData()[0] or []) == 0  # a line now
    # a fine-tune of one batch an epoch: each batch alone in its epoch (review)
    curves.show_curves(RunCurves(batch_x=[1.0, 2.0, 3.0], batch_loss=[2.3, 2.1, 2.0]))
    assert list(curves.lone_batches.getData()[1]) == [2.3, 2.1, 2.0]


def test_the_batch_curve_breaks_at_each_epoch(qtbot):
    """The running mean restarts every epoch; joining the epochs drew a cliff at each one."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    for epoch in (1, 2):
        for step in range(1, 5):
            curves.add_batch(epoch, step, 4, 2.0 - epoch * 0.1 - step * 0.01)
    curves.add_batch(3, 1, 4, None)  # a missing value: no line, no crash
    curves.redraw()
    import math

    path = curves.items["batch_loss"].curve.getPath()
    points = [path.elementAt(i) for i in range(path.elementCount())]
    strokes = sum(point.isMoveTo() for point in points)
    assert strokes >= 2  # epoch 2 starts a new stroke
    for a, b in zip(points, points[1:], strict=False):  # no line crosses into another epoch
        assert b.isMoveTo() or math.ceil(a.x) == math.ceil(b.x), (a.x, b.x)


def test_both_plots_share_the_epoch_axis_and_accuracy_reads_in_percent(qtbot):
    """After a 1-epoch run the loss axis read 0.2-1.0 and the accuracy axis 0.6-1.4; with
    batches but no epoch yet, "accuracy (%)" was marked 0.1 to 0.9."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 400)
    curves.show()
    for step in range(1, 6):
        curves.add_batch(1, step, 10, 1.8)
    curves.redraw()
    low, high = curves.accuracy_plot.getViewBox().viewRange()[1]
    assert low <= 0.0 and high >= 100.0
    for step in range(6, 11):
        curves.add_batch(1, step, 10, 1.7)
    curves.add_epoch(1, 1.7, 0.3, 1.8, 0.35)
    curves.redraw()
    loss_x = curves.loss_plot.getViewBox().viewRange()[0]
    accuracy_x = curves.accuracy_plot.getViewBox().viewRange()[0]
    assert accuracy_x == pytest.approx(loss_x)
    qtbot.waitUntil(lambda: curves.accuracy_plot.getViewBox().viewRange()[1][1] < 100.0,
                    timeout=5000)  # now it follows the points (at the next paint)
    low, high = curves.accuracy_plot.getViewBox().viewRange()[1]
    assert low < 30.0 < 35.0 < high
    # no "A" (auto range) button: a click on it undid the shared axis
    assert all(plot.getPlotItem().buttonsHidden
               for plot in (curves.loss_plot, curves.accuracy_plot))


def test_a_run_stopped_in_its_first_epoch_plots_no_negative_epochs(qtbot):
    """A run stopped before its first epoch ended has only batch points under 1: its axis
    was centred on them (-0.5 to 0.5; a trial saw -15 to 20), epochs that never exist."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 400)
    curves.show()
    curves.show_curves(RunCurves(epoch=[float(e) for e in range(1, 21)], loss=[1.0] * 20,
                                 accuracy=[0.5] * 20, val_loss=[1.1] * 20,
                                 val_accuracy=[0.5] * 20))
    for batches in ([0.01, 0.02, 0.03], [0.05]):
        curves.show_curves(RunCurves(batch_x=batches, batch_loss=[2.0] * len(batches)))
        qtbot.wait(50)  # the auto range follows the points at the next paint
        for plot in (curves.loss_plot, curves.accuracy_plot):
            low, high = plot.getViewBox().viewRange()[0]
            assert low >= 0.0 and high >= 1.0, (batches, low, high)


def test_the_epoch_axis_shows_whole_epochs_only(qtbot):
    """A 3-epoch run's axis read 1.0, 1.5, 2.0, 2.5."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 400)
    curves.show()
    for epoch in (1, 2, 3):
        curves.add_epoch(epoch, 1.5, 0.4, 1.6, 0.38)
    curves.redraw()
    axis = curves.loss_plot.getPlotItem().getAxis("bottom")
    ticks = [v for _, values in axis.tickValues(0.8, 3.2, 600) for v in values]
    assert ticks and all(v == int(v) for v in ticks)
    assert {1.0, 2.0, 3.0} <= set(ticks)


def test_a_tiny_test_set_does_not_look_like_a_crash(qtbot):
    """3 test faces: the axis spanned 31-37% in 1-point steps, one face's change a cliff."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 400)
    curves.show()
    for epoch, (train, held_out) in enumerate([(0.34, 0.333), (0.36, 0.333), (0.35, 0.34)], 1):
        curves.add_epoch(epoch, 1.5, train, 1.6, held_out)
    curves.redraw()
    box = curves.accuracy_plot.getViewBox()
    qtbot.waitUntil(lambda: box.viewRange()[1][1] < 100.0, timeout=5000)
    low, high = box.viewRange()[1]
    assert high - low >= 20.0 and low <= 33.3 and high >= 36.0
    box.setYRange(-10.0, 80.0, padding=0)  # as a fine-tune's flat curves left it (walk 11)
    low, high = box.viewRange()[1]
    assert low >= -2.0 and high <= 102.0  # no "-10 %" tick


def test_a_fine_tunes_accuracy_is_called_final_in_the_run_list(qtbot, tmp_path):
    """A fine-tune keeps its last weights on purpose, yet its figure stood under "Best
    accuracy" like a run's best epoch (walk-through 12)."""
    from fer_desktop.ui.run_list import RunList
    from trainer.runs import RunRow

    runs = RunList()
    qtbot.addWidget(runs)
    tuned = RunRow(tmp_path / "t", "02 Dec 15:10", "finetune", 8, 8, 0.25, "finished", True,
                   "finetune", own_faces=True)
    scratch = RunRow(tmp_path / "s", "02 Dec 15:00", "default", 3, 3, 0.4, "finished", True,
                     "default, image folder", own_faces=True)
    runs.show_rows([tuned, scratch], None)
    assert [runs.tree.topLevelItem(i).text(2) for i in range(2)] == ["25.0% (final)", "40.0%"]
    # "Best on PublicTest" stood over these two test-face figures (trial 20)
    assert runs.tree.headerItem().text(2) == "Best on its test faces"
    fer = RunRow(tmp_path / "f", "02 Dec 14:00", "default", 3, 3, 0.6, "finished", True,
                 "default")
    runs.show_rows([tuned, scratch, fer], None)
    assert runs.tree.headerItem().text(2) == "Best accuracy"
    assert [runs.tree.topLevelItem(i).text(2) for i in range(3)] == \
        ["25.0% (final, test faces)", "40.0% (test faces)", "60.0% (PublicTest)"]
    runs.show_rows([fer], None)
    assert runs.tree.headerItem().text(2) == "Best on PublicTest"
    assert runs.tree.topLevelItem(0).text(2) == "60.0%"
    assert "final" in runs.tree.headerItem().toolTip(2)
    # a percentage of 2 faces, "100.0%", read as a sure thing (trial 26): the count instead
    few = RunRow(tmp_path / "n", "02 Dec 16:00", "finetune", 8, 8, 1.0, "finished", True,
                 "finetune", own_faces=True, test_faces=2)
    runs.show_rows([few, fer], None)
    assert runs.tree.topLevelItem(0).text(2) == "2 of 2 (final, test faces)"
