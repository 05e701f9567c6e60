"""Screenshots never overwrite; CSV rows are complete, parseable and flushed."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json

import cv2
import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.export import CSV_COLUMNS, CsvRecorder, ExportError, ScreenshotWriter
from fer_desktop.core.types import Face, FrameResult

NOW = dt.datetime(2026, 11, 25, 14, 30, 5)


def result(n_faces: int = 2, index: int = 4) -> FrameResult:
    faces = []
    for i in range(n_faces):
        p = np.full(7, 0.1, np.float32)
        p[3] = 0.4
        faces.append(Face(box=[10 + 50 * i, 20, 50 + 50 * i, 70], probabilities=p,
                          label="happy", confidence=0.4, track_id=i + 1, uncertain=i == 0))
    return FrameResult(index=index, timestamp_s=0.25, faces=faces, timings_ms={"total": 3.0})


def test_screenshot_png_and_sidecar(tmp_path):
    writer = ScreenshotWriter(tmp_path / "shots", clock=lambda: NOW)
    image = np.full((48, 64, 3), 200, np.uint8)
    path = writer.save(image, result(), source="camera 0")
    assert path.name == "fer-camera-0-20261125-143005.png"  # the source first, then the time
    assert cv2.imread(str(path)).shape == (48, 64, 3)
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["image"] == path.name and sidecar["source"] == "camera 0"
    assert sidecar["frame"] == 4 and len(sidecar["faces"]) == 2
    assert sidecar["faces"][0]["probabilities"]["happy"] == pytest.approx(0.4)
    assert [f["uncertain"] for f in sidecar["faces"]] == [True, False]
    assert sidecar["emotions"] == list(EMOTIONS)
    assert sidecar["held"] == []


def test_the_sidecar_s_time_is_written_as_the_csvs_write_it(tmp_path):
    """Audit 54: "time_s": 3.4000000000000004 in the JSON beside "3.400" in the CSV: no join."""
    frame = dataclasses.replace(result(), timestamp_s=0.1 * 34)
    path = ScreenshotWriter(tmp_path, clock=lambda: NOW).save(
        np.zeros((48, 64, 3), np.uint8), frame, source="clip.mp4")
    assert json.loads(path.with_suffix(".json").read_text())["time_s"] == 3.4


def test_a_face_held_from_an_earlier_frame_is_listed_apart(tmp_path):
    """Drawn where it was last seen, not found in this frame: not among the frame's faces."""
    frame = result(2)
    held = dataclasses.replace(frame, faces=frame.faces[:1], held=frame.faces[1:])
    path = ScreenshotWriter(tmp_path, clock=lambda: NOW).save(
        np.zeros((48, 64, 3), np.uint8), held, source="clip.mp4")
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert [f["track_id"] for f in sidecar["faces"]] == [1]
    assert [f["track_id"] for f in sidecar["held"]] == [2]


def test_screenshot_names_carry_the_source_safely():
    """A folder of screenshots sorts by source, then time; the name is safe everywhere."""
    from fer_desktop.core.export import file_prefix, name_part

    assert name_part("/home/ana/Videos/My Holiday (2).mp4") == "My-Holiday-2"
    assert name_part("camera 0") == "camera-0"
    assert name_part("") == "" and name_part("/x/...jpg") == ""
    assert name_part("/x/" + "a" * 80 + ".png") == "a" * 40
    assert name_part("C:/fotos/café?*:.jpg") == "café"
    assert name_part("/photos/holiday.2024") == "holiday-2024"  # a folder keeps its dots
    assert file_prefix("") == "fer" and file_prefix("/s/sample.jpg", "why") == \
        "fer-why-sample"


def test_second_screenshot_in_the_same_second_does_not_overwrite(tmp_path):
    writer = ScreenshotWriter(tmp_path, clock=lambda: NOW)
    first = writer.save(np.zeros((8, 8, 3), np.uint8), result())
    second = writer.save(np.ones((8, 8, 3), np.uint8), result(1))
    assert first != second and second.name == "fer-20261125-143005-2.png"
    assert cv2.imread(str(first)).max() == 0  # the first is intact
    assert len(json.loads(second.with_suffix(".json").read_text())["faces"]) == 1


def test_unwritable_screenshot_folder_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="file") as info:
        ScreenshotWriter(blocker / "shots")
    assert info.value.path == blocker  # the file in the way, not the folder it blocks


def test_csv_rows_are_complete_and_parseable(tmp_path):
    path = tmp_path / "out" / "faces.csv"
    with CsvRecorder(path) as recorder:
        recorder.write(result(2, index=0))
        recorder.write(result(0, index=1))
        recorder.write(result(1, index=2))
    rows = list(csv.DictReader(path.open()))
    assert tuple(rows[0]) == CSV_COLUMNS == (
        "frame", "time_s", "track_id", "x", "y", "w", "h", "label", "confidence", "uncertain",
        "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    assert [r["frame"] for r in rows] == ["0", "0", "2"]
    first = rows[0]
    assert (first["x"], first["y"], first["w"], first["h"]) == ("10", "20", "40", "50")
    assert first["label"] == "happy" and float(first["happy"]) == pytest.approx(0.4)
    assert [r["uncertain"] for r in rows] == ["true", "false", "true"]
    assert sum(float(first[e]) for e in EMOTIONS) == pytest.approx(1.0, abs=1e-3)


def test_csv_source_column(tmp_path):
    path = tmp_path / "faces.csv"
    with CsvRecorder(path, with_source=True) as recorder:
        recorder.write(result(1), source="a.mp4")
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0])[0] == "source" and rows[0]["source"] == "a.mp4"


def test_csv_is_flushed_within_a_second(tmp_path):
    now = [0.0]
    path = tmp_path / "faces.csv"
    recorder = CsvRecorder(path, clock=lambda: now[0])
    recorder.write(result(1, index=0))
    assert len(path.read_text().splitlines()) == 1  # header only: buffered
    now[0] = 1.0
    recorder.write(result(1, index=1))
    assert len(path.read_text().splitlines()) == 3  # flushed without close()
    recorder.close()
    with pytest.raises(ExportError, match="closed"):
        recorder.write(result())


def test_unwritable_csv_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="file is a file, not a folder"):
        CsvRecorder(blocker / "faces.csv")


@pytest.mark.parametrize("how", ["removed", "moved"])
def test_a_recording_whose_folder_goes_stops_and_says_so(tmp_path, how):
    """The recording's folder deleted (or moved) while it recorded: the rows went into a
    file nobody could find, and Stop said "Recording saved to X (74 rows)" of a path with no
    file (audit 40)."""
    import shutil

    folder = tmp_path / "out"
    recorder = CsvRecorder(folder / "rec.csv")
    recorder.write(FrameResult(index=0, timestamp_s=0.0, faces=()))
    recorder.flush()
    if how == "removed":
        shutil.rmtree(folder)
    else:
        folder.rename(tmp_path / "moved")
    with pytest.raises(ExportError, match="was moved or removed while it was written"):
        recorder.close()


def test_a_recording_replaced_under_its_name_keeps_its_rows_apart(tmp_path):
    """Audit 53: `fer-desktop analyze --force --out` onto the CSV a window recorded into: the
    window's 88 rows were lost, and the message said the file was "moved or removed (its
    folder too?)"."""
    import os

    path = tmp_path / "fer-face-20261207-094020.csv"
    recorder = CsvRecorder(path, no_face_rows=True)  # a "no face" row a frame
    for index in range(3):
        recorder.write(FrameResult(index=index, timestamp_s=0.1 * index, faces=()))
    recorder.flush()
    replacement = tmp_path / ".tmp-analyze.csv"
    replacement.write_text("analyze's rows\n")
    os.replace(replacement, path)  # what analyze --force does
    recorder.write(FrameResult(index=3, timestamp_s=0.3, faces=()))
    with pytest.raises(ExportError, match="was replaced by another file while it was written "
                                          r"\(another program wrote to that name\): the 4 rows "
                                          "written so far are kept in .*-2.csv"):
        recorder.close()
    assert path.read_text() == "analyze's rows\n"
    kept = tmp_path / "fer-face-20261207-094020-2.csv"
    with kept.open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)][1:] == ["0", "1", "2", "3"]


def test_a_passing_refusal_to_look_does_not_stop_a_recording(tmp_path, monkeypatch):
    """Only a path that leads nowhere is gone: a permission or I/O error of a look at it (a
    network drive) stopped a recording that was fine (review 38b)."""
    import os

    from fer_desktop.core import export

    recorder = CsvRecorder(tmp_path / "rec.csv")
    recorder.write(FrameResult(index=0, timestamp_s=0.0, faces=()))
    real = os.stat

    def refuse(path, *args, **kwargs):
        if str(path).endswith("rec.csv"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(export.os, "stat", refuse)
    recorder.flush()
    monkeypatch.undo()
    recorder.close()
    assert (tmp_path / "rec.csv").read_text().startswith(",".join(CSV_COLUMNS[:2]))


def test_a_folder_the_file_name_encoding_cannot_hold_is_said_so(tmp_path, monkeypatch):
    """Trial 43: with Python's file names in ASCII (PYTHONUTF8=0 LANG=C), a screenshot into
    "Ausgabe 日本" said the folder "is not a usable folder name", blaming the name."""
    from fer_desktop.core import export

    def ascii_only(folder):
        str(folder).encode("ascii")  # what os.mkdir does with an ASCII file system encoding
    monkeypatch.setattr(export, "make_folder", ascii_only)
    with pytest.raises(ExportError, match="cannot be named in this system's encoding for file "
                                          r"names \(.*\): start the app under a UTF-8 locale"):
        export.ScreenshotWriter(tmp_path / "Ausgabe 日本", clock=lambda: NOW)
