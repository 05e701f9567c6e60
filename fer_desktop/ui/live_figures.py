"""The status bar's live figures: frame rate, time per frame and face count.

They describe the Live tab, so the window shows them only there (on the Train tab they read
as the training's figures), and they step aside while a message too long for the bar is up
(:meth:`fer_desktop.ui.notifications.Notifier.yield_room`).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from fer_desktop.core.frame_stats import LiveStats

# as wide as their widest text: the bar does not jump about as the figures change
_WIDEST = ("FPS 88.8 of 888", "888 ms/frame, every 888 ms", "88 faces")


FPS_TIP = "Frames analysed and shown per second"


def pace_tip(stats: LiveStats, pace: str) -> str:
    """The tooltip's words for the figures shown (``pace``: :meth:`LiveStats.pace_words`;
    it gave fixed examples, "of 60" beside an "of 30": trial 48)."""
    video_fps, speed, every_frame = stats.pace
    if every_frame:
        return (f". {pace}: Every frame analyses each frame and so plays the video at {pace} "
                "of its speed; Real time keeps its speed and skips frames")
    return (f". {video_fps * speed:.0f} frames a second are due and {stats.fps:.0f} are "
            "analysed: Real time skips the rest to keep up; Every frame analyses them all, "
            "more slowly")


class LiveFigures:
    """Three permanent labels of a status bar, filled from :class:`LiveStats`."""

    def __init__(self, bar: QStatusBar) -> None:
        self.fps_label = QLabel("FPS -")
        self.fps_label.setToolTip(FPS_TIP)
        self.latency_label = QLabel("- ms/frame")
        self.latency_label.setToolTip("Latency: time to detect, classify and draw one frame. "
                                      "Interval: time between two processed frames.")
        self.faces_label = QLabel("no faces")
        self.faces_label.setToolTip("Faces in the frame shown")
        self.labels = (self.fps_label, self.latency_label, self.faces_label)
        for label, widest in zip(self.labels, _WIDEST, strict=True):
            label.setContentsMargins(6, 0, 6, 0)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 14)
            bar.addPermanentWidget(label)
        self._on_live_tab = True
        self._message_needs_room = False

    def set_on_live_tab(self, on: bool) -> None:
        self._on_live_tab = on
        self._update()

    def make_room(self, needed: bool) -> None:
        """A long message is up (True) or gone (False)."""
        self._message_needs_room = needed
        self._update()

    def _update(self) -> None:
        shown = self._on_live_tab and not self._message_needs_room
        for label in self.labels:
            label.setVisible(shown)

    def show_stats(self, stats: LiveStats) -> None:
        self.fps_label.setToolTip(FPS_TIP)  # a running video's figures only (review 58)
        if stats.still:
            self.fps_label.setText("still image")
        elif stats.ended:
            self.fps_label.setText("ended")  # "FPS 0.0" read as a fault
        elif stats.paused:
            self.fps_label.setText("paused")
        elif stats.slideshow and stats.running:
            self.fps_label.setText("slideshow")
        elif stats.running:
            pace = stats.pace_words()
            self.fps_label.setText(f"FPS {stats.fps:.1f}" + (f" {pace}" if pace else ""))
            self.fps_label.setToolTip(FPS_TIP + (pace_tip(stats, pace) if pace else ""))
        else:
            self.fps_label.setText("FPS -")
        if stats.latency_ms is not None:
            text = f"{stats.latency_ms:.0f} ms/frame"
            # not for a slideshow: "every 31 ms" while a picture stays 3 s (trial 37)
            if stats.interval_ms is not None and not (stats.still or stats.paused
                                                      or stats.ended or stats.slideshow):
                text += f", every {stats.interval_ms:.0f} ms"
            self.latency_label.setText(text)
        elif stats.paused or stats.ended:  # no frame now: the last latency stays, no interval
            self.latency_label.setText(self.latency_label.text().split(",")[0])
        elif not stats.running and not stats.still:  # a source that failed: no figure of the
            self.latency_label.setText("- ms/frame")  # one before it
        faces = stats.faces
        self.faces_label.setText("no faces" if faces == 0 else
                                 f"{faces} face" + ("s" if faces > 1 else ""))
