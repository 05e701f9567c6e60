"""Small factories for test data: generated FER-style CSVs and BGR frames. No real data.

The CSV generator and the video writer are the app's own (``fer_desktop.synthetic``), which the
self-test and the benchmarks use too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fer_desktop.synthetic import make_faces, write_fer_csv

__all__ = ["make_csv", "make_faces", "make_frame", "make_votes"]


def make_csv(path: Path, per_split: dict[str, int] | None = None, seed: int = 0,
             gz: bool = False) -> Path:
    """A valid FER-2013-layout CSV, 64/32/32 rows unless told (see ``write_fer_csv``)."""
    per_split = per_split or {"Training": 64, "PublicTest": 32, "PrivateTest": 32}
    return write_fer_csv(path, per_split, seed=seed, gz=gz)


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


def make_image_folder(root: Path, per_emotion: dict[str, int], seed: int = 0,
                      suffix: str = ".png") -> Path:
    """An ImageFolder dataset: ``root/<name>/<i>.png`` 48x48 faces drawn like make_faces.

    ``per_emotion`` maps a folder name (any alias, e.g. "happiness") to its image count; the
    pattern of each image is that of the class the name stands for, so a model can learn it.
    """
    import cv2

    from trainer.imagefolder import emotion_index

    rng = np.random.default_rng(seed)
    for name, count in per_emotion.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        label = emotion_index(Path(name).name)
        for i in range(count):
            img = rng.integers(0, 60, (48, 48)).astype(np.uint8)
            row = 4 + 6 * int(label if label is not None else 0)
            img[row:row + 5, 6:42] = 230
            cv2.imwrite(str(folder / f"{i:03d}{suffix}"), img)
    return root
