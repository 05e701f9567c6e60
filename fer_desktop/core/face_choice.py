"""Which face the side panel shows when the user chose none: the largest, held (Qt-free).

Two faces of about the same size (two people side by side, a mirror, a reflected border)
swap places as "the largest" from frame to frame, since their boxes differ by a few pixels
that move with every detection: the panel's heading, bars and timeline flipped between them
many times a second, and the timeline filled with switch markers. So the face shown stays
shown until another face is clearly larger: ``SWITCH_AREA_RATIO`` times its area (1.2: a
fifth more area, about a tenth wider and taller), or until it leaves the picture.

One rule, a margin on size, rather than a time ("larger for 1 s"): two faces of the same size
each stay the larger one for a second or more as people move, so a time rule still flips
between them, only more slowly, while a margin never flips as long as they stay alike. It
also needs no clock, so camera, file, slideshow and a paused video (one frame analysed
again) behave the same, and someone who steps up close is shown at once. Measured on the
walk-through's clip (20 s at 15 fps, two or three mirrored faces of one size in 128 frames,
YuNet): the face shown changed 52 times with no margin, 14 times at 1.1 and 9 times at 1.2
(5 of those because the face shown left the picture).

Example:
    >>> chooser = ShownFace()
    >>> face = chooser.choose(result.faces)  # every frame; None when there is no face
    >>> chooser.reset()                      # "the largest again" (a click off the faces, 0)
"""

from __future__ import annotations

from collections.abc import Sequence

from fer_desktop.core.types import Face

SWITCH_AREA_RATIO = 1.2  # another face must have this many times the shown face's area


class ShownFace:
    """The largest face, with hysteresis; see the module docstring.

    Args:
        ratio: how many times the shown face's area another face needs to take its place.
    """

    def __init__(self, ratio: float = SWITCH_AREA_RATIO) -> None:
        self.ratio = ratio
        self._track: int | None = None

    @property
    def track(self) -> int | None:
        """The track id of the face shown last (None: none yet, or it had no id)."""
        return self._track

    def reset(self) -> None:
        """Forget the face shown: the next call picks the largest, however close the race."""
        self._track = None

    def choose(self, faces: Sequence[Face]) -> Face | None:
        """The face to show among one frame's ``faces``: the one shown before while no other
        is ``ratio`` times its area, else the largest (None when there are no faces; the face
        shown is remembered through frames without faces, a detector's miss)."""
        if not faces:
            return None
        largest = max(faces, key=lambda f: f.area)
        if self._track is not None:
            for face in faces:
                if face.track_id == self._track:
                    if largest.area < face.area * self.ratio:
                        return face
                    break
        self._track = largest.track_id
        return largest


def pick_face(faces: Sequence[Face], track_id: int | None, auto: ShownFace) -> Face | None:
    """The side panel's face: the one with ``track_id`` if present in the frame, else the one
    ``auto`` shows (the largest, held against faces of about its size), else None."""
    if track_id is not None:
        for face in faces:
            if face.track_id == track_id:
                return face
    return auto.choose(faces)


def face_to_save(faces: Sequence[Face], shown: Face | None) -> Face:
    """The face Collect saves: the one the side panel shows (the one the user follows:
    clicked, Tab, its number), else the largest. With two people in view the largest was
    saved, not the one picked."""
    if shown is not None:
        for face in faces:
            if face.track_id is not None and face.track_id == shown.track_id:
                return face
    return max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
