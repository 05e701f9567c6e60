"""Metrics over an empty split are "not measured" (None), never a bogus 0.0 or a NumPy warning."""

from __future__ import annotations

import warnings

import numpy as np

from trainer import metrics


def test_an_empty_split_gives_none_figures_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Mean of empty slice" would fail the test
        summary = metrics.summarize(np.zeros((0, 7), np.float32), np.zeros(0, np.int64))
        assert metrics.ece(np.zeros((0, 7)), np.zeros(0, np.int64)) is None
    for key in ("accuracy", "balanced_accuracy", "macro_f1", "ece"):
        assert summary[key] is None, key
    assert all(c["recall"] is None and c["support"] == 0 for c in summary["per_class"].values())
    assert np.array(summary["confusion"]).shape == (7, 7)


def test_a_non_empty_split_is_measured_as_before():
    labels = np.array([0, 3, 3])
    probabilities = np.eye(7, dtype=np.float32)[[0, 3, 4]]
    summary = metrics.summarize(probabilities, labels)
    assert summary["accuracy"] == 2 / 3 and summary["per_class"]["happy"]["recall"] == 0.5
    assert metrics.ece(probabilities, labels) == summary["ece"]
