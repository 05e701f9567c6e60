"""Collect faces for training from the live view: save a face crop under its emotion. Qt-free.

The Live tab's Collect mode calls :meth:`FaceCollector.save` with the frame the pipeline
classified and the face's box; the crop is framed like the live view's (same margin, eyes
levelled) and written as a 96x96 PNG into ``<folder>/<emotion>/``: the image-folder layout
the trainer reads (``python -m trainer finetune --images <folder>``), where a square image
of at most 128 px is taken as a face crop already.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.crop import face_crops
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError
from fer_desktop.resources import ResourceError

CROP_SIDE = 96
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


class FaceCollector:
    """Saves face crops into ``folder/<emotion>/`` and counts them.

    Args:
        folder: the dataset folder (created on the first save).
        crop_scale: crop side relative to the detector box (the live view's).
        level_eyes: turn the face eye-level first (BlazeFace eyes, as the live view does).

    Example:
        >>> collector = FaceCollector(Path("my_faces"), crop_scale=1.2)
        >>> collector.save(frame_bgr, face.box, "happy")             # doctest: +SKIP
        PosixPath('my_faces/happy/20261201-201500-123.png')
    """

    def __init__(self, folder: Path, crop_scale: float, level_eyes: bool = True) -> None:
        self.folder = Path(folder)
        self.crop_scale = float(crop_scale)
        self.level_eyes = level_eyes
        self._eye_finder = None
        self._eyes_failed = False

    def counts(self) -> dict[str, int]:
        """Images per emotion already in the folder (all 7, 0 where there are none)."""
        out = {}
        for emotion in EMOTIONS:
            sub = self.folder / emotion
            try:
                out[emotion] = sum(1 for p in sub.iterdir()
                                   if p.suffix.lower() in IMAGE_SUFFIXES) if sub.is_dir() else 0
            except OSError:
                out[emotion] = 0
        return out

    def check_writable(self) -> None:
        """Raises ExportError (naming the folder and why) when crops cannot be saved there."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise ExportError(self.folder, f"cannot save faces there "
                              f"({exc.strerror or exc}); choose another folder") from exc

    def crop(self, frame_bgr: np.ndarray, box: np.ndarray) -> np.ndarray:
        """The (96, 96, 3) uint8 crop of ``box``, framed and levelled as the live view does."""
        keypoints = self._eyes(frame_bgr, box) if self.level_eyes else None
        crop = face_crops(frame_bgr, [np.asarray(box, np.float32)], self.crop_scale,
                          keypoints)[0]
        if crop.ndim == 2:
            crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        side = crop.shape[0]
        interpolation = cv2.INTER_AREA if side >= CROP_SIDE else cv2.INTER_LINEAR
        return cv2.resize(crop, (CROP_SIDE, CROP_SIDE), interpolation=interpolation)

    def save(self, frame_bgr: np.ndarray, box: np.ndarray, emotion: str) -> Path:
        """Write the face's crop under ``emotion``; return its path.

        Raises:
            ValueError: ``emotion`` is not one of the 7.
            ExportError: the folder cannot be written (read-only disk, no space...).
        """
        if emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r}; one of {', '.join(EMOTIONS)}")
        image = self.crop(frame_bgr, box)
        folder = self.folder / emotion
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}"
        path = folder / f"{stamp}.png"
        n = 1
        while path.exists():
            path = folder / f"{stamp}-{n}.png"
            n += 1
        tmp = folder / f".tmp-{os.getpid()}-{path.name}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ok, data = cv2.imencode(".png", image)
            if not ok:
                raise OSError("PNG encoding failed")
            tmp.write_bytes(data.tobytes())
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise ExportError(path, f"cannot save the face ({exc.strerror or exc}); choose "
                              "another folder for collected faces") from exc
        return path

    def _eyes(self, frame: np.ndarray, box: np.ndarray) -> list | None:
        if self._eye_finder is None and not self._eyes_failed:
            from fer_desktop.core.detectors.eyes import MosaicEyeFinder

            try:
                self._eye_finder = MosaicEyeFinder()
            except (ResourceError, ValueError):  # BlazeFace missing: crops are not levelled
                self._eyes_failed = True
        if self._eye_finder is None:
            return None
        return self._eye_finder.find(frame, [np.asarray(box, np.float32)])
