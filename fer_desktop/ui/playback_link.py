"""Passes the transport bar's requests to the Live tab's capture thread (pause, seek, speed,
pacing) and remembers the pacing choice."""

from __future__ import annotations

from typing import Any

from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.transport_bar import TransportBar


class PlaybackLink:
    """Connects a :class:`TransportBar` to whatever capture thread the Live tab runs.

    Args:
        bar: the transport bar.
        capture: returns the running CaptureThread (or None).
        settings: where the pacing choice is remembered.
    """

    def __init__(self, bar: TransportBar, capture: Any, settings: AppSettings) -> None:
        self._bar = bar
        self._capture = capture
        self._settings = settings
        self.at_end = False  # the video reached its end: Play starts it again
        bar.set_pacing(settings.every_frame)
        bar.play_toggled.connect(self.on_play_toggled)
        bar.seek_requested.connect(self.on_seek_requested)
        bar.speed_changed.connect(self.on_speed_changed)
        bar.every_frame_changed.connect(self.on_every_frame_changed)

    def toggle(self) -> None:
        """Space on the video: play or pause when a video is shown."""
        if self._bar.isVisible():
            self._bar.toggle()

    def on_play_toggled(self, playing: bool) -> None:
        capture = self._capture()
        if capture is None:
            return
        if playing and self.at_end:
            self.at_end = False
            capture.request_seek(0)  # play again from the start
        capture.set_paused(not playing)

    def on_seek_requested(self, frame_index: int) -> None:
        capture = self._capture()
        if capture is not None:
            self.at_end = False
            capture.request_seek(frame_index)

    def on_speed_changed(self, speed: float) -> None:
        capture = self._capture()
        if capture is not None:
            capture.request_playback(speed=speed)

    def on_every_frame_changed(self, every_frame: bool) -> None:
        self._settings.every_frame = every_frame
        capture = self._capture()
        if capture is not None:
            capture.request_playback(every_frame=every_frame)
