"""How fast does ``fer-desktop analyze`` go on one core, and with ``--jobs N``?

Writes ``--videos`` generated 640x480 MJPG clips (the sample face drifting across a grey
frame, one face per frame, ``--frames`` frames each at 30 fps) to a temporary folder, then
times the whole command (start-up and model loading included) ``--repeat`` times for:

* ``--jobs 1`` pinned to one core (``taskset -c 0``): the frames/s of one core;
* ``--jobs 1`` as shipped (LiteRT may use two threads);
* ``--jobs N`` for each N of ``--jobs`` (default: 2 and the machine's core count).

It prints one table (medians) and what 1,000 hours of 30 fps video would take on N cores at
the measured per-core rate, every frame and every 5th frame (``--every 5``). Also checks that
every run wrote the same CSV.

    python benchmarks/batch_analyze.py [--videos 8] [--frames 90] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from fer_desktop.synthetic import drifting_face, write_video  # noqa: E402

HOURS, FPS = 1000, 30


def write_clips(folder: Path, videos: int, frames: int) -> list[Path]:
    sample = cv2.imread(str(ROOT / "assets" / "sample.jpg"))
    return [write_video(folder / f"clip{v:02d}.avi",
                        drifting_face(sample, frames, face_px=240, top_px=120,
                                      background=90 + v), 30.0)
            for v in range(videos)]


def run(clips: list[Path], out: Path, jobs: int, pin: bool) -> float:
    command = [sys.executable, "-m", "fer_desktop", "analyze", *map(str, clips), "--out",
               str(out), "--jobs", str(jobs), "--no-progress"]
    if pin:
        command = ["taskset", "-c", "0", *command]
    out.unlink(missing_ok=True)  # analyze leaves an existing file alone
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"analyze failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=8)
    parser.add_argument("--frames", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+",
                        default=sorted({2, os.cpu_count() or 1}))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fer-batch-bench-"))
    try:
        clips = write_clips(folder, args.videos, args.frames)
        total = args.videos * args.frames
        configs = [("--jobs 1, one core (taskset)", 1, True, 1),
                   ("--jobs 1", 1, False, min(2, os.cpu_count() or 1))]
        configs += [(f"--jobs {n}", n, False, n) for n in args.jobs if n > 1]
        timings: dict[str, list[float]] = {name: [] for name, *_ in configs}
        digests = set()
        for _ in range(args.repeat):  # interleaved, so a load change hits every row alike
            for name, jobs, pin, _cores in configs:
                out = folder / "out.csv"
                timings[name].append(run(clips, out, jobs, pin))
                digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
        load = os.getloadavg()[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    base = statistics.median(timings[configs[1][0]])
    print(f"{args.videos} clips x {args.frames} frames (640x480, one face) = {total} frames; "
          f"{os.cpu_count()} cores; load average {load:.1f}; medians of {args.repeat}; "
          f"CSV identical in every run: {'yes' if len(digests) == 1 else 'NO'}")
    print()
    print("| run | cores | wall s | frames/s | frames/s per core | speed-up vs --jobs 1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    per_core = None
    for name, _jobs, _pin, cores in configs:
        seconds = statistics.median(timings[name])
        fps = total / seconds
        if per_core is None:
            per_core = fps
        print(f"| {name} | {cores} | {seconds:.2f} | {fps:.0f} | {fps / cores:.0f} | "
              f"{base / seconds:.2f}x |")
    print()
    frames = HOURS * 3600 * FPS
    print(f"{HOURS:,} h of {FPS} fps video = {frames / 1e6:.0f} M frames, at the one-core "
          f"rate ({per_core:.0f} frames/s per core, start-up included; scaling assumed linear "
          "across machines):")
    print()
    print("| cores | every frame | --every 5 (6 fps) |")
    print("| --- | --- | --- |")
    for cores in (1, 16, 64, 256, 1024):
        hours = frames / (per_core * cores) / 3600
        print(f"| {cores} | {_human(hours)} | {_human(hours / 5)} |")


def _human(hours: float) -> str:
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


if __name__ == "__main__":
    main()
