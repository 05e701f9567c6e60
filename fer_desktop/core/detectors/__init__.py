"""Face detectors behind one small interface: ``detect(frame_bgr) -> list[Detection]``.

Two implementations: BlazeFace full-range run with LiteRT (fast, finds small and turned faces)
and OpenCV's Haar cascade (always present, the fallback).

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

DETECTORS = ("blazeface", "haar")


@runtime_checkable
class FaceDetector(Protocol):
    """Finds faces in a BGR frame; boxes are in that frame's pixels, best score first."""

    name: str

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        ...


def create_detector(name: str = "blazeface", **options) -> FaceDetector:
    """Build a detector by name.

    Args:
        name: "blazeface" or "haar".
        **options: ``min_face_px`` (both), ``score_threshold`` and ``num_threads``
            (BlazeFace), ``scale_factor`` and ``min_neighbors`` (Haar).

    Raises:
        ValueError: unknown name (the message lists the valid ones).
    """
    key = name.strip().lower()
    if key == "blazeface":
        from fer_desktop.core.detectors.blazeface import BlazeFaceDetector

        return BlazeFaceDetector(**options)
    if key == "haar":
        from fer_desktop.core.detectors.haar import HaarDetector

        options.pop("score_threshold", None)  # Haar has no scores
        options.pop("num_threads", None)
        return HaarDetector(**options)
    close = difflib.get_close_matches(key, DETECTORS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown detector {name!r}{hint}; choose one of {', '.join(DETECTORS)}")


__all__ = ["DETECTORS", "FaceDetector", "create_detector"]
