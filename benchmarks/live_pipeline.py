"""How fast is the live pipeline, stage by stage, and how much memory does it take?

Prints one table: median milliseconds per stage (detect, crop+preprocess, classify, track,
overlay) and end to end (process + overlay) for 640x480 and 1280x720 frames with 1 and 5
faces, for YuNet with the camera's defaults (the app's default detector;
fer_desktop/core/source_defaults.py), BlazeFace and Haar, in wall time and in the thread's own
CPU time (which a loaded machine inflates much less); and, on the same frames, a naive
pipeline (Haar box, Keras ``model.predict`` once per face on assets/model.keras) with the
ratio naive / ours, and the `fer` PyPI package's pipeline (``FER(mtcnn=False).detect_emotions``:
its Haar detector and Keras mini-Xception) with the ratio fer / ours. Then the resident memory
of a fresh process that runs only the app's pipeline (no TensorFlow).

    python benchmarks/live_pipeline.py [--repeats 40] [--threads 1] [--fer-python PATH]

``fer`` is never a dependency of the app: it runs in its own venv, outside the repo, through
benchmarks/_fer_worker.py in a subprocess that gets the exact frames as an ``.npz``. Create it
once (fer 22.5.1 installs beside current TensorFlow only with moviepy<2 and setuptools<81)::

    python3.11 -m venv /work/fer-bench-venv
    /work/fer-bench-venv/bin/pip install "fer==22.5.1" tensorflow-cpu "moviepy<2" "setuptools<81"

Its interpreter is found by ``--fer-python``, else ``$FER_BENCH_PYTHON``, else
/work/fer-bench-venv/bin/python; without one the fer column is skipped with a note.

Frames are composed from assets/sample.jpg (head crops pasted in a grid on grey). The app's
pipeline uses LiteRT with ``--threads`` threads (1 by default: a training run may hold the
other core); Keras uses TensorFlow's default thread pools.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import machine_line  # noqa: E402

from fer_desktop.core.crop import face_inputs  # noqa: E402
from fer_desktop.core.detectors import create_detector  # noqa: E402
from fer_desktop.core.model import KERAS_FILE  # noqa: E402
from fer_desktop.core.overlay import OverlayPainter  # noqa: E402
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions  # noqa: E402
from fer_desktop.core.source_defaults import options_for  # noqa: E402

SIZES = {"640x480": (480, 640, 200), "1280x720": (720, 1280, 300)}  # h, w, head side
HEAD = (slice(20, 260), slice(110, 350))  # the astronaut's head in sample.jpg, 240x240
FER_VENV_PYTHON = Path("/work/fer-bench-venv/bin/python")
FER_SETUP = ('python3.11 -m venv /work/fer-bench-venv && /work/fer-bench-venv/bin/pip install '
             '"fer==22.5.1" tensorflow-cpu "moviepy<2" "setuptools<81"')


def compose(size: str, faces: int) -> np.ndarray:
    """A grey frame with ``faces`` head crops of the sample (3 on top, 2 below)."""
    h, w, side = SIZES[size]
    sample = cv2.imread(str(ROOT / "assets" / "sample.jpg"))
    head = cv2.resize(sample[HEAD], (side, side), interpolation=cv2.INTER_AREA)
    frame = np.full((h, w, 3), 120, np.uint8)
    slots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)] if faces > 1 else [(0, 0)]
    gap_x = (w - 3 * side) // 4
    for row, col in slots[:faces]:
        x = gap_x + col * (side + gap_x) + (0 if faces > 1 else (w - side) // 2 - gap_x)
        y = 10 + row * (side + 10) if faces > 1 else (h - side) // 2
        frame[y:y + side, x:x + side] = head
    return frame


def bench_ours(pipeline: FacePipeline, painter: OverlayPainter, frame: np.ndarray,
               repeats: int) -> dict:
    stages: dict[str, list[float]] = {}
    found = 0
    for i in range(repeats + 5):
        t0, c0 = time.perf_counter(), time.thread_time()
        result = pipeline.process(frame, i)
        t1 = time.perf_counter()
        painter.draw(frame, result.faces)
        t2, c2 = time.perf_counter(), time.thread_time()
        if i < 5:  # warm-up
            continue
        stages.setdefault("cpu", []).append((c2 - c0) * 1e3)
        found = len(result.faces)
        for key, value in result.timings_ms.items():
            stages.setdefault(key, []).append(value)
        stages.setdefault("overlay", []).append((t2 - t1) * 1e3)
        stages.setdefault("end_to_end", []).append((t2 - t0) * 1e3)
    return {"found": found, **{k: statistics.median(v) for k, v in stages.items()}}


def bench_naive(keras_model, haar, painter: OverlayPainter, frame: np.ndarray,
                repeats: int) -> dict:
    """The textbook way: Haar, then ``model.predict`` for each face separately."""
    times, found = [], 0
    for i in range(repeats + 2):
        t0 = time.perf_counter()
        detections = haar.detect(frame)
        for d in detections:
            keras_model.predict(face_inputs(frame, [d.box], 1.0), verbose=0)
        t1 = time.perf_counter()
        if i >= 2:
            times.append((t1 - t0) * 1e3)
            found = len(detections)
    return {"found": found, "end_to_end": statistics.median(times)}


def find_fer_python(option: str | None) -> Path | None:
    """The interpreter of the venv that has ``fer``: the option, $FER_BENCH_PYTHON, the default."""
    chosen = option or os.environ.get("FER_BENCH_PYTHON")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise SystemExit(f"--fer-python / $FER_BENCH_PYTHON: {path} is not a file; point it "
                             f"at the python of a venv with fer installed ({FER_SETUP})")
        return path
    return FER_VENV_PYTHON if FER_VENV_PYTHON.is_file() else None


def run_fer_worker(python: Path, frames: dict[str, np.ndarray], *options: str) -> dict:
    """Run benchmarks/_fer_worker.py under ``python`` (a venv with fer) on ``frames`` (name ->
    BGR frame, handed over as an .npz) with ``options``; its JSON answer."""
    with tempfile.TemporaryDirectory(prefix="fer-bench-") as tmp:
        path = Path(tmp) / "frames.npz"
        np.savez(path, **frames)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
        child = subprocess.run([str(python), str(Path(__file__).with_name("_fer_worker.py")),
                                str(path), *options], capture_output=True, text=True, env=env)
    if child.returncode != 0:
        raise SystemExit(f"fer worker failed under {python} (exit {child.returncode}); is fer "
                         f"installed there? ({FER_SETUP})\n{child.stderr[-2000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def bench_fer(python: Path, frames: dict[tuple[str, int], np.ndarray], repeats: int) -> dict:
    """Time fer's ``detect_emotions`` on ``frames`` in a subprocess run by ``python``."""
    named = {f"{size}_{faces}": f for (size, faces), f in frames.items()}
    result = run_fer_worker(python, named, "--repeats", str(repeats))
    result["cases"] = {(size, faces): result["cases"][f"{size}_{faces}"] for size, faces in frames}
    return result


def memory_child(threads: int) -> None:
    """Run only the app's pipeline in this (fresh) process and print its resident memory."""
    import psutil

    pipeline = FacePipeline.create(options=PipelineOptions(num_threads=threads))
    painter = OverlayPainter()
    for size in SIZES:
        frame = compose(size, 5)
        for i in range(30):
            painter.draw(frame, pipeline.process(frame, i).faces)
    haar = FacePipeline.create(options=PipelineOptions(detector="haar", num_threads=threads))
    haar.process(compose("1280x720", 5))
    rss = psutil.Process().memory_info().rss / 2**20
    print(json.dumps({"rss_mb": rss, "tensorflow_loaded": "tensorflow" in sys.modules}))


def print_table(args: argparse.Namespace, cases: list, pipelines: list[str], ours: dict,
                naive: dict, fer: dict | None, memory: dict, fer_python: str | None) -> None:
    """The benchmark's one table, then what each comparison measured."""
    print(machine_line())
    print(f"median ms per frame ({args.repeats} frames; LiteRT threads {args.threads}; "
          f"{os.cpu_count()} CPUs)")
    header = (f"{'frame':9s} {'faces':>5s} {'pipeline':10s} {'found':>5s} {'detect':>7s} "
              f"{'crop+pre':>8s} {'classify':>8s} {'track':>6s} {'overlay':>7s} "
              f"{'end2end':>8s} {'CPU':>6s} {'fps':>6s} {'naive/ours':>10s} {'fer/ours':>8s}")
    print(header)
    print("-" * len(header))
    for size, faces in cases:
        for name in pipelines:
            r = ours[(size, faces, name)]
            ratio = fer_ratio = ""
            if naive and name != "haar":
                ratio = f"{naive[(size, faces)]['end_to_end'] / r['end_to_end']:.1f}x"
            if fer and name != "haar":
                fer_ratio = f"{fer['cases'][(size, faces)]['end_to_end'] / r['end_to_end']:.1f}x"
            print(f"{size:9s} {faces:5d} {name:10s} {r['found']:5d} {r['detect']:7.2f} "
                  f"{r['preprocess']:8.2f} {r['classify']:8.2f} {r['track']:6.2f} "
                  f"{r['overlay']:7.2f} {r['end_to_end']:8.2f} {r['cpu']:6.2f} "
                  f"{1000 / r['end_to_end']:6.0f} "
                  f"{ratio:>10s} {fer_ratio:>8s}")
        others = [("naive", naive.get((size, faces)), "1.0x", ""),
                  ("fer", fer["cases"][(size, faces)] if fer else None, "", "1.0x")]
        for label, n, naive_col, fer_col in others:
            if n:
                print(f"{size:9s} {faces:5d} {label:10s} {n['found']:5d} {'':7s} {'':8s} "
                      f"{'':8s} {'':6s} {'':7s} {n['end_to_end']:8.2f} {'':6s} "
                      f"{1000 / n['end_to_end']:6.0f} {naive_col:>10s} {fer_col:>8s}")
    print()
    print(f"resident memory of a fresh process running both app pipelines: "
          f"{memory['rss_mb']:.0f} MB (TensorFlow loaded: {memory['tensorflow_loaded']})")
    print("naive = Haar + Keras model.predict per face (assets/model.keras); "
          "naive/ours = naive end-to-end / that row's end-to-end (wall time)")
    if fer:
        peak = fer["peak_rss_mb"]
        print(f"fer = fer {fer['fer_version']} FER(mtcnn=False).detect_emotions (its Haar + Keras "
              f"mini-Xception, TensorFlow default threads; {fer['repeats']} frames after "
              f"{fer['warmup']} warm-up; {fer_python}); "
              "fer/ours = fer end-to-end / that row's end-to-end (wall time)"
              + (f"; fer worker peak memory {peak:.0f} MB" if peak else ""))
    elif args.no_fer:
        print("fer comparison skipped (--no-fer)")
    else:
        print(f"fer comparison skipped: no python with fer found (--fer-python, "
              f"$FER_BENCH_PYTHON, {FER_VENV_PYTHON}); create it with: {FER_SETUP}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--naive-repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads per model")
    parser.add_argument("--no-naive", action="store_true", help="skip the Keras comparison")
    parser.add_argument("--fer-python", help="python of a venv with fer installed (default: "
                        f"$FER_BENCH_PYTHON, else {FER_VENV_PYTHON})")
    parser.add_argument("--fer-repeats", type=int, default=15)
    parser.add_argument("--no-fer", action="store_true", help="skip the fer package comparison")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.threads)
        return 0
    fer_python = None if args.no_fer else find_fer_python(args.fer_python)

    child = subprocess.run([sys.executable, __file__, "--memory-child", "--threads",
                            str(args.threads)], capture_output=True, text=True, check=True)
    memory = json.loads(child.stdout.strip().splitlines()[-1])

    painter = OverlayPainter()
    camera = options_for("camera", PipelineOptions(num_threads=args.threads))
    pipelines = {name: FacePipeline.create(options=PipelineOptions(detector=name,
                                                                   num_threads=args.threads))
                 for name in ("blazeface", "haar")}
    pipelines = {"yunet": FacePipeline.create(options=camera), **pipelines}
    cases = [(size, faces) for size in SIZES for faces in (1, 5)]
    frames = {case: compose(*case) for case in cases}  # every pipeline sees these same frames
    ours = {}
    for size, faces in cases:
        for name, pipeline in pipelines.items():
            pipeline.reset()
            ours[(size, faces, name)] = bench_ours(pipeline, painter, frames[(size, faces)],
                                                   args.repeats)
    naive = {}
    if not args.no_naive:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras

        model = keras.models.load_model(ROOT / "assets" / KERAS_FILE, compile=False)
        haar = create_detector("haar")
        for size, faces in cases:
            naive[(size, faces)] = bench_naive(model, haar, painter, frames[(size, faces)],
                                               args.naive_repeats)
    fer = bench_fer(fer_python, frames, args.fer_repeats) if fer_python else None

    print_table(args, cases, list(pipelines), ours, naive, fer, memory, fer_python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
