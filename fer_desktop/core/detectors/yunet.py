"""YuNet (OpenCV Zoo's face detector) through ``cv2.FaceDetectorYN``: small faces and close-ups.

YuNet finds faces from about 10 px to about 300 px wide *in its input*, at any input size
(its graph is fully convolutional, strides 8/16/32). So one number sets both speed and reach:
the frame is resized so that a face of ``min_face_px`` frame pixels becomes
:data:`SMALLEST_INPUT_FACE_PX` input pixels. A large minimum face means a small, fast input;
a small one means the full frame (or an upscaled one), and the minimum-face option means what
it says. When that input is so large that a face filling the frame would exceed what YuNet
was trained on, a second pass on a shrunken, padded copy of the frame finds the close-up, and
the two passes' boxes are merged.

Model file: ``face_detection_yunet_2026may.onnx`` from the OpenCV Zoo (MIT; the 2023mar
weights re-exported with a dynamic input size), shipped in ``assets/``; see
docs/detection.md for its origin and sha256.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.frames import as_bgr8
from fer_desktop.core.types import Detection
from fer_desktop.resources import yunet_model_path

# The input size a face of min_face_px is brought to. Upright on a plain background YuNet finds
# 12 px faces; turned up to 30 degrees on real photographs it needs about 16 px
# (benchmarks/detection.py: whole heads 24-32 px wide, min face 16: 75% found when they
# reach YuNet at 18-24 px, 90-100% at 24-32 px). See docs/detection.md.
SMALLEST_INPUT_FACE_PX = 16.0
# YuNet was trained on faces up to about 300 px; above this size (input pixels) the
# close-up pass takes over.
LARGEST_INPUT_FACE_PX = 240.0
# The close-up pass: the frame padded by this fraction of its long side on every side, then
# shrunk so its long side is CLOSE_UP_SIDE: a face filling the frame becomes ~100 px.
CLOSE_UP_PAD = 0.25
CLOSE_UP_SIDE = 160
MAX_UPSCALE = 2.0          # faces under 8 px stay unfound rather than cost a 4x input
MIN_INPUT_SIDE = 32        # the largest stride: smaller inputs give garbage (measured: inf boxes)
NMS_IOU = 0.3
TOP_K = 5000
# Columns of a YuNet row holding x and y positions: the box corner, then the 5 keypoints.
_X = [0, 4, 6, 8, 10, 12]
_Y = [1, 5, 7, 9, 11, 13]


class YuNetDetector:
    """YuNet via ``cv2.FaceDetectorYN`` with an input size derived from ``min_face_px``.

    Args:
        min_face_px: smallest face width to find and report, in frame pixels. It also sets
            the input scale (SMALLEST_INPUT_FACE_PX / min_face_px, at most MAX_UPSCALE).
        score_threshold: minimum face score (0..1).
        close_ups: run the second, shrunken pass when a face filling the frame could be too
            large for the first.
        max_input_side: cap on the first pass's long side (very large photos).
        model_path: the .onnx file; the one in assets/ by default.
        num_threads: accepted for the common detector options; OpenCV's DNN runs on OpenCV's
            own thread pool (``cv2.setNumThreads``, process-wide), which this class leaves alone.

    Raises:
        ValueError: the file is missing or OpenCV cannot load it as YuNet.

    Example:
        >>> detector = YuNetDetector(min_face_px=32)
        >>> detector.input_scale((480, 640))
        0.5
    """

    name = "yunet"

    def __init__(self, min_face_px: int = 24, score_threshold: float = 0.7,
                 close_ups: bool = True, max_input_side: int = 2048,
                 model_path: str | Path | None = None, num_threads: int | None = None) -> None:
        path = Path(model_path) if model_path else yunet_model_path()
        if not path.is_file():
            raise ValueError(f"{path}: YuNet model file not found")
        try:
            self._net = cv2.FaceDetectorYN.create(str(path), "", (320, 320),
                                                  float(score_threshold), NMS_IOU, TOP_K)
        except cv2.error as exc:
            raise ValueError(f"{path}: not a YuNet model OpenCV can load "
                             f"({str(exc).strip().splitlines()[-1]})") from exc
        self._input_size = (320, 320)
        self.min_face_px = max(1, int(min_face_px))
        self.score_threshold = float(score_threshold)
        self.close_ups = bool(close_ups)
        self.max_input_side = int(max_input_side)

    def input_scale(self, frame_hw: tuple[int, int]) -> float:
        """Frame-to-input scale of the first pass for a frame of (height, width)."""
        scale = min(MAX_UPSCALE, SMALLEST_INPUT_FACE_PX / self.min_face_px)
        return min(scale, self.max_input_side / max(1, *frame_hw))

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        """Faces in ``frame_bgr`` (see :func:`fer_desktop.core.frames.as_bgr8` for what is
        accepted), best score first; boxes and 5 keypoints (right eye, left eye, nose, right
        and left mouth corner; "right" is the person's) in frame pixels.

        Raises:
            ValueError: the array cannot be a frame (empty, wrong shape or dtype).
        """
        frame = as_bgr8(frame_bgr)
        h, w = frame.shape[:2]
        scale = self.input_scale((h, w))
        rows = [self._run(frame, scale, 0)]
        if self.close_ups and min(h, w) * scale > LARGEST_INPUT_FACE_PX:
            pad = round(CLOSE_UP_PAD * max(h, w))
            padded = cv2.copyMakeBorder(frame, pad, pad, pad, pad, cv2.BORDER_CONSTANT,
                                        value=(0, 0, 0))
            rows.append(self._run(padded, CLOSE_UP_SIDE / max(padded.shape[:2]), pad))
        return self._to_detections(np.concatenate(rows), w, h)

    def _run(self, image: np.ndarray, scale: float, offset: int) -> np.ndarray:
        """YuNet on ``image`` resized by ``scale``: (n, 15) rows in ``image`` pixels minus
        ``offset`` (the padding), [x, y, w, h, 5 x (x, y), score]."""
        h, w = image.shape[:2]
        in_w, in_h = max(1, round(w * scale)), max(1, round(h * scale))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        small = image if (in_w, in_h) == (w, h) else \
            cv2.resize(image, (in_w, in_h), interpolation=interpolation)
        # Tiny or 1-pixel-high frames: pad (right and bottom, so coordinates stay put).
        grow_w, grow_h = max(0, MIN_INPUT_SIDE - in_w), max(0, MIN_INPUT_SIDE - in_h)
        if grow_w or grow_h:
            small = cv2.copyMakeBorder(small, 0, grow_h, 0, grow_w, cv2.BORDER_CONSTANT,
                                       value=(0, 0, 0))
        size = (small.shape[1], small.shape[0])
        if size != self._input_size:
            self._net.setInputSize(size)
            self._input_size = size
        _, faces = self._net.detect(small)
        if faces is None or len(faces) == 0:
            return np.zeros((0, 15), np.float32)
        faces = faces[np.isfinite(faces).all(axis=1)].astype(np.float32)
        sx, sy = in_w / w, in_h / h
        faces[:, _X] = faces[:, _X] / sx - offset  # positions lose the padding
        faces[:, _Y] = faces[:, _Y] / sy - offset
        faces[:, 2] /= sx  # sizes do not
        faces[:, 3] /= sy
        return faces

    def _to_detections(self, rows: np.ndarray, w: int, h: int) -> list[Detection]:
        if len(rows) == 0:
            return []
        boxes = np.stack([rows[:, 0], rows[:, 1], rows[:, 0] + rows[:, 2],
                          rows[:, 1] + rows[:, 3]], axis=1)
        keep = (rows[:, 2] >= self.min_face_px) & (rows[:, 14] >= self.score_threshold)
        boxes, rows = boxes[keep], rows[keep]
        found: list[Detection] = []
        taken = np.zeros((0, 4), np.float32)
        for i in np.argsort(-rows[:, 14], kind="stable"):
            box = boxes[i]
            if len(taken) and iou_matrix(box[None], taken).max() > NMS_IOU:
                continue  # the same face from the other pass
            x1, y1 = max(0.0, float(box[0])), max(0.0, float(box[1]))
            x2, y2 = min(float(w), float(box[2])), min(float(h), float(box[3]))
            if x2 - x1 < 1 or y2 - y1 < 1:
                continue
            taken = np.concatenate([taken, box[None]])
            found.append(Detection(box=[x1, y1, x2, y2], score=float(rows[i, 14]),
                                   keypoints=rows[i, 4:14].reshape(5, 2)))
        return found
