"""One history per face: breaks where a face leaves, switches remembered, Tab order."""

from __future__ import annotations

import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.face_timeline import FaceTimelines, next_track
from fer_desktop.core.types import Face


def face(track: int, happy: float = 0.5) -> Face:
    probs = np.full(len(EMOTIONS), (1 - happy) / 6, np.float32)
    probs[EMOTIONS.index("happy")] = happy
    return Face(box=[0, 0, 10, 10], probabilities=probs, label="happy", track_id=track)


def happy_of(timelines, track):
    times, probs = timelines.series(track)
    return times.tolist(), probs[:, EMOTIONS.index("happy")].tolist()


def test_each_face_has_its_own_series_and_a_break_where_it_left():
    tl = FaceTimelines()
    tl.add(0.0, [face(1, 0.2), face(2, 0.9)])
    tl.add(0.1, [face(2, 0.8)])             # face 1 leaves
    tl.add(0.2, [face(1, 0.3), face(2, 0.7)])  # and comes back
    times, happy = happy_of(tl, 1)
    assert times == pytest.approx([0.0, 0.1, 0.2])
    assert happy[0] == pytest.approx(0.2) and np.isnan(happy[1]) and happy[2] == pytest.approx(0.3)
    assert happy_of(tl, 2)[1] == pytest.approx([0.9, 0.8, 0.7])  # never mixed with face 1
    assert tl.present == [1, 2] and tl.tracks() == [1, 2]


def test_a_switch_of_the_followed_face_is_remembered():
    tl = FaceTimelines()
    tl.add(0.0, [face(1)])
    assert tl.follow(0.0, 1) is False  # the first face is not a switch
    tl.add(1.0, [face(2)])
    assert tl.follow(1.0, 2) is True
    assert tl.follow(1.0, 2) is False
    assert tl.switches() == [(1.0, 2)]


def test_old_points_and_gone_faces_are_forgotten():
    tl = FaceTimelines(window_s=10.0)
    tl.add(0.0, [face(1)])
    tl.follow(0.0, 1)
    tl.add(1.0, [face(2)])
    tl.follow(1.0, 2)
    tl.add(20.0, [face(2)])
    assert tl.tracks() == [2] and tl.switches() == []
    assert happy_of(tl, 2)[0] == [20.0]


def test_time_going_back_starts_again():
    tl = FaceTimelines()
    tl.add(5.0, [face(1)])
    tl.add(1.0, [face(1)])  # a seek back or a loop
    assert happy_of(tl, 1)[0] == [1.0]


@pytest.mark.parametrize(("present", "current", "step", "expected"), [
    ([2, 5, 7], None, 1, 2),    # nothing chosen: the first
    ([2, 5, 7], 2, 1, 5),
    ([2, 5, 7], 7, 1, None),    # past the last: focus moves on
    ([2, 5, 7], 5, -1, 2),
    ([2, 5, 7], None, -1, 7),   # Shift+Tab from nothing: the last
    ([2, 5, 7], 3, 1, 2),       # the chosen face left
    ([], None, 1, None),
])
def test_next_track(present, current, step, expected):
    assert next_track(present, current, step) == expected
