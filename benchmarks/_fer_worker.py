"""Time the `fer` PyPI package on frames given by benchmarks/live_pipeline.py or detection.py.

Runs in the benchmark's own venv that has ``fer`` installed (never the app's venv), so it imports
only fer, OpenCV, numpy and the standard library. It reads an ``.npz`` of BGR frames (one array
per case), times ``FER(mtcnn=False).detect_emotions(frame)`` (fer's Haar detector and its Keras
mini-Xception, TensorFlow's default threads) after a warm-up, and prints one JSON line:
``{"cases": {name: {"found": n, "end_to_end": ms}}, "fer_version": ..., ...}`` (median ms).

With ``--boxes`` it runs only fer's default detector (``FER(mtcnn=False).find_faces``: its
Haar cascade) once per frame, OpenCV on one thread, and prints
``{"frames": {name: {"boxes": [[x1, y1, x2, y2], ...], "ms": ms, "cpu_ms": ms}}, ...}``.
(``FER(mtcnn=True)`` is not offered: in this venv, TensorFlow 2.21 with PyTorch 2.14, it
crashes with a segmentation fault on the first frame.)

    FER_PYTHON benchmarks/_fer_worker.py FRAMES.npz [--repeats 15] [--warmup 3]
    FER_PYTHON benchmarks/_fer_worker.py FRAMES.npz --boxes
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings


def peak_rss_mb() -> float | None:
    """Peak resident memory of this process, where the platform reports it (not Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def boxes_per_frame(detector, data) -> dict:
    """fer's detector alone on every frame of ``data`` (an open .npz), after one warm-up."""
    frames = {}
    for i, name in enumerate(data.files):
        frame = data[name]
        if i == 0:
            detector.find_faces(frame)
        t0, c0 = time.perf_counter(), time.thread_time()
        found = detector.find_faces(frame)
        ms, cpu_ms = (time.perf_counter() - t0) * 1e3, (time.thread_time() - c0) * 1e3
        frames[name] = {"boxes": [[int(x), int(y), int(x + w), int(y + h)]
                                  for x, y, w, h in found], "ms": ms, "cpu_ms": cpu_ms}
    return frames


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("frames", help=".npz written by the benchmark, one array per case")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--boxes", action="store_true", help="fer's detector alone, boxes out")
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore")  # fer imports pkg_resources; TF warns about oneDNN
    import numpy as np
    from fer import FER, __version__

    if args.boxes:
        import cv2

        cv2.setNumThreads(1)
        detector = FER(mtcnn=False)
        with np.load(args.frames) as data:
            frames = boxes_per_frame(detector, data)
        print(json.dumps({"frames": frames, "fer_version": __version__,
                          "peak_rss_mb": peak_rss_mb()}))
        return 0
    detector = FER(mtcnn=False)
    cases = {}
    with np.load(args.frames) as data:
        for name in data.files:
            frame = data[name]
            times, found = [], 0
            for i in range(args.warmup + args.repeats):
                t0 = time.perf_counter()
                found = len(detector.detect_emotions(frame))
                if i >= args.warmup:
                    times.append((time.perf_counter() - t0) * 1e3)
            cases[name] = {"found": found, "end_to_end": statistics.median(times)}
    print(json.dumps({"cases": cases, "fer_version": __version__, "repeats": args.repeats,
                      "warmup": args.warmup, "peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
