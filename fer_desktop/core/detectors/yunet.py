"""YuNet (OpenCV Zoo's face detector), run by LiteRT: small faces and close-ups.

YuNet finds faces from about 10 px to about 300 px wide *in its input*, at any input size
(its graph is fully convolutional, strides 8/16/32). So one number sets both speed and reach:
the frame is resized so that a face of ``min_face_px`` frame pixels becomes
:data:`SMALLEST_INPUT_FACE_PX` input pixels. A large minimum face means a small, fast input;
a small one means the full frame (or an upscaled one), and the minimum-face option means what
it says. When that input is so large that a face filling the frame would exceed what YuNet
was trained on, a second pass on a shrunken, padded copy of the frame finds the close-up, and
the two passes' boxes are merged. A face YuNet is unsure of (a small, turned face scores
0.4-0.7 where the same face upright scores 0.8-0.9) gets a second look: a window of three face
widths around it is brought to where the face is 48 px wide, and YuNet is asked again there
(it must be surer there than the first pass's threshold).

Model file: ``face_detection_yunet_2026may.tflite`` in ``assets/``, converted from the OpenCV
Zoo's ``face_detection_yunet_2026may.onnx`` (MIT; the 2023mar weights re-exported with a dynamic
input size); the network and its decoding: yunet_net.py; the files' origin and sha256:
docs/detection.md.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.detectors.yunet_net import YuNetNet
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
# The second look at unsure candidates (scores from RECHECK_FLOOR up to the threshold): a
# window of RECHECK_SIDE / RECHECK_FACE_PX face widths around each, resized so the face is
# RECHECK_FACE_PX wide, at most MAX_RECHECKS per frame, best first; a candidate is kept when
# the second look scores RECHECK_SCORE (or the threshold, if higher). Measured with
# benchmarks/detection.py's material: whole heads of 17-38 px turned up to 30 degrees and
# scoring 0.39-0.69 score 0.87-0.93 on the second look; candidates on 700 face-free frames
# score at most 0.78 (min face 16, 24 and 32). See docs/detection.md.
RECHECK_FLOOR = 0.35
RECHECK_SCORE = 0.8
RECHECK_FACE_PX = 48.0
RECHECK_SIDE = 144
MAX_RECHECKS = 8
MAX_UPSCALE = 2.0          # faces under 8 px stay unfound rather than cost a 4x input
# The first pass never shrinks a frame's short side under this (a smaller frame is taken as it
# is): YuNet misses faces that fill much of a small input. A 264 px face in a 480x360 picture
# at a minimum face of 40 px (input 192x144) was not found, while at a short side of 180 and
# more it scores 0.87-0.89; on busy.mp4 (640x480) at 40 px 10 of 100 frames lost one of the
# four main faces, 6 with this floor (60 px: 97 and 6). A 640x480 camera at its Auto minimum
# (32 px) is brought to 320x240 either way; a larger minimum only filters (trial 27).
MIN_INPUT_SHORT_SIDE = 240
# Inputs are padded to at least two of YuNet's largest stride (32). Measured with OpenCV's DNN
# running YuNet (before session 20): unpadded, a 1x640 frame gave a box with infinite
# coordinates; padded to one stride (32 px), random boxes of score 1.0 now and then (1x640 and
# 640x1 frames: 6 of 400 runs, none at 64). Kept with LiteRT: tests/test_yunet.py holds it.
MIN_INPUT_SIDE = 64
NMS_IOU = 0.3
TOP_K = 5000
# Columns of a YuNet row holding x and y positions: the box corner, then the 5 keypoints.
_X = [0, 4, 6, 8, 10, 12]
_Y = [1, 5, 7, 9, 11, 13]


class YuNetDetector:
    """YuNet (through LiteRT) with an input size derived from ``min_face_px``.

    Args:
        min_face_px: smallest face width to find and report, in frame pixels. It also sets
            the input scale (SMALLEST_INPUT_FACE_PX / min_face_px, at most MAX_UPSCALE).
        score_threshold: minimum face score (0..1).
        close_ups: run the second, shrunken pass when a face filling the frame could be too
            large for the first.
        recheck: give candidates scoring from RECHECK_FLOOR up to ``score_threshold`` a second
            look at a larger scale (they are reported when that look scores RECHECK_SCORE or
            ``score_threshold``, whichever is higher).
        max_input_side: cap on the first pass's long side (very large photos).
        model_path: the .tflite file; the one in assets/ by default.
        num_threads: LiteRT threads for each pass (1 keeps a core free for training).

    Raises:
        ValueError: the file is missing or LiteRT cannot load it as YuNet.

    Example:
        >>> detector = YuNetDetector(min_face_px=32)
        >>> detector.input_scale((480, 640))
        0.5
    """

    name = "yunet"

    def __init__(self, min_face_px: int = 24, score_threshold: float = 0.7,
                 close_ups: bool = True, max_input_side: int = 2048,
                 model_path: str | Path | None = None, num_threads: int | None = 1,
                 recheck: bool = True) -> None:
        path = Path(model_path) if model_path else yunet_model_path()
        if not path.is_file():
            raise ValueError(f"{path}: YuNet model file not found")
        self.min_face_px = max(1, int(min_face_px))
        self.score_threshold = float(score_threshold)
        self.close_ups = bool(close_ups)
        self.max_input_side = int(max_input_side)
        self.recheck = bool(recheck)
        # The first passes report candidates down to the floor; the second look decides.
        self._floor = min(self.score_threshold, RECHECK_FLOOR) if recheck else \
            self.score_threshold
        # One network per pass, each keeping its input size: switching a network's size
        # re-allocates it (measured: 20 ms a 1280x720 frame when both passes shared one).
        threads = max(1, int(num_threads or 1))
        self._nets = [YuNetNet(path, (320, 320), self._floor, NMS_IOU, TOP_K, threads)
                      for _ in range(2)]
        self._confirm = max(self.score_threshold, RECHECK_SCORE)
        self._second_look = YuNetNet(path, (RECHECK_SIDE, RECHECK_SIDE), self._confirm, NMS_IOU,
                                     TOP_K, threads)

    def input_scale(self, frame_hw: tuple[int, int]) -> float:
        """Frame-to-input scale of the first pass for a frame of (height, width): a face of
        ``min_face_px`` brought to SMALLEST_INPUT_FACE_PX, but the short side kept at
        MIN_INPUT_SHORT_SIDE at least, and the long side at ``max_input_side`` at most."""
        scale = min(MAX_UPSCALE, SMALLEST_INPUT_FACE_PX / self.min_face_px)
        scale = max(scale, min(1.0, MIN_INPUT_SHORT_SIDE / max(1, min(frame_hw))))
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
        rows = [self._run(frame, scale, 0, 0)]
        if self.close_ups and min(h, w) * scale > LARGEST_INPUT_FACE_PX:
            close = self._close_up_rows(frame)
            rows = [_large_ones_confirmed(rows[0], scale, close[close[:, 14] >= self._floor],
                                          self._confirm), close]
        rows = np.concatenate(rows)
        centre_x, centre_y = rows[:, 0] + rows[:, 2] / 2, rows[:, 1] + rows[:, 3] / 2
        inside = (centre_x >= 0) & (centre_x <= w) & (centre_y >= 0) & (centre_y <= h)
        rows = rows[inside & (rows[:, 2] >= self.min_face_px) & (rows[:, 14] >= self._floor)]
        sure = rows[:, 14] >= self.score_threshold
        if self.recheck and not sure.all():
            rows = np.concatenate([rows[sure], self._recheck(frame, rows[sure], rows[~sure])])
        return self._to_detections(rows, w, h)

    def look_again(self, frame_bgr: np.ndarray, box: np.ndarray) -> Detection | None:
        """The face near ``box`` ([x1, y1, x2, y2] in frame pixels) seen at RECHECK_FACE_PX:
        its detection when the second look confirms it (see the module docstring), else None.
        The live schedule follows small faces with it (schedule.py)."""
        frame = as_bgr8(frame_bgr)
        row = np.zeros(15, np.float32)
        row[:4] = (box[0], box[1], box[2] - box[0], box[3] - box[1])
        again = self._look_again(frame, row)
        if again is None:
            return None
        found = self._to_detections(again[None], frame.shape[1], frame.shape[0])
        return found[0] if found else None

    def _recheck(self, frame: np.ndarray, sure: np.ndarray, unsure: np.ndarray) -> np.ndarray:
        """The second look's rows for the ``unsure`` candidates that it confirms, skipping
        those that overlap a ``sure`` face or an already confirmed one."""
        taken = _xyxy(sure)
        confirmed = []
        for row in unsure[np.argsort(-unsure[:, 14], kind="stable")][:MAX_RECHECKS]:
            if len(taken) and iou_matrix(_xyxy(row[None]), taken).max() > NMS_IOU:
                continue
            again = self._look_again(frame, row)
            if again is not None:
                confirmed.append(again)
                taken = np.concatenate([taken, _xyxy(again[None])])
        return np.stack(confirmed) if confirmed else np.zeros((0, 15), np.float32)

    def _look_again(self, frame: np.ndarray, row: np.ndarray) -> np.ndarray | None:
        """YuNet on a window around the candidate ``row`` in which its face is
        RECHECK_FACE_PX wide: the best face it finds there (a row in frame pixels) whose
        centre is within half a face width of the candidate's, or None."""
        x, y, bw, bh = (float(v) for v in row[:4])
        side = max(2, round(bw * RECHECK_SIDE / RECHECK_FACE_PX))
        x0, y0 = round(x + bw / 2 - side / 2), round(y + bh / 2 - side / 2)
        h, w = frame.shape[:2]
        window = frame[max(0, y0):max(0, y0 + side), max(0, x0):max(0, x0 + side)]
        if window.size == 0:
            return None
        window = cv2.copyMakeBorder(window, max(0, -y0), side - window.shape[0] - max(0, -y0),
                                    max(0, -x0), side - window.shape[1] - max(0, -x0),
                                    cv2.BORDER_CONSTANT, value=(0, 0, 0))
        scale = RECHECK_SIDE / side
        window = cv2.resize(window, (RECHECK_SIDE, RECHECK_SIDE),
                            interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        faces = self._second_look.detect(window)  # finite rows only (yunet_net.py)
        if len(faces) == 0:
            return None
        faces[:, :14] /= scale
        faces[:, _X] += x0
        faces[:, _Y] += y0
        centre_off = np.hypot(faces[:, 0] + faces[:, 2] / 2 - (x + bw / 2),
                              faces[:, 1] + faces[:, 3] / 2 - (y + bh / 2))
        same = (centre_off <= bw / 2) & (faces[:, 2] >= 0.5 * bw) & (faces[:, 2] <= 2 * bw)
        same &= (faces[:, 2] >= self.min_face_px) & (faces[:, 14] >= self._confirm)
        return faces[same][np.argmax(faces[same][:, 14])] if same.any() else None

    def _close_up_rows(self, frame: np.ndarray) -> np.ndarray:
        """The close-up pass: the frame padded by CLOSE_UP_PAD of its long side (black) and
        shrunk so the padded long side is CLOSE_UP_SIDE; rows in frame pixels. The frame is
        shrunk first and padded after (padding a large frame first cost milliseconds)."""
        h, w = frame.shape[:2]
        pad = CLOSE_UP_PAD * max(h, w)
        scale = CLOSE_UP_SIDE / (max(h, w) + 2 * pad)
        small = cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))),
                           interpolation=cv2.INTER_AREA)
        border = round(pad * scale)
        padded = cv2.copyMakeBorder(small, border, border, border, border,
                                    cv2.BORDER_CONSTANT, value=(0, 0, 0))
        rows = self._run(padded, 1.0, border, 1)  # in the shrunk frame's pixels
        rows[:, [*_X, 2]] *= w / small.shape[1]
        rows[:, [*_Y, 3]] *= h / small.shape[0]
        return rows

    def _run(self, image: np.ndarray, scale: float, offset: int, net: int) -> np.ndarray:
        """YuNet (network ``net``: 0 the first pass, 1 the close-up pass) on ``image`` resized
        by ``scale``: (n, 15) rows in ``image`` pixels minus ``offset`` (the padding),
        [x, y, w, h, 5 x (x, y), score]."""
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
        if size != self._nets[net].input_size:
            self._nets[net].set_input_size(size)
        faces = self._nets[net].detect(small)  # finite rows only (yunet_net.py)
        sx, sy = in_w / w, in_h / h
        faces[:, _X] = faces[:, _X] / sx - offset  # positions lose the padding
        faces[:, _Y] = faces[:, _Y] / sy - offset
        faces[:, 2] /= sx  # sizes do not
        faces[:, 3] /= sy
        return faces

    def _to_detections(self, rows: np.ndarray, w: int, h: int) -> list[Detection]:
        if len(rows) == 0:
            return []
        boxes = _xyxy(rows)
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


def _large_ones_confirmed(first: np.ndarray, scale: float, close: np.ndarray,
                          sure: float) -> np.ndarray:
    """The first pass's rows, less those wider than LARGEST_INPUT_FACE_PX in YuNet's input
    (beyond the faces it was trained on) and scored under ``sure`` that the close-up pass,
    which sees such faces at a size it knows, does not find too. A 9000x7000 photo's rocket
    read as a 920-px face at 0.73 (in the input, 420 px), its real face at 0.93; the
    close-up pass found only the real one. A face that sure is kept either way: in the
    close-up pass a 250-400 px face is only 13-20 px, where a dim one may go unseen."""
    large = (first[:, 2] * scale > LARGEST_INPUT_FACE_PX) & (first[:, 14] < sure)
    if not large.any():
        return first
    keep = ~large
    if len(close):
        seen = iou_matrix(_xyxy(first[large]), _xyxy(close)).max(axis=1) > NMS_IOU
        keep[np.flatnonzero(large)[seen]] = True
    return first[keep]


def _xyxy(rows: np.ndarray) -> np.ndarray:
    """(n, 4) [x1, y1, x2, y2] boxes of YuNet rows [x, y, w, h, ...]."""
    return np.stack([rows[:, 0], rows[:, 1], rows[:, 0] + rows[:, 2], rows[:, 1] + rows[:, 3]],
                    axis=1)
