"""The tracker keeps ids through small motion, drops them after a gap, smooths and holds labels."""

from __future__ import annotations

import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.tracking import UNCERTAIN, FaceTracker, TrackerOptions, choose_label


def probs(**values) -> np.ndarray:
    p = np.zeros(len(EMOTIONS), np.float32)
    for name, v in values.items():
        p[EMOTIONS.index(name)] = v
    rest = (1 - p.sum()) / (p == 0).sum() if (p == 0).any() else 0
    p[p == 0] = rest
    return p


HAPPY = probs(happy=0.9)
BOX = np.array([100, 100, 200, 200], np.float32)


def test_ids_survive_small_motion_and_are_distinct():
    tracker = FaceTracker()
    first = tracker.update([BOX, BOX + 300], np.stack([HAPPY, HAPPY]))
    ids = [s.track_id for s in first]
    assert len(set(ids)) == 2
    for step in range(1, 6):  # 8 px a frame
        states = tracker.update([BOX + 300 + 8 * step, BOX + 8 * step], np.stack([HAPPY, HAPPY]))
        assert [s.track_id for s in states] == ids[::-1]


def test_track_dropped_after_gap_but_kept_through_short_one():
    tracker = FaceTracker(TrackerOptions(max_missed=3))
    track_id = tracker.update([BOX], HAPPY[None])[0].track_id
    for _ in range(3):
        tracker.update([], np.zeros((0, 7)))
    assert tracker.update([BOX], HAPPY[None])[0].track_id == track_id  # gap of 3: kept
    for _ in range(4):
        tracker.update([], np.zeros((0, 7)))
    assert tracker.active_ids == []
    assert tracker.update([BOX], HAPPY[None])[0].track_id != track_id  # gap of 4: new id


def test_far_jump_starts_a_new_track():
    tracker = FaceTracker()
    a = tracker.update([BOX], HAPPY[None])[0].track_id
    assert tracker.update([BOX + 150], HAPPY[None])[0].track_id != a


def test_smoothing_is_an_exponential_average():
    tracker = FaceTracker(TrackerOptions(smoothing_alpha=0.25))
    sad = probs(sad=0.9)
    tracker.update([BOX], HAPPY[None])
    state = tracker.update([BOX], sad[None])[0]
    np.testing.assert_allclose(state.probabilities, 0.25 * sad + 0.75 * HAPPY, atol=1e-6)


def test_hysteresis_holds_the_label_against_a_small_lead():
    tracker = FaceTracker(TrackerOptions(smoothing_alpha=1.0, switch_margin=0.1))
    assert tracker.update([BOX], probs(happy=0.6, sad=0.3)[None])[0].label == "happy"
    held = tracker.update([BOX], probs(happy=0.45, sad=0.5)[None])[0]
    assert (held.label, held.confidence) == ("happy", pytest.approx(0.45))
    assert tracker.update([BOX], probs(happy=0.3, sad=0.6)[None])[0].label == "sad"


def test_labels_do_not_flicker_on_alternating_frames():
    tracker = FaceTracker()
    a, b = probs(happy=0.55, neutral=0.4), probs(happy=0.4, neutral=0.55)
    labels = [tracker.update([BOX], (a if i % 2 else b)[None])[0].label for i in range(20)]
    assert len(set(labels[2:])) == 1


def test_uncertain_below_threshold():
    flat = np.full(7, 1 / 7, np.float32)
    state = FaceTracker(TrackerOptions(uncertain_below=0.4)).update([BOX], flat[None])[0]
    assert state.label == UNCERTAIN and state.confidence == pytest.approx(1 / 7)


def test_without_smoothing_each_frame_is_raw():
    tracker = FaceTracker(smoothing=False)
    tracker.update([BOX], HAPPY[None])
    sad = probs(sad=0.5, happy=0.45)
    state = tracker.update([BOX], sad[None])[0]
    assert state.label == "sad"
    np.testing.assert_allclose(state.probabilities, sad)


def test_reset_forgets_tracks_and_never_reuses_ids():
    tracker = FaceTracker()
    first = tracker.update([BOX], HAPPY[None])[0].track_id
    tracker.reset()
    assert tracker.active_ids == []
    assert tracker.update([BOX], HAPPY[None])[0].track_id > first


@pytest.mark.parametrize("p, previous, expected", [
    (probs(happy=0.9), None, "happy"),
    (probs(happy=0.9), UNCERTAIN, "happy"),
    (probs(happy=0.5, sad=0.45), "sad", "sad"),         # lead 0.05 < margin: held
    (probs(happy=0.6, sad=0.3), "sad", "happy"),        # lead 0.3: switched
    (probs(happy=0.45, sad=0.3), "sad", "happy"),       # held label fell under the threshold
    (probs(happy=0.3, sad=0.3), "happy", UNCERTAIN),    # nothing sure enough
    # The uncertain threshold (0.4) has a band of margin/2 = 0.05 around it:
    (probs(happy=0.37), "happy", "happy"),              # shown label kept down to 0.35
    (probs(happy=0.34), "happy", UNCERTAIN),            # ... and dropped below it
    (probs(happy=0.43), UNCERTAIN, UNCERTAIN),          # leaving uncertain needs 0.45
    (probs(happy=0.46), UNCERTAIN, "happy"),
    (probs(happy=0.41), None, "happy"),                 # a new face uses the plain threshold
])
def test_choose_label(p, previous, expected):
    assert choose_label(p, previous, switch_margin=0.1, uncertain_below=0.4)[0] == expected
