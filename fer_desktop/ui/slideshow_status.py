"""What the window says as a folder's slideshow goes from picture to picture: the status
bar's caption ("Picture 3 of 12: beach.jpg"), the window title, and the pictures skipped on
the way, kept in view with the next picture's caption or the end notice (they were replaced
within a moment: of two skipped in a row, or one skipped last, only one was ever seen).

Kept out of ``live_view.py``, which only forwards the capture thread's frames and notes here.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from fer_desktop.core.sources import slide_caption, with_notes
from fer_desktop.ui.capture import CaptureThread
from fer_desktop.ui.capture_types import CaptureOutput
from fer_desktop.ui.notifications import Notifier


class SlideshowStatus(QObject):
    """Names each picture of a slideshow once, as it first reaches the screen.

    The place and count are the folder's, as the slideshow bar shows them ("2 / 3"); the
    title says how many of them could not be read, and says it again as more are found.

    Signals:
        caption_shown(str): "Picture 3 of 12: beach.jpg" or "Picture 2 of 3 (2 could not be
            read): group.jpg" (for the window title).
    """

    caption_shown = Signal(str)

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._notes: list[str] = []
        self._source: str | None = None
        # the picture on screen: (thread, its name, its time), for the title's count
        self._shown: tuple[CaptureThread, str, float] | None = None

    def reset(self) -> None:
        """A new source, or a seek: the next picture is named whatever it is (a click on the
        bar that landed on the picture shown left the status bar blank)."""
        self._notes, self._source, self._shown = [], None, None

    def note(self, text: str) -> None:
        """A picture skipped: said now, again with the next picture's caption or the end
        notice (:meth:`take_notes`), and counted in the title of the picture on screen."""
        self._notes.append(text)
        self._notifier.info(text)
        if self._shown is not None:
            self.caption_shown.emit(self._caption(*self._shown))

    def take_notes(self) -> list[str]:
        """The notes not yet repeated with a caption (for the end notice), now taken."""
        notes, self._notes = self._notes, []
        return notes

    def frame(self, thread: CaptureThread, output: CaptureOutput) -> None:
        """A frame reached the screen: name its picture if it is a new one."""
        if not thread.slideshow or output.source == self._source:
            return
        self._source = output.source
        self._shown = (thread, output.source, output.result.timestamp_s)
        notes = self.take_notes()  # they say what could not be read: no count beside them
        # the caption is not kept in View > Messages (one every 3 s, for ever, in a loop);
        # the notes were, as they came
        self._notifier.info(with_notes(self._caption(*self._shown, counted=not notes), notes),
                            keep=False)
        self.caption_shown.emit(self._caption(*self._shown))

    @staticmethod
    def _caption(thread: CaptureThread, name: str, timestamp_s: float,
                 counted: bool = True) -> str:
        return slide_caption(name, timestamp_s, 1.0 / (thread.fps or 1.0), thread.frame_count,
                             thread.unreadable if counted else 0)
