"""Why this answer? An occlusion-sensitivity map of one face, from the same model (Qt-free).

The face's 48x48 network input is shown to the classifier again many times, each time with a
square patch covered by a flat grey; where covering a patch lowers the probability of the
answer most, that part of the face carried the answer (Zeiler & Fergus, 2014, "Visualizing
and understanding convolutional networks"). All covered copies go through one batch of the
same LiteRT model, so the map explains exactly the model in use. It runs on demand, off the
GUI thread, on a private copy of the classifier (a LiteRT interpreter must not be used by two
threads at once).

The crop is the live view's, turned eye-level by the same keypoints (``Face.eyes``), so its
probabilities are the model's answer for this frame; the panel's can differ on a video, where
they are smoothed over time.

Example:
    >>> result = explain_face(classifier, frame_bgr, face.box, crop_scale=1.3)
    >>> result.emotion, result.heat.shape
    ('happy', (48, 48))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fer_desktop.core.crop import face_inputs
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.playback import format_time

PATCH_PX = 12   # a quarter of the 48-pixel face: about an eye, the mouth, a cheek
STRIDE_PX = 4
# Below this change of the answer's probability (1 point) wherever a patch goes, the map is
# noise stretched to full colour: a weak model that answered alike for every face got a map
# as red as a real one's. Such a map is left empty and the window says why.
SMALLEST_CHANGE = 0.01


@dataclass(frozen=True)
class Explanation:
    """An occlusion-sensitivity map of one face.

    face: (48, 48) float32 in [0, 1], the network's input as a picture.
    heat: (48, 48) float32 in [-1, 1]: positive where covering the face lowered the answer's
        probability (that part supports the answer), negative where it raised it; scaled by
        the largest absolute change.
    probabilities: (7,) float32, the model's answer for this crop, ordered as EMOTIONS.
    target: index of the emotion explained (the most probable).
    largest_drop: the largest fall of that probability when a patch was covered (0..1).
    flat: no patch changed that probability by SMALLEST_CHANGE or more: no part of the face
        made the answer, and ``heat`` is all zeros.
    """

    face: np.ndarray = field(repr=False)
    heat: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)
    target: int = 0
    largest_drop: float = 0.0
    flat: bool = False

    @property
    def emotion(self) -> str:
        return EMOTIONS[self.target]


def occlusion_map(predict: Any, face_input: np.ndarray, target: int | None = None,
                  patch: int = PATCH_PX, stride: int = STRIDE_PX) -> Explanation:
    """The map for one (48, 48, 1) float32 network input.

    Args:
        predict: ``(n, 48, 48, 1) -> (n, 7)`` probabilities (a classifier's ``predict``).
        face_input: the preprocessed face.
        target: the emotion to explain (default: the most probable).
        patch, stride: the covered square's side and step, in input pixels.
    """
    face_input = np.asarray(face_input, np.float32).reshape(48, 48, 1)
    base = np.asarray(predict(face_input[None]), np.float32)[0]
    target = int(np.argmax(base)) if target is None else int(target)
    fill = float(face_input.mean())
    starts = list(range(0, 48 - patch + 1, stride))
    batch = np.repeat(face_input[None], len(starts) ** 2, axis=0)
    spots = [(y, x) for y in starts for x in starts]
    for k, (y, x) in enumerate(spots):
        batch[k, y:y + patch, x:x + patch, :] = fill
    covered = np.asarray(predict(batch), np.float32)[:, target]
    drop = base[target] - covered
    total = np.zeros((48, 48), np.float32)
    count = np.zeros((48, 48), np.float32)
    for k, (y, x) in enumerate(spots):
        total[y:y + patch, x:x + patch] += drop[k]
        count[y:y + patch, x:x + patch] += 1
    heat = total / np.maximum(count, 1)
    flat = float(np.abs(drop).max()) < SMALLEST_CHANGE
    peak = float(np.abs(heat).max())
    heat = np.zeros_like(heat) if flat else heat / peak
    return Explanation(face=face_input[:, :, 0].copy(), heat=heat.astype(np.float32),
                       probabilities=base, target=target,
                       largest_drop=float(max(0.0, drop.max())), flat=flat)


def explain_face(classifier: Any, frame_bgr: np.ndarray, box: np.ndarray,
                 crop_scale: float = 1.0, eyes: np.ndarray | None = None) -> Explanation:
    """The map for the face at ``box`` in ``frame_bgr``: the live view's crop, levelled by
    ``eyes`` as the live view levelled it (``Face.eyes``)."""
    inputs = face_inputs(frame_bgr, [np.asarray(box, np.float32)], crop_scale,
                         [eyes] if eyes is not None else None)
    return occlusion_map(classifier.predict, inputs[0])


def private_classifier(classifier: Any) -> Any:
    """A classifier of the same model that another thread may use: a new LiteRT interpreter
    over the bytes the model in use was loaded from (not its file, which a resumed run may
    have replaced since, review 45); the object itself for stubs without one (no state)."""
    model_path = getattr(classifier, "model_path", None)
    if model_path is None:
        return classifier
    return type(classifier)(classifier.model_dir, classifier.metadata, model_path,
                            content=getattr(classifier, "model_bytes", None))


def explained_moment(context: dict, named: bool = True, hint: bool = True,
                     panel_differs: bool = False) -> str:
    """Which picture an explanation is of, in words. The window stays as it is while the
    video goes on or the face leaves (it went stale without a word), so it says what it
    explains and how to explain the face shown now. ``context``: the source, ``time_s``,
    ``is_live``, ``still`` and, for a camera, ``clock`` (when it was asked for, "14:03:22").
    Not ``named`` (No file paths in saved files): "the video", "the picture" for its file
    name (the saved picture said "From clip.mp4 at 0:07" beside a JSON saying "file"). Not
    ``hint``: without how to explain the face shown now (a saved picture has no button:
    trial 17). ``panel_differs``: the side panel shows other numbers for this face (by a
    point or more), as it does when Smoothing averages them."""
    again = " Press Why this answer? again for the face shown now." if hint else ""
    # a moving source: its numbers are this frame's, the panel's an average over frames (16
    # points apart on a busy video, unsaid: trial 29); but not where the panel shows this
    # frame's own (Smoothing Off, a step, a seek: it said "averaged" there, review 41)
    alone = " These are this frame's numbers alone; the side panel's are averaged over the " \
            "last moments (Smoothing)." if hint and panel_differs and not context.get("still") \
        else ""
    source = context.get("source")
    if not source:
        return again.strip()
    if context.get("is_live"):
        clock = context.get("clock") or f"{dt.datetime.now():%H:%M:%S}"
        return f"The camera's picture at {clock}.{alone}{again}"
    name = Path(str(source)).name if named else \
        "the picture" if context.get("still") else "the video"
    if context.get("still"):
        return f"From {name}.{again}"
    return f"From {name} at {format_time(context.get('time_s'), tenths=True)}.{alone}{again}"
