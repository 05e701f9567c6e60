"""How long a job counted in steps has left, from its pace since it began.

Analyse whole file said only "frame 185 of 10800" for a 3-minute 1080p60 video that would
take 40 minutes under load, and the window's "Close when it is done" did not say how long
that was (trial 46). The pace is measured from the first step seen, once it has run
``settle_s`` seconds: the first frames (the model warming up, a file opening) say little;
then over the last ``window_s`` seconds, so that it follows a change of pace.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from fer_desktop.core.training_progress import format_duration


class TimeLeft:
    """Feed it (done, total) as they come; it says the time left once the pace is known.

    Example:
        >>> left = TimeLeft()
        >>> left.words(10, 100)    # at once: nothing yet
        ''
    """

    def __init__(self, settle_s: float = 2.0, window_s: float = 20.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._settle_s = settle_s
        self._window_s = window_s
        self._seen: deque[tuple[float, int]] = deque()  # (time, steps done), oldest first

    def seconds(self, done: int, total: int | None) -> float | None:
        """Seconds left at the pace of the last ``window_s`` seconds (the pace since the
        start followed a change, the live view resting or another job ending, slowly: it
        said 4:49 left of 2:35, trial 48); None until it is known (or with no total)."""
        now = self._clock()
        if self._seen and done < self._seen[-1][1]:  # begun again
            self._seen.clear()
        self._seen.append((now, done))
        while len(self._seen) > 2 and now - self._seen[1][0] >= self._window_s:
            self._seen.popleft()  # the oldest kept is the last at least window_s ago
        began, first = self._seen[0]
        if not total or now - began < self._settle_s or done <= first or done >= total:
            return None  # past its total: a video longer than its header said ("about -")
        return (total - done) * (now - began) / (done - first)

    def words(self, done: int, total: int | None) -> str:
        """``"about 38:40 left"``; "" until the pace is known."""
        left = self.seconds(done, total)
        return "" if left is None else f"about {format_duration(left)} left"
