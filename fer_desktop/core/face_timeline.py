"""The emotion history of each face, for the side panel's timeline (Qt-free).

Each tracked face keeps its own series of (time, seven probabilities), so a curve never joins
two people: when a face leaves, its series gets a break (a NaN point), and when the panel
starts following another face, the switch is remembered to be marked on the plot. Time is
video time for files and wall time for cameras. A new stretch of video (a seek, a loop, a
video reopened where it was left: ``FrameResult.stretch``) clears the history; a time going
back within a stretch (a step back with `,`, which keeps the faces' numbers) only cuts what
came after it (the whole timeline went, trial 30).

Example:
    >>> timelines = FaceTimelines(window_s=60.0)
    >>> timelines.add(0.0, result.faces)          # every frame
    >>> timelines.follow(0.0, 3)                  # the face the panel shows
    >>> times, probs = timelines.series(3)        # its curves
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence

import numpy as np

from fer_desktop.core.emotions import NUM_CLASSES
from fer_desktop.core.types import Face

TIMELINE_S = 60.0
SWITCH_MERGE_S = 1.0
"""Switches this close to the one before replace it: one marker, the latest face's (a paused
frame's switches all drew the first's number; quick Tabs while collecting built a fence of
dashed lines, trial 31)."""
_BREAK = np.full(NUM_CLASSES, np.nan, np.float32)


class FaceTimelines:
    """Per-face histories of the last ``window_s`` seconds; see the module docstring."""

    def __init__(self, window_s: float = TIMELINE_S) -> None:
        self.window_s = window_s
        self._series: dict[int, deque[tuple[float, np.ndarray]]] = {}
        self._present: set[int] = set()
        self._switches: deque[tuple[float, int]] = deque()
        self._models: deque[tuple[float, str]] = deque()
        self._followed: int | None = None
        self._stretch: int | None = None
        self.newest_s: float | None = None

    def clear(self) -> None:
        self._series.clear()
        self._present.clear()
        self._switches.clear()
        self._models.clear()
        self._followed = None
        self._stretch = None
        self.newest_s = None

    def add(self, t_s: float, faces: Iterable[Face], stretch: int = 0) -> None:
        """Add one frame's faces (those without a track id are not followed over time);
        ``stretch``: the result's ``FrameResult.stretch``."""
        if self._stretch is not None and stretch != self._stretch:
            # another stretch of video (a seek, a loop): its numbers name other faces, even
            # a #1 numbered from #1 again further on (a video reopened where it was left
            # drew #1's line from 0:00, where the first frame was shown, to the place)
            self.clear()
        elif self.newest_s is not None and t_s <= self.newest_s:
            # a step back: the same faces, the later points go; the same frame again (paused,
            # another model or option): its points are replaced, its marks stay (the model
            # mark just put there went, review 40)
            self._forget_from(t_s, marks=t_s < self.newest_s)
        self._stretch = stretch
        self.newest_s = t_s
        present = set()
        for face in faces:
            if face.track_id is None:
                continue
            present.add(face.track_id)
            self._series.setdefault(face.track_id, deque()).append(
                (t_s, np.asarray(face.probabilities, np.float32)))
        for gone in self._present - present:  # left the picture: break its line here
            self._series[gone].append((t_s, _BREAK))
        self._present = present
        self._forget_before(t_s - self.window_s)

    def _forget_from(self, t_s: float, marks: bool = True) -> None:
        """Drop every point at ``t_s`` or later, and the switch and model marks too when
        ``marks``; the newest model mark dropped moves to ``t_s``: the frame analysed again
        is the new model's, the points before it the old one's (its step went unmarked after
        one ``,`` past a switch of model, review 41)."""
        for track in list(self._series):
            series = self._series[track]
            while series and series[-1][0] >= t_s:
                series.pop()
            while series and np.isnan(series[-1][1][0]):  # a break with nothing after it
                series.pop()
            if not series:
                del self._series[track]
        self._present &= set(self._series)
        moved = None
        for kept in (self._switches, self._models) if marks else ():
            while kept and kept[-1][0] >= t_s:
                dropped = kept.pop()
                if kept is self._models and moved is None:
                    moved = (t_s, dropped[1])
        if moved is not None and self._series:  # a curve left before it to mark
            self._models.append(moved)

    def _forget_before(self, start_s: float) -> None:
        for track in list(self._series):
            series = self._series[track]
            while series and series[0][0] < start_s:
                series.popleft()
            if not series or (len(series) == 1 and np.isnan(series[0][1][0])):
                del self._series[track]  # nothing left but the break where it left
        while self._switches and self._switches[0][0] < start_s:
            self._switches.popleft()
        while self._models and self._models[0][0] < start_s:
            self._models.popleft()

    def follow(self, t_s: float, track_id: int | None) -> bool:
        """The panel now shows ``track_id``; True (and a switch remembered) when it changed
        from another face."""
        previous, self._followed = self._followed, track_id
        if track_id is not None and previous is not None and track_id != previous:
            if self._switches and abs(t_s - self._switches[-1][0]) < SWITCH_MERGE_S:
                self._switches.pop()
            self._switches.append((t_s, track_id))
            return True
        return False

    @property
    def followed(self) -> int | None:
        """The face the panel showed last (it stays when no face is in view)."""
        return self._followed

    def series(self, track_id: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(times (n,) float64, probabilities (n, 7) float32, NaN rows at breaks)."""
        data = self._series.get(track_id) if track_id is not None else None
        if not data:
            return np.empty(0), np.empty((0, NUM_CLASSES), np.float32)
        times = np.fromiter((t for t, _ in data), np.float64, len(data))
        return times, np.stack([p for _, p in data])

    def switches(self) -> list[tuple[float, int]]:
        """(time, track id) of each change of the followed face within the window."""
        return list(self._switches)

    def mark_model(self, name: str) -> None:
        """Another model is in use from the newest frame on: a step in the curves there is
        the model's, not the face's (a switch read as a change of expression, trial 18).
        Nothing is marked before a first frame (no curve to mark)."""
        if self.newest_s is not None:
            self._models.append((self.newest_s, name))

    def model_marks(self) -> list[tuple[float, str]]:
        """(time, model name) of each change of model within the window."""
        return list(self._models)

    def tracks(self) -> list[int]:
        """Track ids with a history in the window, in order."""
        return sorted(self._series)

    @property
    def present(self) -> list[int]:
        """Track ids in the newest frame, in order."""
        return sorted(self._present)


def next_track(present: list[int], current: int | None, step: int = 1) -> int | None:
    """The track after (or before, ``step=-1``) ``current`` among ``present``, wrapping;
    None when past the end (so Tab can move the focus on) or nothing is present."""
    if not present:
        return None
    if current not in present:
        return present[0] if step > 0 else present[-1]
    index = present.index(current) + step
    return present[index] if 0 <= index < len(present) else None


Box = tuple[float, float, float, float]


def face_at(x: float, y: float, faces: Sequence[Face], labels: Sequence[Box] = (),
            panels: Sequence[Box | None] = ()) -> Face | None:
    """The face a click at (x, y) on the picture means, or None (beside every face).

    ``labels`` and ``panels``: where each of ``faces`` had its label and its bars drawn
    ([x1, y1, x2, y2], None: no bars), as many as ``faces`` or none. A label is drawn over
    every box, so a click on one names its face first; then the smallest box around the
    point (a face inside a larger one), then the bars beside a face. Only the box counted: a
    click on a face's label or its bars dropped the face chosen for the largest (trial 52).
    """
    def inside(box: Box | None) -> bool:
        return box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]

    for face, label in zip(faces, labels, strict=False):
        if inside(label):
            return face
    hit = [face for face in faces if inside(tuple(face.box))]
    if hit:
        return min(hit, key=lambda face: face.area)
    return next((face for face, panel in zip(faces, panels, strict=False) if inside(panel)), None)


TYPE_AHEAD_S = 1.0  # digits typed closer together than this make one face number


def typed_number(before: int, digit: int, since_s: float,
                 present: Sequence[int] | None = None) -> int:
    """The face number typed so far: ``digit`` after ``before`` (0: none) typed ``since_s``
    ago joins it ("1" then "7": #17) when quick enough, ``before`` was a number and, where the
    face numbers ``present`` are given, the two make one of them or its start; on its own
    otherwise. Digits picked only #1 to #9, and a video's faces pass #9 quickly (trial 15);
    but "2" then "0" 0.7 s apart stayed on #2, read as a #20 no one had (trial 17).

    Example:
        >>> typed_number(1, 7, 0.4), typed_number(1, 7, 2.0), typed_number(0, 3, 0.1)
        (17, 7, 3)
        >>> typed_number(2, 0, 0.7, present=[1, 2]), typed_number(1, 7, 0.4, present=[17])
        (0, 17)
    """
    if before > 0 and since_s < TYPE_AHEAD_S and before < 100:
        joined = before * 10 + digit
        if present is None or joined in present or more_digits_may_come(joined, present):
            return joined
    return digit


def more_digits_may_come(typed: int, present: Sequence[int]) -> bool:
    """A face number starting with ``typed`` is present (#17 while "1" is typed): say
    nothing yet of a missing #1."""
    return any(track != typed and str(track).startswith(str(typed)) for track in present)


def spaced_labels(positions: Sequence[float], min_gap: float) -> list[bool]:
    """Which switch markers at ``positions`` (x on the plot, oldest first) get their "#4"
    label: the newest always, an older one only when it is at least ``min_gap`` before the
    next labelled one, so that labels never print over each other (a burst of switches
    wrote "#4#5#4#5..." in one place). Counted from the newest, the labels shown stay put as
    the oldest switches leave the window."""
    keep = [False] * len(positions)
    next_x = math.inf
    for k in range(len(positions) - 1, -1, -1):
        if next_x - positions[k] >= min_gap:
            keep[k] = True
            next_x = positions[k]
    return keep
