"""What the window says as a folder's slideshow goes from picture to picture: the status
bar's caption ("Picture 3 of 12: beach.jpg"), the window title, and a picture skipped on the
way, kept in view with the next picture's caption (it was replaced within a moment).

Kept out of ``live_view.py``, which only forwards the capture thread's frames and notes here.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from fer_desktop.core.sources import slide_caption
from fer_desktop.ui.capture import CaptureOutput, CaptureThread
from fer_desktop.ui.notifications import Notifier


class SlideshowStatus(QObject):
    """Names each picture of a slideshow once, as it first reaches the screen.

    Signals:
        caption_shown(str): "Picture 3 of 12: beach.jpg" (for the window title).
    """

    caption_shown = Signal(str)

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._note = ""
        self._source: str | None = None

    def reset(self) -> None:
        """A new source, or a seek: the next picture is named whatever it is (a click on the
        bar that landed on the picture shown left the status bar blank)."""
        self._note, self._source = "", None

    def note(self, text: str) -> None:
        """A picture skipped: said now, and again with the next picture's caption."""
        self._note = text
        self._notifier.info(text)

    def frame(self, thread: CaptureThread, output: CaptureOutput) -> None:
        """A frame reached the screen: name its picture if it is a new one."""
        if not thread.slideshow or output.source == self._source:
            return
        self._source = output.source
        caption = slide_caption(output.source, output.result.timestamp_s,
                                1.0 / (thread.fps or 1.0), thread.frame_count)
        note, self._note = self._note, ""
        self._notifier.info(f"{caption} ({note})" if note else caption)
        self.caption_shown.emit(caption)
