"""Records that say everything: the model (name, file hash) and app version in the recording
CSV and the screenshot JSON, and a row for a frame with no face."""

from __future__ import annotations

import csv
import hashlib
import json

import numpy as np

from fer_desktop import __version__
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.export import CSV_COLUMNS, NO_FACE, CsvRecorder, ScreenshotWriter
from fer_desktop.core.provenance import PROVENANCE_COLUMNS, file_sha256, provenance
from fer_desktop.core.types import Face, FrameResult


class FakeClassifier:
    def __init__(self, path) -> None:
        self.name = "my model"
        self.model_path = path


def test_provenance_names_the_model_file_and_its_hash(tmp_path):
    model = tmp_path / "model-int8.tflite"
    model.write_bytes(b"weights")
    info = provenance(FakeClassifier(model))
    assert info == {"model": "my model", "model_file": "model-int8.tflite",
                    "model_sha256": hashlib.sha256(b"weights").hexdigest(),
                    "model_temperature": "", "app_version": __version__}  # (none: a stand-in)
    model.write_bytes(b"other weights!")  # a changed file is hashed again
    assert file_sha256(model) == hashlib.sha256(b"other weights!").hexdigest()
    assert provenance(None)["model"] == "" and file_sha256(tmp_path / "gone") == ""


def test_recording_writes_a_no_face_row_and_the_model_on_every_row(tmp_path):
    face = Face(box=[0, 0, 10, 10], probabilities=np.full(len(EMOTIONS), 1 / 7),
                label="happy", confidence=0.2, track_id=1)
    info = {"model": "m", "model_sha256": "abc", "app_version": "9"}
    with CsvRecorder(tmp_path / "r.csv", with_source=True, no_face_rows=True,
                     provenance=lambda: info) as recorder:
        recorder.write(FrameResult(0, 0.0, (face,)), "cam")
        recorder.write(FrameResult(1, 0.1, ()), "cam")
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text().splitlines()))
    assert list(rows[0]) == ["source", *CSV_COLUMNS, *PROVENANCE_COLUMNS]
    assert rows[0]["label"] == "happy" and rows[1]["label"] == NO_FACE
    assert rows[1]["frame"] == "1" and rows[1]["angry"] == "" and rows[1]["track_id"] == ""
    assert all(r["model"] == "m" and r["model_sha256"] == "abc" and r["app_version"] == "9"
               for r in rows)


def test_without_the_options_the_columns_stay_as_analyze_writes_them(tmp_path):
    with CsvRecorder(tmp_path / "r.csv") as recorder:
        recorder.write(FrameResult(0, 0.0, ()))
    rows = list(csv.reader((tmp_path / "r.csv").read_text().splitlines()))
    assert rows == [list(CSV_COLUMNS)]  # no face: no row, no extra columns


def test_screenshot_json_names_the_model_and_version(tmp_path):
    info = {"model": "m", "model_file": "m.tflite", "model_sha256": "abc",
            "app_version": __version__}
    png = ScreenshotWriter(tmp_path).save(np.zeros((8, 8, 3), np.uint8), FrameResult(0, 0.0),
                                          "cam", provenance=info)
    sidecar = json.loads(png.with_suffix(".json").read_text())
    assert {k: sidecar[k] for k in info} == info


def test_each_row_names_the_settings_its_frame_was_analysed_with(tmp_path, sample_bgr):
    """Two analyses of one file at two minimum faces (1,300 and 1,208 rows) could not be told
    apart afterwards: no column named the detector, the minimum face or the smoothing (trial
    27). A change of Options during a recording shows from that row on."""
    import dataclasses
    import json

    from fer_desktop.core.pipeline import FacePipeline, PipelineOptions

    pipeline = FacePipeline.create(options=PipelineOptions(min_face_px=40))
    first = pipeline.process(sample_bgr, 0, 0.0)
    pipeline.set_options(pipeline.with_options(smoothing=False, min_face_px=24))
    second = pipeline.process(sample_bgr, 1, 0.1)
    with CsvRecorder(tmp_path / "r.csv", provenance=lambda: {"model": "m"}) as recorder:
        recorder.write(first)
        recorder.write(second)
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text().splitlines()))
    assert [(r["detector"], r["min_face_px"], r["smoothing_s"]) for r in rows] == [
        ("yunet", "40", "0.5"), ("yunet", "24", "0")]
    shot = ScreenshotWriter(tmp_path).save(sample_bgr, dataclasses.replace(first, faces=()),
                                           "x")
    assert json.loads(shot.with_suffix(".json").read_text())["settings"] == {
        "detector": "yunet", "min_face_px": 40, "smoothing_s": 0.5,  # numbers, as the rest
        "crop_scale": pipeline.options.resolved_crop_scale(), "level_eyes": True}


def test_rows_name_the_crop_scale_and_eye_levelling(tmp_path, sample_bgr):
    """``analyze --crop-scale 1.6 --no-level-eyes`` changes every probability, and its CSV
    could not be told from a default one (trial 35, left open in session 42)."""
    from fer_desktop.core.pipeline import FacePipeline, PipelineOptions

    default = FacePipeline.create(options=PipelineOptions())
    other = FacePipeline.create(options=PipelineOptions(crop_scale=1.6, level_eyes=False))
    with CsvRecorder(tmp_path / "r.csv", provenance=lambda: {"model": "m"}) as recorder:
        recorder.write(default.process(sample_bgr, 0, 0.0))
        recorder.write(other.process(sample_bgr, 0, 0.0))
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text().splitlines()))
    assert [(r["crop_scale"], r["level_eyes"]) for r in rows] == [
        (f"{default.options.resolved_crop_scale():g}", "1"), ("1.6", "0")]


def test_the_temperature_applied_is_recorded_beside_the_file_s_digest():
    """Audit 54: one .tflite under two temperatures (0.81, 2.0) wrote the same provenance
    over other numbers (confidence 0.85 and 0.42), and merge joined them unwarned."""
    from fer_desktop.core.model import EmotionClassifier

    shipped = EmotionClassifier.load()
    info = provenance(shipped)
    assert info["model_temperature"] == f"{shipped.temperature:g}"
    shipped.temperature = 2.0
    assert provenance(shipped)["model_temperature"] == "2"
