"""The live view's face crop for a still image: detect, keep the largest face, level, crop.

Training on a user's own photos only helps the live view if the network sees those faces
framed as the live pipeline frames them: the same detector, the same eye-levelling and the
same crop margin (:mod:`fer_desktop.core.crop`). The trainer's image-folder reader goes
through :class:`FaceCropper`; the Live tab's Collect mode crops the live pipeline's own boxes
(:mod:`fer_desktop.core.collect`) with the same crop and the same eye finder.
"""

from __future__ import annotations

import numpy as np

from fer_desktop.core.crop import crop_scale_for, face_crops
from fer_desktop.core.detectors import DEFAULT_DETECTOR, FaceDetector, create_detector
from fer_desktop.core.frames import as_bgr8


class FaceCropper:
    """Largest-face crops of still images, framed like the live view's.

    Args:
        detector: "yunet" (the live view's default), "blazeface" or "haar".
        min_face_px: smallest face width found, in image pixels.
        level_eyes: turn the face eye-level first (BlazeFace eyes; skipped, as in the live
            view, when BlazeFace's model file is missing).
        crop_scale: crop side relative to the detector box (None: the live default).

    Example:
        >>> cropper = FaceCropper()
        >>> crop = cropper.largest_face(cv2.imread("assets/sample.jpg"))  # doctest: +SKIP
        >>> crop.shape, crop.dtype                                         # doctest: +SKIP
        ((233, 233), dtype('uint8'))
    """

    def __init__(self, detector: str = DEFAULT_DETECTOR, min_face_px: int = 24,
                 level_eyes: bool = True, crop_scale: float | None = None,
                 face_detector: FaceDetector | None = None) -> None:
        self.detector = face_detector or create_detector(detector, min_face_px=min_face_px)
        self.crop_scale = crop_scale_for(self.detector.name, crop_scale)
        self.level_eyes = level_eyes
        self._eye_finder = None
        self.eye_finder_error: str | None = None

    def largest_face(self, image: np.ndarray) -> np.ndarray | None:
        """The (side, side) grayscale uint8 crop of the largest face, or None when none is found.

        Raises:
            ValueError: ``image`` cannot be a picture (see :func:`as_bgr8`).
        """
        frame = as_bgr8(image)
        detections = self.detector.detect(frame)
        if not detections:
            return None
        face = max(detections, key=lambda d: d.width * d.height)
        keypoints = self._eyes(frame, face) if self.level_eyes else None
        return face_crops(frame, [face.box], self.crop_scale, keypoints)[0]

    def _eyes(self, frame: np.ndarray, face) -> list | None:
        if self.detector.name == "blazeface":
            return [face.keypoints]
        if self._eye_finder is None and self.eye_finder_error is None:
            from fer_desktop.core.detectors.eyes import load_eye_finder

            self._eye_finder, self.eye_finder_error = load_eye_finder()
        if self._eye_finder is None:
            return None
        return self._eye_finder.find(frame, [face.box])
