"""A disk that fills up while the app writes (trial 23): a recording stopped silently with a
row cut mid-number, its Stop button then started a new one, and a screenshot left an empty
PNG. Simulated with Linux's /dev/full, whose every write fails with "No space left on
device": the file's descriptor is pointed at it once the file has some rows."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import numpy as np
import pytest
import test_ui_window
from test_export import result
from ui_helpers import make_video

from fer_desktop.core.export import CsvRecorder, ExportError, ScreenshotWriter

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


def fill_disk(recorder: CsvRecorder) -> None:
    """From now on the recorder's file is on a full disk."""
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, recorder._file.fileno())
    os.close(full)


@pytest.fixture
def full_disk_analyze(monkeypatch, tmp_path, sample_bgr) -> Path:
    """``analyze``'s CSV on a full disk from its first row: the photo to give it."""
    import cv2

    from fer_desktop.core import analyze

    class FullDiskRecorder(CsvRecorder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            fill_disk(self)

    monkeypatch.setattr(analyze, "CsvRecorder", FullDiskRecorder)
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    return image


def test_a_recording_on_a_full_disk_keeps_its_whole_rows_and_says_so(tmp_path):
    path = tmp_path / "rec.csv"
    clock = iter(range(0, 1000, 2)).__next__  # every write is past the flush interval
    recorder = CsvRecorder(path, with_source=True, clock=clock)
    for i in range(3):
        recorder.write(result(index=i), "clip.mp4")
    fill_disk(recorder)
    with pytest.raises(ExportError) as error:
        for i in range(3, 400):  # past the text buffer: the rows reach the full disk
            recorder.write(result(index=i), "clip.mp4")
    message = str(error.value)
    assert "rec.csv" in message and "No space left" in message and "6 rows" in message
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert len(rows) == 1 + 6 and all(len(row) == len(rows[0]) for row in rows)
    assert recorder.rows == 6
    recorder.close()  # closed already: nothing more, no error


def test_a_recording_whose_last_rows_cannot_be_written_at_close_says_so(tmp_path):
    path = tmp_path / "rec.csv"
    recorder = CsvRecorder(path, clock=lambda: 0.0)  # never flushed on its own
    recorder.write(result(index=1))
    recorder.flush()
    recorder.write(result(index=2))
    fill_disk(recorder)
    with pytest.raises(ExportError, match="keeps the 2 rows"):
        recorder.close()
    assert len(list(csv.reader(path.open(encoding="utf-8")))) == 3


def test_a_recording_that_cannot_write_its_header_leaves_no_file(tmp_path, monkeypatch):
    real_open = open

    def open_on_a_full_disk(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, handle.fileno())
        os.close(full)
        return handle

    monkeypatch.setattr("builtins.open", open_on_a_full_disk)
    with pytest.raises(ExportError, match="No space left"):
        CsvRecorder(tmp_path / "rec.csv")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_screenshot_on_a_full_disk_leaves_no_file(tmp_path, monkeypatch):
    from fer_desktop.core import export

    writer = ScreenshotWriter(tmp_path, clock=lambda: dt.datetime(2026, 12, 6, 12, 0, 0))
    real_fdopen = os.fdopen

    def fdopen_on_a_full_disk(handle, *args, **kwargs):
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, handle)
        os.close(full)
        return real_fdopen(handle, *args, **kwargs)

    monkeypatch.setattr(export.os, "fdopen", fdopen_on_a_full_disk)
    with pytest.raises(ExportError, match="No space left"):
        writer.save(np.zeros((480, 640, 3), np.uint8), result(), source="clip.mp4")
    assert list(tmp_path.iterdir()) == []


main_window = test_ui_window.main_window


def test_a_recording_that_fills_the_disk_stops_says_so_and_records_again(qtbot, main_window,
                                                                          tmp_path):
    """The REC clock froze, nothing was said, and Stop started a new recording (trial 23)."""
    video = make_video(tmp_path / "clip.avi", frames=300, fps=30.0)
    window = main_window(source=str(video))
    live = window.live_view
    test_ui_window.first_frame(qtbot, window)
    with qtbot.waitSignal(live.recording_changed, timeout=test_ui_window.WAIT_MS):
        live.act_record.trigger()
    path = live.recorder.path
    qtbot.waitUntil(lambda: live.recorder.rows >= 3, timeout=test_ui_window.WAIT_MS)
    with qtbot.waitSignal(live.recording_changed, timeout=test_ui_window.WAIT_MS) as changed:
        fill_disk(live.recorder)
    assert changed.args == [False]
    assert not live.is_recording and not live.act_record.isChecked()
    assert "Record" in live.act_record.text() and not live.outputs.label.isVisible()
    error = window.notifier.last_error
    assert str(path) in error and "No space left" in error and "rows written before" in error
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert all(len(row) == len(rows[0]) for row in rows)  # no row cut mid-number
    if window.notifier.dialog is not None:
        window.notifier.dialog.close()
    with qtbot.waitSignal(live.recording_changed, timeout=test_ui_window.WAIT_MS) as again:
        live.act_record.trigger()  # the button records again: it does not stop a dead one
    assert again.args == [True] and live.recorder.path != path
    live.stop_recording()


def test_stop_whose_last_rows_cannot_be_written_says_so(qtbot, main_window, tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=300, fps=30.0)
    window = main_window(source=str(video))
    live = window.live_view
    test_ui_window.first_frame(qtbot, window)
    live.start_recording()
    recorder = live.recorder
    live.outputs.recorder_changed.emit(None)  # the capture thread lets go: rows wait in memory
    recorder._clock = lambda: recorder._last_flush  # never due: the row stays in memory
    recorder.write(result(index=99), "clip.mp4")
    fill_disk(recorder)
    assert live.stop_recording() is None  # no "Recording saved" banner
    assert not live.is_recording and not live.act_record.isChecked()
    assert "No space left" in window.notifier.last_error
    assert not live.outputs.saved_banner.isVisible()
    if window.notifier.dialog is not None:
        window.notifier.dialog.close()


def test_analyze_on_a_full_disk_says_so_and_keeps_the_old_csv(tmp_path, full_disk_analyze,
                                                              capsys):
    """Its rows are written to a temporary file, thrown away: the old file stays, and the
    message does not speak of rows kept."""
    from fer_desktop.core import analyze

    image, out = full_disk_analyze, tmp_path / "r.csv"
    out.write_text("yesterday's rows\n")
    assert analyze.main([str(image), "--out", str(out), "--force", "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert f"{out} cannot be written (No space left on device); it was left as it was" in error
    assert "keeps" not in error and out.read_text() == "yesterday's rows\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_analyse_whole_file_on_a_full_disk_names_the_csv_not_its_temporary(tmp_path,
                                                                          monkeypatch):
    """It named ".tmp-out.csv.xxxx.csv" and said it kept 0 rows in a file it then deleted."""
    from ui_helpers import stub_pipeline

    from fer_desktop.core import file_analysis

    class FullDiskRecorder(CsvRecorder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            fill_disk(self)

    monkeypatch.setattr(file_analysis, "CsvRecorder", FullDiskRecorder)
    video = make_video(tmp_path / "clip.avi", frames=300)
    out = tmp_path / "out.csv"
    with pytest.raises(ExportError) as error:
        file_analysis.analyse_file(video, out, stub_pipeline())
    assert error.value.path == out and "No space left" in str(error.value)
    assert "keeps" not in str(error.value) and "nothing was saved" in str(error.value)
    assert list(tmp_path.iterdir()) == [video]


def test_a_unit_of_analyze_jobs_on_a_full_disk_says_so_not_a_bad_input(tmp_path, monkeypatch):
    """--jobs N: a full disk read as "could not be analysed (ExportError: .../0000.csv ...)",
    as if the input were broken (audit 36)."""
    class FullDiskRecorder(CsvRecorder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            fill_disk(self)

    video = make_video(tmp_path / "clip.avi", frames=300)
    result = _unit_in_a_worker(monkeypatch, FullDiskRecorder, video, tmp_path / "0000.csv")
    assert result.error == "its rows could not be written (No space left on device)"


def _unit_in_a_worker(monkeypatch, recorder: type, video: Path, part: Path):
    """``video`` analysed as a ``--jobs`` worker does, its part written by ``recorder``."""
    import queue

    from ui_helpers import stub_pipeline

    from fer_desktop.core import analyze, batch

    monkeypatch.setattr(batch, "CsvRecorder", recorder)
    monkeypatch.setitem(batch._WORKER, "pipeline", stub_pipeline())
    monkeypatch.setitem(batch._WORKER, "queue", queue.Queue())
    return batch._run_unit(analyze._analyse_source, 0, str(video), str(part), True,
                           {"every": 1, "video": None, "painter": None, "quiet": True})


def test_a_full_disk_under_analyze_jobs_ends_the_command_and_keeps_the_existing_csv(
        tmp_path, monkeypatch, capsys):
    """Audit 57: with --jobs 2 a full disk skipped the units whose parts could not be written
    ("could not be analysed (.../00000025.csv cannot be written ...)"), went on, and a 24-row
    CSV replaced the user's 162 rows, exit 1; with one job the file was kept, exit 2."""
    from concurrent.futures import Future

    from fer_desktop.core import analyze, batch

    class FullFromTheStart(CsvRecorder):  # the part's header does not fit (a photo's unit)
        def __init__(self, path, *args, **kwargs):  # as CsvRecorder says it
            raise ExportError(path, "cannot be written (No space left on device); choose "
                                    "another folder") from OSError(28, "No space left on device")

    video = make_video(tmp_path / "clip.avi", frames=5)
    result = _unit_in_a_worker(monkeypatch, FullFromTheStart, video, tmp_path / "0.csv")
    assert result.write_error == "No space left on device"
    assert result.error == "its rows could not be written (No space left on device)"
    monkeypatch.undo()

    # the parent: that unit's result ends the command, as one job's full disk does
    runner = object.__new__(batch.ProcessRunner)
    done: Future = Future()
    done.set_result(result)
    runner._futures, runner._next = [(str(video), done)], 0
    runner._drain, runner._done = lambda: None, lambda unit, read: None
    recorder_path = tmp_path / ".tmp-out.csv"
    recorder = type("Recorder", (), {"path": recorder_path})()
    with pytest.raises(ExportError) as error:
        runner.collect(str(video), recorder, {}, __import__("collections").Counter())
    assert error.value.path == recorder_path and error.value.write_error == result.write_error

    out = tmp_path / "out.csv"
    out.write_text("the user's earlier rows\n")
    monkeypatch.setattr(batch.ProcessRunner, "collect",
                        lambda self, spec, recorder, *rest: (_ for _ in ()).throw(
                            batch.unit_failure(spec, result, recorder.path)))
    second = make_video(tmp_path / "second.avi", frames=5)
    code = analyze.main([str(video), str(second), "--out", str(out), "--force", "--jobs", "2",
                         "--no-progress"])
    assert code == 2 and out.read_text() == "the user's earlier rows\n"
    assert f"error: {out} cannot be written (No space left on device); it was left as it " \
           "was" in capsys.readouterr().err
    assert not list(tmp_path.glob(".tmp-*"))  # its temporary CSV and parts went


def test_a_screenshot_is_never_half_written_under_its_name_and_old_leftovers_go(
        tmp_path, monkeypatch):
    """Audit 57: a window killed while it saved a large screenshot left a cut PNG (8-21 MB of
    32 MB) under the screenshot's name, unreadable and never said; a killed analysis's hidden
    CSV stayed in the folder for good (each save has a new name, which the sweep followed)."""
    import io
    import time

    from fer_desktop.core import export

    stale = tmp_path / ".tmp~fer-clip-emotions-20261201-120000.csv.abcd1234.csv"
    fresh = tmp_path / ".tmp~fer-clip-20261207-120000.x1y2z3w4.png"  # a save under way
    # not the window's: a user's file, and a running `analyze --jobs --out fer-x.csv`'s CSV,
    # unchanged while its first long video is analysed (the sweep took it, review 59)
    theirs = [tmp_path / ".tmp-notes.txt", tmp_path / ".tmp~fer-notes.txt",
              tmp_path / ".tmp~fer-notes.json", tmp_path / ".tmp-fer-x.csv.abcd1234.csv"]
    for path in (stale, fresh, *theirs):
        path.write_bytes(b"x")
    old = time.time() - 2 * 3600
    for path in (stale, *theirs):
        os.utime(path, (old, old))
    seen_while_writing: list[list[str]] = []
    real_fdopen = os.fdopen

    class Watched(io.BufferedWriter):
        def write(self, data):
            seen_while_writing.append(sorted(p.name for p in tmp_path.glob("fer-*")))
            return super().write(data)

    def watched_fdopen(handle, mode="r", *args, **kwargs):
        return Watched(real_fdopen(handle, "wb", buffering=0))

    monkeypatch.setattr(export.os, "fdopen", watched_fdopen)
    writer = ScreenshotWriter(tmp_path, clock=lambda: dt.datetime(2026, 12, 7, 12, 0, 0))
    path = writer.save(np.zeros((48, 64, 3), np.uint8), result(), source="clip.mp4")
    assert seen_while_writing == [[]]  # nothing under a picture's name while it is written
    assert path.name == "fer-clip-20261207-120000.png" and path.with_suffix(".json").is_file()
    # the umask's permissions, as its JSON's: mkstemp's 0600 made it private (audit 58)
    assert path.stat().st_mode & 0o777 == path.with_suffix(".json").stat().st_mode & 0o777 \
        == 0o666 & ~_umask()
    assert not stale.exists() and fresh.exists() and all(path.exists() for path in theirs)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp~fer-c")) == \
        [fresh.name]


def test_an_analysis_sweeps_the_hidden_csv_a_killed_analysis_left(tmp_path):
    """Audit 57: "Analyse whole file..." killed (a logout) left its hidden CSV for good."""
    import time

    from ui_helpers import stub_pipeline

    from fer_desktop.core import file_analysis

    stale = tmp_path / ".tmp~fer-long-emotions-20261207-144833.csv.00_sthyx.csv"
    stale.write_text("source,frame\n")
    old = time.time() - 3 * 3600
    os.utime(stale, (old, old))
    video = make_video(tmp_path / "clip.avi", frames=3)
    file_analysis.analyse_file(video, tmp_path / "fer-clip-emotions.csv", stub_pipeline())
    assert not stale.exists() and (tmp_path / "fer-clip-emotions.csv").is_file()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_analyze_on_a_full_disk_into_a_new_name_says_nothing_was_written(
        tmp_path, full_disk_analyze, capsys):
    """Trial 60: a full disk on a new --out said "it was left as it was", of a file that
    never existed."""
    from fer_desktop.core import analyze

    image, out = full_disk_analyze, tmp_path / "new.csv"
    assert analyze.main([str(image), "--out", str(out), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert f"{out} cannot be written (No space left on device); nothing was written" in error
    assert "left as it was" not in error and not out.exists()
