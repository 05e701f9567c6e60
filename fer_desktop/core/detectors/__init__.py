"""Face detectors behind one small interface: ``detect(frame_bgr) -> list[Detection]``.

Three implementations: YuNet run with LiteRT (the default: small faces down to about 12
input pixels, close-ups, five keypoints; its model file ships in assets/),
BlazeFace full-range run with LiteRT (the previous default) and OpenCV's Haar cascade (always
present, the fallback).

Example:
    >>> detector = create_detector("haar", min_face_px=40)
    >>> detector.detect(np.zeros((480, 640, 3), np.uint8))
    []
"""

from __future__ import annotations

import difflib
from typing import Protocol, runtime_checkable

import numpy as np

from fer_desktop.core.types import Detection

DETECTORS = ("yunet", "blazeface", "haar")
DEFAULT_DETECTOR = "yunet"  # the window's, analyze's and every options class's default
# what each finds, in analyze's --help and the window's tooltips
DETECTOR_FINDS = {"yunet": "small and turned faces",
                  "blazeface": "faces from about a tenth of the frame's width: 65 px of 640, "
                               "130 px of 1280",
                  "haar": "upright frontal faces only"}


@runtime_checkable
class FaceDetector(Protocol):
    """Finds faces in a BGR frame; boxes are in that frame's pixels, best score first."""

    name: str

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        ...


def create_detector(name: str = DEFAULT_DETECTOR, **options) -> FaceDetector:
    """Build a detector by name.

    Args:
        name: "yunet", "blazeface" or "haar".
        **options: ``min_face_px`` (all), ``score_threshold`` (YuNet, BlazeFace; None: the
            detector's own default), ``num_threads`` (YuNet, BlazeFace: LiteRT threads),
            ``close_ups`` and ``recheck`` (YuNet), ``scale_factor`` and ``min_neighbors`` (Haar).

    Raises:
        ValueError: unknown name (the message lists the valid ones).
    """
    key = name.strip().lower()
    if options.get("score_threshold", 0) is None:
        options.pop("score_threshold")
    if key == "yunet":
        from fer_desktop.core.detectors.yunet import YuNetDetector

        return YuNetDetector(**options)
    if key == "blazeface":
        from fer_desktop.core.detectors.blazeface import BlazeFaceDetector

        options.pop("close_ups", None)
        options.pop("recheck", None)
        return BlazeFaceDetector(**options)
    if key == "haar":
        from fer_desktop.core.detectors.haar import HaarDetector

        options.pop("score_threshold", None)  # Haar has no scores
        options.pop("num_threads", None)
        options.pop("close_ups", None)
        options.pop("recheck", None)
        return HaarDetector(**options)
    close = difflib.get_close_matches(key, DETECTORS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown detector {name!r}{hint}; choose one of {', '.join(DETECTORS)}")


__all__ = ["DETECTORS", "FaceDetector", "create_detector"]
