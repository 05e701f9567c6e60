"""When to show the next frame of a video file: pacing, speed and skipping (Qt-free).

A video file has its own clock: frame ``k`` is due ``k / fps`` seconds after the first (divided
by the playback speed). When the pipeline is slower than the video, there are two honest
choices, and the user picks one:

- **real time** (the default): the picture keeps up with the video's clock, and frames that
  would be shown late are skipped unprocessed, so a 12 s clip takes 12 s however slow the
  machine is;
- **every frame**: every frame is processed and shown; when the machine is too slow the video
  plays slower than real time (the clock is moved on instead of rushing to catch up).

:class:`PlaybackClock` holds that decision; the capture thread asks it, frame by frame, what
to do (:meth:`PlaybackClock.plan`). It is restarted after a seek, a pause, a speed change or a
loop back to the start.

Example:
    >>> clock = PlaybackClock(fps=25.0, clock=lambda: 0.0)
    >>> clock.plan(0.0)
    Plan(wait_s=0.0, drop=0)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

PLAYBACK_SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0)
BEHIND_RESET_S = 0.25    # every-frame mode: further behind than this, the clock moves on
LATE_FRAMES = 1.5        # real-time mode: frames later than this many intervals are skipped
MAX_SKIP_S = 10.0        # never skip more than this much video in one go (then move on)
RESUME_AFTER_S = 5.0     # a video left later than this reopens where it was left...
RESUME_END_S = 5.0       # ...unless it was left this close to its end (watched: from 0:00)


def format_time(seconds: float | None, tenths: bool = False) -> str:
    """``"1:05"`` (or ``"1:02:03"``); ``"-:--"`` for an unknown time. ``tenths``:
    ``"0:00.9"``, for a moment a figure cites (any of a short clip's first 30 frames read
    "0:00", trial 56)."""
    if seconds is None or seconds != seconds or seconds < 0:  # None, NaN, negative
        return "-:--"
    whole, tail = int(seconds), ""  # cut, as a player's clock is
    if tenths:
        ms = round(seconds * 1000)  # whole milliseconds first: 2.3 s is 22.999... tenths
        whole, tail = ms // 1000, f".{ms // 100 % 10}"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return (f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}") + tail


def resume_at(position_s: float, duration_s: float | None) -> float | None:
    """Where a video left at ``position_s`` reopens: there, or None for its start (it was
    only begun, or it was watched to its end). Media players resume a long video; the first
    seconds are not worth a jump the user did not ask for.

    Example:
        >>> resume_at(754.0, 3600.0), resume_at(2.0, 3600.0), resume_at(3598.0, 3600.0)
        (754.0, None, None)
    """
    if math.isnan(position_s) or position_s < RESUME_AFTER_S:
        return None
    if duration_s and position_s > duration_s - RESUME_END_S:
        return None
    return float(position_s)


def check_speed(speed: float) -> float:
    """The speed as a float; raises ValueError for anything outside 0.05..16."""
    speed = float(speed)
    if not 0.05 <= speed <= 16.0:
        raise ValueError(f"playback speed must be between 0.05 and 16, got {speed}")
    return speed


@dataclass(frozen=True)
class Plan:
    """What to do with the frame just read.

    wait_s: seconds to wait before showing it (0: show now).
    drop: frames to leave unprocessed, this one included (0: show this frame); the frame
        read after them is about due.
    """

    wait_s: float = 0.0
    drop: int = 0


class PlaybackClock:
    """The clock of one video file; see the module docstring.

    Args:
        fps: the file's frame rate (frames per second of video time).
        speed: 1.0 is real time, 2.0 twice as fast.
        every_frame: process every frame (slow down) instead of skipping late ones.
        clock: monotonic seconds, injectable for tests.
    """

    def __init__(self, fps: float, speed: float = 1.0, every_frame: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.fps = float(fps)
        self.speed = check_speed(speed)
        self.every_frame = bool(every_frame)
        self._clock = clock
        self._anchor: tuple[float, float] | None = None  # (wall time, video time)
        self._last_s: float | None = None  # video time of the frame planned last
        self._just_dropped = False
        self.skipped = 0

    def restart(self) -> None:
        """Forget the anchor: the next frame is shown at once and sets the clock."""
        self._anchor = None
        self._last_s = None

    def set_speed(self, speed: float) -> None:
        self.speed = check_speed(speed)
        self.restart()

    def set_every_frame(self, every_frame: bool) -> None:
        self.every_frame = bool(every_frame)
        self.restart()

    def plan(self, timestamp_s: float) -> Plan:
        """What to do with the frame at ``timestamp_s`` (video time) that was just read."""
        now = self._clock()
        went_back = self._last_s is not None and timestamp_s < self._last_s
        self._last_s = timestamp_s
        # First frame, or a loop: time went back. (Compared with the frame before, not the
        # anchor: a loop lands on the anchor's own time, 0.0, and was taken for a frame one
        # whole pass late, so every pass after the first was skipped but its first frame.)
        if self._anchor is None or went_back or timestamp_s < self._anchor[1]:
            self._anchor = (now, timestamp_s)
            return Plan()
        wall0, video0 = self._anchor
        due = wall0 + (timestamp_s - video0) / self.speed
        late_s = now - due  # wall seconds
        if late_s <= 0:
            return Plan(wait_s=-late_s)
        if self.every_frame:
            if late_s > BEHIND_RESET_S:
                self._anchor = (now, timestamp_s)  # slow down; never rush to catch up
            return Plan()
        frames_late = late_s * self.speed * self.fps
        if frames_late <= LATE_FRAMES or self._just_dropped:
            # Never two drops in a row: skipping costs time too, and a machine too slow even
            # to skip must still show frames (the clock catches up at the next drop).
            self._just_dropped = False
            return Plan()
        drop = round(frames_late)  # the frame read after these is about due
        max_drop = max(1, int(MAX_SKIP_S * self.fps))
        if drop > max_drop:  # hopelessly behind (a stall): skip a bounded stretch, move on
            self._anchor = (now, timestamp_s + max_drop / self.fps)
            drop = max_drop
        self.skipped += drop
        self._just_dropped = True
        return Plan(drop=drop)
