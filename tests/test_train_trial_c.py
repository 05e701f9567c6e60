"""Faults of user trial C in the Train tab (screenshots 45-69): a run training in the
background left the form open, long lines cut the form column, the confusion matrix's last
column was cut, stale messages, the time estimate ignored the CSV's size, and two runs
started in one minute read alike."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from factories import make_csv
from trainer_helpers import make_run_folder, owner_of
from ui_helpers import settled

TINY = {"Training": 30, "PublicTest": 30, "PrivateTest": 30}


@pytest.fixture
def tab(train_tab, tmp_path):
    train_tab.form.csv_edit.setText(str(make_csv(tmp_path / "tiny.csv", TINY)))
    return train_tab


def _browse_buttons(tab):
    from PySide6.QtWidgets import QPushButton

    return [b for b in tab.form.findChildren(QPushButton) if b.text() == "Browse..."]


# ------------------------------------------------------------------ 1: a background run locks

def test_training_here_finds_only_a_live_trainer_of_this_machine(tmp_path, background_trainer):
    from trainer.runs import list_runs, training_here

    out = tmp_path / "runs"
    make_run_folder(out, "20260101-110000-seed", {"epoch": 2, "epochs": 2,
                                                  "status": "finished"})
    run = make_run_folder(out, "20260101-120000-seed",
                          {"epoch": 1, "epochs": 5, "status": "running",
                           "owner": owner_of(background_trainer)})
    rows = list_runs(out)
    assert training_here(rows).run_dir == run
    assert training_here(rows, skip=run) is None  # the window's own run is not "background"
    background_trainer.kill()
    background_trainer.wait()
    assert training_here(list_runs(out)) is None


def test_a_run_training_in_the_background_locks_the_form_like_a_run_of_the_tab(
        qtbot, tab, tmp_path, background_trainer):
    """Trial C 66c: after a restart the form was open and Start enabled beside a run training
    in the background; a second run on a 2-core machine halves both."""
    out = tmp_path / "runs"
    done = make_run_folder(out, "20260101-110000-seed", {"epoch": 2, "epochs": 2,
                                                         "status": "stopped"})
    run = make_run_folder(out, "20260101-120000-seed",
                          {"epoch": 2, "epochs": 5, "status": "running",
                           "owner": owner_of(background_trainer)})
    tab.show()
    tab.refresh_runs()
    source = tab.data_source
    for selected in (run, done):  # locked whichever run is selected
        tab.run_list.select(selected)
        tab._on_run_selected()
        assert not tab.form.start_button.isEnabled()
        assert not tab.form.resume_button.isEnabled()  # the stopped run waits too
        assert not any(b.isEnabled() for b in _browse_buttons(tab))
        assert not source.combo.isEnabled() and not tab.form.csv_edit.isEnabled()
        assert tab.form.stop_button.isEnabled()
    tab._on_start_clicked()
    assert not tab.process.is_active and not tab.validator.is_active
    tab.form.stop_button.click()  # reaches the background run, whichever is selected
    assert background_trainer.wait(10) == -signal.SIGTERM
    (run / "state.json").write_text(json.dumps({"epoch": 2, "epochs": 5,
                                                "status": "stopped"}))
    tab.refresh_runs()
    assert tab.form.start_button.isEnabled() and source.combo.isEnabled()
    assert all(b.isEnabled() for b in _browse_buttons(tab))


# ------------------------------------------------------------------ 2: long lines wrap

def test_a_long_progress_line_does_not_widen_the_form_column(qtbot, tab, tmp_path):
    """Trial C 66/67 at 1366x768: "... is training in the background (left running, or
    started from a t" ran off the column, which scrolled sideways and cut Browse... and Resume."""
    from PySide6.QtWidgets import QApplication

    from trainer.runs import background_line, list_runs

    tab.resize(1366, 740)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: "30 training rows" in tab.form.epochs_time.text(), timeout=10_000)
    column = tab.form_scroll
    before = column.widget().minimumSizeHint().width()
    run = make_run_folder(tmp_path / "runs", "20261205-115041-default-with-a-long-name",
                          {"epoch": 92, "epochs": 300, "status": "stopped"})
    row = next(r for r in list_runs(tmp_path / "runs") if r.run_dir == run)
    tab.progress_box.say(background_line(row) + " " + background_line(row))
    tab.progress_box.speed_label.setText("1,234 images/s   elapsed 1:05:00   " * 4)
    QApplication.processEvents()
    qtbot.wait(50)
    assert column.widget().minimumSizeHint().width() == before
    assert not column.horizontalScrollBar().isVisible()
    assert column.widget().width() <= column.viewport().width()
    browse = _browse_buttons(tab)[0]  # whole in view, not behind a sideways scroll bar
    right = browse.mapTo(column.viewport(), browse.rect().topRight()).x()
    assert right <= column.viewport().width()


# ------------------------------------------------------------------ 3: the matrix at 1024x700

def _finished_run(out: Path, name: str = "20260101-120000-default") -> Path:
    import numpy as np

    from fer_desktop.core.emotions import EMOTIONS

    run = make_run_folder(out, name, {"epoch": 2, "epochs": 2, "status": "finished"})
    info = {"bytes": 1, "public_accuracy": 0.5, "private_accuracy": 0.5,
            "private_recall": dict.fromkeys(EMOTIONS, 1.0),
            "private_confusion": (np.eye(7, dtype=int) * 100).tolist()}
    (run / "model.json").write_text(json.dumps({"accuracy": {"model.tflite": info}}))
    return run


@pytest.mark.parametrize("size, left", [((1024, 640), 400), ((1024, 640), 540),
                                        ((1366, 710), 540)])
def test_every_column_of_the_confusion_matrix_is_readable(qtbot, tab, tmp_path, size, left):
    """Trial C 45/46 at 1024x700: the last column read "reca" and "100'", and the table's
    sideways scroll bar was below the fold of the Results page."""
    run = _finished_run(tmp_path / "runs")
    tab.resize(*size)  # the tab's share of a 1024x700 (1366x768) window
    tab.show()
    qtbot.waitExposed(tab)
    tab.splitter.user_sized = True  # as if dragged: a late resize does not fit it again
    tab.splitter.setSizes([left, size[0] - left])  # the form column as wide as in trial C
    tab.refresh_runs()
    tab.run_list.select(run)
    tab._on_run_selected()
    table = tab.results.table
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: table.isVisible() and header.length() > 0, timeout=5000)
    qtbot.wait(50)
    for column in range(table.columnCount()):
        name = table.horizontalHeaderItem(column).text()
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= table.viewport().width(), name  # in view, no scrolling needed
        assert header.sectionSize(column) > header.fontMetrics().horizontalAdvance(name), name
    assert all(table.horizontalHeaderItem(c).toolTip() for c in range(table.columnCount()))
    assert table.horizontalHeaderItem(table.columnCount() - 1).text() == "recall"
    assert header.sectionSize(table.columnCount() - 1) > header.fontMetrics().horizontalAdvance(
        table.item(0, table.columnCount() - 1).text())  # "100%", not "100'"


# ------------------------------------------------------------------ 4: stale messages

def test_asked_to_stop_gives_way_to_how_the_background_run_ended(
        qtbot, tab, tmp_path, background_trainer):
    """Trial C 69: "Asked <run> to stop after its current batch..." stayed beside "Trainer
    stopped."."""
    run = make_run_folder(tmp_path / "runs", "20260101-120000-seed",
                          {"epoch": 2, "epochs": 5, "status": "running",
                           "owner": owner_of(background_trainer)})
    tab.show()
    tab.refresh_runs()
    tab.run_list.select(run)
    tab._on_run_selected()
    tab.form.stop_button.click()
    assert "Asked 20260101-120000-seed to stop" in tab.form.message.text()
    background_trainer.wait(10)
    (run / "state.json").write_text(json.dumps({"epoch": 2, "epochs": 5,
                                                "status": "stopped"}))
    tab._on_list_timer()
    assert tab.progress_box.epoch_label.text() == "Trainer stopped."
    message = tab.form.message.text()
    assert "Asked" not in message
    assert message.startswith("20260101-120000-seed stopped; Resume continues")
    other = _finished_run(tmp_path / "runs", "20260101-110000-default")
    tab.refresh_runs()
    tab.run_list.select(other)  # that line is about the stopped run: it goes too
    tab._on_run_selected()
    assert tab.form.message.text() == ""


def test_another_runs_results_open_at_their_top(qtbot, tab, tmp_path):
    """Trial 14: the Results kept the last run's scroll position, so the next run's heading
    and "Use this model" were out of view and a click missed the button."""
    first = _finished_run(tmp_path / "runs", "20260101-110000-default")
    second = _finished_run(tmp_path / "runs", "20260101-120000-default")
    tab.resize(1024, 500)
    tab.show()
    qtbot.waitExposed(tab)
    tab.refresh_runs()
    tab._select_run(first)
    bar = tab.results_page.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(bar.maximum())
    tab._select_run(second)
    assert bar.value() == 0


def test_a_failed_run_shows_the_end_of_the_log(qtbot, tab):
    """Trial 13: after a resize the Log stayed on older lines, and the failure's own lines
    showed only once scrolled to."""
    from trainer.process_outcome import TrainerOutcome
    from trainer.rundir import FAILED

    tab.show()
    tab.bottom_tabs.setCurrentWidget(tab.log_view)
    for k in range(400):
        tab.log_view.appendPlainText(f"line {k}")
    bar = tab.log_view.verticalScrollBar()
    bar.setValue(0)  # where a resize or the user left it
    tab.bottom_tabs.setCurrentWidget(tab.results_page)
    qtbot.wait(10)
    assert bar.value() == 0
    tab._on_process_finished(TrainerOutcome(FAILED, 1, "the trainer stopped with code 1"))
    assert tab.bottom_tabs.currentWidget() is tab.log_view
    assert bar.maximum() > 0 and bar.value() == bar.maximum()


def test_a_stop_message_goes_when_a_finished_run_is_selected(qtbot, tab, tmp_path):
    """Trial C 47: "Training stopped; Resume continues from the last completed epoch." stayed
    shown beside a finished run."""
    from trainer.process_outcome import TrainerOutcome
    from trainer.rundir import STOPPED

    out = tmp_path / "runs"
    finished = _finished_run(out, "20260101-110000-default")
    stopped = make_run_folder(out, "20260101-120000-seed",
                              {"epoch": 2, "epochs": 5, "status": "stopped"})
    tab.refresh_runs()
    tab._on_process_finished(TrainerOutcome(
        STOPPED, 0, "stopped; Resume continues from the last completed epoch", str(stopped)))
    assert tab.form.message.text().startswith("Training stopped; Resume continues")
    tab.run_list.select(stopped)  # the stopped run itself: the message is about it
    tab._on_run_selected()
    assert tab.form.message.text().startswith("Training stopped")
    tab.show()
    tree = tab.run_list.tree

    def list_at():  # once the layout has run (review 52)
        return settled(qtbot, lambda: tree.mapTo(tab, tree.rect().topLeft()))

    before = list_at()
    tab.run_list.select(finished)
    tab._on_run_selected()
    assert tab.form.message.text() == ""
    # the message's room stays: the list moved up under the pointer, and a right-click
    # meant for a run opened the menu under the rows (trial 20)
    assert list_at() == before
    tab.form.say("Training finished.")
    tab.form.say("")  # any other message gone: its room goes too
    assert tab.form.message.isHidden()
    tab.form.say("Choose the FER-2013 CSV file first (Browse...).", error=True)
    tab.run_list.select(stopped)  # a message about no run stays
    tab._on_run_selected()
    assert tab.form.message.text().startswith("Choose the FER-2013 CSV")


def test_the_close_question_names_the_epoch_the_progress_box_shows(qtbot, tab):
    """Trial C 65: the question said "epoch 14 of 300" while the Progress box beside it said
    "Epoch 17 of 300": the run went on while the question waited."""
    from fer_desktop.core.trainer_events import parse_event
    from fer_desktop.ui.close_training import question_box

    def batch(epoch: int) -> None:
        tab._progress.update(parse_event(json.dumps(
            {"v": 1, "event": "batch", "epoch": epoch, "epochs": 300, "step": 1, "steps": 4,
             "loss": 1.0, "images_per_s": 100.0})))
        tab.progress_box.show_progress(tab._progress, 10.0, 8)

    batch(14)
    box = question_box(tab, lambda: tab._progress.position())
    qtbot.addWidget(box)
    assert "(epoch 14 of 300)" in box.text()
    batch(17)
    qtbot.waitUntil(lambda: "(epoch 17 of 300)" in box.text(), timeout=2000)
    assert tab.progress_box.epoch_label.text() == "Epoch 17 of 300"
    assert tab._progress.headline().lower() == tab._progress.position()


# ------------------------------------------------------------------ 5: the estimate's rows

def test_training_rows_are_counted_whatever_the_compression_and_column_order(tmp_path):
    import gzip

    from trainer.row_count import TrainingRowCounts, count_rows, count_training_rows

    plain = make_csv(tmp_path / "tiny.csv", TINY)
    assert count_training_rows(plain) == 30
    packed = tmp_path / "tiny.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert count_training_rows(packed) == 30
    px = b" ".join([b"7"] * 2304)  # a face's pixels
    moved = tmp_path / "moved.csv"  # Usage not last, CRLF, no newline at the end
    moved.write_bytes(b"Usage,emotion,pixels\r\nTraining,0,%s\r\nPublicTest,1,%s\r\n"
                      b"Training,2,%s" % (px, px, px))
    assert count_training_rows(moved) == 2
    assert count_rows(moved) == (2, 1) and count_rows(plain) == (30, 30)
    quoted = tmp_path / "quoted.csv"  # Usage last, quoted or padded: the fast path counted 0
    quoted.write_bytes(b'emotion,pixels,Usage\r\n0,%s,"Training"\r\n1,%s,"PublicTest"\r\n'
                       b"2,%s,PublicTest \n3,%s, Training\n" % (px, px, px, px))
    assert count_rows(quoted) == (2, 2)
    counts = TrainingRowCounts()
    assert counts.get(plain) is None
    counts.remember(*TrainingRowCounts.count(plain))
    assert counts.get(plain) == 30
    make_csv(plain, {"Training": 40, "PublicTest": 5, "PrivateTest": 5})  # changed: recount
    assert counts.get(plain) is None


def test_the_estimate_takes_the_csvs_training_rows(qtbot, tab, tmp_path):
    """Trial C: with tiny.csv (30 rows a split) the form said "With 3 epochs: about 6
    minutes" for a run of 20 s, and "about 76 minutes" for 40 epochs that took 0:23."""
    from fer_desktop.core.training_progress import estimated_minutes

    assert estimated_minutes(3, 1.9, csv_rows=30) == pytest.approx(3 * 1.9 * 30 / 28_709)
    assert estimated_minutes(3, 1.9, 300, csv_rows=30) == estimated_minutes(3, 1.9,
                                                                           csv_rows=30)
    form = tab.form
    form.epochs_spin.setValue(40)
    qtbot.waitUntil(lambda: "30 training rows" in form.epochs_time.text(), timeout=10_000)
    assert form.epochs_time.text() == "With 40 epochs, 30 training rows: about 1 minute."
    form.limit_spin.setValue(10)  # fewer than the CSV holds: the limit is what trains
    assert form.epochs_time.text() == "With 40 epochs, 10 rows per split: about 1 minute."
    form.limit_spin.setValue(300)  # more than it holds: the CSV's rows
    assert form.epochs_time.text() == "With 40 epochs, 30 training rows: about 1 minute."
    # trial 12: 300 epochs said "about 1 minute" too; 77 of them took 50 s (0.65 s an
    # epoch whatever its rows: scoring, the checkpoint)
    form.epochs_spin.setValue(300)
    assert form.epochs_time.text() == "With 300 epochs, 30 training rows: about 4 minutes."


def test_a_csv_without_publictest_rows_is_said_before_start(qtbot, tab, tmp_path):
    """Trial 17: the first 600 rows of FER-2013 (all Training) were refused only after Start,
    though the form had counted the file's rows."""
    from fer_desktop.ui.train_form import NO_PUBLIC_TEXT, NO_TRAINING_TEXT

    form = tab.form
    form.csv_edit.setText(str(make_csv(tmp_path / "first.csv", {"Training": 40})))
    qtbot.waitUntil(lambda: form.epochs_time.text() == NO_PUBLIC_TEXT, timeout=10_000)
    form.csv_edit.setText(str(make_csv(tmp_path / "last.csv", {"PublicTest": 5,
                                                               "PrivateTest": 5})))
    qtbot.waitUntil(lambda: form.epochs_time.text() == NO_TRAINING_TEXT, timeout=10_000)
    form.csv_edit.setText(str(make_csv(tmp_path / "whole.csv", TINY)))
    qtbot.waitUntil(lambda: "30 training rows" in form.epochs_time.text(), timeout=10_000)


def test_a_file_the_trainer_refuses_is_said_in_place_of_a_time(qtbot, tab, tmp_path):
    """Trial 19: a 0-byte file and a JPEG were given FER-2013's "about 1.9 hours", and a CSV
    with 4 malformed rows "29 training rows: about 1 minute"; the trainer refuses all three."""
    import gzip

    from trainer.row_count import count_rows

    form = tab.form
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    picture = tmp_path / "face.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF\0" + bytes(200))
    bad = make_csv(tmp_path / "bad.csv", TINY)
    lines = bad.read_bytes().splitlines(keepends=True)
    lines[4] = b"0," + b" ".join([b"1"] * 100) + b",Training\n"  # row 4: 100 values
    lines[9] = b"0,1 2 3,Training\n"
    bad.write_bytes(b"".join(lines))
    for path, said in ((empty, "file is empty, expected a CSV with columns emotion,pixels,"
                               "Usage"),
                       (picture, "trained on: it is not a text file"),  # trial 22
                       (bad, "row 4 (line 5): 100 pixel values, expected 2304 (2 bad rows "
                             "in all)")):
        form.csv_edit.setText(str(path))
        qtbot.waitUntil(lambda said=said: said in form.epochs_time.text(), timeout=10_000)
        assert form.epochs_time.text().startswith("This file cannot be trained on: ")
        assert "?." not in form.epochs_time.text()
        assert "hour" not in form.epochs_time.text()
    assert "Start checks every value of every row" in form.epochs_time.text()  # a bad row
    form.csv_edit.setText(str(make_csv(tmp_path / "good.csv", TINY)))
    qtbot.waitUntil(lambda: "30 training rows" in form.epochs_time.text(), timeout=10_000)
    packed = tmp_path / "bad.csv.gz"  # the same rows compressed, past the fast path
    packed.write_bytes(gzip.compress(bad.read_bytes()))
    with pytest.raises(Exception, match="2 bad rows"):
        count_rows(packed)
    # two bad rows whose values make up for each other (2303 + 2305): a chunk's count of
    # spaces passed them (a review); blank lines between rows are bad rows, as the trainer
    # says, and those at the end are skipped by both (audit 37: the count skipped them all)
    lines = make_csv(tmp_path / "even.csv", TINY).read_bytes().splitlines(keepends=True)
    lines[3] = b"0," + b" ".join([b"1"] * 2303) + b",Training\n"
    lines[5] = b"0," + b" ".join([b"1"] * 2305) + b",Training\n"
    even = tmp_path / "even.csv"
    even.write_bytes(b"".join(lines))
    with pytest.raises(Exception, match=r"row 3 \(line 4\): 2303 pixel values.*2 bad rows"):
        count_rows(even)
    blank = tmp_path / "blank.csv"
    blank.write_bytes(make_csv(tmp_path / "b.csv", TINY).read_bytes().replace(b"\n", b"\n\n", 3)
                      + b"\n")
    with pytest.raises(Exception, match=r"row 1 \(line 2\): is blank.*3 bad rows"):
        count_rows(blank)
    blank.write_bytes(make_csv(tmp_path / "b.csv", TINY).read_bytes() + b"\n\n")
    assert count_rows(blank) == (30, 30)


def test_the_real_csv_is_counted_off_the_gui_thread(qtbot, tab, real_csv, monkeypatch):
    """The count (3 s for the real .csv.gz) held up the window. Told by a count held back
    until the field has taken the file: a time bound on setText failed on a loaded machine
    (0.25 s, review 52)."""
    import threading

    from trainer.row_count import TrainingRowCounts

    real, release = TrainingRowCounts.count, threading.Event()

    def held(path):
        release.wait(60)
        return real(path)

    monkeypatch.setattr(TrainingRowCounts, "count", staticmethod(held))
    form = tab.form
    form.epochs_spin.setValue(60)
    try:
        form.csv_edit.setText(str(real_csv))  # back while the count is held: off this thread
        assert str(real_csv) in form._counting
    finally:
        release.set()
    qtbot.waitUntil(lambda: not form._counting, timeout=120_000)
    assert form._row_counts.get(real_csv) == 28_709
    assert form.epochs_time.text() == "With 60 epochs: about 1.9 hours."
    form.csv_edit.setText(str(real_csv))  # counted once
    assert not form._counting


# ------------------------------------------------------------------ 6: runs of one minute

def test_runs_started_in_the_same_minute_are_told_apart(tmp_path):
    """Trial C: two runs read "05 Dec 11:43" in the list."""
    from trainer.runs import list_runs

    out = tmp_path / "runs"
    for name in ("20261205-114318-default", "20261205-114352-default",
                 "20261205-115041-default"):
        make_run_folder(out, name, {"epoch": 3, "epochs": 3, "status": "finished"})
    assert [row.started for row in list_runs(out)] == [
        "05 Dec 11:50", "05 Dec 11:43:52", "05 Dec 11:43:18"]


def test_a_count_that_ends_after_the_form_is_gone_is_dropped(qtbot, tmp_path, monkeypatch):
    """The count came back to a deleted form: "Internal C++ object (QLineEdit) already
    deleted" in the Qt event loop (full test suite)."""
    import threading

    from fer_desktop.ui.train_form import TrainForm
    from trainer.row_count import TrainingRowCounts

    csv = make_csv(tmp_path / "tiny.csv", {"Training": 3, "PublicTest": 1, "PrivateTest": 1})
    release, done = threading.Event(), threading.Event()

    def slow_count(path):
        release.wait(5)
        try:
            return ("key", 3)
        finally:
            done.set()

    monkeypatch.setattr(TrainingRowCounts, "count", staticmethod(slow_count))
    form = TrainForm()
    form.csv_edit.setText(str(csv))
    assert form._counting
    jobs = form.row_jobs
    form.deleteLater()
    qtbot.waitUntil(lambda: not _alive(form), timeout=5_000)
    release.set()
    assert done.wait(5)
    qtbot.waitUntil(lambda: not len(jobs), timeout=5_000)  # its result delivered nowhere


def _alive(widget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)
