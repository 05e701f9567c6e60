"""Frame statistics for the status bar: frames per second, latency, interval, dropped frames.

Qt-free so that it is tested with a fake clock. The Live tab calls :meth:`FrameStats.add` for
each frame it paints and :meth:`FrameStats.take` once a second; ``take`` returns a
:class:`LiveStats` over the frames since the previous ``take`` and starts a new interval
(like ``FPSMonitor.tick()`` in supervision: count, then report once per interval).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LiveStats:
    """What the status bar shows, once a second.

    fps: frames painted per second over the last interval. latency_ms: mean time from a frame
    read to its annotated copy ready. interval_ms: mean time between processed frames. faces:
    in the latest frame. still: the source is a still image (fps means nothing then).
    dropped: frames replaced before they were painted, since the source opened.
    running: a capture thread is running. paused: a video is paused (no frames is no news).
    ended: a video reached its end (no frames until Play or a seek). slideshow: a folder's
    pictures, one every few seconds (its "FPS 0.3" read as a fault). pace: (the video's
    frames a second, the speed asked, every frame) of a video on its clock, else None.
    """

    fps: float = 0.0
    latency_ms: float | None = None
    interval_ms: float | None = None
    faces: int = 0
    still: bool = False
    dropped: int = 0
    running: bool = False
    paused: bool = False
    ended: bool = False
    slideshow: bool = False
    pace: tuple[float, float, bool] | None = None

    def pace_words(self) -> str:
        """What the frame rate leaves out, where it leaves much: ``"of 60"`` when Real time
        analyses 9 of a 60 fps video's frames a second, ``"0.15x"`` when Every frame plays it
        that slowly. "FPS 9.0" said neither, and the recording's gaps or the crawling clock
        went unexplained (trial 46)."""
        if self.pace is None or not self.running or self.paused or self.ended \
                or self.fps <= 0:
            return ""
        video_fps, speed, every_frame = self.pace
        if every_frame:
            played = self.fps / video_fps
            return f"{played:.2f}x" if played < 0.9 * speed else ""
        return f"of {video_fps * speed:.0f}" if self.fps < 0.9 * video_fps * speed else ""


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


class FrameStats:
    """Accumulates painted frames between two reports.

    Example:
        stats = FrameStats()
        stats.add(latency_ms=12.0, interval_ms=33.0)      # per painted frame
        line = stats.take(faces=1, still=False, dropped=0, running=True)  # once a second
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self._frames = 0
        self._latency: list[float] = []
        self._gaps: list[float] = []

    def add(self, latency_ms: float, interval_ms: float | None) -> None:
        """One frame painted: its latency, and the time since the previous output (or None)."""
        self._frames += 1
        self._latency.append(latency_ms)
        if interval_ms is not None:
            self._gaps.append(interval_ms)

    def take(self, *, faces: int = 0, still: bool = False, dropped: int = 0,
             running: bool = False, paused: bool = False, ended: bool = False,
             slideshow: bool = False, pace: tuple[float, float, bool] | None = None,
             restart: bool = True) -> LiveStats:
        """The statistics since the previous call; starts a new interval unless ``restart``
        is False (a look between the once-a-second updates: a slideshow's new picture)."""
        now = self._clock()
        elapsed = max(1e-6, now - self._start)
        stats = LiveStats(fps=self._frames / elapsed, latency_ms=_mean(self._latency),
                          interval_ms=_mean(self._gaps), faces=faces, still=still,
                          dropped=dropped, running=running, paused=paused, ended=ended,
                          slideshow=slideshow, pace=pace)
        if restart:
            self._start = now
            self._frames = 0
            self._latency.clear()
            self._gaps.clear()
        return stats
