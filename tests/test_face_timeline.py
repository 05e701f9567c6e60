"""One history per face: breaks where a face leaves, switches remembered, Tab order; the face
shown held against one of about its size; switch labels that do not overprint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.face_choice import SWITCH_AREA_RATIO, ShownFace, face_to_save, pick_face
from fer_desktop.core.face_timeline import (
    FaceTimelines,
    face_at,
    more_digits_may_come,
    next_track,
    spaced_labels,
    typed_number,
)
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


def test_switches_close_together_make_one_marker_of_the_latest_face():
    """On a paused frame 1 then 0 drew "#3", the first switch's number; quick Tabs while
    collecting drew a fence of dashed lines (trial 31)."""
    tl = FaceTimelines()
    tl.add(5.0, [face(1), face(2), face(3)])
    tl.follow(5.0, 1)
    for track in (3, 2, 1):  # paused: every switch at the same time
        assert tl.follow(5.0, track) is True
    assert tl.switches() == [(5.0, 1)]
    tl.follow(5.4, 3)
    tl.follow(7.0, 2)  # a while later: a marker of its own
    assert tl.switches() == [(5.4, 3), (7.0, 2)]


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


def test_a_step_back_keeps_the_faces_history_up_to_its_frame():
    """One `,` in a video left #1's timeline a single dot while #1 kept its number (trial 30):
    a step back (the same stretch) cuts only what came after its frame."""
    tl = FaceTimelines()
    for k in range(6):
        t = 1.0 + k * 0.04
        tl.add(t, [face(1, 0.1 * k)] + ([face(2)] if k >= 2 else []), stretch=3)
        tl.follow(t, 1 if k < 2 else 2)  # the panel goes over to #2 at 1.08
    tl.add(1.16, [face(1, 0.9)], stretch=3)  # `,` from 1.20 to 1.16
    times, happy = happy_of(tl, 1)
    assert times == pytest.approx([1.0, 1.04, 1.08, 1.12, 1.16])
    assert happy[-1] == pytest.approx(0.9) and happy[3] == pytest.approx(0.3)
    assert tl.switches() == [(1.08, 2)] and tl.present == [1]
    tl.add(1.04, [face(1, 0.5)], stretch=3)  # back past the switch: it goes too
    assert happy_of(tl, 1)[0] == pytest.approx([1.0, 1.04]) and tl.switches() == []
    assert tl.tracks() == [1]  # #2 came only later
    tl.mark_model("new-model")  # paused: another model, the same frame analysed again
    tl.follow(1.04, 1)
    tl.add(1.04, [face(1, 0.6)], stretch=3)
    assert tl.model_marks() == [(1.04, "new-model")]  # the mark stays (it went, review 40)
    assert happy_of(tl, 1)[1][-1] == pytest.approx(0.6)  # the frame's new answer
    tl.add(1.08, [face(1, 0.7)], stretch=3)
    tl.mark_model("newer")
    tl.add(1.08, [face(1, 0.8)], stretch=3)
    tl.add(1.12, [face(1, 0.8)], stretch=3)
    tl.add(1.04, [face(1, 0.8)], stretch=3)  # `,` back past both marks: 1.0 is still the
    # first model's point, 1.04 the newest model's: the step between them stays marked
    assert tl.model_marks() == [(1.04, "newer")]  # review 41: no mark at all
    assert happy_of(tl, 1)[0] == pytest.approx([1.0, 1.04])


def test_a_new_stretch_starts_again_even_with_time_going_on():
    """A video reopened where it was left showed its 0:00 frame (face #1), then 0:06 with
    the numbers from #1 again: #1's line ran flat from 0:00 to 0:06."""
    tl = FaceTimelines()
    tl.add(0.0, [face(1, 0.2)], stretch=1)
    tl.follow(0.0, 1)
    tl.add(6.0, [face(1, 0.9)], stretch=2)  # sought on, numbered from #1 again
    assert happy_of(tl, 1) == ([6.0], [pytest.approx(0.9)])
    assert tl.follow(6.0, 1) is False and tl.switches() == []  # not a switch either
    tl.add(6.04, [face(1, 0.8)], stretch=2)  # the same stretch goes on
    assert happy_of(tl, 1)[0] == [6.0, 6.04]


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


def sized(track: int, side: float) -> Face:
    """A face of ``side`` pixels, its box at the origin."""
    return Face(box=[0, 0, side, side], probabilities=np.full(len(EMOTIONS), 1 / 7, np.float32),
                track_id=track)


def test_the_face_shown_holds_against_one_of_about_its_size():
    """Walk 12: two faces of about the same size swapped "largest" many times a second."""
    chooser = ShownFace()
    jitter = [(100, 102), (103, 99), (98, 101), (101, 100), (99, 104)]  # sides of #4 and #5
    shown = [chooser.choose([sized(4, a), sized(5, b)]).track_id for a, b in jitter]
    assert shown == [5] * len(jitter)  # the first frame's largest, held
    # clearly larger (1.2 times the area, 110 px against 100 px): shown at once
    assert chooser.choose([sized(4, 110), sized(5, 100)]).track_id == 4
    assert chooser.choose([sized(4, 100), sized(5, 104)]).track_id == 4
    assert chooser.choose([]) is None and chooser.track == 4  # a missed frame forgets nothing
    assert chooser.choose([sized(5, 100)]).track_id == 5  # the face shown left
    chooser.reset()  # "the largest again"
    assert chooser.choose([sized(4, 101), sized(5, 100)]).track_id == 4


def test_the_margin_is_a_fifth_of_the_area():
    chooser = ShownFace()
    chooser.choose([sized(1, 100)])
    just_under = 100 * math.sqrt(SWITCH_AREA_RATIO) - 0.5
    assert chooser.choose([sized(1, 100), sized(2, just_under)]).track_id == 1
    assert chooser.choose([sized(1, 100), sized(2, just_under + 1)]).track_id == 2
    assert ShownFace(ratio=1.0).choose([sized(1, 100), sized(2, 100.5)]).track_id == 2


def test_a_newcomer_waits_a_second_unless_it_is_twice_the_size():
    """Trial 15: in a video where faces come and go, each newcomer a fifth larger took the
    panel from its first frame: the timeline was mostly switch markers and short curves."""
    from fer_desktop.core.face_choice import NEWCOMER_S

    chooser = ShownFace()
    frames = [i / 15 for i in range(40)]  # 15 fps
    assert chooser.choose([sized(1, 100)], 0.0).track_id == 1
    shown = []
    for t in frames[1:8]:  # a passer-by 1.3 times as wide for half a second: not shown
        shown.append(chooser.choose([sized(1, 100), sized(2, 130)], t).track_id)
    assert shown == [1] * 7
    shown = [chooser.choose([sized(1, 100), sized(2, 130)], t).track_id for t in frames[8:]]
    assert shown[-1] == 2  # it stayed: shown once it has been seen for a second
    switched_at = frames[8:][shown.index(2)]
    assert NEWCOMER_S <= switched_at - frames[1] < NEWCOMER_S + 0.1
    # someone who steps up close (twice the area) is shown at once
    assert chooser.choose([sized(2, 100), sized(3, 145)], 3.0).track_id == 3
    # without times (a caller with no clock) the size margin alone decides, as before
    assert ShownFace().choose([sized(1, 100)]).track_id == 1


def test_who_is_a_newcomer_after_a_step_back_a_new_stretch_or_a_long_absence():
    """A review: a slideshow's next picture numbers its faces from #1 again, and its #1, a
    different person, counted as seen since the first picture, and was held against a
    larger face."""
    from fer_desktop.core.face_choice import FORGET_S

    chooser = ShownFace()
    chooser.choose([sized(1, 100), sized(2, 50)], 0.0)
    chooser.choose([sized(1, 100), sized(2, 50)], 2.0)  # #2 seen for two seconds
    assert chooser.choose([sized(1, 100), sized(2, 130)], 2.1).track_id == 2  # not new
    # a frame stepped back: the faces known stay known (#1 takes the panel back)
    assert chooser.choose([sized(2, 100), sized(1, 130)], 1.0).track_id == 1
    chooser.forget()  # the next picture: its #1 and #2 are other people
    assert chooser.choose([sized(1, 100), sized(2, 130)], 3.0).track_id == 2  # the largest
    # a face away longer than FORGET_S is new when it comes back
    chooser.choose([sized(2, 100)], 3.1 + FORGET_S + 0.5)
    assert chooser.choose([sized(2, 100), sized(1, 130)], 3.2 + FORGET_S + 0.5).track_id == 2


def test_switch_labels_that_would_overprint_are_left_off():
    """Dozens of "#4#5#4#5" printed over each other; the newest label always shows."""
    positions = [0.0, 0.1, 0.2, 0.3, 5.0, 5.2, 12.0]
    assert spaced_labels(positions, 2.0) == [False, False, False, True, False, True, True]
    assert spaced_labels(positions, 0.05) == [True] * len(positions)
    assert spaced_labels([], 2.0) == []
    kept = [x for x, k in zip(positions, spaced_labels(positions, 2.0), strict=True) if k]
    assert all(b - a >= 2.0 for a, b in zip(kept, kept[1:], strict=False))


def test_the_panel_shows_the_followed_face_while_it_is_there():
    faces = [sized(1, 120), sized(2, 60)]
    assert pick_face(faces, 2, ShownFace()).track_id == 2  # followed, though smaller
    assert pick_face(faces, 7, ShownFace()).track_id == 1  # gone: the largest
    assert pick_face(faces, None, ShownFace()).track_id == 1
    assert pick_face([], 2, ShownFace()) is None


def test_the_panel_keeps_a_face_the_detector_missed_for_a_moment():
    """A face held (missed in this frame, found moments ago: FrameResult.held) stays in the
    panel, chosen or shown by size; the panel jumped to the largest face for that frame, and
    the largest stayed."""
    big, small = sized(1, 120), sized(2, 60)
    assert pick_face([big], 2, ShownFace(), held=[small]).track_id == 2  # chosen, held
    auto = ShownFace()
    assert pick_face([small], None, auto).track_id == 2  # shown: the only face
    assert pick_face([big], None, auto, held=[small]).track_id == 2  # missed now: kept
    assert pick_face([big, small], None, auto).track_id == 1  # back: the size rule decides
    gone = ShownFace()
    pick_face([small], None, gone)
    assert pick_face([big], None, gone).track_id == 1  # missed and not held: the largest


def test_collect_saves_the_face_the_panel_shows_else_the_largest():
    faces = [sized(1, 120), sized(2, 60), sized(None, 200)]
    assert face_to_save(faces, sized(2, 60)).track_id == 2
    assert face_to_save(faces, sized(9, 60)).box[2] == 200  # not in view: the largest
    assert face_to_save(faces, None).box[2] == 200
    assert face_to_save(faces, sized(None, 60)).box[2] == 200  # no number: cannot be matched


def test_digits_typed_quickly_make_one_face_number():
    """Trial 15: faces numbered #17 could not be picked (digits picked #1 to #9)."""
    assert typed_number(0, 1, 0.0) == 1
    assert typed_number(1, 7, 0.5) == 17  # quick: one number
    assert typed_number(1, 7, 1.5) == 7   # slow: a number of its own
    assert typed_number(17, 3, 0.2) == 173 and typed_number(173, 4, 0.2) == 4  # at most 3
    assert typed_number(0, 0, 0.1) == 0  # a 0 on its own: the largest face
    assert typed_number(1, 0, 0.1) == 10
    # trial 17: "2" then "0" 0.7 s apart read as a #20 no one had; it means the largest
    assert typed_number(2, 0, 0.7, present=[1, 2]) == 0
    assert typed_number(1, 7, 0.7, present=[2, 7]) == 7  # no #17: the face #7
    assert typed_number(1, 7, 0.7, present=[17]) == 17
    assert typed_number(1, 7, 0.7, present=[171]) == 17  # on its way to #171
    assert more_digits_may_come(1, [17, 3]) and not more_digits_may_come(1, [3, 21])
    assert not more_digits_may_come(17, [17])  # #17 itself: nothing more to wait for


def test_a_click_names_the_face_whose_label_box_or_bars_it_is_on():
    """Labels are drawn over every box, then boxes (the smallest around the point), then the
    bars beside a face; elsewhere no face (trial 52: only the box counted)."""
    big, small = (Face(box=[0, 0, 100, 100], probabilities=np.full(7, 1 / 7), track_id=1),
                  Face(box=[40, 40, 60, 60], probabilities=np.full(7, 1 / 7), track_id=2))
    faces = [big, small]
    labels = [(0, 100, 50, 115), (40, 25, 80, 39)]  # #2's label inside #1's box
    panels = [None, (110, 40, 150, 90)]
    assert face_at(50, 50, faces, labels, panels) is small  # the smaller box
    assert face_at(10, 10, faces, labels, panels) is big
    assert face_at(45, 30, faces, labels, panels) is small  # its label, over #1's box
    assert face_at(20, 110, faces, labels, panels) is big  # #1's label, under its box
    assert face_at(120, 60, faces, labels, panels) is small  # its bars
    assert face_at(120, 10, faces, labels, panels) is None
    assert face_at(45, 30, faces) is big  # no labels given: boxes only
