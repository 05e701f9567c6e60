"""Telling a cut to another person from the same face moving: small "looks" of the frame and
of each face, compared from one sighting of a face to the next.

An edited video cuts from one close-up to another person's at the same place: the tracker's
boxes overlap, and the new person went on under the old one's number, with the old one's
smoothed answer carried over for a second (trial 32: nine people under "#1" in `analyze`,
their mean describing none of them). A face is taken as another person when both the whole
picture and the face changed past what one frame of motion does:

* the frame's look: 16x9 grey cells (sampled at 64x36 first: under a tenth of a millisecond
  even at 1920x1080), mean removed and scaled to unit length, so that a change of brightness
  or of a camera's gain changes nothing;
* the face's look: the classifier's 48x48 input averaged to 8x8 cells, the same way.

Their similarity is the normalised correlation (1: the same up to brightness). Measured with
``benchmarks/scene_cut.py`` (docs/labels.md has its table): two different PublicTest faces
0.11 at the median, under ``FACE_CUT`` in 92% of 2,000 pairs; the same face moved by up to
2.5 of its 48 pixels, turned 5 degrees, scaled 6% and lit differently under it in 1 of 2,000;
a frame panned by 3% of its width keeps 0.86, by 6% 0.62. Both looks must fall under their
limits: a hand over the face changes the face, not the picture; a quick pan changes the
picture, not the face.
"""

from __future__ import annotations

import cv2
import numpy as np

FRAME_CUT = 0.6  # the whole picture changed: its look under this similarity
FACE_CUT = 0.5   # and the face too: another person (two FER-2013 faces: 0.1 at the median)
# a face this like a track's is that person (the same face moved: over it in 99 of 100; two
# people: under it in 99 of 100): a face that took another's place keeps its own number
SAME_FACE = 0.75
FRAME_CELLS = (16, 9)
FACE_CELLS = 8


def _unit(values: np.ndarray) -> np.ndarray:
    """Each row of (n, k) ``values`` with its mean removed, scaled to length 1 (all zeros
    when flat: a black frame is like nothing)."""
    values = np.asarray(values, np.float32)
    centred = values - values.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.where(norms > 1e-6, centred / np.maximum(norms, 1e-6), 0.0).astype(np.float32)


def frame_look(frame_bgr: np.ndarray) -> np.ndarray:
    """The frame as 16x9 grey cells, unit length (see the module docstring)."""
    small = cv2.resize(frame_bgr, (4 * FRAME_CELLS[0], 4 * FRAME_CELLS[1]),
                       interpolation=cv2.INTER_LINEAR)
    cells = cv2.resize(small, FRAME_CELLS, interpolation=cv2.INTER_AREA)
    grey = cells.astype(np.float32).reshape(FRAME_CELLS[1], FRAME_CELLS[0], -1).mean(axis=2)
    return _unit(grey.reshape(1, -1))[0]


def face_looks(inputs: np.ndarray) -> np.ndarray:
    """(n, 64): each (48, 48, 1) classifier input as 8x8 cells, unit length."""
    faces = np.asarray(inputs, np.float32).reshape(len(inputs), 48, 48)
    if not len(faces):
        return np.zeros((0, FACE_CELLS * FACE_CELLS), np.float32)
    step = 48 // FACE_CELLS
    cells = faces.reshape(len(faces), FACE_CELLS, step, FACE_CELLS, step).mean(axis=(2, 4))
    return _unit(cells.reshape(len(faces), -1))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two looks (0 where either is flat)."""
    return float(np.dot(a, b))


def another_person(frame_then: np.ndarray | None, frame_now: np.ndarray,
                   face_then: np.ndarray | None, face_now: np.ndarray) -> bool:
    """Whether a face seen now where one was seen then is someone else: the picture and the
    face both changed past their limits (a cut). Without a look from then: no."""
    if frame_then is None or face_then is None:
        return False
    return similarity(frame_then, frame_now) < FRAME_CUT \
        and similarity(face_then, face_now) < FACE_CUT
