"""Turn whatever array a caller hands the pipeline into the (H, W, 3) uint8 BGR it works on.

Frames reach the pipeline from cameras, videos, image files and Python callers; a 16-bit
PNG, an RGBA screenshot or a grayscale array must give the same faces as its 8-bit BGR copy,
and an array that cannot be a picture must be refused with a message that says why, before
a detector turns it into nonsense boxes.
"""

from __future__ import annotations

import cv2
import numpy as np


def as_bgr8(frame: np.ndarray) -> np.ndarray:
    """The frame as (H, W, 3) uint8 BGR; the same array when it already is one.

    Accepts (H, W) and (H, W, 1) gray, (H, W, 3) BGR and (H, W, 4) BGRA, in uint8, uint16
    (scaled by 1/257, so 65535 -> 255) or float in [0, 1].

    Raises:
        ValueError: not an array, empty, an unsupported shape or dtype (the message names
            what was given and what is accepted).

    Example:
        >>> as_bgr8(np.full((2, 3), 65535, np.uint16))[0, 0].tolist()
        [255, 255, 255]
    """
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"a frame must be a numpy array, got {type(frame).__name__}")
    if frame.size == 0:
        raise ValueError(f"the frame is empty (shape {frame.shape}); nothing to look at")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if not (frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] in (3, 4))):
        raise ValueError(f"a frame must be (H, W) gray, (H, W, 3) BGR or (H, W, 4) BGRA, "
                         f"got shape {frame.shape}")
    frame = _as_uint8(frame)
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return frame


def _as_uint8(frame: np.ndarray) -> np.ndarray:
    if frame.dtype == np.uint8:
        return frame
    if frame.dtype == np.uint16:
        # Rounded division by 257 maps 0..65535 onto 0..255 exactly at both ends.
        return ((frame.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if np.issubdtype(frame.dtype, np.floating):
        finite = np.nan_to_num(frame.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
        return np.clip(np.rint(finite * 255.0), 0, 255).astype(np.uint8)
    raise ValueError(f"a frame must be uint8, uint16 or float in [0, 1], got {frame.dtype}")
