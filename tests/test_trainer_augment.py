"""The training augmentations (``trainer.recipe``): what they change, and what they keep."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.tf


def _checkerboard(n: int = 4) -> np.ndarray:
    """Sharp 4-px squares: what JPEG at low quality visibly rings and blocks."""
    tile = (np.indices((48, 48)).sum(axis=0) // 4 % 2).astype("float32")
    return np.repeat(tile[None, ..., None], n, axis=0)


def test_jpeg_re_encodes_the_chosen_faces_only():
    from trainer.recipe import _jpeg

    faces = _checkerboard()
    encoded = _jpeg(faces, seed=3, probability=1.0, quality=(40, 41)).numpy()
    assert encoded.shape == faces.shape and encoded.dtype == np.float32
    assert encoded.min() >= 0.0 and encoded.max() <= 1.0
    assert np.abs(encoded - faces).mean() > 0.01  # blocking and ringing, as a camera's MJPEG
    untouched = _jpeg(faces, seed=3, probability=0.0).numpy()
    np.testing.assert_array_equal(untouched, faces)


def test_the_robust_augmenter_keeps_shape_range_and_labels():
    from trainer.recipe import make_augmenter

    faces = _checkerboard(8)
    labels = np.eye(7, dtype="float32")[np.arange(8) % 7]
    x, y = make_augmenter(seed=1, robust=True)(faces, labels)
    assert x.shape == faces.shape and float(np.min(x)) >= 0.0 and float(np.max(x)) <= 1.0
    np.testing.assert_array_equal(y, labels)
