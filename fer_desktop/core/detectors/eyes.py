"""Eye keypoints for faces another detector found, from one BlazeFace run over a mosaic.

YuNet finds faces well but its keypoints barely follow a tilted head (measured on the sample
turned by 30 degrees: its eye line tilts 4-6 degrees), so they cannot level a face. BlazeFace's
eye keypoints do follow it (within a few degrees), but BlazeFace misses small faces in a full
frame. Here each face found by the detector is cut out with margin and placed in one cell of
a grid filling BlazeFace's 192x192 input (up to 3x3 faces per run, each 64-192 input pixels:
large enough for BlazeFace), so one run gives the eyes of up to nine faces of any size.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from fer_desktop.core.crop import square_box
from fer_desktop.core.detectors.blazeface import INPUT_SIZE, BlazeFaceDetector, iou_matrix

CELL_MARGIN = 2.0     # cell side relative to the face box's longer side (context for BlazeFace)
MAX_GRID = 3          # at most 3x3 faces per BlazeFace run
SCORE_THRESHOLD = 0.5


class MosaicEyeFinder:
    """Eye keypoints for given face boxes.

    Args:
        detector: a BlazeFaceDetector (built with min_face_px=1 and a low threshold when None).

    Example:
        >>> finder = MosaicEyeFinder()
        >>> finder.find(frame_bgr, [face.box for face in faces])   # doctest: +SKIP
        [array([[x_right_eye, y], [x_left_eye, y]]), None]
    """

    def __init__(self, detector: BlazeFaceDetector | None = None) -> None:
        self._detector = detector or BlazeFaceDetector(min_face_px=1,
                                                       score_threshold=SCORE_THRESHOLD)

    def find(self, frame_bgr: np.ndarray, boxes: list[np.ndarray]) -> list[np.ndarray | None]:
        """Per box, (2, 2) float32 [[x, y] of the person's right eye, [x, y] of the left eye]
        in frame pixels, or None when BlazeFace saw no face in that box's cell."""
        eyes: list[np.ndarray | None] = []
        per_run = MAX_GRID * MAX_GRID
        for start in range(0, len(boxes), per_run):
            eyes += self._run(frame_bgr, boxes[start:start + per_run])
        return eyes

    def _run(self, frame: np.ndarray, boxes: list[np.ndarray]) -> list[np.ndarray | None]:
        grid = max(1, math.ceil(math.sqrt(len(boxes))))
        cell = INPUT_SIZE // grid
        mosaic = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), np.uint8)
        h, w = frame.shape[:2]
        squares = []
        for i, box in enumerate(boxes):
            x, y, side = square_box(box, CELL_MARGIN)
            x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + side, w), min(y + side, h)
            piece = np.zeros((side, side, 3), np.uint8)  # outside the frame stays black
            if x1 > x0 and y1 > y0:
                piece[y0 - y:y1 - y, x0 - x:x1 - x] = frame[y0:y1, x0:x1]
            row, col = divmod(i, grid)
            mosaic[row * cell:(row + 1) * cell, col * cell:(col + 1) * cell] = \
                cv2.resize(piece, (cell, cell), interpolation=cv2.INTER_AREA)
            squares.append((x, y, side, col * cell, row * cell))
        found = self._detector.detect(mosaic)
        eyes: list[np.ndarray | None] = []
        for x, y, side, cx0, cy0 in squares:
            centre = np.array([cx0 + cell / 2, cy0 + cell / 2], np.float32)
            inside = [d for d in found
                      if cx0 <= (d.box[0] + d.box[2]) / 2 < cx0 + cell
                      and cy0 <= (d.box[1] + d.box[3]) / 2 < cy0 + cell]
            if not inside:
                eyes.append(None)
                continue
            best = min(inside, key=lambda d: float(np.linalg.norm(
                (d.box[:2] + d.box[2:]) / 2 - centre)))
            points = (best.keypoints[:2] - (cx0, cy0)) * (side / cell) + (x, y)
            eyes.append(points.astype(np.float32))
        return eyes


class RememberedEyes:
    """Eyes for the faces of a video, found afresh only every ``every`` frames.

    A head's tilt changes slowly; on the frames in between, a face whose box overlaps a box of
    the previous frame (IoU above 0.5) keeps the eyes found for it, moved with its box centre.
    New faces get their eyes at once. ``every=1`` finds them on every frame.

    Example (one per frame, inside FacePipeline.process):
        >>> eyes = remembered.eyes(frame, boxes)   # doctest: +SKIP
    """

    def __init__(self, finder: MosaicEyeFinder, every: int = 1) -> None:
        self.finder = finder
        self.every = max(1, int(every))
        self._memory: list[tuple[np.ndarray, np.ndarray | None, int]] = []  # box, eyes, age

    def reset(self) -> None:
        self._memory = []

    def eyes(self, frame: np.ndarray, boxes: list[np.ndarray]) -> list[np.ndarray | None]:
        found: list[np.ndarray | None] = [None] * len(boxes)
        ages = [0] * len(boxes)
        todo = []
        for i, box in enumerate(boxes):
            kept = self._recall(box)
            if kept is None:
                todo.append(i)
            else:
                found[i], ages[i] = kept
        if todo:
            for i, points in zip(todo, self.finder.find(frame, [boxes[i] for i in todo]),
                                 strict=True):
                found[i] = points
        self._memory = [(np.asarray(box, np.float32), points, age)
                        for box, points, age in zip(boxes, found, ages, strict=True)]
        return found

    def _recall(self, box: np.ndarray) -> tuple[np.ndarray | None, int] | None:
        if self.every == 1 or not self._memory:
            return None
        old = np.stack([m[0] for m in self._memory])
        overlap = iou_matrix(np.asarray(box, np.float32)[None], old)[0]
        best = int(np.argmax(overlap))
        old_box, points, age = self._memory[best]
        if overlap[best] <= 0.5 or age + 1 >= self.every:
            return None
        if points is not None:
            shift = (np.asarray(box[:2]) + box[2:] - old_box[:2] - old_box[2:]) / 2
            points = (points + shift).astype(np.float32)
        return points, age + 1


def load_eye_finder() -> tuple[MosaicEyeFinder | None, str | None]:
    """The eye finder, or None and why not: the live view, a still's crop and Collect all
    level faces with it, and all go on unlevelled (saying so) when BlazeFace's file is
    missing or broken."""
    from fer_desktop.resources import ResourceError

    try:
        return MosaicEyeFinder(), None
    except (ResourceError, ValueError) as exc:
        return None, f"faces are not levelled: {exc}"
