"""The live small-face schedule: small faces found one tile per frame, then followed."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from ui_helpers import StubClassifier

from fer_desktop.core.detectors.schedule import ScheduledDetector
from fer_desktop.core.detectors.yunet import YuNetDetector
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.source_defaults import options_for

SPOTS = [(60, 50), (420, 40), (250, 300), (500, 340)]  # top-left corners of the heads


def small_heads(sample: np.ndarray, width: float = 20, shift: int = 0) -> np.ndarray:
    """A grey 640x480 frame with the sample scaled so YuNet's box of each face is about
    ``width`` px (90 px in the 512 px sample), at SPOTS moved right by ``shift``."""
    side = round(512 * width / 90)
    head = cv2.resize(sample, (side, side), interpolation=cv2.INTER_AREA)
    frame = np.full((480, 640, 3), 120, np.uint8)
    for x, y in SPOTS:
        frame[y:y + side, x + shift:x + shift + side] = head
    return frame


def test_small_faces_are_found_within_one_round_of_tiles_and_followed(sample_bgr):
    frame = small_heads(sample_bgr)
    assert YuNetDetector(min_face_px=32).detect(frame) == []  # the camera's every-frame pass
    detector = ScheduledDetector(min_face_px=32, small_face_px=16)
    rounds = len(detector.tiles(frame.shape[:2]))
    counts = [len(detector.detect(frame)) for _ in range(rounds)]
    assert counts[-1] == len(SPOTS) and counts == sorted(counts)  # found, and none let go
    before = sorted(float(f.box[0]) for f in detector.detect(frame))
    after = sorted(float(f.box[0]) for f in detector.detect(small_heads(sample_bgr, shift=6)))
    assert len(after) == len(SPOTS)
    assert np.allclose(np.subtract(after, before), 6, atol=2)  # the boxes move with the faces
    assert detector.detect(np.full_like(frame, 120)) == []  # gone: let go at once
    assert len(detector.detect(frame)) < len(SPOTS)  # not remembered: only this tile's face


def test_one_small_tile_per_frame(sample_bgr, monkeypatch):
    detector = ScheduledDetector(min_face_px=32, small_face_px=16)
    seen = []
    real = detector.detail.detect
    monkeypatch.setattr(detector.detail, "detect", lambda tile: seen.append(tile.shape) or
                        real(tile))
    frame = small_heads(sample_bgr)
    tiles = detector.tiles(frame.shape[:2])
    for _ in range(3):
        detector.detect(frame)
    assert seen == [(160, 192, 3)] * 3
    assert len(tiles) == 16 and len(set(tiles)) == 16
    covered = np.zeros(frame.shape[:2], bool)
    for x, y, w, h in tiles:
        covered[y:y + h, x:x + w] = True
    assert covered.all()


def test_bad_small_face_is_refused():
    with pytest.raises(ValueError, match="small_face_px"):
        ScheduledDetector(min_face_px=32, small_face_px=32)


def test_a_small_minimum_for_a_camera_uses_the_schedule(sample_bgr):
    camera = options_for("camera", PipelineOptions(), min_face_px=16)
    assert (camera.min_face_px, camera.small_face_px) == (32, 16)
    pipeline = FacePipeline.from_classifier(StubClassifier(), camera)
    assert isinstance(pipeline.detector, ScheduledDetector)
    frame = small_heads(sample_bgr)
    results = [pipeline.process(frame, i, i / 30) for i in range(16)]
    ids = {f.track_id for f in results[-1].faces}
    assert len(ids) == len(SPOTS)
    assert {f.track_id for f in pipeline.process(frame, 16, 16 / 30).faces} == ids
    pipeline.reset()  # the followed faces are forgotten: only the first tile's face is found
    assert len(pipeline.process(frame, 17, 17 / 30).faces) == 1
    for kind, chosen in (("camera", None), ("camera", 32), ("camera", 48), ("video", 16),
                         ("image", 16)):
        options = options_for(kind, PipelineOptions(), min_face_px=chosen)
        assert options.small_face_px is None
        assert isinstance(FacePipeline.from_classifier(StubClassifier(), options).detector,
                          YuNetDetector)
