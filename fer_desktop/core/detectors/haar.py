"""OpenCV's frontal-face Haar cascade: the classic detector, always present, slower and
less sensitive than BlazeFace, kept as the fallback."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.types import Detection
from fer_desktop.resources import haar_cascade_path


class HaarDetector:
    """``cv2.CascadeClassifier.detectMultiScale`` on an equalised grayscale frame.

    Args:
        min_face_px: smallest face side, in frame pixels.
        scale_factor: image pyramid step (smaller finds more, slower).
        min_neighbors: overlapping hits needed to keep a face (higher: fewer false faces).
        cascade_path: the XML file; OpenCV's bundled frontal-face cascade by default.
    """

    name = "haar"

    def __init__(self, min_face_px: int = 40, scale_factor: float = 1.1, min_neighbors: int = 5,
                 cascade_path: str | Path | None = None) -> None:
        path = Path(cascade_path) if cascade_path else haar_cascade_path()
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise ValueError(f"{path}: not a Haar cascade OpenCV can load")
        self.min_face_px = int(min_face_px)
        self.scale_factor = float(scale_factor)
        self.min_neighbors = int(min_neighbors)

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        gray = frame_bgr if frame_bgr.ndim == 2 else cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        gray = cv2.equalizeHist(gray)
        size = max(1, self.min_face_px)
        found = self._cascade.detectMultiScale(gray, scaleFactor=self.scale_factor,
                                               minNeighbors=self.min_neighbors,
                                               minSize=(size, size))
        boxes = sorted((tuple(map(float, b)) for b in np.asarray(found).reshape(-1, 4)),
                       key=lambda b: -b[2] * b[3])
        return [Detection(box=[x, y, x + w, y + h], score=1.0) for x, y, w, h in boxes]
