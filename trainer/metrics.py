"""Classification metrics and calibration in plain numpy (shared by evaluate and export)."""

from __future__ import annotations

import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import apply_temperature


def confusion(labels: np.ndarray, predicted: np.ndarray, n: int = len(EMOTIONS)) -> np.ndarray:
    """(n, n) int64: rows are true classes, columns predicted classes."""
    matrix = np.zeros((n, n), np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def per_class(matrix: np.ndarray) -> dict[str, dict[str, float]]:
    out = {}
    for k, name in enumerate(EMOTIONS):
        tp = matrix[k, k]
        precision = tp / max(1, matrix[:, k].sum())
        recall = tp / max(1, matrix[k, :].sum())
        f1 = 2 * precision * recall / max(1e-12, precision + recall)
        out[name] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                     "support": int(matrix[k, :].sum())}
    return out


def ece(probabilities: np.ndarray, labels: np.ndarray, bins: int = 15) -> float | None:
    """Expected calibration error: how far confidence is from accuracy, averaged over bins
    (None without any rows: not measured, rather than a perfect-looking 0.0)."""
    if len(labels) == 0:
        return None
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises negative log-likelihood (grid, then a finer grid)."""

    def nll(t: float) -> float:
        p = apply_temperature(probabilities, t)
        return float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1)).mean())

    grid = np.linspace(0.3, 4.0, 75)
    best = min(grid, key=nll)
    fine = np.linspace(max(0.05, best - 0.05), best + 0.05, 21)
    return float(min(fine, key=nll))


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Mean of the per-class recalls over the classes present: every emotion counts the same."""
    recalls = [(predicted[labels == k] == k).mean() for k in np.unique(labels)]
    return float(np.mean(recalls)) if recalls else float("nan")


def balanced_difference(labels: np.ndarray, predicted_a: np.ndarray, predicted_b: np.ndarray,
                        resamples: int = 2000, seed: int = 0) -> dict[str, float]:
    """How sure is "b beats a" on balanced accuracy? A paired bootstrap that resamples the
    rows within each class (each class keeps its size: balanced accuracy weighs every class
    the same whatever its size), scoring both models on the same draws. PublicTest has 56
    disgusted faces, so one of them is worth 0.26 points of balanced accuracy: a ship
    decision by a tenth of a point needs this to say whether it is more than chance.

    Returns difference (b - a, on the rows as given), low and high (the 95% interval of the
    difference) and b_better (the share of resamples where b scores higher).
    """
    rng = np.random.default_rng(seed)
    right_a, right_b = predicted_a == labels, predicted_b == labels
    per_class = []
    for k in np.unique(labels):
        rows = np.flatnonzero(labels == k)
        draws = rows[rng.integers(0, len(rows), size=(resamples, len(rows)))]
        per_class.append(right_b[draws].mean(axis=1) - right_a[draws].mean(axis=1))
    differences = np.mean(per_class, axis=0)
    low, high = np.percentile(differences, [2.5, 97.5])
    return {"difference": balanced_accuracy(labels, predicted_b)
            - balanced_accuracy(labels, predicted_a),
            "low": float(low), "high": float(high),
            "b_better": float((differences > 0).mean())}


def macro_f1(matrix: np.ndarray, classes: dict[str, dict]) -> float:
    """Mean F1 over the classes in the labels or the answers: an emotion that is in neither
    (own faces without disgust) is no miss. Over all 7, a perfect model on such faces read
    0.857, on three emotions 0.43 (review 44)."""
    seen = [c["f1"] for k, c in enumerate(classes.values())
            if matrix[k].sum() + matrix[:, k].sum() > 0]
    return float(np.mean(seen)) if seen else float("nan")


def ferplus_accuracy(predicted: np.ndarray, majority: np.ndarray | None) -> float | None:
    """Accuracy against the FER+ majority on the rows whose majority is one of the 7 classes."""
    if majority is None:
        return None
    rows = majority >= 0
    return float((predicted[rows] == majority[rows]).mean()) if rows.any() else None


def summarize(probabilities: np.ndarray, labels: np.ndarray,
              ferplus_majority: np.ndarray | None = None) -> dict:
    """Every figure an evaluation reports, against the original labels (and FER+ if given).

    Without any rows (a CSV with no PrivateTest rows) every figure is None, "not measured",
    not the 0.0 or NaN the formulas would give.
    """
    if len(labels) == 0:
        return {"accuracy": None, "balanced_accuracy": None, "ferplus_accuracy": None,
                "macro_f1": None, "confusion": confusion(labels, labels).tolist(), "ece": None,
                "per_class": {name: {"precision": None, "recall": None, "f1": None,
                                     "support": 0} for name in EMOTIONS}}
    predicted = probabilities.argmax(axis=1)
    matrix = confusion(labels, predicted)
    classes = per_class(matrix)
    return {
        "accuracy": float((predicted == labels).mean()),
        "balanced_accuracy": balanced_accuracy(labels, predicted),
        "ferplus_accuracy": ferplus_accuracy(predicted, ferplus_majority),
        "macro_f1": macro_f1(matrix, classes),
        "per_class": classes,
        "confusion": matrix.tolist(),
        "ece": ece(probabilities, labels),
    }


# ## The balanced decision
# The network's answers follow FER-2013's class prior (7,215 happy faces, 436 disgusted ones).
# Dividing its probabilities by the training class frequencies to a power tau (post-hoc logit
# adjustment, Menon et al., ICLR 2021) trades a little accuracy on common classes for recall
# on rare ones; tau is chosen on PublicTest's balanced accuracy.

PRIOR_POWERS = tuple(np.round(np.arange(0.0, 1.51, 0.125), 3))


def prior_powers(sampling_power: float = 0.0) -> tuple[float, ...]:
    """The powers searched. A network trained with ``--sampling`` saw the rare emotions more
    often than the CSV has them, so it may lean towards them already: the search then also
    tries negative powers, down to ``-sampling_power``, which give some of the CSV's prior
    back (a power of 0, no correction, is always tried)."""
    below = np.arange(-sampling_power, 0.0, 0.125) if sampling_power > 0 else np.array([])
    return tuple(np.round(below, 3)) + PRIOR_POWERS


def class_frequencies(labels: np.ndarray, n: int = len(EMOTIONS)) -> np.ndarray:
    counts = np.bincount(labels, minlength=n).astype(np.float64)
    return np.maximum(counts, 1.0) / max(1.0, counts.sum())


def prior_weights(frequencies: np.ndarray, power: float) -> np.ndarray:
    """Per-class multipliers, scaled so the largest is 1 (probabilities are renormalised)."""
    weights = np.power(frequencies, -power)
    return (weights / weights.max()).astype(np.float32)


def apply_prior(probabilities: np.ndarray, weights: np.ndarray) -> np.ndarray:
    adjusted = probabilities * weights[None, :]
    return adjusted / adjusted.sum(axis=1, keepdims=True)


BLUR_SIGMAS = (0.5, 0.75)  # the test-time blurs the export tries (convert.with_blur)
VIEW_MIN_GAIN = 0.003  # a view goes into the graph only for 0.3 points of balanced accuracy


def choose_views(scores: dict[tuple[bool, float], float],
                 min_gain: float = VIEW_MIN_GAIN) -> tuple[bool, float]:
    """(flip averaging, blur sigma) for the graph from PublicTest's balanced accuracy of each
    pair (``(flip, 0.0)``: no blur). A blur must beat no blur, and flip averaging (twice the
    cost of a face) the best without it, by ``min_gain``: a small set of choices, each worth
    more than the noise of choosing it."""
    def blur_for(flip: bool) -> float:
        sigma = max((s for f, s in scores if f == flip), key=lambda s: (scores[(flip, s)], -s))
        return sigma if scores[(flip, sigma)] >= scores[(flip, 0.0)] + min_gain else 0.0

    plain, flipped = blur_for(False), blur_for(True)
    best_without = max(v for (f, _), v in scores.items() if not f)  # a blur too small to
    flip = scores[(True, flipped)] >= best_without + min_gain  # choose still counts here
    return flip, flipped if flip else plain


def choose_decision(probabilities: dict[tuple[bool, float], np.ndarray], labels: np.ndarray,
                    frequencies: np.ndarray, powers: tuple[float, ...] = PRIOR_POWERS
                    ) -> tuple[tuple[bool, float], dict, dict[tuple[bool, float], float]]:
    """What the export builds in, from PublicTest probabilities in each view ``(flip, blur
    sigma)``: the chosen view, every view's (prior power, balanced accuracy by power) and
    every view's balanced accuracy at its power. One function, so that benchmarks that
    predict an export's choice make the export's own."""
    choices = {view: choose_prior_power(p, labels, frequencies, powers)
               for view, p in probabilities.items()}
    best = {view: scores[power] for view, (power, scores) in choices.items()}
    return choose_views(best), choices, best


def choose_prior_power(probabilities: np.ndarray, labels: np.ndarray,
                       frequencies: np.ndarray, powers: tuple[float, ...] = PRIOR_POWERS
                       ) -> tuple[float, dict[float, float]]:
    """The power with the best balanced accuracy (among ties, the one nearest 0: the least
    correction) and every score."""
    scores = {float(tau): balanced_accuracy(
        labels, apply_prior(probabilities, prior_weights(frequencies, tau)).argmax(1))
        for tau in powers}
    best = max(scores.values())
    return min((t for t, v in scores.items() if v >= best - 1e-9), key=abs), scores
