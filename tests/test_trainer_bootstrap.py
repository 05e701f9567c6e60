"""The paired bootstrap behind "is the new model really better on balanced accuracy?"."""

from __future__ import annotations

import numpy as np

from trainer import metrics


def _labels() -> np.ndarray:
    """An imbalanced split: 300 faces of class 3, 20 of class 1, 100 of class 0."""
    return np.array([3] * 300 + [1] * 20 + [0] * 100)


def test_identical_answers_differ_by_nothing():
    labels = _labels()
    predicted = np.where(np.arange(len(labels)) % 3 == 0, 6, labels)
    result = metrics.balanced_difference(labels, predicted, predicted.copy(), resamples=200)
    assert result == {"difference": 0.0, "low": 0.0, "high": 0.0, "b_better": 0.0}


def test_a_clear_gain_on_a_rare_class_is_sure():
    labels = _labels()
    a = labels.copy()
    a[300:315] = 6  # a misses 15 of the 20 rare faces
    b = labels.copy()
    b[300:305] = 6  # b misses 5
    result = metrics.balanced_difference(labels, a, b, resamples=500)
    assert np.isclose(result["difference"], (10 / 20) / 3)
    assert 0 < result["low"] < result["difference"] < result["high"]
    assert result["b_better"] > 0.99


def test_one_face_either_way_is_within_chance():
    labels = _labels()
    a = labels.copy()
    a[[0, 1, 2, 300, 301, 302, 320, 321]] = 6
    b = a.copy()
    b[300] = 1   # b gets one more rare face right ...
    b[3] = 6     # ... and one more common face wrong
    result = metrics.balanced_difference(labels, a, b, resamples=1000)
    assert result["difference"] > 0  # the rare face weighs more
    assert result["low"] < 0 < result["high"]
    assert 0.05 < result["b_better"] < 0.95


def test_the_same_seed_gives_the_same_interval():
    labels = _labels()
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 7, len(labels)), rng.integers(0, 7, len(labels))
    first = metrics.balanced_difference(labels, a, b, resamples=300, seed=3)
    assert first == metrics.balanced_difference(labels, a, b, resamples=300, seed=3)
