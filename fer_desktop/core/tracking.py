"""Stable face ids across frames, and labels that do not flicker.

The classifier answers each frame independently, so a face whose expression sits between two
emotions would switch label several times a second. Three small mechanisms fix that:

* an IoU tracker gives each face a stable id (greedy matching, best overlap first; a track not
  seen for ``max_unseen_s`` seconds of frame time is dropped, so a face that turns away or is
  covered for a second comes back under its number); each track's face is looked for where
  it was and where its speed takes it (``_predicted``: a face walking across a video that
  Real time analyses a few times a second moved over a width a frame); a face left over moved
  too far for any overlap (a slow machine that skips frames, a quick turn) continues the
  nearest left-over track of a similar size less than ``max_center_shift`` face widths away
  (more for a track seen once, with no speed yet: ``WIDTHS_PER_S``); never
  a face that is another person (the picture and the face both changed since the track's
  face was last seen: a cut in an edited video, ``core/scene_cut.py``): that track ends,
* each track smooths its probabilities with a **time constant in seconds**, using the frames'
  timestamps (video time for files, capture time for cameras): a frame ``dt`` seconds after the
  last one gets the weight ``1 - exp(-dt / smoothing_s)``. The same video therefore gives the
  same labels at 15 or 30 fps, or with ``analyze --every 3``,
* the shown label is always the best guess; it changes only when another emotion beats it by
  ``switch_margin`` (hysteresis). Whether the model is *sure* is a separate flag,
  ``uncertain``, with its own hysteresis band, so a face that hovers at the threshold keeps
  its label and its flag steady instead of flickering between a label and "uncertain".

A face the detector misses for a moment (turned, blurred, small) is **held**: for ``hold_s``
seconds of frame time after it was last found, :meth:`FaceTracker.held` gives it where it was
last seen, with its last label, so that the window can keep drawing it instead of blinking it
away and back (trial 26: a face found in every other frame of a busy video flashed its box,
label and bars on and off). Held faces are for drawing only: they are never counted,
recorded or analysed; one that a face found now overlaps (IoU over 0.1) is not given, nor
one whose smoothing restarted (a seek, a step back, frames without usable times), nor one
that went as a face of its size came in near it (itself moved too far to be matched: it was
drawn twice), nor any where every face went and new ones came (a cut to other people).

Timestamps that repeat or go backwards (a looping video, a camera that restarts), or are not
finite, restart the smoothing of every track (ids are kept): the next frame is taken as it is.

The defaults were chosen with ``benchmarks/stability.py`` (smoothing, margin) and
``benchmarks/uncertainty.py`` (the threshold); ``docs/labels.md`` explains them.

Where it fits, per frame::

    tracker = FaceTracker()
    for frame in source:
        boxes = [d.box for d in detector.detect(frame.image)]
        probs = classifier.predict(face_inputs(frame.image, boxes))
        states = tracker.update(boxes, probs, frame.timestamp_s)   # one TrackState per box
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from fer_desktop.core import scene_cut
from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.emotions import EMOTIONS

# Chosen with benchmarks/stability.py (see docs/labels.md): the longest time constant (then the
# largest margin) whose slowest cut to a new expression still shows within 0.4 s at 15 and
# 30 fps, leaving room under the 0.5 s target for changes less clear-cut than the benchmark's.
DEFAULT_SMOOTHING_S = 0.5
DEFAULT_SWITCH_MARGIN = 0.1
# Chosen with benchmarks/uncertainty.py: on PublicTest the shipped model's best guess is right
# less than half the time when its calibrated top probability is under 0.5 (right on 38% of
# the 26% of faces below it, on 79% of the rest).
UNCERTAIN_BELOW = 0.5
UNCERTAIN_BAND = 0.05
MAX_SMOOTHING_S = 10.0
# As long as the smoothing's time constant: a face missed for less than that has not changed
# what its smoothed label means, and the 2-3 frames a busy video loses it bridge at 10-30 fps.
DEFAULT_HOLD_S = 0.5
_Looks = tuple[np.ndarray, np.ndarray]  # faces' looks (n, 64), the frame's: core/scene_cut.py


def check_smoothing_s(value: float) -> float:
    """``value`` as a valid smoothing time constant in seconds (0 = off).

    Raises:
        ValueError: not a number, negative, or above MAX_SMOOTHING_S; the message says what
            is allowed.
    """
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or not 0.0 <= seconds <= MAX_SMOOTHING_S:
        raise ValueError(f"smoothing must be a number of seconds from 0 (off) to "
                         f"{MAX_SMOOTHING_S:g}, got {value!r}; for example "
                         f"{DEFAULT_SMOOTHING_S:g}")
    return seconds


@dataclass(frozen=True)
class TrackerOptions:
    """min_iou: overlap needed to continue a track. max_center_shift: how far, in face widths,
    a face that overlaps no track may have moved and still continue one of a similar size
    (0 turns that off). max_unseen_s: seconds of frame time a track survives unseen (a
    face covered or turned away for a second kept its number only for 10 processed frames,
    a third of a second at 30 fps). max_missed: frames a track survives unseen where the
    frames carry no usable time. smoothing_s: time
    constant of the probabilities' exponential average in seconds (0 = off: each frame's raw
    answer, no hysteresis). switch_margin: lead another emotion
    needs to take over the label. uncertain_below: the shown label's probability under which
    the face is flagged uncertain (0 disables). uncertain_band: hysteresis around that
    threshold while smoothing (flag set below ``uncertain_below - band``, cleared at
    ``uncertain_below + band``). hold_s: seconds of frame time a face missed by the
    detector is still given by :meth:`FaceTracker.held` for drawing (0 = never; nothing
    where the frames carry no usable time).

    Raises:
        ValueError: smoothing_s out of range (see :func:`check_smoothing_s`).
    """

    min_iou: float = 0.3
    max_center_shift: float = 1.0
    max_unseen_s: float = 2.0
    max_missed: int = 10
    smoothing_s: float = DEFAULT_SMOOTHING_S
    switch_margin: float = DEFAULT_SWITCH_MARGIN
    uncertain_below: float = UNCERTAIN_BELOW
    uncertain_band: float = UNCERTAIN_BAND
    hold_s: float = DEFAULT_HOLD_S

    def __post_init__(self) -> None:
        object.__setattr__(self, "smoothing_s", check_smoothing_s(self.smoothing_s))


@dataclass(frozen=True)
class TrackState:
    """What the tracker says about one detection: its id, smoothed probabilities (7,), the
    label to show (always an emotion), that label's probability, and whether the model is
    unsure of it."""

    track_id: int
    probabilities: np.ndarray = field(repr=False)
    label: str
    confidence: float
    uncertain: bool = False


@dataclass
class _Track:
    track_id: int
    box: np.ndarray
    probabilities: np.ndarray
    label: str | None = None       # None: no history (new, or smoothing restarted)
    uncertain: bool | None = None
    last_s: float | None = None
    missed: int = 0
    seen_s: float | None = None  # frame time it was last seen (None: time unusable)
    face_look: np.ndarray | None = None   # its face and the frame when last seen, to tell
    frame_look: np.ndarray | None = None  # a cut to another person (core/scene_cut.py)
    velocity: np.ndarray | None = None  # its centre's pixels a second, of its last sightings
    size: float = 0.0  # its face's width seen whole: not a box narrowed as it is covered


def choose_label(probabilities: np.ndarray, previous: str | None,
                 switch_margin: float) -> tuple[str, float]:
    """The label to show and its probability: the top emotion, unless ``previous`` is within
    ``switch_margin`` of it (then ``previous`` is kept)."""
    top = int(np.argmax(probabilities))
    top_p = float(probabilities[top])
    if previous in EMOTIONS and previous != EMOTIONS[top]:
        kept_p = float(probabilities[EMOTIONS.index(previous)])
        if top_p < kept_p + switch_margin:
            return previous, kept_p
    return EMOTIONS[top], top_p


def is_uncertain(confidence: float, previous: bool | None, threshold: float,
                 band: float) -> bool:
    """Whether a label with probability ``confidence`` is flagged uncertain.

    A face already flagged stays flagged until ``threshold + band``; a sure one becomes
    uncertain only under ``threshold - band``; a face without history uses ``threshold``.
    """
    if previous is None:
        return confidence < threshold
    return confidence < (threshold + band if previous else threshold - band)


def reading_order(boxes: np.ndarray) -> list[int]:
    """Indices of ``boxes`` (n, 4: x1, y1, x2, y2) as people read a picture: rows from the top,
    each row from the left. Taken by their centres from the top, a face joins the row being
    read when its centre is within half a face height (the mean of the row's faces and its
    own) of the row's mean centre: faces side by side at slightly different heights, or of
    different sizes (a large face beside a small one, its centre lower), share a row; a face
    below them starts the next (by centres alone, a 2x2 grid of large and small faces read
    #3 bottom-right, #4 bottom-left, trial 22). A face had to span half the height of each
    face of the row: the highest head of a standing row of children shut out a lower one
    beside it, and the row read #1 #2 #4 #3 (trial 53); of most of them, two rows under a
    face apart read as one zig-zag row (review 62)."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    centres = (boxes[:, 1] + boxes[:, 3]) / 2
    heights = boxes[:, 3] - boxes[:, 1]

    def in_row(index: int, row: list[int]) -> bool:
        middle = float(np.mean(centres[row]))
        return abs(float(centres[index]) - middle) <= 0.5 * float(np.mean(heights[[*row, index]]))

    rows: list[list[int]] = []
    for index in sorted(range(len(boxes)), key=lambda i: (float(centres[i]), float(boxes[i, 0]))):
        if rows and in_row(index, rows[-1]):
            rows[-1].append(index)
        else:
            rows.append([index])
    return [i for row in rows for i in sorted(row, key=lambda j: float(boxes[j, 0]))]


JUMP_WIDTHS = 4.0  # a new face of a similar size this many widths away may be a lost one
# How fast a face may cross the picture, in its own widths a second, for a face seen once
# (no speed of its own yet) to continue its track over more than ``max_center_shift`` widths:
# trial 46's walker, 400 px/s at 92 px wide, is 4.3; a smaller face further off at the same
# pace, 60 px wide, 6.7 (it got a new number at each analysed frame at 5). Never more than
# JUMP_WIDTHS.
WIDTHS_PER_S = 10.0
# A box whose width changed more than this between two sightings gives no speed (it is
# being covered, turning, or coming into the picture)
STEADY_SIZE = 1.2
# A face's motion is carried on for at most this long when it is looked for where it should
# be now (its last place moved by its speed): beyond it, a guess of where it went is no better.
MAX_PREDICT_S = 1.0


def _centre(box: np.ndarray) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2], np.float32)


def _predicted(track: _Track, when: float | None) -> np.ndarray:
    """Where ``track``'s face should be at ``when``: its last box moved on at its speed. A
    face walking across a 60 fps video analysed 7 times a second moved over a face width
    between two analysed frames and got a new number at each (9 in a minute, trial 46)."""
    if track.velocity is None or track.seen_s is None or when is None or when <= track.seen_s:
        return track.box
    dx, dy = track.velocity * min(when - track.seen_s, MAX_PREDICT_S)
    return track.box + np.array([dx, dy, dx, dy], np.float32)


def _covered(box: np.ndarray, found: np.ndarray) -> bool:
    """Whether a face last seen at ``box`` may be behind one found now: a found box overlaps
    it, or touches it (a face going behind another is cut at the other's edge)."""
    if not len(found):
        return False
    grown = box + np.array([-1, -1, 1, 1], np.float32) * 0.1 * (box[2] - box[0])
    return bool(iou_matrix(grown[None], found).max() > 0)


def _moved(track: _Track, box: np.ndarray, when: float | None) -> np.ndarray | None:
    """``track``'s speed once it is seen again at ``box`` (half its last speed, half this
    move's, against a detector's jitter), or None where time cannot say it, or where the box
    changed size: a face going behind another narrows from one side, and its centre's shift
    pointed its speed backwards, away from where it came out (trial 48)."""
    if track.seen_s is None or when is None or when <= track.seen_s:
        return None
    old, new = track.box[2] - track.box[0], box[2] - box[0]
    if max(old, new) > STEADY_SIZE * min(old, new):
        return None
    speed = (_centre(box) - _centre(track.box)) / (when - track.seen_s)
    return speed if track.velocity is None else (speed + track.velocity) / 2
SIMILAR_SIZE = 1.5  # two boxes of one face: neither side more than this times the other's


def similar_size(a: float, b: float) -> bool:
    """Whether two lengths (widths, or heights) may be one face's in two frames."""
    return a > 0 and b > 0 and max(a, b) <= SIMILAR_SIZE * min(a, b)


def _jumped_to(old: np.ndarray, new: np.ndarray) -> bool:
    """Whether a face born at ``new`` may be the one last seen at ``old``, moved too far for
    the tracker to match it: of a similar size (widths or heights: a face half
    out of the frame keeps its height, not its width) and under JUMP_WIDTHS of the wider's
    widths away. Any face of its size anywhere stopped the holding, and a busy video's faces
    blinked again whenever someone came in (review 39b); a face coming in at the frame's
    edge, found cut there and then whole further in, was drawn twice (trial 31)."""
    width, new_width = old[2] - old[0], new[2] - new[0]
    height, new_height = old[3] - old[1], new[3] - new[1]
    if min(width, new_width, height, new_height) <= 0:
        return False
    if not similar_size(width, new_width) and not similar_size(height, new_height):
        return False
    shift = np.hypot((new[0] + new[2] - old[0] - old[2]) / 2,
                     (new[1] + new[3] - old[1] - old[3]) / 2)
    return bool(shift < JUMP_WIDTHS * max(width, new_width))


class FaceTracker:
    """IoU tracker with time-based smoothing and label hysteresis (see the module docstring).

    Args:
        options: thresholds, time constant and margins.

    Attributes:
        restarts: how many times bad timestamps (repeated, backwards, not finite) restarted
            the smoothing.
    """

    def __init__(self, options: TrackerOptions = TrackerOptions()) -> None:
        self.options = options
        self.restarts = 0
        self._tracks: list[_Track] = []
        self._ids = itertools.count(1)
        self._last_s: float | None = None
        self._held: list[tuple[np.ndarray, TrackState]] = []
        self._ended: set[int] = set()  # tracks a cut to another person ended this frame

    @property
    def active_ids(self) -> list[int]:
        return [t.track_id for t in self._tracks]

    def reset(self, restart_ids: bool = False) -> None:
        """Forget every track (new source); ids keep counting up so none is reused.

        ``restart_ids``: number the next tracks from 1 again (batch analysis numbers the tracks
        of each file on its own, so a file's rows do not depend on which files came before).
        """
        self._tracks.clear()
        self._held = []
        self._last_s = None
        if restart_ids:
            self._ids = itertools.count(1)

    def restart_smoothing(self, time_went_back: bool = False) -> None:
        """Keep the tracks and their ids, drop their answers' history.

        ``time_went_back`` (or the frames carry no time): a track's last sighting is no longer
        a time to measure its absence from, so its missed frames are counted from here. Only
        then: a model switch or new options dropped every last sighting, and the frames a
        face had been missed under the time rule, counted all along, dropped a face gone half
        a second at 30 fps, which came back under a new number (review 43).
        """
        self.restarts += 1
        for track in self._tracks:
            track.label, track.uncertain, track.last_s = None, None, None
            track.velocity = None  # a seek, a loop: its motion no longer says where it goes
            if time_went_back and track.seen_s is not None:  # not while counting already
                track.seen_s, track.missed = None, 0

    def _match(self, boxes: np.ndarray, looks: _Looks | None = None,
               when: float | None = None) -> dict[int, int]:
        """detection index -> track index, greedy by IoU with where each track's face was or
        should be now (its motion carried on to ``when``); never a face that is another
        person (``looks``: see :meth:`update`)."""
        if not self._tracks or len(boxes) == 0:
            return {}
        ahead = [_predicted(t, when) for t in self._tracks]
        ious = np.maximum(iou_matrix(boxes, np.stack([t.box for t in self._tracks])),
                          iou_matrix(boxes, np.stack(ahead)))  # where it was, or should be
        pairs = []  # the tracks seen in the last frame first; one missed there (a walker
        for seen in (True, False):  # hidden behind a still face, its box moved on over that
            stage = ious * np.array([(t.missed == 0) == seen for t in self._tracks])  # face:
            pairs += sorted(((stage[d, t], d, t) for d, t in zip(*np.nonzero(  # review 56)
                stage >= self.options.min_iou), strict=True)), reverse=True)  # only after
        matched: dict[int, int] = {}
        used: set[int] = set()
        likeness = self._likeness(looks)
        redirected: dict[int, int] = {}
        for _iou, d, t in pairs:
            d, t = int(d), int(t)
            if d in matched or t in used:
                continue
            if (other := self._looks_like_another(likeness, boxes, d, t)) is not None:
                redirected.setdefault(d, other)  # not #1's place taken by #2 (trial 33)
                continue
            if self._cut(looks, d, t):
                continue
            matched[d] = t
            used.add(t)
        for d, t in redirected.items():
            if d not in matched and t not in used:
                matched[d] = t
                used.add(t)
        for _shift, d, t in self._near_pairs(boxes, matched, used, ahead, when):
            if d not in matched and t not in used and not self._cut(looks, d, t):
                matched[d] = t
                used.add(t)
        return matched

    def _likeness(self, looks: _Looks | None) -> np.ndarray | None:
        """(detections, tracks) similarity of the faces' looks to each track's last one
        (NaN for a track without a look); None without looks."""
        if looks is None or not self._tracks:
            return None
        known = np.stack([t.face_look if t.face_look is not None
                          else np.full(looks[0].shape[1], np.nan, np.float32)
                          for t in self._tracks])
        return looks[0] @ known.T

    def _looks_like_another(self, likeness: np.ndarray | None, boxes: np.ndarray, d: int,
                            t: int) -> int | None:
        """Another track that detection ``d`` is, rather than track ``t`` whose place it
        took: ``d`` looks unlike ``t`` (under ``FACE_CUT``) and like that track (over
        ``SAME_FACE``), of a similar size. A two-shot cut to one of the two alone at the
        other's place: that person took the other's number and smoothed answer (trial 33)."""
        if likeness is None or not likeness[d, t] < scene_cut.FACE_CUT:
            return None
        width = boxes[d, 2] - boxes[d, 0]
        best = None
        for u, track in enumerate(self._tracks):
            old = track.box[2] - track.box[0]
            if u != t and likeness[d, u] >= scene_cut.SAME_FACE and similar_size(width, old) \
                    and (best is None or likeness[d, u] > likeness[d, best]):
                best = u
        return best

    def _cut(self, looks: _Looks | None, d: int, t: int) -> bool:
        """Whether detection ``d`` is another person than track ``t`` (a cut in an edited
        video: the picture and the face both changed); the track then ends."""
        track = self._tracks[t]
        if looks is None or not scene_cut.another_person(
                track.frame_look, looks[1], track.face_look, looks[0][d]):
            return False
        self._ended.add(t)
        return True

    def _shift_limit(self, track: _Track, when: float | None, covered: bool) -> float:
        """How far, in widths, a face may be from ``track``'s and continue it: more the longer
        it was not seen, where it was seen once, with no speed of its own yet to look ahead
        with (at 7 frames a second the walker of trial 46 was never matched a second time),
        or went behind a face found now (``covered``: it came out two widths on under a new
        number, trial 48); not for a face that turned away or left with nobody over it (a
        newcomer nearby took its number, review 58)."""
        base = self.options.max_center_shift
        if track.seen_s is None or when is None or (track.missed > 0 and not covered) \
                or (track.velocity is not None and track.missed == 0):
            return base
        return max(base, min(JUMP_WIDTHS, WIDTHS_PER_S * (when - track.seen_s)))

    def _near_pairs(self, boxes: np.ndarray, matched: dict[int, int], used: set[int],
                    ahead: list[np.ndarray], when: float | None) -> list[tuple[float, int, int]]:
        """(shift in face widths, detection, track) for left-over detections and tracks of a
        similar size (widths: ``similar_size``) whose centres, or the track's where it should
        be now (``ahead``), are under ``max_center_shift`` widths apart, nearest first.
        Without it a face that moved a little too far between two processed frames got a new
        number and lost its smoothing."""
        base = self.options.max_center_shift
        pairs = []
        found = boxes[list(matched)] if matched else np.zeros((0, 4), np.float32)
        limits = {t: self._shift_limit(track, when, _covered(track.box, found)) if base > 0
                  else 0.0 for t, track in enumerate(self._tracks) if t not in used}
        for d in (d for d in range(len(boxes)) if d not in matched):
            for t, limit in limits.items():  # a track's, whichever face: worked out once
                box, old = boxes[d], self._tracks[t].box
                # its width as last seen whole (narrowed going behind someone), or as last
                # seen (coming out from behind, narrowed still: review 58)
                width, old_width = box[2] - box[0], self._tracks[t].size or old[2] - old[0]
                if not (similar_size(width, old_width) or similar_size(width, old[2] - old[0])):
                    continue
                shift = min(float(np.hypot(*(_centre(box) - _centre(place)))) / old_width
                            for place in (old, ahead[t]))
                if shift < limit:
                    pairs.append((shift, d, t))
        return sorted(pairs)

    def _smooth(self, track: _Track, probs: np.ndarray, timestamp_s: float | None) -> None:
        tau = self.options.smoothing_s
        if track.last_s is None or timestamp_s is None or tau <= 0:
            track.probabilities = probs.copy()
        else:
            weight = 1.0 - math.exp(-(timestamp_s - track.last_s) / tau)
            track.probabilities = (weight * probs + (1 - weight) * track.probabilities) \
                .astype(np.float32)
        track.last_s = timestamp_s

    def _alive(self, track: _Track, when: float | None) -> bool:
        """Whether a track unseen lately may still continue: by frame time, or by counted
        frames where the frames carry no usable time."""
        if when is not None and track.seen_s is not None:
            return when - track.seen_s <= self.options.max_unseen_s
        return track.missed <= self.options.max_missed

    def update(self, boxes: list[np.ndarray] | np.ndarray, probabilities: np.ndarray,
               timestamp_s: float, looks: _Looks | None = None) -> list[TrackState]:
        """Advance one frame.

        Args:
            boxes: n boxes xyxy in frame pixels.
            probabilities: (n, 7) calibrated probabilities for those boxes.
            timestamp_s: the frame's time in seconds (video time, or capture time for a
                camera). It should increase from frame to frame; when it does not, the
                smoothing restarts (see the module docstring).
            looks: (face looks (n, 64), frame look) of ``core/scene_cut.py``, or None: a
                face that is another person than the track it overlaps (a cut) starts a
                track of its own, and that track ends.

        Returns:
            n TrackStates, in the order of ``boxes``.
        """
        opts = self.options
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        probabilities = np.asarray(probabilities, np.float32).reshape(len(boxes), len(EMOTIONS))
        when: float | None = float(timestamp_s)
        if not math.isfinite(when):
            when = None
        if when is None or (self._last_s is not None and when <= self._last_s):
            self.restart_smoothing(time_went_back=when is None or when < self._last_s)
        self._last_s = when
        smoothing = opts.smoothing_s > 0
        margin = opts.switch_margin if smoothing else 0.0
        band = opts.uncertain_band if smoothing else 0.0
        self._ended = set()
        matched = self._match(boxes, looks, when)
        states: list[TrackState] = []
        seen: set[int] = set()
        new_tracks: list[_Track] = []
        # new faces are numbered in reading order: in the detector's order (by score) the
        # right face of a pair was often #1, and by left edges alone a 2x2 grid read #1
        # top-left, #2 bottom-left
        fresh = [d for d in range(len(boxes)) if d not in matched]
        new_ids = {fresh[i]: next(self._ids) for i in reading_order(boxes[fresh])}
        for d, (box, probs) in enumerate(zip(boxes, probabilities, strict=True)):
            if d in matched:
                track = self._tracks[matched[d]]
                seen.add(matched[d])
                track.velocity = _moved(track, box, when)
                width = float(box[2] - box[0])  # a sudden narrowing is a face being covered
                track.size = width if width >= track.size / STEADY_SIZE else track.size
                track.box = box
                track.missed = 0
                track.seen_s = when
            else:
                track = _Track(new_ids[d], box, probs.copy(), seen_s=when,
                               size=float(box[2] - box[0]))
                new_tracks.append(track)
            if looks is not None:
                track.face_look, track.frame_look = looks[0][d], looks[1]
            self._smooth(track, probs, when)
            label, confidence = choose_label(track.probabilities, track.label, margin)
            uncertain = opts.uncertain_below > 0 and is_uncertain(
                confidence, track.uncertain, opts.uncertain_below, band)
            track.label, track.uncertain = label, uncertain
            states.append(TrackState(track.track_id, track.probabilities.copy(), label,
                                     confidence, uncertain))
        survivors = []
        for index, track in enumerate(self._tracks):
            if index not in seen:
                track.missed += 1
            # ended by a cut, unless another face of this frame continued it (review 42)
            if self._alive(track, when) and (index not in self._ended or index in seen):
                survivors.append(track)
        self._tracks = survivors + new_tracks
        cut = bool(new_tracks) and not seen and len(self._tracks) > len(new_tracks)
        self._held = [] if cut else self._held_after(boxes, when, new_tracks)
        return states

    def held(self) -> list[tuple[np.ndarray, TrackState]]:
        """(last box, last state) of each face the last :meth:`update` did not find but found
        within ``hold_s`` seconds of frame time, in the order of their numbers: for drawing
        only (see the module docstring)."""
        return list(self._held)

    def _held_after(self, boxes: np.ndarray, when: float | None,
                    born: list[_Track]) -> list[tuple[np.ndarray, TrackState]]:
        """The tracks to hold after a frame: see :meth:`held`. ``born``: the tracks this
        frame started."""
        hold = self.options.hold_s
        held = []
        for track in self._tracks:
            # a label: its smoothing did not restart (frames without usable time restart it)
            if track.missed == 0 or track.label is None or hold <= 0 or when is None \
                    or track.seen_s is None or when - track.seen_s > hold:
                continue
            if len(boxes) and iou_matrix(track.box[None], boxes).max() > 0.1:
                continue  # a face found now lies over its place
            if any(_jumped_to(track.box, t.box) for t in born):
                continue  # itself, moved too far to be matched: held, it was drawn twice
            confidence = float(track.probabilities[EMOTIONS.index(track.label)])
            held.append((track.box.copy(), TrackState(
                track.track_id, track.probabilities.copy(), track.label, confidence,
                bool(track.uncertain))))
        return sorted(held, key=lambda item: item[1].track_id)
