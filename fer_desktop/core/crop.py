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
DEFAULT_CROP_SCALE = {"yunet": 1.2, "blazeface": 1.2, "haar": 1.3}


def crop_scale_for(detector: str, given: float | None = None) -> float:
    """The crop's scale: ``given`` where one was, else the detector's default (one home for
    the rule the live view, the collected faces and the still-picture cropper share)."""
    return float(given) if given is not None else DEFAULT_CROP_SCALE.get(detector, 1.0)
# Eye-levelling is skipped when the eyes are closer than this (pixels: the angle is noise)
# or tilted more than this (degrees: keypoints that far off are more likely wrong than right).
MIN_EYE_DISTANCE_PX = 4.0
MAX_LEVEL_ANGLE_DEG = 45.0


def square_box(box: np.ndarray, scale: float = 1.0) -> tuple[int, int, int]:
    """The square (x, y, side), in integer pixels, centred on ``box`` (xyxy), side
    ``scale * max(w, h)``. It may reach outside the frame."""
    x1, y1, x2, y2 = (float(v) for v in box)
    side = max(1, round(max(x2 - x1, y2 - y1) * scale))
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return round(cx - side / 2), round(cy - side / 2), side


def outside_share(box: np.ndarray, frame_hw: tuple[int, int], scale: float = 1.0) -> float:
    """The share of the square crop around ``box`` that lies outside a frame of (height,
    width): what :func:`crop_face` fills by repeating the frame's edge pixels (streaks).

    Example:
        >>> outside_share(np.array([0, 0, 100, 100]), (480, 640))
        0.0
        >>> outside_share(np.array([-50, 0, 50, 100]), (480, 640))
        0.5
    """
    x, y, side = square_box(box, scale)
    h, w = frame_hw
    inside = max(0, min(x + side, w) - max(x, 0)) * max(0, min(y + side, h) - max(y, 0))
    return 1.0 - inside / float(side * side)


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


def eye_angle_deg(keypoints: np.ndarray | None) -> float | None:
    """The tilt of the line from the person's right eye (keypoint 0, on the image's left) to
    the left eye (keypoint 1), in degrees, positive when the left eye is lower in the image;
    None when there are no eye keypoints or they are too close or too tilted to trust."""
    if keypoints is None or len(keypoints) < 2:
        return None
    (rx, ry), (lx, ly) = (float(v) for v in keypoints[0]), (float(v) for v in keypoints[1])
    dx, dy = lx - rx, ly - ry
    if np.hypot(dx, dy) < MIN_EYE_DISTANCE_PX or not np.isfinite([dx, dy]).all():
        return None
    angle = float(np.degrees(np.arctan2(dy, dx)))
    return angle if abs(angle) <= MAX_LEVEL_ANGLE_DEG else None


def levelled_crop(frame: np.ndarray, box: np.ndarray, angle_deg: float,
                  scale: float = 1.0) -> np.ndarray:
    """The square crop of :func:`crop_face`, turned by ``angle_deg`` about the box centre so
    that a head tilted by that angle comes out upright; edges replicated as in crop_face."""
    x, y, side = square_box(box, scale)
    centre = (x + side / 2, y + side / 2)
    turn = cv2.getRotationMatrix2D(centre, angle_deg, 1.0)
    turn[:, 2] += (side / 2 - centre[0], side / 2 - centre[1])  # square's corner -> (0, 0)
    return cv2.warpAffine(frame, turn, (side, side), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def face_crops(frame: np.ndarray, boxes: list[np.ndarray], scale: float = 1.0,
               keypoints: list[np.ndarray | None] | None = None) -> list[np.ndarray]:
    """The square grayscale uint8 face crops (side, side) the live view classifies, per box.

    Args:
        keypoints: per box, the detector's (k, 2) keypoints (or None); when given, each face
            whose eye keypoints can be trusted (see :func:`eye_angle_deg`) is turned eye-level.
    """
    if not boxes:
        return []
    # Gray first: one conversion for the frame instead of one per face, same pixels.
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    angles = [eye_angle_deg(k) for k in keypoints] if keypoints is not None \
        else [None] * len(boxes)
    return [crop_face(gray, box, scale) if angle is None
            else levelled_crop(gray, box, angle, scale)
            for box, angle in zip(boxes, angles, strict=True)]


def face_inputs(frame: np.ndarray, boxes: list[np.ndarray], scale: float = 1.0,
                keypoints: list[np.ndarray] | None = None) -> np.ndarray:
    """(n, 48, 48, 1) float32 network inputs for the boxes of one frame (see face_crops)."""
    if not boxes:
        return np.zeros((0, *INPUT_SHAPE), np.float32)
    return np.stack([preprocess_face(crop)
                     for crop in face_crops(frame, boxes, scale, keypoints)])
