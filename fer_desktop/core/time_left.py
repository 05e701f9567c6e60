"""How long a job counted in steps has left, from its pace since it began.

Analyse whole file said only "frame 185 of 10800" for a 3-minute 1080p60 video that would
take 40 minutes under load, and the window's "Close when it is done" did not say how long
that was (trial 46). The pace is measured from the first step seen, once it has run
``settle_s`` seconds: the first frames (the model warming up, a file opening) say little.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fer_desktop.core.training_progress import format_duration


class TimeLeft:
    """Feed it (done, total) as they come; it says the time left once the pace is known.

    Example:
        >>> left = TimeLeft()
        >>> left.words(10, 100)    # at once: nothing yet
        ''
    """

    def __init__(self, settle_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._settle_s = settle_s
        self._start: tuple[float, int] | None = None

    def seconds(self, done: int, total: int | None) -> float | None:
        """Seconds left at the pace so far; None until it is known (or with no total)."""
        now = self._clock()
        if self._start is None or done < self._start[1]:  # begun, or begun again
            self._start = (now, done)
            return None
        began, first = self._start
        if not total or now - began < self._settle_s or done <= first or done >= total:
            return None  # past its total: a video longer than its header said ("about -")
        return (total - done) * (now - began) / (done - first)

    def words(self, done: int, total: int | None) -> str:
        """``"about 38:40 left"``; "" until the pace is known."""
        left = self.seconds(done, total)
        return "" if left is None else f"about {format_duration(left)} left"
