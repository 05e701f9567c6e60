"""Does the trainer's geometric augmentation cover the crops the app really cuts?

    python benchmarks/box_jitter.py [--split PublicTest|Training] [--limit 3000]
        [--source camera|video|image] [--upscale 4] [--canvas replicate|gray] [--csv PATH]

The trainer warps each 48x48 training face by a rotation, a zoom and a shift drawn over the
ranges of ``trainer/recipe.py`` (``ROTATE_DEGREES``, ``ZOOM``, ``SHIFT``, read from there). Each
warp is the same as cutting from the face a square of side ``(1 + zoom) * 48``, its centre
moved by about ``shift * 48`` and turned by the rotation. The live pipeline also cuts a square:
the detector's box, squared and grown by ``DEFAULT_CROP_SCALE``, turned eye-level when the eyes
are found (``fer_desktop/core/crop.py``). This script measures that square in a FER-2013 face's
own frame, so the two can be compared quantity by quantity:

* scale = crop side / 48 (the augmentation's zoom is scale - 1),
* shift x, shift y = (crop centre - face centre) / 48, x to the right and y down,
* rotation = the eye-levelling angle in degrees (0 when the app does not level the face).

How a face is shown to the app: each 48x48 face is upscaled ``--upscale`` times (default 4:
192 px, a face at arm's length from a webcam in a 640x480 frame, and well above every source
kind's minimum face) with bicubic interpolation and pasted in the middle of a 640x480 frame
whose rest repeats the face's edge pixels (``--canvas replicate``). A FER face is cut tight,
brow to chin: on a flat grey canvas (``--canvas gray``) its square outline is a strong edge a
detector can take for the face's outline, while repeated edges continue the hair, cheeks and
background outwards with no outline, the nearest thing to the face's real surroundings
(``benchmarks/crop_scale.py`` pastes the same way). The frame goes through the live pipeline
itself (``FacePipeline.process`` with the detection defaults of ``--source``, the app's
default detector YuNet, the eyes from one BlazeFace run over the face as the app finds them),
its tracks and remembered eyes reset between faces; only the classifier is a stub, as the
crop does not depend on it. The face kept is the largest one whose box holds the face's centre.

The medians tell how the app frames a FER face on average; on a tight FER crop a detector
draws its box differently than on a whole photo (``crop_scale.py``), so ``DEFAULT_CROP_SCALE``,
chosen on photos, need not give a median scale of 1 here. The spread around the median is the
jitter the augmentation has to cover, so the table gives both: the share of faces inside the
trainer's range as measured, and around the median, plus the half-width around the median that
holds 95% of the faces (the range that would match).

Needs the FER-2013 CSV; prints one markdown table (3,000 faces: about 2 minutes on one core).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _fer2013 import add_csv_arguments, load_fer2013  # noqa: E402

from fer_desktop.core.crop import eye_angle_deg, square_box  # noqa: E402
from fer_desktop.core.emotions import NUM_CLASSES  # noqa: E402
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions  # noqa: E402
from fer_desktop.core.source_defaults import SOURCE_KINDS, options_for  # noqa: E402

FRAME_H, FRAME_W = 480, 640
FACE_PX = 48
QUANTITIES = ("scale", "shift x", "shift y", "rotation (deg)")


@dataclass(frozen=True)
class CropGeometry:
    """The app's crop of one face, in the 48x48 face's own frame.

    scale: crop side / 48. shift_x, shift_y: crop centre minus face centre, / 48 (right, down).
    rotation_deg: the angle the crop is turned by to level the eyes (0: not levelled).
    levelled: whether the app turned it.
    """

    scale: float
    shift_x: float
    shift_y: float
    rotation_deg: float
    levelled: bool

    def values(self) -> tuple[float, float, float, float]:
        """The four quantities, in the order of QUANTITIES."""
        return self.scale, self.shift_x, self.shift_y, self.rotation_deg


class _NoClassifier:
    """A stub for the pipeline's classifier: the crop does not depend on its answer."""

    name = "none"

    def predict(self, faces: np.ndarray) -> np.ndarray:
        return np.full((len(faces), NUM_CLASSES), 1.0 / NUM_CLASSES, np.float32)

    def accuracy(self) -> float | None:
        return None


def make_pipeline(source: str = "camera") -> FacePipeline:
    """The live pipeline with the app's default detector and ``source``'s detection defaults."""
    return FacePipeline.from_classifier(_NoClassifier(),
                                        options_for(source, PipelineOptions()))


def place_face(face48: np.ndarray, upscale: int = 4,
               canvas: str = "replicate") -> tuple[np.ndarray, int, int]:
    """A (480, 640, 3) BGR frame with the face upscaled in its middle, and the face's top-left
    corner (left, top) in frame pixels. ``canvas``: "replicate" (edges repeated) or "gray"."""
    side = FACE_PX * upscale
    big = cv2.resize(face48, (side, side), interpolation=cv2.INTER_CUBIC)
    top, left = (FRAME_H - side) // 2, (FRAME_W - side) // 2
    pads = (top, FRAME_H - side - top, left, FRAME_W - side - left)
    if min(pads) < 0:
        raise ValueError(f"a {side}px face does not fit a {FRAME_W}x{FRAME_H} frame")
    if canvas == "replicate":
        frame = cv2.copyMakeBorder(big, *pads, cv2.BORDER_REPLICATE)
    elif canvas == "gray":
        frame = cv2.copyMakeBorder(big, *pads, cv2.BORDER_CONSTANT, value=128)
    else:
        raise ValueError(f"unknown canvas {canvas!r}; choose replicate or gray")
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), left, top


def measure_face(pipeline: FacePipeline, face48: np.ndarray, upscale: int = 4,
                 canvas: str = "replicate") -> CropGeometry | None:
    """The crop the app cuts for one (48, 48) uint8 face, or None when no face is found there.

    The geometry is that of ``crop.face_crops``: ``square_box(box, crop_scale)`` turned about its
    centre by ``eye_angle_deg(eyes)``, with the boxes and eyes ``FacePipeline.process`` used.
    """
    frame, left, top = place_face(face48, upscale, canvas)
    pipeline.reset()  # every face is a new one: no track, no remembered eyes
    faces = pipeline.process(frame).faces
    centre = (left + FACE_PX * upscale / 2, top + FACE_PX * upscale / 2)
    faces = [f for f in faces
             if f.box[0] <= centre[0] <= f.box[2] and f.box[1] <= centre[1] <= f.box[3]]
    if not faces:
        return None
    face = max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
    x, y, side = square_box(face.box, pipeline.options.resolved_crop_scale())
    angle = eye_angle_deg(face.eyes)
    unit = FACE_PX * upscale  # frame pixels per face side
    return CropGeometry(scale=side / unit,
                        shift_x=(x + side / 2 - centre[0]) / unit,
                        shift_y=(y + side / 2 - centre[1]) / unit,
                        rotation_deg=0.0 if angle is None else angle,
                        levelled=angle is not None)


def trainer_ranges() -> tuple[float, float, float]:
    """(ZOOM, SHIFT, ROTATE_DEGREES) of trainer/recipe.py (imports TensorFlow)."""
    from trainer.recipe import ROTATE_DEGREES, SHIFT, ZOOM

    return ZOOM, SHIFT, ROTATE_DEGREES


def summarise(found: list[CropGeometry], total: int,
              ranges: tuple[float, float, float]) -> list[dict]:
    """One row per quantity (QUANTITIES, then all four together) for the table.

    Args:
        found: the measured crops. total: faces tried (found or not).
        ranges: (zoom, shift, rotation in degrees), the trainer's half-widths.

    Returns:
        dicts with quantity, found, total, median, std, p5, p95, centre and half (the
        trainer's range: centre +- half), inside (share within it as measured), inside_median
        (share within +- half of the median) and cover95 (the half-width around the median
        that holds 95% of the faces); the last row has only the two shares (all four at once).
    """
    zoom, shift, rotation = ranges
    values = np.array([g.values() for g in found], np.float64).reshape(-1, 4)
    rows, inside_all, inside_median_all = [], np.ones(len(found), bool), np.ones(len(found), bool)
    for i, (name, centre, half) in enumerate(zip(
            QUANTITIES, (1.0, 0.0, 0.0, 0.0), (zoom, shift, shift, rotation), strict=True)):
        v = values[:, i]
        median = float(np.median(v)) if len(v) else float("nan")
        edge = half + 1e-9  # 1.1 - 1.0 is 0.10000000000000009: the edge is inside
        inside, inside_median = np.abs(v - centre) <= edge, np.abs(v - median) <= edge
        inside_all &= inside
        inside_median_all &= inside_median
        rows.append({
            "quantity": name, "found": len(found), "total": total, "median": median,
            "std": float(np.std(v)) if len(v) else float("nan"),
            "p5": float(np.percentile(v, 5)) if len(v) else float("nan"),
            "p95": float(np.percentile(v, 95)) if len(v) else float("nan"),
            "centre": centre, "half": half,
            "inside": float(np.mean(inside)) if len(v) else float("nan"),
            "inside_median": float(np.mean(inside_median)) if len(v) else float("nan"),
            "cover95": float(np.percentile(np.abs(v - median), 95)) if len(v) else float("nan"),
        })
    rows.append({"quantity": "all four at once", "found": len(found), "total": total,
                 "inside": float(np.mean(inside_all)) if len(found) else float("nan"),
                 "inside_median": float(np.mean(inside_median_all)) if len(found)
                 else float("nan")})
    return rows


def measure(faces: np.ndarray, pipeline: FacePipeline, upscale: int = 4,
            canvas: str = "replicate") -> list[CropGeometry]:
    """:func:`measure_face` over (n, 48, 48) uint8 faces; the faces not found are left out."""
    found = (measure_face(pipeline, face, upscale, canvas) for face in faces)
    return [g for g in found if g is not None]


def _fmt(value: float, rotation: bool, signed: bool = True) -> str:
    """Degrees with one decimal, the other quantities (units of the face side) with three."""
    return f"{value:{'+' if signed else ''}.{1 if rotation else 3}f}"


def format_table(rows: list[dict]) -> str:
    """The markdown table of :func:`summarise`'s rows."""
    lines = ["| quantity | found | median | std | 5th pct | 95th pct | trainer's range | "
             "inside it | inside it around the median | +- around the median for 95% |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        found = f"{row['found']}/{row['total']}"
        if "median" not in row:
            lines.append(f"| {row['quantity']} | {found} | | | | | | {row['inside']:.1%} | "
                         f"{row['inside_median']:.1%} | |")
            continue
        rot, sign = row["quantity"].startswith("rotation"), row["quantity"] != "scale"
        low, high = row["centre"] - row["half"], row["centre"] + row["half"]
        lines.append(
            f"| {row['quantity']} | {found} | {_fmt(row['median'], rot, sign)} | "
            f"{_fmt(row['std'], rot, False)} | {_fmt(row['p5'], rot, sign)} | "
            f"{_fmt(row['p95'], rot, sign)} | {_fmt(low, rot, sign)} .. {_fmt(high, rot, sign)} "
            f"| {row['inside']:.1%} | "
            f"{row['inside_median']:.1%} | {_fmt(row['cover95'], rot, False)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="PublicTest", choices=("PublicTest", "Training"))
    parser.add_argument("--limit", type=int, default=3000, help="faces of the split (0: all)")
    parser.add_argument("--source", default="camera", choices=SOURCE_KINDS,
                        help="whose detection defaults (camera: the live view)")
    parser.add_argument("--upscale", type=int, default=4, help="face side = 48 * this, pixels")
    parser.add_argument("--canvas", default="replicate", choices=("replicate", "gray"))
    add_csv_arguments(parser)
    args = parser.parse_args(argv)
    data = load_fer2013(args)
    if data is None:
        return 1
    faces = data.images[args.split]
    faces = faces[:args.limit] if args.limit else faces
    faces = faces.reshape(len(faces), FACE_PX, FACE_PX)
    ranges = trainer_ranges()
    pipeline = make_pipeline(args.source)
    found = measure(faces, pipeline, args.upscale, args.canvas)
    levelled = sum(g.levelled for g in found)
    print(f"{len(faces)} {args.split} faces at {FACE_PX * args.upscale} px in "
          f"{FRAME_W}x{FRAME_H} frames ({args.canvas} canvas), {pipeline.options.detector} "
          f"with the {args.source} defaults, crop scale {pipeline.options.resolved_crop_scale()};"
          f" {levelled} of {len(found)} found faces levelled\n")
    print(format_table(summarise(found, len(faces), ranges)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
