"""The Live tab at rest while nobody can see it: the window minimised, or the Train tab in
front, and nothing recorded. A 1080p video kept a whole core busy behind the Train tab (and
minimised), and a training beside it ran 2.6 times longer than its estimate (trial 46). The
video pauses and plays on when it is seen again; a camera's frames are read, not analysed
(``PlaybackControls.set_watched``). A recording, or Analyse whole file, goes on regardless.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTabWidget, QWidget


class RestWhenUnseen(QObject):
    """Follows the window's state and the tabs, and tells the Live tab whether it is seen."""

    def __init__(self, window: QWidget, tabs: QTabWidget, live_view) -> None:
        super().__init__(window)
        self._window, self._tabs, self._live = window, tabs, live_view
        window.installEventFilter(self)
        tabs.currentChanged.connect(self.update)
        # a recording started from the Train tab (File > Record CSV) needs the video playing;
        # one that ends there, the video resting (review 56)
        live_view.recording_changed.connect(self.update)

    def seen(self) -> bool:
        return not self._window.isMinimized() and self._tabs.currentWidget() is self._live

    def update(self, *_args) -> None:
        self._live.playback.set_watched(self.seen(), recording=self._live.is_recording)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._window and event.type() == QEvent.Type.WindowStateChange:
            self.update()
        return False
