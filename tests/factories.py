"""Small factories for test data: generated FER-style CSVs and BGR frames. No real data."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

SPLITS = ("Training", "PublicTest", "PrivateTest")


def make_faces(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 48, 48) uint8 images whose class (0..6) is drawn as a learnable pattern."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 7, n)
    images = rng.integers(0, 60, (n, 48, 48)).astype(np.uint8)
    for img, label in zip(images, labels, strict=True):
        row = 4 + 6 * int(label)
        img[row:row + 5, 6:42] = 230
    return images, labels


def make_csv(path: Path, per_split: dict[str, int] | None = None, seed: int = 0,
             gz: bool = False) -> Path:
    """Write a valid FER-2013-layout CSV with ``per_split`` rows for each Usage."""
    per_split = per_split or {"Training": 64, "PublicTest": 32, "PrivateTest": 32}
    lines = ["emotion,pixels,Usage"]
    for k, (split, n) in enumerate(per_split.items()):
        images, labels = make_faces(n, seed + k)
        for img, label in zip(images, labels, strict=True):
            lines.append(f"{label},{' '.join(map(str, img.ravel()))},{split}")
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def make_frame(size: tuple[int, int] = (480, 640), value: int = 40) -> np.ndarray:
    """A plain BGR frame (H, W, 3) uint8."""
    return np.full((*size, 3), value, np.uint8)


def make_votes(path: Path, csv: Path, rows: list[dict[str, int]] | None = None,
               names: list[str] | None = None) -> Path:
    """A FER+ votes file (fer2013new.csv layout) that lines up with ``csv`` row by row.

    ``rows`` gives the votes of the first rows (FER+ column names); the rest get ten votes
    for happiness. ``names`` gives the ``Image name`` of the first rows ("" = left out).
    """
    import csv as csvlib

    columns = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear",
               "contempt", "unknown", "NF"]
    with open(csv, newline="") as fh:
        usages = [r["Usage"] for r in csvlib.DictReader(fh)]
    rows = rows or []
    names = names or []
    lines = ["Usage,Image name," + ",".join(columns)]
    for i, usage in enumerate(usages):
        votes = rows[i] if i < len(rows) else {"happiness": 10}
        name = names[i] if i < len(names) else f"fer{i:07d}.png"
        lines.append(f"{usage},{name}," + ",".join(str(votes.get(c, 0)) for c in columns))
    path.write_text("\n".join(lines) + "\n")
    return path
