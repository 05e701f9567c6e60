"""Face detectors on the shipped sample and composed frames; anchors, IoU and NMS."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.detectors import FaceDetector, create_detector
from fer_desktop.core.detectors.blazeface import full_range_anchors, weighted_nms

# The astronaut's face in assets/sample.jpg, checked by eye once: x 175..280, y 65..175.
SAMPLE_FACE = np.array([175, 65, 280, 175], np.float32)


@pytest.fixture(scope="module")
def blazeface():
    return create_detector("blazeface")


@pytest.fixture(scope="module")
def haar():
    return create_detector("haar")


def compose(sample, size=(720, 1280), places=((40, 100, 512), (700, 150, 384))):
    """A grey frame with copies of the sample pasted at (x, y, side); returns frame, face boxes."""
    frame = np.full((*size, 3), 110, np.uint8)
    boxes = []
    for x, y, side in places:
        frame[y:y + side, x:x + side] = cv2.resize(sample, (side, side))
        boxes.append(SAMPLE_FACE * side / 512 + np.array([x, y, x, y]))
    return frame, boxes


@pytest.mark.parametrize("name", ["blazeface", "haar"])
def test_finds_the_sample_face(name, sample_bgr, request):
    detector = request.getfixturevalue(name)
    assert isinstance(detector, FaceDetector)
    found = detector.detect(sample_bgr)
    assert len(found) == 1
    assert iou_matrix(found[0].box[None], SAMPLE_FACE[None])[0, 0] > 0.6


def test_blazeface_keypoints_sit_on_the_face(blazeface, sample_bgr):
    face = blazeface.detect(sample_bgr)[0]
    assert face.keypoints.shape == (6, 2) and 0.6 < face.score <= 1.0
    right_eye, left_eye, nose, mouth = face.keypoints[:4]
    assert right_eye[0] < nose[0] < left_eye[0] and nose[1] < mouth[1]


@pytest.mark.parametrize("name", ["blazeface", "haar"])
def test_blank_frame_has_no_faces(name, request):
    assert request.getfixturevalue(name).detect(np.zeros((480, 640, 3), np.uint8)) == []


def test_blazeface_maps_letterboxed_boxes_back_to_frame_pixels(blazeface, sample_bgr):
    frame, truth = compose(sample_bgr)
    found = blazeface.detect(frame)
    assert len(found) == 2
    ious = iou_matrix(np.stack([d.box for d in found]), np.stack(truth))
    # Faces of 15-20 input pixels: BlazeFace's boxes get looser than on the plain sample.
    assert (ious.max(axis=1) > 0.45).all()
    for box in truth:
        centre = (box[:2] + box[2:]) / 2
        assert any(d.box[0] < centre[0] < d.box[2] and d.box[1] < centre[1] < d.box[3]
                   for d in found)


def test_min_face_px_drops_small_faces(sample_bgr):
    frame, _ = compose(sample_bgr)
    big_only = create_detector("blazeface", min_face_px=80).detect(frame)
    assert len(big_only) == 1 and big_only[0].width >= 80


def test_score_threshold(sample_bgr):
    assert create_detector("blazeface", score_threshold=0.999).detect(sample_bgr) == []


def test_haar_accepts_gray_frames(haar, sample_bgr):
    assert len(haar.detect(cv2.cvtColor(sample_bgr, cv2.COLOR_BGR2GRAY))) == 1


def test_unknown_detector_is_named_with_a_suggestion():
    with pytest.raises(ValueError, match="unknown detector 'blazefce'.*'blazeface'"):
        create_detector("blazefce")


def test_bad_blazeface_file_is_named(tmp_path):
    bad = tmp_path / "face.tflite"
    bad.write_bytes(b"junk")
    with pytest.raises(ValueError, match="face.tflite"):
        create_detector("blazeface", model_path=bad)


def test_anchors_cover_the_grid_row_major():
    anchors = full_range_anchors()
    assert anchors.shape == (2304, 2)
    np.testing.assert_allclose(anchors[0], [0.5 / 48, 0.5 / 48])
    np.testing.assert_allclose(anchors[1], [1.5 / 48, 0.5 / 48])  # x varies fastest
    np.testing.assert_allclose(anchors[48], [0.5 / 48, 1.5 / 48])


@pytest.mark.parametrize("a, b, expected", [
    ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),      # identical
    ([0, 0, 10, 10], [5, 0, 15, 10], 1 / 3),    # half overlap
    ([0, 0, 10, 10], [20, 20, 30, 30], 0.0),    # disjoint
    ([0, 0, 10, 10], [10, 0, 20, 10], 0.0),     # touching edges
])
def test_iou(a, b, expected):
    value = iou_matrix(np.array([a], np.float32), np.array([b], np.float32))[0, 0]
    assert value == pytest.approx(expected)


def test_weighted_nms_merges_a_cluster_and_keeps_a_separate_face():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], np.float32)
    scores = np.array([0.9, 0.6, 0.8], np.float32)
    kept = weighted_nms(boxes, scores, np.zeros((3, 6, 2), np.float32))
    assert [round(s, 2) for _, s, _ in kept] == [0.9, 0.8]
    np.testing.assert_allclose(kept[0][0], [0.4, 0.4, 10.4, 10.4], atol=1e-5)


def test_weighted_nms_of_nothing():
    assert weighted_nms(np.zeros((0, 4)), np.zeros(0), np.zeros((0, 6, 2))) == []


def test_one_default_detector_for_the_window_analyze_and_the_options():
    """The default is DEFAULT_DETECTOR alone (it was written in six places, audit 63)."""
    import inspect

    from fer_desktop.core.analyze import build_parser
    from fer_desktop.core.detectors import DEFAULT_DETECTOR, create_detector
    from fer_desktop.core.pipeline import PipelineOptions
    from fer_desktop.core.still_faces import FaceCropper

    assert PipelineOptions().detector == DEFAULT_DETECTOR
    assert inspect.signature(create_detector).parameters["name"].default == DEFAULT_DETECTOR
    assert inspect.signature(FaceCropper).parameters["detector"].default == DEFAULT_DETECTOR
    help_text = " ".join(build_parser().format_help().split())
    assert f"{DEFAULT_DETECTOR} (the default:" in help_text
    from fer_desktop.core.detectors import DETECTOR_FINDS, DETECTORS

    assert set(DETECTOR_FINDS) == set(DETECTORS)  # one missing would drop out of --help
