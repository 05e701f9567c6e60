"""Which face the side panel shows when the user chose none: the largest, held (Qt-free).

Two faces of about the same size (two people side by side, a mirror, a reflected border)
swap places as "the largest" from frame to frame, since their boxes differ by a few pixels
that move with every detection: the panel's heading, bars and timeline flipped between them
many times a second, and the timeline filled with switch markers. So the face shown stays
shown until another face is clearly larger: ``SWITCH_AREA_RATIO`` times its area (1.2: a
fifth more area, about a tenth wider and taller), or until it leaves the picture.

One rule, a margin on size, rather than a time ("larger for 1 s"): two faces of the same size
each stay the larger one for a second or more as people move, so a time rule still flips
between them, only more slowly, while a margin never flips as long as they stay alike. The
margin needs no clock, so camera, file, slideshow and a paused video (one frame analysed
again) behave the same, and someone who steps up close is shown at once. Measured on the
walk-through's clip (20 s at 15 fps, two or three mirrored faces of one size in 128 frames,
YuNet): the face shown changed 52 times with no margin, 14 times at 1.1 and 9 times at 1.2
(5 of those because the face shown left the picture).

A face that has just come into view is the other case, where a time rule is right: in a video
where people come and go, each newcomer a fifth larger took the panel from its first frame, so
the timeline was mostly switch markers between short curves (trial 15). So a face seen for less
than ``NEWCOMER_S`` (given the frames' times) takes the place of a face shown and still there
only when it is ``NEWCOMER_AREA_RATIO`` times its area (someone who steps up close is still
shown at once); after that second, the size margin alone decides.

Example:
    >>> chooser = ShownFace()
    >>> face = chooser.choose(result.faces, result.timestamp_s)  # every frame
    >>> chooser.reset()                      # "the largest again" (a click off the faces, 0)
"""

from __future__ import annotations

from collections.abc import Sequence

from fer_desktop.core.types import Face

SWITCH_AREA_RATIO = 1.2  # another face must have this many times the shown face's area
NEWCOMER_S = 1.0  # a face seen for less than this long needs NEWCOMER_AREA_RATIO instead
NEWCOMER_AREA_RATIO = 2.0
FORGET_S = 5.0  # a face out of view this long is a newcomer again when it comes back


class ShownFace:
    """The largest face, with hysteresis; see the module docstring.

    Args:
        ratio: how many times the shown face's area another face needs to take its place.
    """

    def __init__(self, ratio: float = SWITCH_AREA_RATIO) -> None:
        self.ratio = ratio
        self._track: int | None = None
        self._seen: dict[int, tuple[float, float]] = {}  # track -> (first seen, last seen)

    @property
    def track(self) -> int | None:
        """The track id of the face shown last (None: none yet, or it had no id)."""
        return self._track

    def reset(self) -> None:
        """Forget the face shown: the next call picks the largest, however close the race."""
        self._track = None

    def forget(self) -> None:
        """A new stretch of video, a new picture, a new source: its faces' numbers name other
        people (they start again from #1), so the face shown and when each was first seen
        go (the new picture's #1 counted as seen since the first picture's)."""
        self._track = None
        self._seen.clear()

    def choose(self, faces: Sequence[Face], t_s: float | None = None) -> Face | None:
        """The face to show among one frame's ``faces`` (at time ``t_s``; None: no clock,
        no newcomers): the one shown before while no other is ``ratio`` times its area (a
        newcomer: NEWCOMER_AREA_RATIO), else the largest (None when there are no faces; the
        face shown is remembered through frames without faces, a detector's miss)."""
        self.note_times(faces, t_s)
        return self._pick(faces, t_s)

    def _pick(self, faces: Sequence[Face], t_s: float | None) -> Face | None:
        """:meth:`choose` once the frame's times are noted."""
        if not faces:
            return None
        if self._track is not None:
            for face in faces:
                if face.track_id == self._track:
                    rival = max(faces, key=lambda f: f.area / self._needed(f, t_s))
                    if rival.area < face.area * self._needed(rival, t_s):
                        return face
                    self._track = rival.track_id
                    return rival
        largest = max(faces, key=lambda f: f.area)
        self._track = largest.track_id
        return largest

    def _needed(self, face: Face, t_s: float | None) -> float:
        """How many times the shown face's area ``face`` needs to take its place."""
        seen = self._seen.get(face.track_id) if face.track_id is not None else None
        new = t_s is not None and seen is not None and t_s - seen[0] < NEWCOMER_S
        return max(self.ratio, NEWCOMER_AREA_RATIO) if new else self.ratio

    def note_times(self, faces: Sequence[Face], t_s: float | None) -> None:
        """When each face was first and last seen (also while the user follows a face of
        their own choice). A time going back within a stretch (a frame stepped back) keeps
        the faces known as known: none of them is a newcomer again."""
        if t_s is None:
            return
        if any(last > t_s for _first, last in self._seen.values()):
            self._seen = {k: (t_s - NEWCOMER_S, t_s) for k in self._seen}
        for face in faces:
            if face.track_id is not None:
                first = self._seen.get(face.track_id, (t_s, t_s))[0]
                self._seen[face.track_id] = (first, t_s)
        self._seen = {k: v for k, v in self._seen.items() if t_s - v[1] <= FORGET_S}


def pick_face(faces: Sequence[Face], track_id: int | None, auto: ShownFace,
              t_s: float | None = None, held: Sequence[Face] = ()) -> Face | None:
    """The side panel's face: the one with ``track_id`` if present in the frame, else the one
    ``auto`` shows (the largest, held against faces of about its size and newcomers), else
    None. ``t_s``: the frame's time, so that ``auto`` knows how long each face has been seen.
    ``held``: the faces the detector missed in this frame but found moments ago
    (``FrameResult.held``): the face chosen, or the one shown, among them stays shown (the
    panel jumped to the largest face for the frame, and ``auto`` stayed there)."""
    auto.note_times(faces, t_s)  # once a frame, also while the user's choice is shown
    if track_id is not None:
        for face in (*faces, *held):
            if face.track_id == track_id:
                return face
    elif auto.track is not None and all(face.track_id != auto.track for face in faces):
        for face in held:
            if face.track_id == auto.track:
                return face  # the face shown, missed for a moment: still shown
    return auto._pick(faces, t_s)


def face_to_save(faces: Sequence[Face], shown: Face | None) -> Face:
    """The face Collect saves: the one the side panel shows (the one the user follows:
    clicked, Tab, its number), else the largest. With two people in view the largest was
    saved, not the one picked."""
    if shown is not None:
        for face in faces:
            if face.track_id is not None and face.track_id == shown.track_id:
                return face
    return max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
