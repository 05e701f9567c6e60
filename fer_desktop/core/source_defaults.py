"""Detection settings that suit each kind of source: camera, video file, image.

One trade-off differs between them. A camera frame must be done in a few milliseconds, so the
camera looks for faces of 32 px and up (YuNet then sees a 640x480 frame at 320x240) and for
the eyes of known faces every 5th frame. A smaller minimum face chosen for a camera keeps that
every-frame pass and adds the live small-face schedule (detectors/schedule.py: one tile of the
frame per frame at the detail the smaller faces need, the faces found followed in between)
instead of YuNet at full size every frame, which would take several frame budgets. The
camera's Auto minimum is 32 px of a 640-px-wide frame and grows with wider frames (64 px at
1280x720: the same people, at the same distance, for the cost of a 640x480 frame). A video
file plays in real time in the window but can take longer in ``analyze``, so it looks for
faces of 20 px, eyes also every 5th frame (a head's tilt changes slowly): at 24 px, faces
just above the minimum were missed (82% found at 24-32 px; at 20 px 99%, for 4 ms more a
frame). A photo is looked at once, so it looks for faces of 16 px (YuNet sees a 640x480 photo
at full size). Every kind's Auto minimum is for a 640-px-wide frame and shrinks with a
narrower one, down to 8 px (a 160x120 video's faces are 12-20 px: at 20 px none was found,
and looking for 8 px faces there costs what a 640x480 frame at 20 px does). The numbers
behind these choices are in docs/detection.md.

Example:
    >>> defaults_for(source_kind(0)).min_face_px
    32
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from fer_desktop.core.pipeline import (
    REFERENCE_WIDTH_PX,
    SMALLEST_AUTO_FACE_PX,
    PipelineOptions,
    scaled_min_face_px,
)
from fer_desktop.core.sources import IMAGE_SUFFIXES

SOURCE_KINDS = ("camera", "video", "image")


@dataclass(frozen=True)
class SourceDefaults:
    """min_face_px: smallest face width to find (frame pixels). level_every: look for the
    eyes every this many frames (1: every frame). schedule_smaller: a smaller minimum face
    chosen by the user is found by the live small-face schedule, min_face_px staying the
    whole frame's every-frame minimum. scale_with_frame: min_face_px is for a 640-px-wide
    frame and grows with wider ones, unless the user chose a minimum."""

    min_face_px: int
    level_every: int
    schedule_smaller: bool = False
    scale_with_frame: bool = False


SOURCE_DEFAULTS = {
    "camera": SourceDefaults(min_face_px=32, level_every=5, schedule_smaller=True,
                             scale_with_frame=True),
    "video": SourceDefaults(min_face_px=20, level_every=5),
    "image": SourceDefaults(min_face_px=16, level_every=1),
}


# The largest minimum face one may ask for: the window's spin box (and its setting) stops at
# 480 px, a camera's or a player's frame; `analyze --min-face` at 4096, a face filling a 4K
# frame (a batch may hold 8K photos)
WINDOW_MIN_FACE_LIMIT_PX = 480
ANALYZE_MIN_FACE_LIMIT_PX = 4096

def source_kind(spec: int | str | Path) -> str:
    """"camera" for a camera index, "image" for an image file or a folder, else "video"."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return "camera"
    path = Path(spec)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return "image"
    try:
        return "image" if path.is_dir() else "video"
    except OSError:  # where it may not look: opening it names the reason
        return "video"


def defaults_for(kind: str) -> SourceDefaults:
    """The defaults of one kind (see SOURCE_KINDS); ValueError names the valid kinds."""
    if kind not in SOURCE_DEFAULTS:
        raise ValueError(f"unknown source kind {kind!r}; choose one of {', '.join(SOURCE_KINDS)}")
    return SOURCE_DEFAULTS[kind]


def min_face_worth_naming(chosen_px: int | None) -> int | None:
    """The chosen minimum face when it is larger than every kind's Auto (so that lowering it
    can find a face Auto would), else None: advice to lower 16 px would be wrong."""
    largest_auto = max(d.min_face_px for d in SOURCE_DEFAULTS.values())
    return chosen_px if chosen_px and chosen_px > largest_auto else None


def auto_min_face_words() -> str:
    """What Auto means for each kind, in the window's words, built from the numbers above so
    that the Minimum face box's tooltip cannot go on quoting a default changed since."""
    camera, video, image = (SOURCE_DEFAULTS[k].min_face_px for k in SOURCE_KINDS)
    wide = 2 * REFERENCE_WIDTH_PX
    narrow = REFERENCE_WIDTH_PX * SMALLEST_AUTO_FACE_PX // camera
    return (f"Auto: {camera} px for a camera (of a {REFERENCE_WIDTH_PX}-px-wide picture; "
            f"{scaled_min_face_px(camera, wide)} px of a {wide}-px one), {video} px for a "
            f"video, {image} px for photos, each less in a picture narrower than "
            f"{REFERENCE_WIDTH_PX} px ({SMALLEST_AUTO_FACE_PX} px at {narrow} px wide)")


def options_for(kind: str, options: PipelineOptions,
                min_face_px: int | None = None) -> PipelineOptions:
    """``options`` with the kind's defaults; ``min_face_px`` (the user's choice) wins if given:
    faces narrower than it are not reported, wider ones are found (for a camera, one under the
    kind's minimum within one round of the small-face schedule's tiles). For YuNet one above
    the kind's Auto only hides: the frame is searched as at Auto (scaled to the frame as Auto
    is, never above the chosen minimum), the narrower faces left out (``hide_under_px``:
    searched at the larger minimum, YuNet missed large faces too). Haar and BlazeFace search at
    the chosen minimum itself (a larger one only prunes their scales: faster, nothing lost)."""
    chosen = defaults_for(kind)
    if min_face_px and min_face_px < chosen.min_face_px and chosen.schedule_smaller:
        return replace(options, min_face_px=chosen.min_face_px, small_face_px=min_face_px,
                       level_every=chosen.level_every, scale_min_face=False,
                       shrink_min_face=False, hide_under_px=None)
    if min_face_px and min_face_px > chosen.min_face_px and options.detector == "yunet":
        return replace(options, min_face_px=chosen.min_face_px, level_every=chosen.level_every,
                       small_face_px=None, scale_min_face=chosen.scale_with_frame,
                       shrink_min_face=True, hide_under_px=min_face_px)
    return replace(options, min_face_px=min_face_px or chosen.min_face_px,
                   level_every=chosen.level_every, small_face_px=None,
                   scale_min_face=chosen.scale_with_frame and not min_face_px,
                   shrink_min_face=not min_face_px, hide_under_px=None)
