"""The capture thread's data: what it hands the window (``CaptureOutput``, through a
``LatestSlot``) and what the window asks of it between frames (``Pending``). Plain data, kept
apart from the thread's loop so that ``capture.py`` stays one job."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fer_desktop.core.model import Classifier
from fer_desktop.core.overlay import OverlayMemory, OverlayPainter
from fer_desktop.core.pipeline import PipelineOptions
from fer_desktop.core.types import FrameResult


@dataclass(frozen=True)
class CaptureOutput:
    """One processed frame, ready to paint.

    frame_id: increases by one per output within a capture session (re-processing a still
        image gives a new id).
    result: the pipeline's FrameResult. annotated: (H, W, 3) uint8 BGR, read-only.
    frame: the same frame without the overlay (read-only; the "Explain" view crops it).
    source: the source's description. is_live: a camera. still: a single still image.
    latency_ms: from the frame read to the annotated frame ready.
    interval_ms: since the previous output (None for the first). overlay_memory: the
    painter's memory before it drew ``annotated``, to draw it again the same way.
    pixel_scale: the source's own pixels per pixel of ``frame`` (a large JPEG decoded at half
    size: 2.0), for the records written from it.
    panel_boxes: where ``annotated`` has each of ``result.drawn_faces``' bars (None: none).
    label_boxes: where ``annotated`` has each of ``result.drawn_faces``' labels.
    """

    frame_id: int
    result: FrameResult
    annotated: np.ndarray = field(repr=False)
    source: str = ""
    is_live: bool = False
    still: bool = False
    latency_ms: float = 0.0
    interval_ms: float | None = None
    frame: np.ndarray | None = field(default=None, repr=False)  # the frame before the overlay
    overlay_memory: OverlayMemory = field(default_factory=dict, repr=False)
    pixel_scale: float = 1.0
    panel_boxes: tuple[tuple[int, int, int, int] | None, ...] = ()
    label_boxes: tuple[tuple[int, int, int, int], ...] = ()


class LatestSlot:
    """A one-item mailbox: ``put`` overwrites, ``take`` empties. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: Any = None

    def put(self, item: Any) -> bool:
        """Store ``item``; True when it replaced one nobody took (a dropped frame)."""
        with self._lock:
            dropped = self._item is not None
            self._item = item
        return dropped

    def take(self) -> Any:
        with self._lock:
            item, self._item = self._item, None
        return item


@dataclass
class Pending:
    """Changes requested by the GUI, applied by the thread between frames."""

    options: PipelineOptions | None = None
    style_painter: OverlayPainter | None = None
    mirror: bool | None = None
    classifier: Classifier | None = None
    reprocess: bool = False
    seek: int | None = None
    speed: float | None = None
    every_frame: bool | None = None
    loop: bool | None = None
    play_again: bool = False  # the seek starts the video over: numbers from #1
    step: bool = False  # the seek is a frame step: the same faces keep their numbers
    redraw: bool = False  # draw the frame on screen again over its result (the zoom changed)
