"""The synchronous pipeline on the shipped sample: detect, crop, classify, track, time."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import Classifier, EmotionClassifier
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions


@pytest.fixture(scope="module")
def pipeline():
    return FacePipeline.create()


def two_faces(sample, shift=0):
    frame = np.full((600, 1000, 3), 110, np.uint8)
    frame[40:552, 10 + shift:522 + shift] = sample
    frame[100:500, 560:960] = cv2.resize(sample, (400, 400))
    return frame


def test_sample_face_is_found_and_classified(pipeline, sample_bgr):
    pipeline.reset()
    result = pipeline.process(sample_bgr, index=7, timestamp_s=1.5)
    assert (result.index, result.timestamp_s) == (7, 1.5)
    assert len(result.faces) == 1
    face = result.faces[0]
    assert face.label in EMOTIONS and face.track_id is not None
    assert isinstance(face.uncertain, bool)
    assert face.probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert set(result.timings_ms) == {"detect", "preprocess", "classify", "track", "total"}
    assert result.timings_ms["total"] >= result.timings_ms["detect"]


def test_each_reset_starts_a_new_stretch_and_an_option_change_does_not(pipeline, sample_bgr):
    """The timeline tells a seek from the frames before it by the stretch (time alone missed a
    video reopened where it was left: numbers from #1 again further on)."""
    pipeline.reset(restart_ids=True)
    first = pipeline.process(sample_bgr, timestamp_s=0.0)
    assert pipeline.process(sample_bgr, timestamp_s=0.1).stretch == first.stretch
    pipeline.restart_smoothing()  # the same frame with new options: the same stretch
    assert pipeline.process(sample_bgr, timestamp_s=0.1).stretch == first.stretch
    pipeline.reset(restart_ids=True)
    again = pipeline.process(sample_bgr, timestamp_s=6.0)
    assert again.faces[0].track_id == first.faces[0].track_id == 1
    assert again.stretch != first.stretch


def test_blank_frame_has_no_faces(pipeline):
    assert pipeline.process(np.zeros((480, 640, 3), np.uint8)).faces == ()


def test_track_ids_stay_through_small_motion(pipeline, sample_bgr):
    pipeline.reset()
    ids = [tuple(f.track_id for f in pipeline.process(two_faces(sample_bgr, s)).faces)
           for s in (0, 4, 8, 12)]
    assert len(ids[0]) == 2 and len(set(ids[0])) == 2
    assert all(i == ids[0] for i in ids)


def test_faces_are_largest_first_and_capped(sample_bgr):
    pipe = FacePipeline.create(options=PipelineOptions(max_faces=1))
    frame = two_faces(sample_bgr)
    assert len(pipe.process(frame).faces) == 1
    pipe.set_options(pipe.with_options(max_faces=5))
    faces = pipe.process(frame).faces
    assert len(faces) == 2 and faces[0].area >= faces[1].area


def test_switching_detector_and_classifier(sample_bgr):
    pipe = FacePipeline.create()
    blaze = pipe.detector
    pipe.set_options(pipe.with_options(smoothing_s=0.0))
    assert pipe.detector is blaze  # only tracker settings changed
    assert pipe._tracker.options.smoothing_s == 0.0
    pipe.set_options(pipe.with_options(detector="haar"))
    assert pipe.detector.name == "haar"
    assert len(pipe.process(sample_bgr).faces) == 1
    first = pipe.process(sample_bgr).faces[0].track_id
    other = EmotionClassifier.load(prefer_int8=False)
    pipe.set_classifier(other)
    faces = pipe.process(sample_bgr).faces
    assert pipe.classifier is other and len(faces) == 1
    assert faces[0].track_id == first  # the same face keeps its number (it became #3)


def test_crop_scale_defaults_per_detector():
    assert PipelineOptions(detector="blazeface").resolved_crop_scale() == 1.2
    assert PipelineOptions(detector="haar", crop_scale=1.0).resolved_crop_scale() == 1.0


def test_unknown_detector_in_options():
    with pytest.raises(ValueError, match="unknown detector"):
        FacePipeline.create(options=PipelineOptions(detector="yolo"))


def test_smoothing_runs_on_the_frame_times(sample_bgr):
    # The same frame at video times 0, 0.1, 0.2 s: smoothing on and off both give the sample's
    # answer; an unchanged time (a still image processed again) restarts the smoothing.
    pipe = FacePipeline.create(options=PipelineOptions(smoothing_s=0.5))
    raw = pipe.process(sample_bgr, 0, 0.0).faces[0]
    for i, when in enumerate((0.1, 0.2)):
        face = pipe.process(sample_bgr, i + 1, when).faces[0]
        np.testing.assert_allclose(face.probabilities, raw.probabilities, atol=1e-5)
    assert pipe._tracker.restarts == 0
    pipe.process(sample_bgr, 3, 0.2)
    assert pipe._tracker.restarts == 1
    pipe.set_options(pipe.with_options(smoothing=False))  # the window's on/off switch
    assert pipe._tracker.options.smoothing_s == 0.0


@pytest.mark.parametrize("bad", [-1, float("nan"), 11])
def test_bad_smoothing_is_refused_with_its_name(bad):
    with pytest.raises(ValueError, match="smoothing must be a number of seconds"):
        PipelineOptions(smoothing_s=bad)


def test_a_pipeline_around_a_classifier_already_loaded(sample_bgr, pipeline):
    from ui_helpers import StubClassifier

    assert isinstance(pipeline.classifier, Classifier)  # the real model fits the protocol
    stub = StubClassifier(happy=0.9)
    assert isinstance(stub, Classifier)
    pipe = FacePipeline.from_classifier(stub, PipelineOptions(detector="haar", min_face_px=64))
    assert pipe.detector.name == "haar" and pipe.classifier is stub
    faces = pipe.process(sample_bgr).faces
    assert len(faces) == 1 and faces[0].label == "happy"
    assert faces[0].probabilities.max() == pytest.approx(0.9, abs=1e-5)


def test_a_face_missed_for_a_frame_is_drawn_held_but_not_counted(sample_bgr):
    """The window draws ``drawn_faces`` (found, then held); ``faces`` stays what the frame
    found, for CSVs, analyses and counts. Smoothing off holds nothing."""
    pipeline = FacePipeline.create()
    found = pipeline.process(sample_bgr, timestamp_s=0.0)
    blank = np.full_like(sample_bgr, 110)
    missed = pipeline.process(blank, timestamp_s=0.1)
    assert missed.faces == ()
    assert [f.track_id for f in missed.held] == [found.faces[0].track_id]
    assert missed.drawn_faces == missed.held
    assert np.array_equal(missed.held[0].box, found.faces[0].box)
    assert missed.held[0].held and not found.faces[0].held  # hidden wider by Blur faces
    assert pipeline.process(blank, timestamp_s=0.7).held == ()  # gone for 0.7 s
    raw = FacePipeline.create(options=PipelineOptions(smoothing=False))
    raw.process(sample_bgr, timestamp_s=0.0)
    assert raw.process(blank, timestamp_s=0.1).held == ()


def test_every_face_of_a_crowd_is_classified_by_default(sample_bgr):
    """Audit 51: only the 10 largest faces of a frame were classified: a crowd video's CSV
    had 10 rows a frame where 92 faces were found, unsaid."""
    import numpy as np

    face = cv2.resize(sample_bgr[100:380, 130:400], (120, 120))
    crowd = np.full((720, 1280, 3), 120, np.uint8)
    for row in range(3):
        for col in range(6):
            crowd[30 + row * 230:150 + row * 230, 40 + col * 205:160 + col * 205] = face
    faces = FacePipeline.create().process(crowd).faces
    assert len(faces) == 18
