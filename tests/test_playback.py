"""Video pacing (PlaybackClock), time formatting, and seeking/skipping in a video file."""

from __future__ import annotations

import pytest
from ui_helpers import make_video

from fer_desktop.core.errors import SourceError
from fer_desktop.core.playback import (
    MAX_SKIP_S,
    Plan,
    PlaybackClock,
    check_speed,
    format_time,
)
from fer_desktop.core.sources import VideoFileSource


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00"), (5.9, "0:05"), (65, "1:05"), (3723, "1:02:03"),
    (None, "-:--"), (float("nan"), "-:--"), (-1, "-:--"),
])
def test_format_time(seconds, text):
    assert format_time(seconds) == text


@pytest.mark.parametrize("bad", [0, -1, 0.01, 100])
def test_speed_out_of_range_is_refused_with_the_value(bad):
    with pytest.raises(ValueError, match=str(bad)):
        check_speed(bad)


def test_frames_on_time_wait_for_their_moment():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, clock=now)
    assert clock.plan(0.0) == Plan()  # the first frame sets the clock
    now.now += 0.04
    assert clock.plan(0.1).wait_s == pytest.approx(0.06)


def test_double_speed_halves_the_waits():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, speed=2.0, clock=now)
    clock.plan(0.0)
    assert clock.plan(0.1).wait_s == pytest.approx(0.05)


def test_real_time_drops_late_frames_so_the_next_one_read_is_due():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, clock=now)
    clock.plan(0.0)
    now.now += 0.53  # processing took 0.53 s: the frame at 0.1 s is 4.3 frames late
    plan = clock.plan(0.1)
    assert plan.drop == 4  # drop 0.1 .. 0.4; the frame at 0.5 is read next, about due
    assert clock.skipped == 4
    assert clock.plan(0.5) == Plan()  # 0.3 of a frame late: shown


def test_real_time_shows_a_frame_only_a_little_late():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, clock=now)
    clock.plan(0.0)
    now.now += 0.2  # one frame late: shown, not dropped
    assert clock.plan(0.1) == Plan()


def test_every_frame_never_drops_and_slows_down_instead():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, every_frame=True, clock=now)
    clock.plan(0.0)
    now.now += 1.0
    assert clock.plan(0.1) == Plan()  # far behind: shown, and the clock moves on
    now.now += 0.05
    assert clock.plan(0.2).wait_s == pytest.approx(0.05)  # paced from the late frame
    assert clock.skipped == 0


def test_a_stall_skips_a_bounded_stretch():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, clock=now)
    clock.plan(0.0)
    now.now += 60.0
    assert clock.plan(0.1).drop == int(MAX_SKIP_S * 10)


def test_a_loop_or_restart_sets_the_clock_again():
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, clock=now)
    clock.plan(5.0)
    now.now += 3.0
    assert clock.plan(0.0) == Plan()  # back at the start (loop): no drop
    clock.restart()
    now.now += 10.0
    assert clock.plan(0.1) == Plan()


def test_a_loop_back_to_the_first_frame_plays_the_next_pass_in_time():
    """A looping video froze on its first frame after one pass: the loop landed on the
    anchor's own time (0.0), so each later frame looked one pass late and the whole pass
    was skipped (the FPS figure read about twice the clip's rate)."""
    now = FakeClock()
    clock = PlaybackClock(fps=20.0, clock=now)
    for k in range(40):  # a 2 s clip, each frame read when due
        now.now = k / 20.0
        assert clock.plan(k / 20.0).drop == 0
    now.now = 2.0
    assert clock.plan(0.0) == Plan()  # the loop: shown at once
    for k in range(1, 40):
        now.now = 2.0 + k / 20.0 - 0.01
        plan = clock.plan(k / 20.0)
        assert plan.drop == 0 and plan.wait_s == pytest.approx(0.01)
    assert clock.skipped == 0


def test_video_file_seeks_and_skips(tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=20, fps=20.0)
    source = VideoFileSource(video)
    try:
        assert source.read().index == 0
        assert source.seek(12) == 12
        frame = source.read()
        assert frame.index == 12 and frame.timestamp_s == pytest.approx(0.6)
        assert source.skip(3) == 3 and source.position == 16
        assert source.read().index == 16
        assert source.seek(999) == 19  # clamped to the last frame
        assert source.read().index == 19
        assert source.skip(5) == 0  # at the end
        assert source.read() is None
        source.seek(0)
        assert source.read().index == 0
    finally:
        source.close()


def test_a_seek_the_file_refuses_names_the_file(tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=5)
    source = VideoFileSource(video)
    class NoSeek:
        def __init__(self, capture):
            self.capture = capture

        def set(self, *args):
            return False

        def release(self):
            self.capture.release()

    source._capture = NoSeek(source._capture)
    try:
        with pytest.raises(SourceError, match="clip.avi"):
            source.seek(2)
    finally:
        source.close()


def test_never_two_drops_in_a_row():
    # Skipping costs time too: on a machine too slow even to skip, a frame is still shown
    # after each drop (it used to drop forever and show nothing).
    now = FakeClock()
    clock = PlaybackClock(fps=10.0, clock=now)
    clock.plan(0.0)
    now.now += 1.0
    assert clock.plan(0.1).drop == 9
    now.now += 1.0  # the skip itself took a second: late again
    assert clock.plan(1.0) == Plan()
    now.now += 1.0
    assert clock.plan(1.1).drop > 0


def test_a_video_resumes_only_when_left_part_way_through():
    from fer_desktop.core.playback import RESUME_AFTER_S, RESUME_END_S, resume_at

    assert resume_at(754.0, 3600.0) == 754.0
    assert resume_at(754.0, None) == 754.0  # a length unknown: where it was left
    assert resume_at(RESUME_AFTER_S - 0.1, 3600.0) is None  # only begun
    assert resume_at(3600.0 - RESUME_END_S + 0.1, 3600.0) is None  # watched to its end
    assert resume_at(float("nan"), 3600.0) is None


def test_a_cited_moment_has_tenths_of_a_second():
    """Trial 56: a saved explanation of a 3 s clip said "at 0:00" for 0.933 s."""
    from fer_desktop.core.playback import format_time

    assert [format_time(s, tenths=True) for s in (0.933, 2.3, 61.25, 3725.4)] == [
        "0:00.9", "0:02.3", "1:01.2", "1:02:05.4"]
    assert format_time(2.3) == "0:02" and format_time(None, tenths=True) == "-:--"
