"""What the Live tab shows when its source fails, and takes away once one works.

One home for the red banner, the video area's words or the first launch's buttons, the
Source list's memory of a file that can never open, and View > Retry source: Retry is offered
only after a failure (it stayed enabled while the source worked, and reopened a good camera).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget

from fer_desktop.ui.empty_state import EmptyState, SourceBanner
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.source_picker import SourcePicker, describe_spec
from fer_desktop.ui.video_view import VideoView


class SourceTrouble(QObject):
    """The failure side of the Live tab's source; see the module docstring.

    Signals:
        named(str): the name the window title gives a source that failed before showing
            anything ("clip.mp4 (cannot be opened)"): the title kept the previous file's name.
    """

    named = Signal(str)

    def __init__(self, banner: SourceBanner, video_view: VideoView, empty_state: EmptyState,
                 stack: QStackedWidget, source_picker: SourcePicker, notifier: Notifier,
                 act_retry: QAction, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._banner = banner
        self._video_view = video_view
        self._empty_state = empty_state
        self._stack = stack
        self._picker = source_picker
        self._notifier = notifier
        self._act_retry = act_retry
        act_retry.setEnabled(False)
        banner.installEventFilter(self)  # its tab left or shown: see eventFilter

    def clear(self) -> None:
        """A source was chosen or opened: nothing is wrong (yet)."""
        for on_screen in (True, False):  # the pointer to a red box that is gone goes too
            self._notifier.withdraw(self._bar_text(on_screen))
        self._banner.hide()
        self._act_retry.setEnabled(False)

    def source_failed(self, spec: int | str | Path | None, described: str, shown_any: bool,
                      message: str, retryable: bool) -> None:
        """The source could not be opened, or stopped delivering frames.

        Args:
            spec: the source as chosen (an int: a camera).
            described: its short name, for the words in the video area.
            shown_any: a frame of it is on screen (it stays, under the banner).
            message: what is wrong, from :class:`SourceError`.
            retryable: opening it again may work (a camera, a missing file, an empty folder).
        """
        text = f"Source problem: {message}"
        self._banner.show_message(text, retry=retryable)
        self._act_retry.setEnabled(True)  # F5 tries again even where no button is offered
        if not shown_any:  # nothing of it on screen: the title no longer names the last one
            name = describe_spec(spec) if spec is not None else described
            self.named.emit(f"{name} (cannot be opened)")  # as the Source list says it
        if not shown_any and isinstance(spec, int):
            self._video_view.set_message("No picture from this source.\nPress Retry, or "
                                         "choose another source.")
        elif not shown_any:  # a file shown in nothing: the ways out, as buttons
            if not retryable:
                self._picker.forget(spec)  # picking it again would fail again
            self._empty_state.show_reason(
                f"Nothing to show from {described}",
                "Open another video or image, or show the sample image" +
                (" (Retry opens this one again)." if retryable else ".") +
                " The red box above says what is wrong.")
            self._stack.setCurrentWidget(self._empty_state)
        self._notifier.error(text, bar_text=self._bar_text(self._banner_on_screen()))

    @staticmethod
    def _bar_text(on_screen: bool) -> str:
        """The status bar's pointer to the banner: "above" only where the banner is seen (on
        the Train tab the bar said "see the red box above", and there was none)."""
        return "Source problem: see the red box " + ("above" if on_screen
                                                     else "in the Live tab")

    def _banner_on_screen(self) -> bool:
        """The banner is on the tab shown (or will be once the window is shown)."""
        return self._banner.isVisibleTo(self._banner.window())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """The Live tab left or shown again with the banner up: the bar's pointer follows."""
        if watched is self._banner and not self._banner.isHidden() and event.type() in (
                QEvent.Type.Show, QEvent.Type.Hide):
            on_screen = event.type() == QEvent.Type.Show
            self._notifier.reword(self._bar_text(not on_screen), self._bar_text(on_screen))
        return False

    def thread_errored(self, message: str, details: str) -> None:
        """A bug in the capture thread: said in the banner, the traceback to the log."""
        self._banner.show_message(message)
        self._act_retry.setEnabled(True)
        self._notifier.error(message, serious=True, details=details)
