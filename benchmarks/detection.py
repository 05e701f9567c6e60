"""Which faces does each detector find? Recall per face size, false faces, ms per frame.

Material, generated at run time and never saved: FER-2013 PrivateTest faces (48x48, from the
shared CSV; many identities, but tight crops without hair or jaw line) and, separately, the
astronaut's whole head from assets/sample.jpg (one identity, a real photographed head) pasted
with soft edges into 640x480 crops of real, face-free photographs shipped
with scikit-image (brick, coffee, rocket, ...; no person, no cat), at widths from 16 to 300 px
and as close-ups (a face 300-440 px wide), each turned by a random angle within +-30 degrees;
plus face-free frames of the same photographs for false faces. A face counts as found when a
box's centre lies within half a face width of the pasted face's centre and its width is
0.4-1.8 face widths.

Four tables:
1. recall per size band, false faces per 100 face-free frames and median ms per frame for the
   old path (BlazeFace as it shipped: min face 40 px), the new one (YuNet at each source's
   defaults, and without its second look), Haar, Haar with the `fer` package's settings, and
   the `fer` package's own detector (run in its own venv by benchmarks/_fer_worker.py, found
   as in benchmarks/live_pipeline.py: --fer-python, $FER_BENCH_PYTHON,
   /work/fer-bench-venv/bin/python; skipped with a note when there is none);
2. live: the camera's every-frame pass (YuNet min 32), the small-face schedule
   (detectors/schedule.py) and YuNet min 16 every frame, on still sequences of the sample-head
   frames: faces found, frames until found, false faces, CPU ms per frame;
3. eye-levelling: accuracy of the shipped model on FER faces found by YuNet, upright and
   turned, with and without levelling;
4. end to end (detect, crop, classify, track) for a 640x480 frame with 1 and 5 faces (the
   sample head), per source kind's defaults (fer_desktop/core/source_defaults.py).

    python benchmarks/detection.py [--per-band 20] [--seed 0] [--csv ...] [--fer-python PATH]

Needs scikit-image (pip install scikit-image; a benchmark-only dependency) and the FER-2013
CSV. Prints one table per question; timings use one thread (cv2.setNumThreads(1), LiteRT 1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fer2013 import add_csv_arguments, load_fer2013  # noqa: E402
from live_pipeline import FER_SETUP, FER_VENV_PYTHON, find_fer_python, run_fer_worker  # noqa: E402

from fer_desktop.core.detectors import create_detector  # noqa: E402
from fer_desktop.core.detectors.schedule import ScheduledDetector  # noqa: E402
from fer_desktop.core.detectors.yunet import YuNetDetector  # noqa: E402
from fer_desktop.core.model import EmotionClassifier  # noqa: E402
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions  # noqa: E402

FRAME_H, FRAME_W = 480, 640
# scikit-image's sample photographs without a person or an animal face in them.
BACKGROUNDS = ("brick", "coffee", "rocket", "grass", "gravel", "coins", "moon", "page", "text",
               "hubble_deep_field", "immunohistochemistry", "retina", "motorcycle_left",
               "motorcycle_right", "clock", "cell", "logo", "horse", "colorwheel")
BANDS = ((16, 24), (24, 32), (32, 48), (48, 96), (96, 200), (200, 300), (300, 440))
MAX_TURN_DEG = 30.0


def load_backgrounds() -> list[np.ndarray]:
    try:
        from skimage import data
    except ImportError:
        raise SystemExit("benchmarks/detection.py needs scikit-image for its background "
                         "photographs: pip install scikit-image") from None
    images = []
    for name in BACKGROUNDS:
        loader = getattr(data, name, None)
        if loader is None:
            continue
        try:
            image = np.asarray(loader())
        except Exception as exc:  # noqa: BLE001 - some are downloaded on demand: skip those
            print(f"(background {name} skipped: {exc})", file=sys.stderr)
            continue
        if image.dtype != np.uint8:
            image = (image > 0).astype(np.uint8) * 255 if image.dtype == bool else \
                cv2.normalize(image.astype(np.float32), None, 0, 255,
                              cv2.NORM_MINMAX).astype(np.uint8)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGR)
        else:
            image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        images.append(image)
    return images


def background(images: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A 640x480 view of a random photograph: random crop, scale and flip."""
    image = images[rng.integers(len(images))]
    h, w = image.shape[:2]
    zoom = rng.uniform(0.5, 1.0)
    ch, cw = max(8, int(h * zoom)), max(8, int(min(w, h * 4 / 3) * zoom))
    y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    view = cv2.resize(image[y:y + ch, x:x + cw], (FRAME_W, FRAME_H),
                      interpolation=cv2.INTER_LINEAR)
    return view[:, ::-1].copy() if rng.random() < 0.5 else view


# The astronaut's head in assets/sample.jpg: a 240 px square centred on the face (a whole head
# with hair, unlike FER-2013's tight crops). Its face width is taken as the width of YuNet's
# box around it, upright: 90 px (the unit min_face_px is in).
HEAD = (slice(0, 240), slice(103, 343))
HEAD_FACE_FRACTION = 90 / 240


def paste(frame: np.ndarray, face: np.ndarray, cx: float, cy: float, width: float,
          degrees: float) -> None:
    """Blend the face (a 48x48 gray FER face, or the BGR sample head), scaled so the face is
    ``width`` wide and turned by ``degrees``, centred at (cx, cy)."""
    if face.ndim == 2:
        face = cv2.cvtColor(face, cv2.COLOR_GRAY2BGR)
        fraction = 1.0
    else:
        fraction = HEAD_FACE_FRACTION
    scale = width / (face.shape[0] * fraction)
    if scale < 1:
        # Shrink with area averaging first, as a camera's optics would: a single warpAffine
        # with bilinear sampling skips pixels at large shrink factors and aliases the face
        # (YuNet's scores for 24-32 px faces drop by up to 0.1 with it).
        side = max(8, round(face.shape[0] * scale))
        face = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
    side = face.shape[0]
    face = face.astype(np.float32)
    mask = np.zeros((side, side), np.float32)
    # A soft oval (FER: the whole crop; the head: hair to chin), so no square corner shows.
    cv2.ellipse(mask, (side // 2, side // 2), (int(side * 0.46), int(side * 0.5)), 0, 0, 360,
                1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), side / 32)
    scale = width / (side * fraction)
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), degrees, scale)
    turn[:, 2] += (cx - side / 2, cy - side / 2)
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpAffine(face, turn, size, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(mask, turn, size, flags=cv2.INTER_LINEAR)[:, :, None]
    frame[:] = (warped * alpha + frame.astype(np.float32) * (1 - alpha)).astype(np.uint8)


def band_frames(faces, backgrounds, band, count, rng):
    """``count`` frames with faces of widths in ``band``; returns [(frame, [(cx, cy, w, deg,
    face index)])]."""
    lo, hi = band
    extent = 1.0 if faces[0].ndim == 2 else 1 / HEAD_FACE_FRACTION  # pasted side / face width
    frames, next_face = [], 0
    for _ in range(count):
        frame = background(backgrounds, rng)
        placed = []
        per_frame = 1 if lo >= 200 else 2 if lo >= 96 else 6
        for _ in range(per_frame * 20):  # tries
            if len(placed) == per_frame:
                break
            width = rng.uniform(lo, hi)
            reach = width * extent * 0.6  # the pasted oval's half extent, with margin
            if 2 * reach >= min(FRAME_W, FRAME_H):
                cx, cy = FRAME_W / 2 + rng.uniform(-40, 40), FRAME_H / 2
            else:
                cx = rng.uniform(reach, FRAME_W - reach)
                cy = rng.uniform(reach, FRAME_H - reach)
            if any(np.hypot(cx - px, cy - py) < (width + pw) * extent * 0.55
                   for px, py, pw, *_ in placed):
                continue
            degrees = rng.uniform(-MAX_TURN_DEG, MAX_TURN_DEG)
            paste(frame, faces[next_face % len(faces)], cx, cy, width, degrees)
            placed.append((cx, cy, width, degrees, next_face % len(faces)))
            next_face += 1
        frames.append((frame, placed))
    return frames


def matches(box: np.ndarray, cx: float, cy: float, width: float) -> bool:
    bx, by = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    bw = box[2] - box[0]
    return np.hypot(bx - cx, by - cy) <= width / 2 and 0.4 * width <= bw <= 1.8 * width


def timed(detector):
    """``detector`` as an answer function: frame -> (boxes, wall ms, CPU ms of this thread)."""
    def answer(frame):
        t0, c0 = time.perf_counter(), time.thread_time()
        boxes = [d.box for d in detector.detect(frame)]
        return boxes, (time.perf_counter() - t0) * 1e3, (time.thread_time() - c0) * 1e3
    return answer


def fer_package(python: Path, frames: list[np.ndarray]):
    """The `fer` package's own detector (``FER(mtcnn=False).find_faces``) on ``frames``, run
    once in its venv through benchmarks/_fer_worker.py; an answer function (see
    :func:`timed`) that looks each frame up, and fer's version."""
    names = {id(frame): f"f{i:05d}" for i, frame in enumerate(frames)}
    result = run_fer_worker(python, {names[id(f)]: f for f in frames}, "--boxes")

    def answer(frame):
        found = result["frames"][names[id(frame)]]
        return ([np.asarray(b, np.float32) for b in found["boxes"]], found["ms"],
                found["cpu_ms"])
    return answer, result["fer_version"]


def score_detector(answer, bands, empty_frames):
    """Recall per band, false faces per 100 empty frames, median wall and CPU ms per frame;
    ``answer``: frame -> (boxes, wall ms, CPU ms), see :func:`timed`."""
    times, cpu, recall = [], [], {}
    for band, frames in bands.items():
        found = total = 0
        for frame, placed in frames:
            boxes, ms, cpu_ms = answer(frame)
            times.append(ms)
            cpu.append(cpu_ms)
            used: set[int] = set()
            for cx, cy, width, *_ in placed:
                total += 1
                hit = next((i for i, b in enumerate(boxes)
                            if i not in used and matches(b, cx, cy, width)), None)
                if hit is not None:
                    used.add(hit)
                    found += 1
        recall[band] = found / max(1, total)
    false = 0
    for frame in empty_frames:
        boxes, ms, cpu_ms = answer(frame)
        false += len(boxes)
        times.append(ms)
        cpu.append(cpu_ms)
    return (recall, 100 * false / max(1, len(empty_frames)), statistics.median(times),
            statistics.median(cpu))


class FerSettingsHaar:
    """The `fer` package's detector settings (FER(mtcnn=False): OpenCV's frontal-face cascade,
    scaleFactor 1.1, minNeighbors 5, minSize 50 px, on the plain gray frame), run here with our
    OpenCV: a stand-in where the `fer` package itself is not installed."""

    name = "haar-fer-settings"

    def __init__(self) -> None:
        self._cascade = cv2.CascadeClassifier(
            str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))

    def detect(self, frame):
        from fer_desktop.core.types import Detection

        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        found = self._cascade.detectMultiScale(gray, 1.1, 5, minSize=(50, 50))
        return [Detection(box=[x, y, x + w, y + h]) for x, y, w, h in
                np.asarray(found).reshape(-1, 4)]


def levelling_table(faces, labels, backgrounds, classifier, rng, count: int) -> None:
    """Accuracy with and without eye-levelling, on upright and on turned faces."""
    cases = {"upright (0 deg)": lambda: 0.0,
             "turned 10-20 deg": lambda: rng.choice([-1, 1]) * rng.uniform(10, 20),
             "turned 20-30 deg": lambda: rng.choice([-1, 1]) * rng.uniform(20, 30)}
    print(f"\nEye-levelling: the shipped model on {count} FER-2013 faces per row (100-200 px, "
          "one per frame), YuNet min face 24; accuracy over the faces found with both settings")
    print(f"{'faces':18s} {'found':>6s} {'plain':>7s} {'levelled':>9s} {'change':>7s} "
          f"{'ms/face plain':>14s} {'ms/face lev.':>13s}")
    pipes = {level: FacePipeline(classifier, create_detector("yunet", min_face_px=24),
                                 PipelineOptions(smoothing=False, level_eyes=level))
             for level in (False, True)}
    for name, angle in cases.items():
        right = {False: 0, True: 0}
        prep = {False: [], True: []}
        found = 0
        for i in range(count):
            index = int(rng.integers(len(faces)))
            frame = background(backgrounds, rng)
            width = rng.uniform(100, 200)
            cx, cy = rng.uniform(150, FRAME_W - 150), rng.uniform(150, FRAME_H - 150)
            paste(frame, faces[index], cx, cy, width, angle())
            answers = {}
            for level, pipe in pipes.items():
                result = pipe.process(frame, index=i)
                hit = [f for f in result.faces if matches(f.box, cx, cy, width)]
                if hit:
                    answers[level] = int(np.argmax(hit[0].probabilities))
                    prep[level].append(result.timings_ms["preprocess"])
            if len(answers) == 2:
                found += 1
                for level in (False, True):
                    right[level] += int(answers[level] == labels[index])
        plain, levelled = right[False] / max(1, found), right[True] / max(1, found)
        print(f"{name:18s} {found / count:6.0%} {plain:7.3f} {levelled:9.3f} "
              f"{levelled - plain:+7.3f} {statistics.median(prep[False] or [0]):14.2f} "
              f"{statistics.median(prep[True] or [0]):13.2f}")


def end_to_end_table(head, backgrounds, classifier, rng, repeats: int) -> None:
    print(f"\nEnd to end (detect, eyes + crop, classify, track), 640x480 on a photograph, the "
          f"sample head upright, faces 80 px wide; model {classifier.name} "
          f"({classifier.model_path.name}); median (mean) of {repeats} frames")
    print(f"{'path':40s} {'faces':>5s} {'found':>5s} {'detect':>7s} {'prep.':>6s} "
          f"{'classify':>8s} {'total':>15s} {'CPU total':>15s}")
    frames = {}
    for n in (1, 5):
        frame = background(backgrounds, rng)
        spots = [(320, 240)] if n == 1 else [(110, 120), (320, 120), (530, 120), (215, 350),
                                             (425, 350)]
        for cx, cy in spots:
            paste(frame, head, cx, cy, 80, 0.0)
        frames[n] = frame
    paths = {"old: BlazeFace, min 40, not levelled": ("blazeface", 40, False, 1),
             "camera: YuNet min 32, eyes every 5th": ("yunet", 32, True, 5),
             "camera: YuNet min 32, not levelled": ("yunet", 32, False, 1),
             "camera, min 16 chosen: schedule, eyes 5th": ("yunet", 32, True, 5, 16),
             "video: YuNet min 20, eyes every 5th": ("yunet", 20, True, 5),
             "photo: YuNet min 16, eyes every frame": ("yunet", 16, True, 1)}
    for label, (name, min_face, level, every, *small) in paths.items():
        pipe = FacePipeline.from_classifier(classifier, PipelineOptions(
            detector=name, min_face_px=min_face, level_eyes=level, level_every=every,
            small_face_px=small[0] if small else None, num_threads=1))
        for n, frame in frames.items():
            rows, cpu = [], []
            for i in range(repeats + 3):
                c0 = time.thread_time()
                result = pipe.process(frame, index=i)
                if i >= 3:
                    rows.append(result.timings_ms)
                    cpu.append((time.thread_time() - c0) * 1e3)
            med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            mean = statistics.mean(r["total"] for r in rows)
            print(f"{label:40s} {n:5d} {len(result.faces):5d} {med['detect']:7.2f} "
                  f"{med['preprocess']:6.2f} {med['classify']:8.2f} "
                  f"{med['total']:7.2f} ({mean:5.2f}) {statistics.median(cpu):7.2f} "
                  f"({statistics.mean(cpu):5.2f})", flush=True)


def recall_tables(material: dict, empty: list[np.ndarray], fer_python: Path | None) -> None:
    """One table per source: recall per band, false faces and ms per frame per detector."""
    answers = {
        "old: BlazeFace, min 40 (as shipped)": timed(create_detector("blazeface",
                                                                     min_face_px=40)),
        "new: YuNet, min 16 (photos)": timed(YuNetDetector(min_face_px=16)),
        "YuNet, min 16, no second look": timed(YuNetDetector(min_face_px=16, recheck=False)),
        "new: YuNet, min 20 (videos)": timed(YuNetDetector(min_face_px=20)),
        "YuNet, min 24 (videos before)": timed(YuNetDetector(min_face_px=24)),
        "new: YuNet, min 32 (camera)": timed(YuNetDetector(min_face_px=32)),
        "BlazeFace, min 16": timed(create_detector("blazeface", min_face_px=16)),
        "Haar, min 24": timed(create_detector("haar", min_face_px=24)),
        "Haar with fer's settings (not fer)": timed(FerSettingsHaar()),
    }
    note = ("(the `fer` package was not found (--fer-python, $FER_BENCH_PYTHON, "
            f"{FER_VENV_PYTHON}): its detector, OpenCV's Haar cascade, is reproduced in the "
            f"row with its settings; create it with: {FER_SETUP})")
    if fer_python:
        every = [f for bands in material.values() for frames in bands.values()
                 for f, _ in frames] + empty
        answers["fer package: FER().find_faces"], version = fer_package(fer_python, every)
        note = (f"(fer package = fer {version}'s own detector, FER(mtcnn=False).find_faces, "
                f"run by {fer_python} through benchmarks/_fer_worker.py on the same frames, "
                "OpenCV on one thread)")
    titles = " ".join(f"{f'{lo}-{hi}':>7s}" for lo, hi in BANDS)
    for source, bands in material.items():
        n_faces = [str(sum(len(p) for _, p in bands[b])) for b in BANDS]
        print(f"\n{source} faces: recall per face width band (px; faces per band: "
              f"{', '.join(n_faces)}); false faces per 100 face-free frames; ms per frame "
              "(all frames)")
        print(f"{'detector':36s} {titles} {'FP/100':>7s} {'ms/frame':>9s} {'CPU ms':>7s}")
        for label, answer in answers.items():
            recall, fp, ms, cpu_ms = score_detector(answer, bands, empty)
            row = " ".join(f"{recall[b]:7.0%}" for b in BANDS)
            print(f"{label:36s} {row} {fp:7.1f} {ms:9.2f} {cpu_ms:7.2f}", flush=True)
    print(note)


def live_sequence(detector, frame, placed, steps: int):
    """``frame`` shown ``steps`` times (a still camera); per face the first step it is found
    at (None: never) and whether it is found in the last step, false faces per step, and CPU
    ms per step."""
    if hasattr(detector, "reset"):
        detector.reset()
    first: list[int | None] = [None] * len(placed)
    last = [False] * len(placed)
    false, cpu = [], []
    for step in range(steps):
        c0 = time.thread_time()
        boxes = [d.box for d in detector.detect(frame)]
        cpu.append((time.thread_time() - c0) * 1e3)
        hits = set()
        for k, (cx, cy, width, *_) in enumerate(placed):
            hit = next((i for i, b in enumerate(boxes)
                        if i not in hits and matches(b, cx, cy, width)), None)
            if hit is not None:
                hits.add(hit)
                first[k] = step if first[k] is None else first[k]
                last[k] = step == steps - 1
        false.append(len(boxes) - len(hits))
    return first, last, false, cpu


def live_table(head_bands: dict, empty: list[np.ndarray], steps: int) -> None:
    """The camera's every-frame pass against the small-face schedule on still sequences."""
    print(f"\nLive, camera: each frame of the sample-head material shown {steps} times (a "
          "still camera); per band: faces found (in the last frame) / median frames until "
          "found; false faces per 100 frames over every frame of the face-free sequences; "
          "CPU ms per frame, median and 95th percentile")
    bands = [b for b in BANDS if b[0] < 48]
    print(f"{'detector':40s} " + " ".join(f"{f'{lo}-{hi}':>11s}" for lo, hi in bands)
          + f" {'FP/100':>7s} {'CPU ms':>7s} {'p95':>6s}")
    detectors = {"camera, Auto: YuNet min 32 every frame": YuNetDetector(min_face_px=32),
                 "camera, min 16 chosen: the schedule": ScheduledDetector(32, 16),
                 "YuNet min 16 every frame": YuNetDetector(min_face_px=16)}
    for label, detector in detectors.items():
        cpu, row = [], []
        for band in bands:
            delays, kept, total = [], 0, 0
            for frame, placed in head_bands[band]:
                first, last, _, ms = live_sequence(detector, frame, placed, steps)
                cpu += ms
                total += len(placed)
                kept += sum(last)
                delays += [f for f in first if f is not None]
            delay = f"{statistics.median(delays):.0f}" if delays else "-"
            row.append(f"{kept / max(1, total):6.0%} / {delay:>2s}")
        false = []
        for frame in empty:
            _, _, wrong, ms = live_sequence(detector, frame, [], steps)
            false += wrong
            cpu += ms
        print(f"{label:40s} {' '.join(row)} {100 * statistics.mean(false):7.1f} "
              f"{statistics.median(cpu):7.2f} {np.percentile(cpu, 95):6.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_csv_arguments(parser)
    parser.add_argument("--per-band", type=int, default=20, help="frames per size band")
    parser.add_argument("--empty", type=int, default=100, help="face-free frames")
    parser.add_argument("--level-faces", type=int, default=250, help="faces per levelling row")
    parser.add_argument("--repeats", type=int, default=20, help="end-to-end repeats")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fer-python", help="python of a venv with fer installed (default: "
                        f"$FER_BENCH_PYTHON, else {FER_VENV_PYTHON})")
    parser.add_argument("--no-fer", action="store_true", help="skip the fer package's detector")
    parser.add_argument("--live-steps", type=int, default=32,
                        help="frames per still sequence in the live table")
    parser.add_argument("--live-empty", type=int, default=30,
                        help="face-free sequences in the live table")
    parser.add_argument("--tables", default="recall,live,levelling,e2e",
                        help="which tables to print (comma-separated; default all four)")
    args = parser.parse_args(argv)
    data = load_fer2013(args)
    if data is None:
        return 2
    cv2.setNumThreads(1)
    rng = np.random.default_rng(args.seed)
    faces = np.asarray(data.images["PrivateTest"])
    labels = np.asarray(data.labels["PrivateTest"])
    faces = faces.reshape(len(faces), 48, 48)
    backgrounds = load_backgrounds()
    order = rng.permutation(len(faces))
    head = cv2.imread(str(ROOT / "assets" / "sample.jpg"))[HEAD]
    sources = {"FER-2013": faces[order], "sample head": head[None]}
    material = {source: {band: band_frames(pool, backgrounds, band, args.per_band, rng)
                         for band in BANDS} for source, pool in sources.items()}
    empty = [background(backgrounds, rng) for _ in range(args.empty)]
    print(f"{len(backgrounds)} background photographs; faces turned within "
          f"+-{MAX_TURN_DEG:.0f} deg; 640x480 frames; {args.empty} face-free frames; one "
          f"thread; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (ms/frame "
          "is wall time, CPU ms the thread's own CPU time: less sensitive to other load)")
    tables = set(args.tables.split(","))
    if "recall" in tables:
        fer_python = None if args.no_fer else find_fer_python(args.fer_python)
        recall_tables(material, empty, fer_python)
    if "live" in tables:
        live_table(material["sample head"], empty[:args.live_empty], args.live_steps)
    classifier = EmotionClassifier.load(num_threads=1)
    if "levelling" in tables:
        levelling_table(faces, labels, backgrounds, classifier, rng, args.level_faces)
    if "e2e" in tables:
        end_to_end_table(head, backgrounds, classifier, rng, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
