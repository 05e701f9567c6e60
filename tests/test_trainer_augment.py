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



def _high_frequency(faces) -> float:
    """Mean absolute difference of neighbouring pixels: what each resampling smooths away."""
    a = np.asarray(faces)[..., 0]
    return float(np.abs(np.diff(a, axis=1)).mean() + np.abs(np.diff(a, axis=2)).mean())


def test_one_warp_leaves_faces_sharper_than_the_chain_of_three():
    from trainer.recipe import make_warp

    faces = np.random.default_rng(0).random((64, 48, 48, 1), dtype=np.float32)
    once = _high_frequency(make_warp(3, "once")(faces))
    chain = _high_frequency(make_warp(3, "chain")(faces))
    assert once > 1.4 * chain  # one bilinear resampling against three
    assert once < _high_frequency(faces)  # it does resample


def test_one_warp_moves_a_face_over_the_chains_ranges():
    from trainer.recipe import SHIFT, make_warp

    ys, xs = np.indices((48, 48))
    blob = np.exp(-((ys - 23.5) ** 2 + (xs - 23.5) ** 2) / 8.0).astype("float32")
    faces = np.repeat(blob[None, ..., None], 256, axis=0)
    warped = np.asarray(make_warp(5, "once")(faces))[..., 0]
    mass = warped.sum(axis=(1, 2))
    cy = (warped * ys).sum(axis=(1, 2)) / mass - 23.5
    cx = (warped * xs).sum(axis=(1, 2)) / mass - 23.5
    limit = SHIFT * 48 + 0.5  # rotation and zoom keep the centre; only the shift moves it
    assert np.abs(cx).max() <= limit and np.abs(cy).max() <= limit
    assert np.abs(cx).max() > 0.6 * SHIFT * 48 and np.abs(cy).max() > 0.6 * SHIFT * 48
    assert np.std(mass) > 0.02 * np.mean(mass)  # the zoom changes the blob's size
    widths = np.sqrt((warped * ((xs - 23.5 - cx[:, None, None]) ** 2)).sum(axis=(1, 2)) / mass)
    assert widths.min() < widths.mean() < widths.max()


def test_the_zoom_range_sets_how_much_of_the_frame_the_face_fills():
    """``--zoom-min/--zoom-max``: crops wider than the face, as the app's detector cuts
    (benchmarks/box_jitter.py), show the face smaller."""
    from trainer.recipe import make_warp

    ys, xs = np.indices((48, 48))
    # small: the reflected copies the wide crop samples beyond the edges stay out of frame
    square = ((np.abs(ys - 23.5) < 4) & (np.abs(xs - 23.5) < 4)).astype("float32")
    faces = np.repeat(square[None, ..., None], 32, axis=0)
    as_is = np.asarray(make_warp(5, "once", (1.0, 1.0))(faces)).sum(axis=(1, 2, 3))
    wide = np.asarray(make_warp(5, "once", (1.5, 1.5))(faces)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(as_is, square.sum(), rtol=0.1)  # rotation keeps the area
    ratio = wide / as_is  # an 8-px square resampled: each face within 15%, all within 5%
    assert np.mean(ratio) == pytest.approx(1 / 1.5 ** 2, rel=0.05)
    np.testing.assert_allclose(ratio, 1 / 1.5 ** 2, rtol=0.15)


def _one_epoch_of_classes(sampling_power: float, seed: int = 5) -> np.ndarray:
    from trainer.recipe import make_train_dataset

    classes = np.array([0] * 400 + [1] * 25 + [3] * 100)  # a common, a rare, a middling class
    x = np.zeros((len(classes), 48, 48, 1), "float32")
    y = np.eye(7, dtype="float32")[classes]
    ds = make_train_dataset(x, y, 64, seed, augment=False, classes=classes,
                            sampling_power=sampling_power)
    return np.concatenate([batch_y.numpy().argmax(1) for _, batch_y in ds])


def test_balanced_sampling_draws_every_class_about_equally_often():
    drawn = _one_epoch_of_classes(1.0)
    assert len(drawn) == 525  # an epoch is still as long as the data
    shares = np.bincount(drawn, minlength=7)[[0, 1, 3]] / len(drawn)
    np.testing.assert_allclose(shares, [1 / 3] * 3, atol=0.07)


def test_sqrt_sampling_lies_between_natural_and_balanced():
    natural = np.bincount(_one_epoch_of_classes(0.0), minlength=7)
    assert list(natural[[0, 1, 3]]) == [400, 25, 100]  # natural: each face exactly once
    sqrt = np.bincount(_one_epoch_of_classes(0.5), minlength=7)
    expected = np.sqrt([400, 25, 100]) / np.sqrt([400, 25, 100]).sum() * 525
    np.testing.assert_allclose(sqrt[[0, 1, 3]], expected, rtol=0.25)


def test_balanced_sampling_shows_every_rare_face_and_changes_order_between_epochs():
    from trainer.recipe import make_train_dataset

    classes = np.array([0] * 200 + [1] * 10)
    x = np.arange(len(classes), dtype="float32")[:, None, None, None] * np.ones((1, 48, 48, 1),
                                                                                "float32")
    y = np.eye(7, dtype="float32")[classes]
    ds = make_train_dataset(x, y, 32, 9, augment=False, classes=classes, sampling_power=1.0)
    epochs = [np.concatenate([bx.numpy()[:, 0, 0, 0] for bx, _ in ds]).astype(int)
              for _ in range(2)]
    counts = np.bincount(epochs[0], minlength=210)[200:]
    # every rare face is shown before any is shown again (drawing with replacement would
    # show some three times and others once)
    assert counts.min() >= 1 and counts.max() - counts.min() <= 1
    assert not np.array_equal(epochs[0], epochs[1])
