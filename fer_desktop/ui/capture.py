"""The capture thread: read a frame, run the pipeline, draw the overlay, hand over the latest.

The GUI thread only paints. This ``QThread`` is a loop around ``source.read()``,
``pipeline.process(frame)`` and ``painter.draw(frame, faces)``; it keeps its output in a
single slot that each new frame overwrites (latest frame wins: nothing queues up behind a slow
paint) and announces it with ``frame_ready(frame_id)``. The window takes the slot's content and
ignores anything older than what it has painted.

Pacing: a camera sets its own pace; a video file plays at its own frame rate, never faster
(and, when the machine is too slow, it drops behind without trying to catch up in a burst); a
still image is processed once and then the thread sleeps until an option or the model changes.

Everything the GUI changes (options, classifier, recorder, stop) is handed over under a lock
and applied between frames, so the pipeline is only ever touched by this thread while it runs.
Errors become signals: ``source_failed`` for a source that cannot be opened or vanished,
``errored`` (message, traceback) for anything unexpected.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from fer_desktop.core.errors import SourceError
from fer_desktop.core.export import ExportError
from fer_desktop.core.types import FrameResult

log = logging.getLogger("fer_desktop.ui")

FOLDER_SECONDS_PER_IMAGE = 1.0  # a folder of images is shown as a slow slideshow
BEHIND_RESET_S = 0.25           # further behind than this, a video re-anchors its clock


@dataclass(frozen=True)
class CaptureOutput:
    """One processed frame, ready to paint.

    frame_id: increases by one per output within a capture session (re-processing a still
        image gives a new id).
    result: the pipeline's FrameResult. annotated: (H, W, 3) uint8 BGR, read-only.
    source: the source's description. is_live: a camera. still: a single still image.
    latency_ms: from the frame read to the annotated frame ready.
    interval_ms: since the previous output (None for the first).
    """

    frame_id: int
    result: FrameResult
    annotated: np.ndarray = field(repr=False)
    source: str = ""
    is_live: bool = False
    still: bool = False
    latency_ms: float = 0.0
    interval_ms: float | None = None


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
class _Pending:
    """Changes requested by the GUI, applied by the thread between frames."""

    options: Any = None
    style_painter: Any = None
    mirror: bool | None = None
    classifier: Any = None
    reprocess: bool = False


class CaptureThread(QThread):
    """Reads, processes and annotates frames from one source until stopped.

    Args:
        open_source: called in the thread, returns the FrameSource (may raise SourceError);
            opening a camera can take a second and must not freeze the window.
        pipeline: a ``FacePipeline`` (``process``, ``set_options``, ``set_classifier``,
            ``reset``), used only by this thread while it runs.
        painter: an ``OverlayPainter`` (``draw(frame_bgr, faces)``).
        mirror: flip camera frames left-right (cameras only; files are shown as they are).
        describe: the text used for the source in messages before it is open.

    Signals:
        opened(str, bool, bool): description, is_live, still image.
        frame_ready(int): a new output is in the slot (take it with ``take_latest``).
        ended(int): a file source reached its end after this many frames.
        source_failed(str): the source could not be opened or stopped delivering frames.
        recording_failed(str): the recorder could not write; recording stopped, video goes on.
        errored(str, str): an unexpected error (message, traceback); the thread stops.
    """

    opened = Signal(str, bool, bool)
    frame_ready = Signal(int)
    ended = Signal(int)
    source_failed = Signal(str)
    recording_failed = Signal(str)
    errored = Signal(str, str)

    def __init__(self, open_source: Callable[[], Any], pipeline: Any, painter: Any,
                 mirror: bool = False, describe: str = "", parent=None) -> None:
        super().__init__(parent)
        self._open_source = open_source
        self._pipeline = pipeline
        self._painter = painter
        self._mirror = mirror
        self.describe = describe
        self._slot = LatestSlot()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._pending = _Pending()
        self._recorder: Any = None
        self._next_id = 0
        self._last_output_t: float | None = None
        self.dropped = 0
        self.frames_processed = 0

    # GUI side ---------------------------------------------------------------------------
    def take_latest(self) -> CaptureOutput | None:
        """The newest output not yet taken, or None."""
        return self._slot.take()

    def stop(self) -> None:
        """Ask the loop to end; returns at once (``wait()`` to join)."""
        with self._lock:
            self._stop = True
        self._wake.set()

    def stop_and_wait(self, timeout_ms: int = 5000) -> bool:
        """Stop and join; True when the thread has finished."""
        self.stop()
        if self.isRunning():
            return self.wait(timeout_ms)
        return True

    def request_options(self, options: Any = None, painter: Any = None,
                        mirror: bool | None = None) -> None:
        """New pipeline options, overlay painter or mirror setting, for the next frame."""
        with self._lock:
            if options is not None:
                self._pending.options = options
            if painter is not None:
                self._pending.style_painter = painter
            if mirror is not None:
                self._pending.mirror = mirror
            self._pending.reprocess = True
        self._wake.set()

    def request_classifier(self, classifier: Any) -> None:
        """Swap the model before the next frame (a still image is processed again)."""
        with self._lock:
            self._pending.classifier = classifier
            self._pending.reprocess = True
        self._wake.set()

    def set_recorder(self, recorder: Any) -> Any:
        """Start writing every processed frame to ``recorder`` (or stop with None).

        Returns the previous recorder, which the caller closes: once this returns, the thread
        no longer touches it.
        """
        with self._lock:
            previous, self._recorder = self._recorder, recorder
        return previous

    # thread side ------------------------------------------------------------------------
    def _stopping(self) -> bool:
        with self._lock:
            return self._stop

    def _apply_pending(self) -> bool:
        """Apply what the GUI asked for; True when a still frame should be processed again."""
        with self._lock:
            pending, self._pending = self._pending, _Pending()
        if pending.options is not None:
            self._pipeline.set_options(pending.options)
        if pending.classifier is not None:
            self._pipeline.set_classifier(pending.classifier)
        if pending.style_painter is not None:
            self._painter = pending.style_painter
        if pending.mirror is not None:
            self._mirror = pending.mirror
        return pending.reprocess

    def _sleep_until(self, deadline: float) -> None:
        """Wait until ``deadline`` (monotonic s) unless stopped; other wake-ups keep waiting."""
        while not self._stopping():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._wake.wait(remaining)
            self._wake.clear()

    def run(self) -> None:  # noqa: C901 (one loop, read top to bottom)
        source = None
        try:
            try:
                source = self._open_source()
            except SourceError as exc:
                self.source_failed.emit(str(exc))
                return
            if self._stopping():
                return
            description = getattr(source, "description", self.describe)
            is_live = bool(getattr(source, "is_live", False))
            count = getattr(source, "frame_count", None)
            still = not is_live and count == 1
            fps = getattr(source, "fps", None)
            if not is_live and not fps and count and count > 1:
                fps = 1.0 / FOLDER_SECONDS_PER_IMAGE
            self._pipeline.reset()
            self.opened.emit(description, is_live, still)

            last_image: np.ndarray | None = None
            last_frame = None
            frames_read = 0
            at_end = False
            anchor: tuple[float, float] | None = None  # (wall time, frame time)
            stale = False  # options changed since the frame on screen was processed
            while not self._stopping():
                stale = self._apply_pending() or stale
                if at_end:
                    if stale and last_frame is not None:
                        stale = False
                        self._pipeline.reset()  # same frame, new options: no blending
                        self._publish(last_frame, last_image, description, is_live, still)
                        continue
                    self._flush_recorder()  # idle: nothing may wait in a buffer meanwhile
                    self._wake.wait()
                    self._wake.clear()
                    continue
                try:
                    frame = source.read()
                except SourceError as exc:
                    self.source_failed.emit(str(exc))
                    return
                if frame is None:
                    at_end = True
                    if not still:
                        self.ended.emit(frames_read)
                    continue
                frames_read += 1
                if not is_live and fps:
                    now = time.monotonic()
                    if anchor is None or frame.timestamp_s < anchor[1]:  # first frame or loop
                        anchor = (now, frame.timestamp_s)
                    due = anchor[0] + (frame.timestamp_s - anchor[1])
                    if now - due > BEHIND_RESET_S:
                        anchor = (now, frame.timestamp_s)
                    else:
                        self._sleep_until(due)
                        if self._stopping():
                            break
                image = frame.image
                if is_live and self._mirror:
                    image = cv2.flip(image, 1)
                last_frame, last_image = frame, image
                stale = False
                self._publish(frame, image, description, is_live, still)
        except Exception as exc:  # noqa: BLE001 - a worker bug must reach the user, not vanish
            self.errored.emit(f"The video processing stopped: {exc}", traceback.format_exc())
        finally:
            if source is not None:
                source.close()

    def _flush_recorder(self) -> None:
        with self._lock:
            if self._recorder is not None:
                try:
                    self._recorder.flush()
                except (ExportError, OSError) as exc:
                    self._recorder = None  # the GUI still holds it and closes it
                    self.recording_failed.emit(f"Recording stopped: {exc}")

    def _publish(self, frame: Any, image: np.ndarray, description: str, is_live: bool,
                 still: bool) -> None:
        t_start = time.perf_counter()
        result = self._pipeline.process(image, frame.index, frame.timestamp_s)
        annotated = self._painter.draw(image, result.faces)
        annotated.flags.writeable = False
        with self._lock:
            recorder = self._recorder
            if recorder is not None:
                try:
                    recorder.write(result, description)
                except (ExportError, OSError) as exc:
                    self._recorder = None  # the GUI still holds it and closes it
                    self.recording_failed.emit(f"Recording stopped: {exc}")
        now = time.perf_counter()
        interval = None if self._last_output_t is None else (now - self._last_output_t) * 1e3
        self._last_output_t = now
        output = CaptureOutput(frame_id=self._next_id, result=result, annotated=annotated,
                               source=description, is_live=is_live, still=still,
                               latency_ms=(now - t_start) * 1e3, interval_ms=interval)
        self._next_id += 1
        self.frames_processed += 1
        if self._slot.put(output):
            self.dropped += 1
        self.frame_ready.emit(output.frame_id)


class ThreadStopper(QObject):
    """Stops capture threads; keeps any that will not finish in time until they do.

    A camera driver can hang in ``read()``. Destroying a running ``QThread`` aborts the
    process, so such a thread is kept (``retired``) until its ``finished`` signal.
    """

    def __init__(self, timeout_ms: int = 5000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.retired: list[CaptureThread] = []

    def stop(self, thread: CaptureThread) -> None:
        """Stop ``thread`` and wait up to the timeout; retire it when it still runs."""
        thread.set_recorder(None)
        if thread.stop_and_wait(self.timeout_ms):
            return
        log.warning("capture thread for %s still running after %d ms; retiring it",
                    thread.describe, self.timeout_ms)
        self.retired.append(thread)
        thread.finished.connect(functools.partial(self._on_finished, thread))

    def _on_finished(self, thread: CaptureThread) -> None:
        if thread in self.retired:
            self.retired.remove(thread)

    def shutdown(self) -> None:
        """Ask every retired thread to stop once more and wait for it (window closing)."""
        for thread in list(self.retired):
            thread.stop_and_wait(self.timeout_ms)
        self.retired = [t for t in self.retired if t.isRunning()]
