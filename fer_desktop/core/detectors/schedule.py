"""The live view's small-face schedule: the whole frame every frame for the usual faces, one
tile of it at small-face detail per frame, and the small faces found followed in between.

YuNet finds faces down to 16 px only when it sees a 640x480 frame at full size: about 27 ms of
CPU a frame (benchmarks/detection.py), several times the live budget. So when a minimum face under
the camera's 32 px is chosen (source_defaults.py), the camera still looks for faces of
``min_face_px`` (32) in the whole frame every frame (YuNet at 320x240, about 6 ms), and in
addition:

* **one tile per frame at small-face detail**: the frame is covered by overlapping tiles that
  reach YuNet at :data:`TILE_INPUT` (192x160, about 2 ms); a different tile is searched each
  frame, so a face of ``small_face_px`` or more anywhere in the frame is found within one round
  (16 frames for 640x480: about half a second at 30 fps);
* **following the small faces found**: each is looked at again every frame in a window around
  its last box, at 48 px (``YuNetDetector.look_again``, about 1.7 ms a face), so it stays
  found, moves with its box and keeps its track id; it is let go when that look fails or the
  whole-frame pass finds it.

Example:
    >>> detector = ScheduledDetector(min_face_px=32, small_face_px=16)
    >>> len(detector.tiles((480, 640)))
    16
"""

from __future__ import annotations

import numpy as np

from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.detectors.yunet import SMALLEST_INPUT_FACE_PX, YuNetDetector
from fer_desktop.core.frames import as_bgr8
from fer_desktop.core.types import Detection

TILE_INPUT = (192, 160)    # (width, height) of one tile in YuNet's input: about 2 ms of CPU
MAX_FOLLOWED = 8           # small faces followed at once (each costs one look a frame)
SAME_FACE_IOU = 0.3


class ScheduledDetector:
    """YuNet for live sources: faces of ``min_face_px`` every frame, faces down to
    ``small_face_px`` found one tile at a time and followed (see the module docstring).

    Args:
        min_face_px: smallest face found in the whole frame every frame (frame pixels).
        small_face_px: smallest face found by the tiles (frame pixels; below min_face_px).
        score_threshold: YuNet's minimum face score.
        num_threads: LiteRT threads for each of the two YuNet detectors.
    """

    name = "yunet"

    def __init__(self, min_face_px: int = 32, small_face_px: int = 16,
                 score_threshold: float = 0.7, num_threads: int | None = None) -> None:
        if not 1 <= small_face_px < min_face_px:
            raise ValueError(f"small_face_px must be 1 or more and under min_face_px "
                             f"({min_face_px}), got {small_face_px}")
        self.min_face_px = int(min_face_px)
        self.small_face_px = int(small_face_px)
        self.wide = YuNetDetector(min_face_px=min_face_px, score_threshold=score_threshold,
                                  num_threads=num_threads)
        self.detail = YuNetDetector(min_face_px=small_face_px, score_threshold=score_threshold,
                                    close_ups=False, num_threads=num_threads)
        self._followed: list[Detection] = []
        self._next_tile = 0

    def reset(self) -> None:
        """Forget the followed faces and start the tiles again (a new source)."""
        self._followed = []
        self._next_tile = 0

    def tiles(self, frame_hw: tuple[int, int]) -> list[tuple[int, int, int, int]]:
        """(x, y, width, height) of the tiles covering a frame of (height, width), in frame
        pixels; neighbours overlap by more than the widest face the tiles are for
        (min_face_px), so each such face lies whole in some tile."""
        h, w = frame_hw
        scale = min(2.0, SMALLEST_INPUT_FACE_PX / self.small_face_px)
        tw, th = (min(side, round(t / scale)) for side, t in zip((w, h), TILE_INPUT,
                                                                  strict=True))
        overlap = round(1.25 * self.min_face_px)
        return [(x, y, tw, th) for y in _starts(h, th, overlap) for x in _starts(w, tw, overlap)]

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        """The whole-frame faces, then the small faces followed and found in this frame's tile.

        Raises:
            ValueError: the array cannot be a frame (see ``as_bgr8``).
        """
        frame = as_bgr8(frame_bgr)
        found = self.wide.detect(frame)
        followed = []
        for face in self._followed:
            if _overlaps(face, found + followed):
                continue  # the whole-frame pass has it now
            again = self.detail.look_again(frame, face.box)
            if again is not None and not _overlaps(again, found + followed):
                followed.append(again)
        tiles = self.tiles(frame.shape[:2])
        x, y, tw, th = tiles[self._next_tile % len(tiles)]
        self._next_tile = (self._next_tile + 1) % len(tiles)
        for face in self.detail.detect(frame[y:y + th, x:x + tw]):
            moved = Detection(box=face.box + (x, y, x, y), score=face.score,
                              keypoints=face.keypoints + (x, y))
            if len(followed) < MAX_FOLLOWED and not _overlaps(moved, found + followed):
                followed.append(moved)
        self._followed = followed
        return found + followed


def _starts(length: int, tile: int, overlap: int) -> list[int]:
    """Evenly spread starts of the fewest tiles that cover ``length`` with neighbours
    overlapping by at least ``overlap`` (the first at 0, the last flush with the end)."""
    if tile >= length:
        return [0]
    count = 1 + int(np.ceil((length - tile) / max(1, tile - overlap)))
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def _overlaps(face: Detection, others: list[Detection]) -> bool:
    if not others:
        return False
    boxes = np.stack([o.box for o in others])
    return bool(iou_matrix(face.box[None], boxes).max() > SAME_FACE_IOU)
