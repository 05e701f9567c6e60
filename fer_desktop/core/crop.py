"""From a detector's box to the network's input, framed like the FER-2013 faces.

FER-2013's faces are square, centred and tightly framed (roughly brow to chin, ear to ear).
A detector's box is neither square nor framed the same way, and how much margin the crop gets
changes live accuracy by several points, so the margin is a parameter (``scale``) whose
default was chosen by measurement (see docs/performance.md). The pixels then go through
:func:`fer_desktop.core.preprocess.preprocess_face`, the same function the trainer uses.
"""

from __future__ import annotations

import cv2
import numpy as np

from fer_desktop.core.preprocess import INPUT_SHAPE, preprocess_face

# Side of the square crop relative to the longer side of the detector's box, per detector.
# Chosen by benchmarks/crop_scale.py; see docs/performance.md.
DEFAULT_CROP_SCALE = {"blazeface": 1.2, "haar": 1.3}


def square_box(box: np.ndarray, scale: float = 1.0) -> tuple[int, int, int]:
    """The square (x, y, side), in integer pixels, centred on ``box`` (xyxy), side
    ``scale * max(w, h)``. It may reach outside the frame."""
    x1, y1, x2, y2 = (float(v) for v in box)
    side = max(1, round(max(x2 - x1, y2 - y1) * scale))
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return round(cx - side / 2), round(cy - side / 2), side


def crop_face(frame: np.ndarray, box: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The square face crop (side, side[, C]) uint8 around ``box``; edges replicated where the
    square leaves the frame (a face at the border keeps its framing)."""
    x, y, side = square_box(box, scale)
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + side, w), min(y + side, h)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"box {np.asarray(box).tolist()} lies outside the {w}x{h} frame")
    crop = frame[y0:y1, x0:x1]
    pads = (y0 - y, y + side - y1, x0 - x, x + side - x1)
    if any(pads):
        crop = cv2.copyMakeBorder(crop, *pads, cv2.BORDER_REPLICATE)
    return crop


def face_inputs(frame: np.ndarray, boxes: list[np.ndarray], scale: float = 1.0) -> np.ndarray:
    """(n, 48, 48, 1) float32 network inputs for the boxes of one frame."""
    if not boxes:
        return np.zeros((0, *INPUT_SHAPE), np.float32)
    # Gray first: one conversion for the frame instead of one per face, same pixels.
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return np.stack([preprocess_face(crop_face(gray, box, scale)) for box in boxes])
