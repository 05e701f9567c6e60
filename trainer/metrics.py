"""Classification metrics and calibration in plain numpy (shared by evaluate and export)."""

from __future__ import annotations

import numpy as np

from fer_desktop.core.emotions import EMOTIONS


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


def ece(probabilities: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error: how far confidence is from accuracy, averaged over bins."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises negative log-likelihood (grid, then a finer grid)."""

    def nll(t: float) -> float:
        p = apply_temperature(probabilities, t)
        return float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1)).mean())

    grid = np.linspace(0.3, 4.0, 75)
    best = min(grid, key=nll)
    fine = np.linspace(max(0.05, best - 0.05), best + 0.05, 21)
    return float(min(fine, key=nll))


def summarize(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    predicted = probabilities.argmax(axis=1)
    matrix = confusion(labels, predicted)
    classes = per_class(matrix)
    return {
        "accuracy": float((predicted == labels).mean()),
        "macro_f1": float(np.mean([c["f1"] for c in classes.values()])),
        "per_class": classes,
        "confusion": matrix.tolist(),
        "ece": ece(probabilities, labels),
    }
