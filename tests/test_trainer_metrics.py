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


def test_macro_f1_leaves_out_emotions_neither_shown_nor_answered():
    """Review 44: a perfect model on own faces without disgust read macro-F1 0.857 (the F1 of
    7 emotions averaged, disgust's 0 among them); on three emotions 0.43."""
    labels = np.array([0, 0, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])
    perfect = np.eye(7)[labels] * 0.9 + 0.1 / 7
    assert metrics.summarize(perfect, labels)["macro_f1"] == 1.0
    three = np.array([3, 3, 4, 4, 6, 6])
    assert metrics.summarize(np.eye(7)[three], three)["macro_f1"] == 1.0
    # an emotion answered but never shown is a miss: its F1 of 0 counts
    wrong = np.eye(7)[np.array([3, 3, 4, 4, 6, 1])]
    assert 0 < metrics.summarize(wrong, three)["macro_f1"] < 1.0


def test_the_report_says_what_macro_f1_counts_when_it_reads_low():
    """Trial 60: a 2-emotion folder read "accuracy 90.32%, balanced accuracy 90.00%,
    macro-F1 0.378" with no word why: emotions answered but absent count, at F1 0."""
    from trainer.evaluate import format_result

    labels = np.array([3] * 10 + [4] * 10)  # happy and sad faces only
    probabilities = np.full((20, 7), 0.01)
    probabilities[np.arange(20), labels] = 0.9
    probabilities[0] = probabilities[10] = 0.01
    probabilities[0, 0] = probabilities[10, 2] = 0.9  # one of each taken for angry, fear
    result = metrics.summarize(probabilities, labels) | {
        "model": "m.tflite", "split": "held-out", "samples": 20, "tta": "none",
        "ece_uncalibrated": 0.1, "ece": 0.1, "temperature": 1.0}
    said = format_result(result)
    assert "macro-F1 counts the emotions in the labels or the answers: angry, fear answered " \
           "but not among these faces (F1 0)" in said
    result = metrics.summarize(np.eye(7)[labels], labels) | {
        k: result[k] for k in ("model", "split", "samples", "tta", "ece_uncalibrated", "ece",
                               "temperature")}
    assert "macro-F1 counts" not in format_result(result)  # nothing answered outside them
