"""The live crop feeds the network exactly what training fed it, on a known face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from factories import make_faces

from fer_desktop.core.crop import crop_face, face_inputs, square_box
from fer_desktop.core.preprocess import preprocess_face, preprocess_faces


def paste_face(face48: np.ndarray, factor: int = 4, at=(200, 120), size=(480, 640)):
    """A BGR frame holding ``face48`` upscaled by an integer factor (nearest neighbour, so an
    area-average back to 48x48 restores it exactly); returns the frame and the face's box."""
    big = cv2.resize(face48, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
    frame = np.full((*size, 3), 77, np.uint8)
    x, y = at
    frame[y:y + big.shape[0], x:x + big.shape[1]] = big[:, :, None]
    return frame, np.array([x, y, x + big.shape[1], y + big.shape[0]], np.float32)


def check_live_equals_training(face48: np.ndarray) -> None:
    training = preprocess_faces(face48[None])            # what the trainer feeds
    for factor in (1, 2, 4, 5):
        frame, box = paste_face(face48, factor)
        live = face_inputs(frame, [box], scale=1.0)      # what the pipeline feeds
        np.testing.assert_array_equal(live, training)


def test_live_crop_equals_training_preprocessing_on_a_generated_face():
    faces, _labels = make_faces(3, seed=4)
    for face in faces:
        check_live_equals_training(face)


@pytest.mark.realdata
def test_live_crop_equals_training_preprocessing_on_a_fer_face(real_csv):
    import gzip
    import itertools

    opener = gzip.open if real_csv.suffix == ".gz" else open
    with opener(real_csv, "rt") as fh:  # the first rows only: the whole file takes seconds
        rows = list(itertools.islice(fh, 1, 4))
    for row in rows:
        pixels = row.split(",")[1].split()
        check_live_equals_training(np.array(pixels, np.uint8).reshape(48, 48))


def test_gray_first_equals_colour_crop(sample_bgr):
    box = np.array([173, 68, 280, 175], np.float32)
    for scale in (1.0, 1.2, 1.5):
        expected = preprocess_face(crop_face(sample_bgr, box, scale))
        np.testing.assert_array_equal(face_inputs(sample_bgr, [box], scale)[0], expected)


def test_square_box_is_centred_and_scaled():
    assert square_box(np.array([10, 20, 50, 100]), 1.0) == (-10, 20, 80)
    assert square_box(np.array([0, 0, 100, 100]), 1.2) == (-10, -10, 120)


def test_crop_at_the_border_replicates_edges():
    frame = np.arange(100, dtype=np.uint8).reshape(10, 10)
    crop = crop_face(frame, np.array([0, 0, 4, 4], np.float32), 2.0)
    assert crop.shape == (8, 8)
    assert (crop[:2, :2] == frame[0, 0]).all()  # replicated corner
    np.testing.assert_array_equal(crop[2:, 2:], frame[:6, :6])


def test_box_outside_the_frame_is_refused():
    with pytest.raises(ValueError, match="outside"):
        crop_face(np.zeros((10, 10), np.uint8), np.array([50, 50, 60, 60], np.float32))


def test_no_boxes_gives_an_empty_batch():
    assert face_inputs(np.zeros((10, 10, 3), np.uint8), []).shape == (0, 48, 48, 1)
