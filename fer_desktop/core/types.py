"""The small immutable values that flow from the pipeline to the window, the CSV and the JSON.

Arrays are made read-only in ``__post_init__``: a ``FrameResult`` crosses from the capture
thread to the GUI thread, and nobody may change it on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fer_desktop.core.emotions import EMOTIONS, NUM_CLASSES


def _frozen_array(value, shape_tail: tuple[int, ...], name: str) -> np.ndarray:
    arr = np.array(value, dtype=np.float32)  # always a private copy
    if arr.shape[-len(shape_tail):] != shape_tail if shape_tail else False:
        raise ValueError(f"{name} must end in shape {shape_tail}, got {arr.shape}")
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class Detection:
    """One face found by a detector.

    box: (4,) float32, [x1, y1, x2, y2] in frame pixels (x2 > x1, y2 > y1).
    score: detector confidence in [0, 1] (1.0 for detectors without scores, e.g. Haar).
    keypoints: (k, 2) float32 [x, y] in frame pixels, or (0, 2) when the detector has none.
    """

    box: np.ndarray = field(repr=False)
    score: float = 1.0
    keypoints: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32),
                                  repr=False)

    def __post_init__(self) -> None:
        box = _frozen_array(self.box, (4,), "box")
        if box.shape != (4,) or not (box[2] > box[0] and box[3] > box[1]):
            raise ValueError(f"box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1, got {box}")
        object.__setattr__(self, "box", box)
        object.__setattr__(self, "keypoints",
                           _frozen_array(self.keypoints, (2,), "keypoints").reshape(-1, 2))

    @property
    def width(self) -> float:
        return float(self.box[2] - self.box[0])

    @property
    def height(self) -> float:
        return float(self.box[3] - self.box[1])


@dataclass(frozen=True)
class Face:
    """One classified face in one frame.

    box: (4,) float32, [x1, y1, x2, y2] in frame pixels (the detector's box).
    probabilities: (7,) float32, sums to 1, ordered as EMOTIONS (smoothed when a tracker runs).
    label: the emotion shown (after hysteresis); always one of EMOTIONS, the top one when
        not given.
    confidence: the shown label's probability (the top probability when label is not given).
    track_id: stable id across frames, or None without tracking.
    uncertain: the model is unsure of the label (its probability is under the threshold of
        ``core/tracking.py``); the label is still the best guess.
    eyes: the (k, 2) keypoints its crop was turned eye-level by, or None (not levelled):
        "Why this answer?" crops the face the same way, so that its numbers are the model's
        own answer for this face (unlevelled, they differed by several points).
    held: not found in this frame, drawn where it was last seen (``FrameResult.held``): the
        face may have moved since, so Blur faces hides a wider region around it; it is not
        explained nor collected. Not compared: the same face, found or held.
    """

    box: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)
    label: str = ""
    confidence: float = 0.0
    track_id: int | None = None
    uncertain: bool = False
    eyes: np.ndarray | None = field(default=None, repr=False, compare=False)
    held: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "box", _frozen_array(self.box, (4,), "box"))
        probs = _frozen_array(self.probabilities, (NUM_CLASSES,), "probabilities")
        if probs.shape != (NUM_CLASSES,):
            raise ValueError(f"probabilities must be ({NUM_CLASSES},), got {probs.shape}")
        object.__setattr__(self, "probabilities", probs)
        if not self.label:
            top = int(np.argmax(probs))
            object.__setattr__(self, "label", EMOTIONS[top])
            object.__setattr__(self, "confidence", float(probs[top]))
        elif self.label not in EMOTIONS:
            raise ValueError(f"label must be one of {', '.join(EMOTIONS)}, got {self.label!r}")

    @property
    def area(self) -> float:
        return float((self.box[2] - self.box[0]) * (self.box[3] - self.box[1]))

    def as_dict(self) -> dict:
        x1, y1, x2, y2 = (float(v) for v in self.box)
        return {"track_id": self.track_id, "box_xyxy": [x1, y1, x2, y2], "label": self.label,
                "confidence": float(self.confidence), "uncertain": bool(self.uncertain),
                "probabilities": {e: float(p) for e, p in zip(EMOTIONS, self.probabilities,
                                                              strict=True)}}


@dataclass(frozen=True)
class FrameResult:
    """Everything the pipeline found in one frame.

    index: frame number from the source (0-based). timestamp_s: source time in seconds.
    faces: tuple of Face, largest first. timings_ms: stage name -> milliseconds
    (``detect``, ``preprocess``, ``classify``, ``track``, ``total``).
    stretch: counts the pipeline's resets (a new source, a seek, a loop, a video reopened
    where it was left): results of two stretches show different stretches of video, and a
    face's history must not join them, even where its number is the same (numbers can
    start again from #1 while the time goes on: the video reopened at 0:06 after its 0:00).
    min_face_px: the smallest face this frame could report: an Auto minimum as scaled to
    this frame ("Auto: 8 px" for a 160x120 video), a camera's small-face schedule's, or a
    minimum chosen above Auto (which hides, the frame being searched as at Auto); 0: not
    said.
    held: faces not found in this frame but found moments ago, where they were last seen
    (``core/tracking.py``): drawn so that a face the detector misses now and then does not
    blink, never counted, recorded or analysed (``faces`` is what this frame found).
    detector, smoothing_s: the detector's name and the smoothing's time constant (0: off)
    this frame was analysed with ("" and None: not said), written with ``min_face_px`` into
    each CSV row, so that two analyses of one file that differ can be told apart (trial 27).
    crop_scale, level_eyes: the face crop's side relative to the detector's box and whether
    faces were turned eyes-level, which change every probability (``analyze --crop-scale``,
    ``--no-level-eyes``): recorded too, so that such a CSV is not taken for a default one
    (None: not said).
    """

    index: int
    timestamp_s: float
    faces: tuple[Face, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    stretch: int = 0
    min_face_px: int = 0
    held: tuple[Face, ...] = ()
    detector: str = ""
    smoothing_s: float | None = None
    crop_scale: float | None = None
    level_eyes: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "faces", tuple(self.faces))
        object.__setattr__(self, "held", tuple(self.held))

    @property
    def drawn_faces(self) -> tuple[Face, ...]:
        """What the view draws: the faces found, then the faces held."""
        return self.faces + self.held

    def faces_by_number(self) -> tuple[Face, ...]:
        """The faces as #1, #2, #3: the order a file written for people lists them in (largest
        first read as #2, #3, #1 in a CSV, a summary and a screenshot's JSON); faces without a
        number last, largest first."""
        return tuple(sorted(self.faces, key=lambda f: (f.track_id is None, f.track_id or 0)))

