"""Privacy options for what the app saves: faces blurred in saved pictures, and CSVs that
name no file (Qt-free).

A screenshot shared for a bug report or a talk should not show who was in front of the camera,
and a CSV handed on should not give away folder and file names; the numbers are kept.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from fer_desktop.core.types import Face

BLUR_MARGIN = 0.15  # a little beyond the detector's box: hair line and chin go too
# a face held where it was last seen may have moved on for up to half a second: its hair and
# the side of its face stayed clear beside a box left behind (trial 28)
HELD_BLUR_MARGIN = 0.5
PIXELATE_BLOCKS = 8  # about 8 blocks across a face


def blur_faces(image_bgr: np.ndarray, faces: Iterable[Face],
               margin: float = BLUR_MARGIN) -> np.ndarray:
    """A copy of ``image_bgr`` ((H, W, 3) uint8) with each face's box, widened by ``margin``
    (a held face's by HELD_BLUR_MARGIN), pixelated beyond recognition (a coarse mosaic, which
    unlike a light blur cannot be undone)."""
    out = np.array(image_bgr, dtype=np.uint8, copy=True)
    h, w = out.shape[:2]
    for face in faces:
        x1, y1, x2, y2 = (float(v) for v in face.box)
        grow = max(margin, HELD_BLUR_MARGIN) if face.held else margin
        dx, dy = (x2 - x1) * grow, (y2 - y1) * grow
        left, top = max(0, int(x1 - dx)), max(0, int(y1 - dy))
        right, bottom = min(w, int(np.ceil(x2 + dx))), min(h, int(np.ceil(y2 + dy)))
        if right - left < 2 or bottom - top < 2:
            continue
        out[top:bottom, left:right] = pixelate(out[top:bottom, left:right])
    return out


def pixelate(region: np.ndarray, blocks: int = PIXELATE_BLOCKS) -> np.ndarray:
    """A copy of ``region`` ((H, W) or (H, W, C), uint8 or float) as a coarse mosaic of about
    ``blocks`` squares across its shorter side: a face in it cannot be recognised, and unlike
    a light blur this cannot be undone. Used for the faces of screenshots and for the face of
    a saved "Why this answer?" picture."""
    height, width = region.shape[:2]
    cells = max(1, min(height, width) // blocks)
    small = cv2.resize(region, (max(1, width // cells), max(1, height // cells)),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)


class BlurringPainter:
    """An overlay painter that pixelates the faces first (``analyze --annotated --blur-faces``,
    the window's screenshots): same ``draw(frame_bgr, faces)``."""

    def __init__(self, painter) -> None:
        self.painter = painter

    @property
    def same_look(self) -> bool:
        return self.painter.same_look

    @same_look.setter
    def same_look(self, value: bool) -> None:
        self.painter.same_look = value

    def draw(self, frame_bgr: np.ndarray, faces) -> np.ndarray:
        faces = tuple(faces)
        return self.painter.draw(blur_faces(frame_bgr, faces), faces)

    def reset(self) -> None:
        """Passed on: the painter forgets the faces drawn before (a new source)."""
        self.painter.reset()


class SourceNames:
    """Replaces source names (file paths) by "source 1", "source 2"... in order of first use;
    a camera keeps its name ("camera 0" names no file)."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, source: str | None) -> str:
        source = source or ""
        if not source or source.startswith("camera "):
            return source
        if source not in self._names:
            self._names[source] = f"source {len(self._names) + 1}"
        return self._names[source]
