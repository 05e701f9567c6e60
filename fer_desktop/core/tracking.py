"""Stable face ids across frames, and labels that do not flicker.

The classifier answers each frame independently, so a face whose expression sits between two
emotions would switch label several times a second. Three small mechanisms fix that:

* an IoU tracker gives each face a stable id (greedy matching, best overlap first; a track not
  seen for ``max_missed`` frames is dropped),
* each track keeps an exponential moving average of its probabilities,
* the shown label changes only when another emotion beats it by ``switch_margin``, and the
  face shows "uncertain" while the top smoothed probability is below ``uncertain_below``.

Where it fits, per frame::

    tracker = FaceTracker()
    for frame in source:
        boxes = [d.box for d in detector.detect(frame)]
        probs = classifier.predict(face_inputs(frame, boxes))
        states = tracker.update(boxes, probs)   # one TrackState per box, same order
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.emotions import EMOTIONS

UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class TrackerOptions:
    """min_iou: overlap needed to continue a track. max_missed: frames a track survives
    unseen. smoothing_alpha: weight of the newest probabilities (1 = no smoothing).
    switch_margin: lead another emotion needs to take over the label. uncertain_below: top
    probability under which the face is "uncertain" (0 disables)."""

    min_iou: float = 0.3
    max_missed: int = 10
    smoothing_alpha: float = 0.35
    switch_margin: float = 0.1
    uncertain_below: float = 0.4


@dataclass(frozen=True)
class TrackState:
    """What the tracker says about one detection: its id, smoothed probabilities (7,),
    the label to show and that label's probability."""

    track_id: int
    probabilities: np.ndarray = field(repr=False)
    label: str
    confidence: float


@dataclass
class _Track:
    track_id: int
    box: np.ndarray
    probabilities: np.ndarray
    label: str
    missed: int = 0


def choose_label(probabilities: np.ndarray, previous: str | None, switch_margin: float,
                 uncertain_below: float) -> tuple[str, float]:
    """The label to show (with hysteresis against ``previous``) and its probability.

    The "uncertain" threshold has a band of half the switch margin around it, so a face whose
    top probability hovers at the threshold does not flicker between a label and "uncertain".
    """
    top = int(np.argmax(probabilities))
    top_p = float(probabilities[top])
    band = switch_margin / 2
    if previous == UNCERTAIN:
        threshold = uncertain_below + band
    elif previous in EMOTIONS:
        threshold = uncertain_below - band
    else:
        threshold = uncertain_below
    if top_p < threshold:
        return UNCERTAIN, top_p
    if previous in EMOTIONS and previous != EMOTIONS[top]:
        kept_p = float(probabilities[EMOTIONS.index(previous)])
        if top_p < kept_p + switch_margin and kept_p >= uncertain_below:
            return previous, kept_p
    return EMOTIONS[top], top_p


class FaceTracker:
    """IoU tracker with per-track smoothing and label hysteresis (see the module docstring).

    Args:
        options: thresholds and rates.
        smoothing: False shows each frame's raw answer (ids are still tracked).
    """

    def __init__(self, options: TrackerOptions = TrackerOptions(), smoothing: bool = True) -> None:
        self.options = options
        self.smoothing = smoothing
        self._tracks: list[_Track] = []
        self._ids = itertools.count(1)

    @property
    def active_ids(self) -> list[int]:
        return [t.track_id for t in self._tracks]

    def reset(self, restart_ids: bool = False) -> None:
        """Forget every track (new source); ids keep counting up so none is reused.

        ``restart_ids``: number the next tracks from 1 again (batch analysis numbers the tracks
        of each file on its own, so a file's rows do not depend on which files came before).
        """
        self._tracks.clear()
        if restart_ids:
            self._ids = itertools.count(1)

    def _match(self, boxes: np.ndarray) -> dict[int, int]:
        """detection index -> track index, greedy by IoU."""
        if not self._tracks or len(boxes) == 0:
            return {}
        ious = iou_matrix(boxes, np.stack([t.box for t in self._tracks]))
        pairs = sorted(((ious[d, t], d, t) for d, t in zip(*np.nonzero(
            ious >= self.options.min_iou), strict=True)), reverse=True)
        matched: dict[int, int] = {}
        used: set[int] = set()
        for _iou, d, t in pairs:
            if d not in matched and t not in used:
                matched[int(d)] = int(t)
                used.add(int(t))
        return matched

    def update(self, boxes: list[np.ndarray] | np.ndarray,
               probabilities: np.ndarray) -> list[TrackState]:
        """Advance one frame.

        Args:
            boxes: n boxes xyxy in frame pixels.
            probabilities: (n, 7) calibrated probabilities for those boxes.

        Returns:
            n TrackStates, in the order of ``boxes``.
        """
        opts = self.options
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        probabilities = np.asarray(probabilities, np.float32).reshape(len(boxes), len(EMOTIONS))
        matched = self._match(boxes)
        alpha = opts.smoothing_alpha if self.smoothing else 1.0
        margin = opts.switch_margin if self.smoothing else 0.0
        states: list[TrackState] = []
        seen: set[int] = set()
        new_tracks: list[_Track] = []
        for d, (box, probs) in enumerate(zip(boxes, probabilities, strict=True)):
            if d in matched:
                track = self._tracks[matched[d]]
                seen.add(matched[d])
                track.probabilities = alpha * probs + (1 - alpha) * track.probabilities
                track.box = box
                track.missed = 0
            else:
                track = _Track(next(self._ids), box, probs.copy(), UNCERTAIN)
                new_tracks.append(track)
            label, confidence = choose_label(track.probabilities, track.label, margin,
                                             opts.uncertain_below)
            track.label = label
            states.append(TrackState(track.track_id, track.probabilities.copy(), label,
                                     confidence))
        survivors = []
        for index, track in enumerate(self._tracks):
            if index not in seen:
                track.missed += 1
            if track.missed <= opts.max_missed:
                survivors.append(track)
        self._tracks = survivors + new_tracks
        return states
