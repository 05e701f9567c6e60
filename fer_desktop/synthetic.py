"""Made-up data for the self-test, the tests and the benchmarks: no real faces, no dataset.

:func:`write_fer_csv` writes a FER-2013-layout CSV whose class is visible (a bright band whose
row is the label), so a tiny network learns it in a few epochs. :func:`write_video` writes
frames to a short video, and :func:`drifting_face` makes the usual frames: a face image
sliding sideways over a plain background. Qt-free and TensorFlow-free (numpy and OpenCV).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

#: The rows per split of the self-test's tiny CSV.
TINY_SPLITS = {"Training": 48, "PublicTest": 32, "PrivateTest": 32}


def make_faces(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 48, 48)`` uint8 images and ``(n,)`` labels 0..6; label k is a band on row 4+6k."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 7, n)
    images = rng.integers(0, 60, (n, 48, 48)).astype(np.uint8)
    for img, label in zip(images, labels, strict=True):
        row = 4 + 6 * int(label)
        img[row:row + 5, 6:42] = 230
    return images, labels


def write_fer_csv(path: Path, per_split: dict[str, int] | None = None, seed: int = 0,
                  gz: bool = False) -> Path:
    """Write a valid FER-2013-layout CSV (``emotion,pixels,Usage``); returns ``path``.

    Args:
        per_split: rows per Usage value (default :data:`TINY_SPLITS`).
        seed: split k uses seed + k.
        gz: gzip the file.
    """
    per_split = per_split or TINY_SPLITS
    lines = ["emotion,pixels,Usage"]
    for k, (split, n) in enumerate(per_split.items()):
        images, labels = make_faces(n, seed + k)
        for img, label in zip(images, labels, strict=True):
            lines.append(f"{label},{' '.join(map(str, img.ravel()))},{split}")
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="ascii") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="ascii")
    return path


def drifting_face(face_bgr: np.ndarray, frames: int, size: tuple[int, int] = (640, 480),
                  face_px: int = 384, step_px: int = 3, top_px: int = 20, left_px: int = 40,
                  background: int = 100) -> Iterator[np.ndarray]:
    """``frames`` BGR frames of ``size`` (width, height): the face, ``face_px`` square,
    moving right by ``step_px`` a frame (wrapping before the right edge)."""
    width, height = size
    face = cv2.resize(face_bgr, (face_px, face_px))
    travel = max(1, width - face_px - left_px + 1)
    for i in range(frames):
        frame = np.full((height, width, 3), background, np.uint8)
        x = left_px + (step_px * i) % travel
        frame[top_px:top_px + face_px, x:x + face_px] = face
        yield frame


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 10.0) -> Path:
    """Write BGR frames (all one size) to ``path``: MJPG for ``.avi``, mp4v otherwise."""
    frames = iter(frames)
    first = next(frames)
    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if path.suffix.lower() == ".avi" else "mp4v"))
    writer = cv2.VideoWriter(str(path), fourcc, fps, (first.shape[1], first.shape[0]))
    if not writer.isOpened():
        raise OSError(f"{path}: OpenCV cannot write this video")
    try:
        writer.write(first)
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path
