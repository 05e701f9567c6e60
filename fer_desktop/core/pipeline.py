"""The live pipeline: frame in, classified and tracked faces out. Synchronous and Qt-free.

detect -> eye-levelled square crop + the training preprocessing -> classify (one batch per
frame) -> track and smooth. The capture thread, ``fer-desktop analyze`` and the benchmarks
are loops around :meth:`FacePipeline.process`.

Example:
    >>> pipeline = FacePipeline.create()                  # shipped model, YuNet
    >>> result = pipeline.process(cv2.imread("assets/sample.jpg"))
    >>> [(f.label, round(f.confidence, 2)) for f in result.faces]   # doctest: +SKIP
    [('happy', 0.83)]
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fer_desktop.core import scene_cut
from fer_desktop.core.crop import crop_scale_for, face_inputs
from fer_desktop.core.detectors import DEFAULT_DETECTOR, FaceDetector, create_detector
from fer_desktop.core.detectors.eyes import RememberedEyes, load_eye_finder
from fer_desktop.core.errors import DetectorError
from fer_desktop.core.frames import as_bgr8
from fer_desktop.core.model import Classifier, EmotionClassifier
from fer_desktop.core.tracking import (
    DEFAULT_HOLD_S,
    DEFAULT_SMOOTHING_S,
    UNCERTAIN_BELOW,
    FaceTracker,
    TrackerOptions,
    check_smoothing_s,
)
from fer_desktop.core.types import Detection, Face, FrameResult

REFERENCE_WIDTH_PX = 640  # the frame width the camera's 32 px minimum was measured at
# The smallest an Auto minimum face shrinks to in a narrow frame: YuNet's input is then at
# most twice the frame (detectors/yunet.py's MAX_UPSCALE), still no larger than a 640-px
# frame's at the kind's own minimum.
SMALLEST_AUTO_FACE_PX = 8


@dataclass(frozen=True)
class PipelineOptions:
    """Settings the user can change while the pipeline runs.

    detector: "yunet", "blazeface" or "haar". min_face_px: smallest face width, in frame
    pixels, that is found and reported (for YuNet it also sets the input size, so a smaller
    value finds smaller faces and costs more time). score_threshold: minimum face score (None:
    the detector's own default). level_eyes: turn each face so its eyes are level before it
    is classified (eye keypoints from BlazeFace: the detector's own, or one BlazeFace run over
    a mosaic of the faces for the other detectors; see docs/detection.md). level_every: look
    for the eyes every this many frames; in between a face keeps its eyes (1: every frame).
    smoothing_s: time constant in seconds of each face's probability average, with label
    hysteresis (0 = off: each frame's raw answer; see docs/labels.md). smoothing: False turns
    the smoothing off whatever smoothing_s says (the window's on/off switch).
    uncertain_below: the shown label's probability under which a face is flagged uncertain.
    crop_scale: crop side relative to the detector box (None: the measured default for the
    detector). max_faces: classify at most this many (largest) faces.
    small_face_px: the live small-face schedule (YuNet only; None: off): besides the faces of
    min_face_px searched in the whole frame every frame, faces down to this width are searched
    one tile of the frame per frame and followed once found (detectors/schedule.py).
    num_threads: LiteRT threads per model.
    scale_min_face: min_face_px is meant for a frame REFERENCE_WIDTH_PX wide and grows with
    wider frames (a camera's Auto minimum: the same person at the same distance is twice as
    wide in a 1280-px frame, and searching 1280x720 at 32 px cost 28 ms a frame).
    shrink_min_face: min_face_px is meant for a frame REFERENCE_WIDTH_PX wide and shrinks
    with narrower ones, down to SMALLEST_AUTO_FACE_PX (every kind's Auto minimum: in a
    160x120 video the faces were 12-20 px, under the video's 20 px, and none was ever found,
    though looking for them there costs what a 640x480 frame at 20 px does).
    hide_under_px: faces narrower than this are not reported, though the frame is searched
    at min_face_px (None: off). A minimum face the user chose above the kind's Auto is this
    (``options_for``): searched at it, YuNet looked in less detail and missed larger faces too
    (a 207 px face in a 480x360 photo at any minimum from 21 px, trials 27-28).
    """

    detector: str = DEFAULT_DETECTOR
    min_face_px: int = 24
    score_threshold: float | None = None
    level_eyes: bool = True
    level_every: int = 1
    smoothing: bool = True
    smoothing_s: float = DEFAULT_SMOOTHING_S
    uncertain_below: float = UNCERTAIN_BELOW
    crop_scale: float | None = None
    max_faces: int = 64  # 10 left a crowd's other faces unlabelled, and out of every CSV,
    # unsaid (audit 51: 92 faces found, 10 rows a frame); each face costs ~4 ms here
    num_threads: int = 1
    small_face_px: int | None = None
    scale_min_face: bool = False
    shrink_min_face: bool = False
    hide_under_px: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "smoothing_s", check_smoothing_s(self.smoothing_s))

    def effective_smoothing_s(self) -> float:
        """The time constant the tracker uses: 0 when smoothing is switched off."""
        return float(self.smoothing_s) if self.smoothing else 0.0

    def resolved_crop_scale(self) -> float:
        return crop_scale_for(self.detector, self.crop_scale)


def scaled_min_face_px(min_face_px: int, frame_width: int, grow: bool = True,
                       shrink: bool = False) -> int:
    """``min_face_px`` for a REFERENCE_WIDTH_PX frame, grown for a wider one (``grow``) and
    shrunk for a narrower one (``shrink``: never under SMALLEST_AUTO_FACE_PX, nor above the
    minimum asked for)."""
    scaled = round(min_face_px * frame_width / REFERENCE_WIDTH_PX)
    if grow and scaled > min_face_px:
        return scaled
    if shrink and scaled < min_face_px:
        return max(min(SMALLEST_AUTO_FACE_PX, min_face_px), scaled)
    return min_face_px


def _scales(options: PipelineOptions) -> bool:
    return options.scale_min_face or options.shrink_min_face


def _min_face_for(options: PipelineOptions, frame_hw: tuple[int, int]) -> int:
    """A camera's Auto grows with the frame's width; every Auto shrinks with its long side
    (a 360x640 portrait video is a 640x480 one's work at 20 px, not at 11); never above a
    minimum that hides (``hide_under_px``: no face it reports is missed for the search)."""
    grown = scaled_min_face_px(options.min_face_px, frame_hw[1], options.scale_min_face)
    if grown == options.min_face_px and options.shrink_min_face:
        grown = scaled_min_face_px(options.min_face_px, max(frame_hw), grow=False, shrink=True)
    return min(grown, options.hide_under_px or grown)


def _scheduled(options: PipelineOptions, min_face_px: int) -> bool:
    """Whether the live small-face schedule runs (YuNet, faces under the whole frame's
    minimum wanted)."""
    small = options.small_face_px
    return options.detector == "yunet" and bool(small) and small < min_face_px


def _detector_for(options: PipelineOptions) -> FaceDetector:
    """The detector ``options`` name; DetectorError when it cannot be built (its file damaged
    or missing: the window said "the emotion model could not be loaded", audit 56)."""
    try:
        return _build(options)
    except DetectorError:
        raise
    except (ValueError, OSError, RuntimeError) as exc:  # ResourceError: a FileNotFoundError
        raise DetectorError(options.detector, str(exc)) from exc


def _build(options: PipelineOptions) -> FaceDetector:
    small = options.small_face_px
    if _scheduled(options, options.min_face_px):
        from fer_desktop.core.detectors.schedule import ScheduledDetector

        threshold = options.score_threshold
        return ScheduledDetector(options.min_face_px, small, num_threads=options.num_threads,
                                 **({} if threshold is None else {"score_threshold": threshold}))
    return create_detector(options.detector, min_face_px=options.min_face_px,
                           score_threshold=options.score_threshold,
                           num_threads=options.num_threads)


def _tracker_options(options: PipelineOptions) -> TrackerOptions:
    smoothing_s = options.effective_smoothing_s()
    # smoothing off asks for each frame's own answer: nothing held from earlier frames either
    return TrackerOptions(smoothing_s=smoothing_s, uncertain_below=options.uncertain_below,
                          hold_s=DEFAULT_HOLD_S if smoothing_s > 0 else 0.0)


class FacePipeline:
    """Detector + classifier + tracker, one frame at a time.

    Args:
        classifier: the loaded emotion model.
        detector: a FaceDetector (its settings should match ``options``).
        options: see PipelineOptions.
    """

    def __init__(self, classifier: Classifier, detector: FaceDetector,
                 options: PipelineOptions = PipelineOptions()) -> None:
        self.classifier = classifier
        self.detector = detector
        self.options = options
        self._detector_min_px = options.min_face_px  # what self.detector was built for
        self._frame_hw: tuple[int, int] | None = None  # the last frame's, for an Auto minimum
        self._tracker = FaceTracker(_tracker_options(options))
        self._stretch = 0  # raised by each reset: FrameResult.stretch
        self._eyes_seen: RememberedEyes | None = None
        self.eye_finder_error: str | None = None  # why faces are not levelled, when they can't be

    @classmethod
    def create(cls, model_dir: Path | None = None,
               options: PipelineOptions = PipelineOptions()) -> FacePipeline:
        """Load the model (the shipped one by default) and the detector named in options.

        Raises:
            ModelError / ModelMismatchError: the model cannot be used.
            DetectorError (a ValueError): the detector cannot be built (its file missing or
                damaged, an unknown name).
        """
        classifier = EmotionClassifier.load(model_dir, num_threads=options.num_threads)
        return cls.from_classifier(classifier, options)

    @classmethod
    def from_classifier(cls, classifier: Classifier,
                        options: PipelineOptions = PipelineOptions()) -> FacePipeline:
        """A pipeline around an already loaded classifier, with the detector ``options`` name.

        The one way the window, the tests and the benchmarks build a pipeline for a model they
        hold (a hot-swapped model, a stub).

        Raises:
            DetectorError (a ValueError): the detector cannot be built (its file missing or
                damaged, an unknown name).
        """
        return cls(classifier, _detector_for(options), options)

    def set_options(self, options: PipelineOptions) -> None:
        """Apply new settings; rebuilds the detector only when its settings changed."""
        old = self.options
        detector_keys = ("detector", "min_face_px", "score_threshold", "num_threads",
                         "small_face_px", "scale_min_face", "shrink_min_face")
        if any(getattr(old, k) != getattr(options, k) for k in detector_keys):
            self._build_detector(options)
        if _tracker_options(old) != _tracker_options(options):
            self._tracker.options = _tracker_options(options)
        self.options = options

    def set_classifier(self, classifier: Classifier) -> None:
        """Use another model from the next frame on: no blending with the old model's answers,
        and the faces keep their numbers (a still picture's only face became #3 after two
        switches)."""
        self.classifier = classifier
        self._tracker.restart_smoothing()

    def restart_smoothing(self) -> None:
        """The same frame again with new options: no blending with the old answers, and the
        faces keep their tracks, so the same boxes keep the same numbers."""
        self._tracker.restart_smoothing()

    def reset(self, restart_ids: bool = False) -> None:
        """Forget all tracks and remembered eyes (call on a source change); see
        ``FaceTracker.reset``. The results after it are of a new ``stretch``."""
        self._tracker.reset(restart_ids)
        self._stretch += 1
        if hasattr(self.detector, "reset"):
            self.detector.reset()  # the live schedule's followed faces
        if self._eyes_seen is not None:
            self._eyes_seen.reset()

    def _build_detector(self, options: PipelineOptions) -> None:
        """Build the detector, at the minimum face scaled to the last frame's width when there
        was one (a setting changed on an HD camera built it twice: unscaled, then scaled)."""
        wanted = options.min_face_px
        if _scales(options) and self._frame_hw is not None:
            wanted = _min_face_for(options, self._frame_hw)
        self.detector = _detector_for(dataclasses.replace(options, min_face_px=wanted))
        self._detector_min_px = wanted

    def _detector_for_frame(self, frame_hw: tuple[int, int]) -> FaceDetector:
        """The detector for this frame size: rebuilt when a scaled minimum face changes (once
        per new frame size, not per frame)."""
        self._frame_hw = frame_hw
        if _scales(self.options):
            wanted = _min_face_for(self.options, frame_hw)
            if wanted != self._detector_min_px:
                self._build_detector(self.options)
        return self.detector

    @property
    def detector_min_face_px(self) -> int:
        """The smallest face the detector looks for now (after any scaling to the frame)."""
        return self._detector_min_px

    def process(self, frame_bgr: np.ndarray, index: int = 0,
                timestamp_s: float = 0.0) -> FrameResult:
        """Find, classify and track the faces of one frame.

        Args:
            frame_bgr: (H, W, 3) uint8 BGR.
            index: copied into the result.
            timestamp_s: the frame's time in seconds (video time for files, capture time for
                cameras); the smoothing runs on it. A time that does not increase restarts
                the smoothing (still images, a looping video). Copied into the result.

        Returns:
            FrameResult with faces largest first and timings_ms for detect, preprocess
            (finding the eyes included), classify, track and total.

        Raises:
            ValueError: ``frame_bgr`` cannot be a frame (see :func:`as_bgr8`).
        """
        clock = time.perf_counter
        t0 = clock()
        frame_bgr = as_bgr8(frame_bgr)
        detections = self._detector_for_frame(frame_bgr.shape[:2]).detect(frame_bgr)
        # Keep the largest faces when there are too many; classify in that order.
        hide = self.options.hide_under_px or 0  # a minimum above Auto: found, then hidden
        detections = sorted((d for d in detections if d.width >= hide),
                            key=lambda d: -d.width * d.height)
        detections = detections[:max(0, self.options.max_faces)]
        boxes = [d.box for d in detections]
        t1 = clock()
        eyes = self._eyes(frame_bgr, detections) if self.options.level_eyes else None
        inputs = face_inputs(frame_bgr, boxes, self.options.resolved_crop_scale(), eyes)
        t2 = clock()
        probabilities = self.classifier.predict(inputs)
        t3 = clock()
        looks = (scene_cut.face_looks(inputs), scene_cut.frame_look(frame_bgr)) if boxes \
            else None  # a cut to another person at the same place is a new face (trial 32)
        states = self._tracker.update(boxes, probabilities, timestamp_s, looks)
        faces = tuple(Face(box=box, probabilities=state.probabilities, label=state.label,
                           confidence=state.confidence, track_id=state.track_id,
                           uncertain=state.uncertain, eyes=face_eyes)
                      for box, state, face_eyes in zip(boxes, states, eyes or [None] * len(boxes),
                                                       strict=True))
        held = tuple(Face(box=box, probabilities=state.probabilities, label=state.label,
                          confidence=state.confidence, track_id=state.track_id,
                          uncertain=state.uncertain, held=True)
                     for box, state in self._tracker.held())
        t4 = clock()
        timings = {"detect": (t1 - t0) * 1e3, "preprocess": (t2 - t1) * 1e3,
                   "classify": (t3 - t2) * 1e3, "track": (t4 - t3) * 1e3,
                   "total": (t4 - t0) * 1e3}
        return FrameResult(index=index, timestamp_s=timestamp_s, faces=faces,
                           timings_ms=timings, stretch=self._stretch,
                           min_face_px=self._smallest_reported(), held=held,
                           detector=self.options.detector,
                           smoothing_s=self.options.effective_smoothing_s(),
                           crop_scale=self.options.resolved_crop_scale(),
                           level_eyes=self.options.level_eyes)

    def _smallest_reported(self) -> int:
        """The smallest face this frame could report: the small-face schedule's, a minimum
        that hides, else the whole frame's search minimum (a camera at 16 px recorded 32, as
        at Auto: review 39b)."""
        if _scheduled(self.options, self._detector_min_px):
            return int(self.options.small_face_px or 0)
        return max(self._detector_min_px, self.options.hide_under_px or 0)

    def _eyes(self, frame: np.ndarray, detections: list[Detection]) -> list | None:
        """Eye keypoints per detection for levelling, or None when they cannot be had."""
        if not detections and self._eyes_seen is not None:
            self._eyes_seen.reset()  # the faces are gone: a face coming back is a new one
        if not detections or self.detector.name == "blazeface":
            return [d.keypoints for d in detections]  # BlazeFace's own eyes follow a tilt
        if self._eyes_seen is None and self.eye_finder_error is None:
            finder, self.eye_finder_error = load_eye_finder()
            self._eyes_seen = RememberedEyes(finder) if finder is not None else None
        if self._eyes_seen is None:
            return None
        self._eyes_seen.every = max(1, self.options.level_every)
        return self._eyes_seen.eyes(frame, [d.box for d in detections])

    def with_options(self, **changes) -> PipelineOptions:
        """A copy of the current options with ``changes`` (helper for set_options)."""
        return dataclasses.replace(self.options, **changes)
