"""How steady the labels are on generated video, and how fast they follow a real change.

    python benchmarks/stability.py [--still-s 30] [--faces 6] [--cuts 12] [--sweep] [--csv PATH]

Material, generated at run time (nothing is stored): face images are ``assets/sample.jpg``
and, when the FER-2013 CSV is found, PublicTest faces drawn at random (seeded; only faces the
detector finds). Each is put in a 640x480 frame and filmed at 30 fps by a simulated camera:
sub-pixel jitter (a slow drift plus shake), brightness flicker (a 2 Hz beat plus noise),
sensor noise and JPEG compression at quality 80.

* **still**: each face alone for ``--still-s`` seconds (nothing changes, so every label
  change is flicker);
* **cuts**: one face after another, ``--segment-s`` seconds each, at the same place (one
  track: the tracker sees a sudden change of expression); only cuts between faces whose
  labels differ count. The "new label" of a face is its most frequent raw label when still.

Every frame goes once through the app's own detector and classifier (LiteRT, the shipped
model); the 15 fps material is every other frame of the same 30 fps material (what a 15 fps
camera, or ``analyze --every 2``, sees). The answers are then replayed through the tracker:

* ``off``: smoothing 0, each frame's raw answer;
* ``before``: the setting before issue 20: a per-frame average with weight 0.35 for the
  newest frame, switch margin 0.1 and the word "uncertain" as a label under 0.4 (re-created
  below, since the app no longer has it);
* ``new``: the app's defaults (``core/tracking.py``).

One table: label changes per second on still faces (mean and the worst face), how many still
faces never changed label, the time from a cut to the new label (median, max, and cuts where
it never came), the share of frames shown as uncertain, flips of the uncertain flag per second
on still faces, and the share of 15 fps frames labelled (and flagged) as at 30 fps.
``--sweep`` adds a table over time constants and margins: how the defaults were chosen.
``--motion`` films a harder material: the head also tilts, nods and sways a little, as when
talking.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _fer2013 import add_csv_arguments  # noqa: E402

from fer_desktop.core.detectors.blazeface import iou_matrix  # noqa: E402
from fer_desktop.core.emotions import EMOTIONS  # noqa: E402
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions  # noqa: E402
from fer_desktop.core.tracking import FaceTracker, TrackerOptions  # noqa: E402
from fer_desktop.resources import assets_dir  # noqa: E402

FPS = 30.0
FRAME_W, FRAME_H = 640, 480
TARGET_CUT_S = 0.5
FACE_SIDE = 180


# ------------------------------------------------------------------- the simulated camera

def place(face_gray_or_bgr: np.ndarray, side: int) -> np.ndarray:
    """A 640x480 BGR frame with the face image centred, ``side`` pixels high."""
    face = face_gray_or_bgr
    if face.ndim == 2:
        face = cv2.cvtColor(face, cv2.COLOR_GRAY2BGR)
    h, w = face.shape[:2]
    face = cv2.resize(face, (round(w * side / h), side), interpolation=cv2.INTER_CUBIC)
    frame = np.full((FRAME_H, FRAME_W, 3), 110, np.uint8)
    y, x = (FRAME_H - face.shape[0]) // 2, (FRAME_W - face.shape[1]) // 2
    frame[y:y + face.shape[0], x:x + face.shape[1]] = face[:FRAME_H - y, :FRAME_W - x]
    return frame


class Camera:
    """Films a still scene with sub-pixel jitter, brightness flicker, sensor noise and JPEG.

    motion: also move the head as a person sitting and talking does (--motion): a few degrees
    of tilt, a few percent of scale and a few pixels of sway, smooth with a little tremor.
    """

    def __init__(self, seed: int, motion: bool = False) -> None:
        self.rng = np.random.default_rng(seed)
        self.motion = motion
        self.phases = self.rng.uniform(0, 2 * math.pi, 4)
        cv2.setRNGSeed(seed)  # cv2.randn: the sensor noise, ten times faster than numpy's

    def _pose(self, t: float) -> np.ndarray:
        """The frame's 2x3 warp: sub-pixel jitter, plus head motion when asked."""
        rng, ph = self.rng, self.phases
        dx = 0.4 * math.sin(2 * math.pi * 0.3 * t) + rng.normal(0, 0.25)
        dy = 0.3 * math.cos(2 * math.pi * 0.2 * t) + rng.normal(0, 0.25)
        if not self.motion:
            return np.float32([[1, 0, dx], [0, 1, dy]])
        angle = 4.0 * math.sin(2 * math.pi * 0.35 * t + ph[0]) + rng.normal(0, 0.4)
        scale = 1 + 0.04 * math.sin(2 * math.pi * 0.25 * t + ph[1]) + rng.normal(0, 0.003)
        dx += 5.0 * math.sin(2 * math.pi * 0.5 * t + ph[2])
        dy += 3.0 * math.sin(2 * math.pi * 0.7 * t + ph[3])
        warp = cv2.getRotationMatrix2D((FRAME_W / 2, FRAME_H / 2), angle, scale)
        warp[:, 2] += (dx, dy)
        return warp.astype(np.float32)

    def film(self, scene: np.ndarray, t: float) -> np.ndarray:
        rng = self.rng
        warp = self._pose(t)
        frame = cv2.warpAffine(scene, warp, (FRAME_W, FRAME_H), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        gain = 1 + 0.04 * math.sin(2 * math.pi * 2.0 * t) + rng.normal(0, 0.01)
        noise = np.empty_like(frame)
        cv2.randn(noise, 0.0, 5.0)
        frame = cv2.scaleAdd(frame, gain, noise)
        frame = np.clip(frame, 0, 255).astype(np.uint8)
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
        return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


# ------------------------------------------------------------------- material

@dataclass
class Clip:
    """What the detector and classifier saw, frame by frame, at 30 fps.

    boxes/probs: per frame the largest face's box (4,) and raw probabilities (7,), or None.
    face_of: per frame, which face image was on screen. cuts: frame indices of the cuts.
    """

    name: str
    times_s: np.ndarray
    face_of: np.ndarray
    boxes: list = field(repr=False)
    probs: list = field(repr=False)
    cuts: list[int] = field(default_factory=list)


def observe(pipeline: FacePipeline, scenes: list[np.ndarray], face_of: np.ndarray,
            name: str, seed: int, motion: bool = False) -> Clip:
    camera = Camera(seed, motion)
    times = np.arange(len(face_of)) / FPS
    boxes, probs = [], []
    for t, k in zip(times, face_of, strict=True):
        faces = pipeline.process(camera.film(scenes[k], float(t)), 0, 0.0).faces
        boxes.append(faces[0].box if faces else None)
        probs.append(faces[0].probabilities if faces else None)
    cuts = [i for i in range(1, len(face_of)) if face_of[i] != face_of[i - 1]]
    return Clip(name, times, np.asarray(face_of), boxes, probs, cuts)


def centre_face(pipeline: FacePipeline, scene: np.ndarray) -> np.ndarray | None:
    """The scene moved and scaled so its one detected face box is FACE_SIDE pixels wide at the
    frame centre: every face then sits where the last one was, and a cut keeps the track (the
    tracker sees a change of expression, not a new face). None when not exactly one face."""
    faces = pipeline.process(scene, 0, 0.0).faces
    if len(faces) != 1:
        return None
    x1, y1, x2, y2 = (float(v) for v in faces[0].box)
    scale = FACE_SIDE / max(x2 - x1, y2 - y1)
    warp = np.float32([[scale, 0, FRAME_W / 2 - scale * (x1 + x2) / 2],
                       [0, scale, FRAME_H / 2 - scale * (y1 + y2) / 2]])
    return cv2.warpAffine(scene, warp, (FRAME_W, FRAME_H), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(110, 110, 110))


def found_under_noise(pipeline: FacePipeline, scene: np.ndarray, seed: int) -> float | None:
    """The face's top raw probability when the detector finds exactly one face in the clean
    scene and in 5 filmed frames, else None."""
    camera = Camera(seed)
    tops = []
    for i in range(6):
        frame = scene if i == 0 else camera.film(scene, i / FPS)
        faces = pipeline.process(frame, 0, 0.0).faces
        if len(faces) != 1:
            return None
        tops.append(float(faces[0].probabilities.max()))
    return tops[0]


def face_images(args, pipeline: FacePipeline) -> list[tuple[str, np.ndarray]]:
    """The sample photo, then PublicTest faces the detector finds reliably, up to --faces in
    all: half of them faces the model is unsure of (top probability under 0.6 in the clean
    frame), because those are the ones whose label can flicker, half clear ones."""
    sample = centre_face(pipeline, place(cv2.imread(str(assets_dir() / "sample.jpg")), 480))
    images = [("sample.jpg", sample)]
    from trainer.data import find_shared_csv, load_cached

    csv = args.csv or find_shared_csv()
    if csv is None:
        print("FER-2013 CSV not found (pass --csv): only the sample photo is used",
              file=sys.stderr)
        return images
    data = load_cached(csv, args.cache)
    faces = data.images["PublicTest"]
    rng = np.random.default_rng(args.seed)
    wanted = {"unsure": (args.faces - 1 + 1) // 2, "clear": (args.faces - 1) // 2}
    for index in rng.permutation(len(faces)):
        if not any(wanted.values()):
            break
        scene = centre_face(pipeline, place(faces[index], 240))
        top = None if scene is None else found_under_noise(pipeline, scene, int(index))
        kind = None if top is None else "unsure" if top < 0.6 else "clear"
        if kind is not None and wanted[kind] > 0:
            wanted[kind] -= 1
            images.append((f"PublicTest #{index}", scene))
    return images


def still_labels(stills: list[Clip]) -> dict[int, str]:
    """Each face's "new label" after a cut: its most frequent raw label when still."""
    targets = {}
    for k, clip in enumerate(stills):
        labels = [EMOTIONS[int(np.argmax(p))] for p in clip.probs if p is not None]
        targets[k] = Counter(labels).most_common(1)[0][0] if labels else "-"
    return targets


def make_observations(args) -> tuple[list[str], list[Clip], Clip | None]:
    pipeline = FacePipeline.create(options=PipelineOptions(smoothing_s=0.0))
    images = face_images(args, pipeline)
    scenes = [scene for _name, scene in images]
    n_still = round(args.still_s * FPS)
    stills = [observe(pipeline, scenes, np.full(n_still, k), name, args.seed + k, args.motion)
              for k, (name, _scene) in enumerate(images)]
    targets = still_labels(stills)
    order = [0]
    for _ in range(args.cuts):  # a tour of the faces, each cut to a face with another label
        candidates = [k for k in range(len(images)) if targets[k] != targets[order[-1]]]
        if not candidates:
            break
        order.append(candidates[(len(order) * 7) % len(candidates)])
    cuts = None
    if len(order) > 1:
        per = round(args.segment_s * FPS)
        cuts = observe(pipeline, scenes, np.repeat(order, per), "cuts", args.seed + 1000,
                       args.motion)
    return [name for name, _scene in images], stills, cuts


def _pack(clip: Clip) -> dict[str, np.ndarray]:
    found = np.array([b is not None for b in clip.boxes])
    boxes = np.array([b if b is not None else np.zeros(4) for b in clip.boxes], np.float32)
    probs = np.array([p if p is not None else np.zeros(7) for p in clip.probs], np.float32)
    return {"face_of": clip.face_of, "found": found, "boxes": boxes, "probs": probs}


def _unpack(name: str, arrays: dict[str, np.ndarray]) -> Clip:
    found = arrays["found"]
    face_of = arrays["face_of"]
    clip = Clip(name, np.arange(len(face_of)) / FPS, face_of,
                [b if f else None for b, f in zip(arrays["boxes"], found, strict=True)],
                [p if f else None for p, f in zip(arrays["probs"], found, strict=True)])
    clip.cuts = [i for i in range(1, len(face_of)) if face_of[i] != face_of[i - 1]]
    return clip


def save_observations(path: Path, names: list[str], stills: list[Clip],
                      cuts: Clip | None) -> None:
    arrays = {"names": np.array(names)}
    for k, clip in enumerate([*stills, *([cuts] if cuts else [])]):
        arrays |= {f"{k}_{key}": value for key, value in _pack(clip).items()}
    np.savez_compressed(path, **arrays)


def load_observations(path: Path) -> tuple[list[str], list[Clip], Clip | None]:
    with np.load(path) as npz:
        names = [str(n) for n in npz["names"]]
        clips = []
        k = 0
        while f"{k}_face_of" in npz:
            clips.append(_unpack(names[k] if k < len(names) else "cuts",
                                 {key: npz[f"{k}_{key}"] for key in
                                  ("face_of", "found", "boxes", "probs")}))
            k += 1
    stills, rest = clips[:len(names)], clips[len(names):]
    return names, stills, rest[0] if rest else None


# ------------------------------------------------------------------- the trackers replayed

class BeforeTracker:
    """The smoothing before issue 20, for comparison: per-frame average (weight 0.35 for the
    newest frame, whatever the frame rate), switch margin 0.1, "uncertain" as a label under
    0.4 with a band of half the margin. One face, as in this benchmark's material."""

    alpha, margin, below = 0.35, 0.1, 0.4

    def __init__(self) -> None:
        self.p: np.ndarray | None = None
        self.label: str | None = None

    def update(self, probs: np.ndarray) -> tuple[str, bool]:
        self.p = probs.copy() if self.p is None else self.alpha * probs + \
            (1 - self.alpha) * self.p
        top = int(np.argmax(self.p))
        band = self.margin / 2
        threshold = self.below + (band if self.label == "uncertain" else
                                  -band if self.label in EMOTIONS else 0.0)
        label = EMOTIONS[top]
        if self.p[top] < threshold:
            label = "uncertain"
        elif self.label in EMOTIONS and self.label != label:
            kept = float(self.p[EMOTIONS.index(self.label)])
            if self.p[top] < kept + self.margin and kept >= self.below:
                label = self.label
        self.label = label
        return label, label == "uncertain"


def replay(clip: Clip, setting: TrackerOptions | None, step: int) -> list[tuple[str, bool] | None]:
    """(label, uncertain) per used frame (every ``step``-th), None where no face was found.
    ``setting`` None is the "before" tracker."""
    tracker = FaceTracker(setting) if setting is not None else BeforeTracker()
    out: list[tuple[str, bool] | None] = []
    for i in range(0, len(clip.times_s), step):
        box, probs = clip.boxes[i], clip.probs[i]
        if isinstance(tracker, BeforeTracker):
            out.append(tracker.update(probs) if probs is not None else None)
            continue
        if box is None:
            tracker.update([], np.zeros((0, len(EMOTIONS))), float(clip.times_s[i]))
            out.append(None)
            continue
        state = tracker.update([box], probs[None], float(clip.times_s[i]))[0]
        out.append((state.label, state.uncertain))
    return out


def changes(values: list) -> int:
    seen = [v for v in values if v is not None]
    return sum(a != b for a, b in zip(seen, seen[1:], strict=False))


@dataclass
class Scores:
    still_rates: list[float] = field(default_factory=list)   # label changes/s per still face
    flag_rates: list[float] = field(default_factory=list)    # uncertain flips/s per still face
    cut_delays: list[float] = field(default_factory=list)    # s; inf where never
    uncertain: list[bool] = field(default_factory=list)
    same_as_30: list[bool] = field(default_factory=list)       # the label
    same_flag_as_30: list[bool] = field(default_factory=list)  # the uncertain flag


def score(stills: list[Clip], cuts: Clip | None, targets: dict[int, str],
          setting: TrackerOptions | None, step: int) -> Scores:
    s = Scores()
    clips = [*stills, *([cuts] if cuts is not None else [])]
    for clip in clips:
        shown = replay(clip, setting, step)
        at30 = replay(clip, setting, 1)[::step] if step > 1 else shown
        s.uncertain += [v[1] for v in shown if v is not None]
        both = [(a, b) for a, b in zip(shown, at30, strict=True)
                if a is not None and b is not None]
        s.same_as_30 += [a[0] == b[0] for a, b in both]
        s.same_flag_as_30 += [a[1] == b[1] for a, b in both]
        if clip is not cuts:
            duration = len(clip.times_s) / FPS
            s.still_rates.append(changes([v[0] if v else None for v in shown]) / duration)
            s.flag_rates.append(changes([v[1] if v else None for v in shown]) / duration)
            continue
        times = clip.times_s[::step]
        bounds = [*clip.cuts, len(clip.times_s)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            before_face, face = clip.face_of[start - 1], clip.face_of[start]
            if targets[before_face] == targets[face]:
                continue
            used = range((start + step - 1) // step, (end + step - 1) // step)
            hit = next((j for j in used if shown[j] and shown[j][0] == targets[face]), None)
            s.cut_delays.append(math.inf if hit is None else
                                max(0.0, times[hit] - clip.times_s[start]))
    return s


# ------------------------------------------------------------------- tables

def fmt_delay(values: list[float], pick: str) -> str:
    """The median or the largest finite delay (a cut never followed counts as infinite)."""
    if not values:
        return "-"
    finite = [v for v in values if math.isfinite(v)]
    value = statistics.median(values) if pick == "median" else max(finite, default=math.inf)
    return "never" if math.isinf(value) else f"{value:.2f}"


def row(name: str, fps: int, s: Scores) -> str:
    never = sum(math.isinf(v) for v in s.cut_delays)
    steady = sum(r == 0 for r in s.still_rates)
    return (f"{name:<22}{fps:>4}  {statistics.mean(s.still_rates):>8.3f}"
            f"{max(s.still_rates):>8.3f}{steady:>5}/{len(s.still_rates):<3}"
            f"{fmt_delay(s.cut_delays, 'median'):>8}{fmt_delay(s.cut_delays, 'max'):>7}"
            f"{never:>4}/{len(s.cut_delays):<3}{np.mean(s.uncertain):>8.1%}"
            f"{statistics.mean(s.flag_rates):>8.3f}{np.mean(s.same_as_30):>8.1%}"
            f"{np.mean(s.same_flag_as_30):>8.1%}")


HEADER = (f"{'setting':<22}{'fps':>4}  {'chg/s':>8}{'worst':>8}{'steady':>9}"
          f"{'cut_med':>8}{'max':>7}{'never':>8}{'unsure':>8}{'flag/s':>8}{'=30fps':>8}"
          f"{'flag=30':>8}")
LEGEND = ("chg/s, worst: label changes per second on still faces (mean, worst face); steady: "
          "still faces with no change at all;\ncut_med, max: seconds from a cut to the new "
          "label; never: cuts where it did not come before the next cut; unsure: share of "
          "frames\nshown as uncertain; flag/s: flips of the uncertain flag per second on still "
          "faces; =30fps, flag=30: frames whose label, and whose uncertain flag, are as at 30 fps.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--still-s", type=float, default=30.0,
                        help="seconds of each still face (default 30)")
    parser.add_argument("--faces", type=int, default=6,
                        help="face images in all, the sample photo included (default 6)")
    parser.add_argument("--cuts", type=int, default=12, help="cuts between faces (default 12)")
    parser.add_argument("--segment-s", type=float, default=2.0,
                        help="seconds each face is shown between cuts (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sweep", action="store_true",
                        help="also tabulate time constants x switch margins")
    parser.add_argument("--motion", action="store_true",
                        help="a harder material: the head also tilts, nods and sways as when "
                             "talking (a few degrees, a few percent, a few pixels)")
    parser.add_argument("--observations", type=Path, metavar="FILE.npz",
                        help="keep the detector and classifier answers in FILE.npz and reuse "
                             "them when it exists (same options), to try settings quickly")
    add_csv_arguments(parser)
    args = parser.parse_args()

    started = time.perf_counter()
    if args.observations is not None and args.observations.is_file():
        names, stills, cuts = load_observations(args.observations)
    else:
        names, stills, cuts = make_observations(args)
        if args.observations is not None:
            save_observations(args.observations, names, stills, cuts)
    elapsed = time.perf_counter() - started
    targets = still_labels(stills)
    missing = sum(p is None for clip in [*stills, *([cuts] if cuts else [])] for p in clip.probs)
    n_cuts = len(cuts.cuts) if cuts is not None else 0
    kept = sum(1 for c in (cuts.cuts if cuts is not None else [])
               if cuts.boxes[c - 1] is not None and cuts.boxes[c] is not None
               and iou_matrix(cuts.boxes[c - 1][None], cuts.boxes[c][None])[0, 0]
               >= TrackerOptions().min_iou)
    print(f"{len(stills)} faces x {len(stills[0].times_s) / FPS:g} s still, {n_cuts} cuts "
          f"({kept} keep the face's track); {missing} frames without a face; material and "
          f"models {elapsed:.0f} s")
    print("faces: " + ", ".join(f"{name} ({targets[k]})" for k, name in enumerate(names)))
    new = TrackerOptions()
    settings = [("off", TrackerOptions(smoothing_s=0.0)), ("before (0.35/frame)", None),
                (f"new ({new.smoothing_s:g} s, {new.switch_margin:g})", new)]
    print(HEADER)
    for name, setting in settings:
        for step in (1, 2):
            print(row(name, round(FPS / step), score(stills, cuts, targets, setting, step)))
    print(f"targets: still faces no change in {args.still_s:g} s; new label within "
          f"{TARGET_CUT_S} s (median) after a cut; the same labels at 15 and 30 fps")
    print(LEGEND)
    if args.sweep:
        print("\nsweep (time constant s, switch margin):")
        print(HEADER)
        for tau in (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0):
            for margin in (0.0, 0.05, 0.1, 0.15, 0.2):
                setting = TrackerOptions(smoothing_s=tau, switch_margin=margin)
                for step in (1, 2):
                    print(row(f"{tau:g} s, {margin:g}", round(FPS / step),
                              score(stills, cuts, targets, setting, step)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
