"""The status bar's numbers, without Qt: frames per second, mean latency and interval."""

from __future__ import annotations

import pytest

from fer_desktop.core.frame_stats import FrameStats, LiveStats


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_an_interval_reports_means_and_rate_then_starts_over():
    clock = Clock()
    stats = FrameStats(clock)
    for latency, gap in ((10.0, None), (20.0, 40.0), (30.0, 60.0), (40.0, 50.0)):
        stats.add(latency, gap)  # the first output of a source has no interval
    clock.t += 2.0
    first = stats.take(faces=2, still=False, dropped=3, running=True)
    assert first.fps == pytest.approx(2.0)
    assert first.latency_ms == pytest.approx(25.0)
    assert first.interval_ms == pytest.approx(50.0)
    assert (first.faces, first.dropped, first.running) == (2, 3, True)
    clock.t += 1.0
    idle = stats.take()
    assert idle == LiveStats(fps=0.0)  # nothing painted since: no stale means


def test_taking_twice_at_the_same_instant_does_not_divide_by_zero():
    clock = Clock()
    stats = FrameStats(clock)
    stats.add(5.0, 5.0)
    assert stats.take().fps > 0


def test_a_look_between_updates_leaves_the_interval_going_on():
    """A slideshow's new picture shows its faces at once: that look restarted the interval,
    so the next once-a-second figures covered a fraction of it (review 11)."""
    clock = Clock()
    stats = FrameStats(clock)
    stats.add(10.0, None)
    clock.t += 0.5
    peek = stats.take(faces=1, restart=False)
    assert peek.faces == 1 and peek.fps == pytest.approx(2.0)
    stats.add(30.0, 500.0)
    clock.t += 0.5
    whole = stats.take()
    assert whole.fps == pytest.approx(2.0) and whole.latency_ms == pytest.approx(20.0)


@pytest.mark.parametrize("fps, pace, words", [
    (9.0, (60.0, 1.0, False), "of 60"),      # Real time analyses 9 of its 60 a second
    (58.0, (60.0, 1.0, False), ""),          # keeping up: nothing to say
    (9.0, (30.0, 2.0, False), "of 60"),      # at 2x, 60 a second are due
    (9.0, (60.0, 1.0, True), "0.15x"),       # Every frame plays it at 0.15x
    (29.0, (30.0, 1.0, True), ""),
    (9.0, None, ""),                          # a camera, a still image: no video clock
])
def test_the_frame_rate_says_what_it_leaves_out(fps, pace, words):
    """Trial 46: "FPS 9.0" on a 60 fps video said nothing of the 85% of its frames never
    analysed, nor of Every frame playing it at 0.35x under "1x"."""
    stats = LiveStats(fps=fps, running=True, pace=pace)
    assert stats.pace_words() == words
    assert LiveStats(fps=fps, running=True, paused=True, pace=pace).pace_words() == ""


def test_the_status_bar_shows_it(qtbot):
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.live_figures import LiveFigures

    bar = QStatusBar()
    qtbot.addWidget(bar)
    figures = LiveFigures(bar)
    figures.show_stats(LiveStats(fps=9.0, running=True, pace=(60.0, 1.0, False)))
    assert figures.fps_label.text() == "FPS 9.0 of 60"
    assert "60 frames a second are due and 9 are analysed" in figures.fps_label.toolTip()
    figures.show_stats(LiveStats(fps=0.0, running=True, paused=True, pace=(60.0, 1.0, False)))
    assert figures.fps_label.toolTip() == "Frames analysed and shown per second"  # review 58
