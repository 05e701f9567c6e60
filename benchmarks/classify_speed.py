"""What one face costs the classifier, model folder by model folder, on this machine.

    python benchmarks/classify_speed.py [MODEL_DIR ...] [--calls 300] [--rounds 5]
        [--threads 1]

Issue 12's target is "classify <= 0.7 ms a face". The same int8 file took 0.55 ms on one
machine and 1.20 ms on another (docs/performance.md), so a figure means nothing without the
CPU it came from: the table's first line names it (``/proc/cpuinfo``'s model, the cores, the
load average) and every folder is timed in the same run, round by round in turn, so that a
ratio between two models holds even where the absolute figures do not.

Each folder is loaded as the app loads it (``EmotionClassifier.load``: the int8 file when
there is one, one LiteRT thread by default) and given one face at a time, as the live view
does for one face; a round is ``--calls`` calls, its median is kept, and the table shows the
median of the rounds' medians and their spread. Default folder: the shipped model
(``assets/``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import machine_line  # noqa: E402

from fer_desktop.core import preprocess  # noqa: E402
from fer_desktop.core.model import EmotionClassifier  # noqa: E402

Key = tuple[str, str]  # (the folder as given, the file the classifier runs)


def time_rounds(classifiers: dict[Key, EmotionClassifier], calls: int,
                rounds: int) -> dict[Key, list[float]]:
    """Each round's median ms a call, for every classifier, the classifiers taking turns."""
    face = np.random.default_rng(0).random((1, *preprocess.INPUT_SHAPE), np.float32)
    medians: dict[Key, list[float]] = {name: [] for name in classifiers}
    for classifier in classifiers.values():
        classifier.predict(face)  # the first call allocates: not timed
    for _ in range(rounds):
        for name, classifier in classifiers.items():
            times = []
            for _ in range(calls):
                start = time.perf_counter()
                classifier.predict(face)
                times.append(time.perf_counter() - start)
            medians[name].append(1000.0 * statistics.median(times))
    return medians


def table(medians: dict[Key, list[float]], sizes: dict[Key, int]) -> list[str]:
    """The Markdown table: ms a face (median of the rounds), spread, x the first row."""
    rows = ["| model | file | MB | ms a face | rounds' range | x first |",
            "| --- | --- | ---: | ---: | --- | ---: |"]
    first = None
    for name, values in medians.items():
        mid = statistics.median(values)
        first = first or mid
        folder, file = name
        rows.append(f"| {folder} | {file} | {sizes[name] / 1e6:.2f} | {mid:.3f} | "
                    f"{min(values):.3f}-{max(values):.3f} | {mid / first:.2f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", default=[str(ROOT / "assets")],
                        help="model folders (model.json and its .tflite); default: assets/")
    parser.add_argument("--calls", type=int, default=300, help="calls in a round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads (the app: 1)")
    args = parser.parse_args(argv)
    classifiers, sizes = {}, {}
    for folder in args.models:
        classifier = EmotionClassifier.load(folder, num_threads=args.threads)
        name = (folder, classifier.model_path.name)
        classifiers[name] = classifier
        sizes[name] = classifier.model_path.stat().st_size
    print(machine_line())
    print(f"batch of one, {args.threads} LiteRT thread(s), {args.rounds} rounds of "
          f"{args.calls} calls\n")
    print("\n".join(table(time_rounds(classifiers, args.calls, args.rounds), sizes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
