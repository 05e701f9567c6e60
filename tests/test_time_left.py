"""Time left of a job counted in steps (core/time_left.py), on a clock the test moves."""

from __future__ import annotations

from fer_desktop.core.time_left import TimeLeft


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_is_said_once_the_pace_is_known():
    """Trial 46: "frame 185 of 10800" for a 40-minute analysis, with no time left."""
    clock = Clock()
    left = TimeLeft(settle_s=2.0, window_s=60.0, clock=clock)
    assert left.words(0, 10_800) == ""  # begun: no pace yet
    clock.now += 1.0
    assert left.words(5, 10_800) == ""  # too soon to say
    clock.now += 39.0
    assert left.seconds(185, 10_800) == (10_800 - 185) * 40.0 / 185
    assert left.words(185, 10_800) == "about 38:15 left"
    assert left.words(185, None) == ""  # no total: nothing to say
    assert left.words(10_900, 10_800) == ""  # past the header's count: not "about -" (review 56)
    clock.now += 1.0
    assert left.words(0, 50) == ""  # begun again (a second pass): measured again


def test_time_left_follows_a_change_of_pace():
    """Trial 48: averaged since the start, it said "about 4:49 left" of an analysis that
    ended 2:35 later, the live view having rested and left it the computer."""
    clock = Clock()
    left = TimeLeft(settle_s=2.0, window_s=20.0, clock=clock)
    left.seconds(0, 10_000)
    for second in range(1, 61):  # a minute at 5 frames a second
        clock.now += 1.0
        left.seconds(5 * second, 10_000)
    for second in range(1, 31):  # then 20 a second
        clock.now += 1.0
        estimate = left.seconds(300 + 20 * second, 10_000)
    assert estimate == (10_000 - 900) / 20  # at the new pace, not the mean since the start
