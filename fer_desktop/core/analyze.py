"""``fer-desktop analyze INPUT... --out results.csv``: the live pipeline over files, no window.

Runs the same :class:`~fer_desktop.core.pipeline.FacePipeline` as the window over videos,
images and folders of images, writes one CSV row per face per analysed frame (a ``source``
column when there are several inputs), optionally an annotated video, and prints a summary
per tracked face. Inputs that cannot be read are named and skipped.

Exit codes: 0 all inputs analysed; 1 some inputs (or images in a folder) were skipped;
2 nothing could be analysed or a setting, the model or the output is unusable.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.detectors import DETECTORS
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ModelError, SourceError
from fer_desktop.core.export import CsvRecorder, ExportError
from fer_desktop.core.overlay import OverlayPainter
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.sources import ASSUMED_FPS, ImageSource, open_source
from fer_desktop.core.tracking import DEFAULT_SMOOTHING_S, check_smoothing_s
from fer_desktop.resources import ResourceError

EXIT_OK, EXIT_SKIPPED, EXIT_FAILED = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fer-desktop analyze",
        description="Detect, classify and track faces in videos, images or folders of images, "
                    "and write one CSV row per face per frame.",
        epilog="Example: fer-desktop analyze clip.mp4 photos/ --out results.csv --every 2")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="video file, image file or folder of images")
    parser.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    parser.add_argument("--detector", default="blazeface", choices=DETECTORS)
    parser.add_argument("--every", type=int, default=1, metavar="N",
                        help="analyse every Nth frame of a video (default 1: all)")
    parser.add_argument("--annotated", type=Path, metavar="OUT.mp4",
                        help="also write the analysed frames with the overlay as a video")
    parser.add_argument("--model", type=Path, metavar="DIR",
                        help="model folder with model.json (default: the shipped model)")
    parser.add_argument("--min-face", type=int, default=PipelineOptions.min_face_px,
                        metavar="PX", help="smallest face side in pixels")
    parser.add_argument("--crop-scale", type=float, default=None,
                        help="face crop side relative to the detector box (default: measured)")
    smoothing = parser.add_mutually_exclusive_group()
    smoothing.add_argument("--smoothing", type=_smoothing_seconds, default=DEFAULT_SMOOTHING_S,
                           metavar="SECONDS",
                           help="time constant of each face's probability average, in seconds "
                                "of video time; 0 reports each frame's raw answer (default "
                                f"{DEFAULT_SMOOTHING_S:g}; see docs/labels.md)")
    smoothing.add_argument("--no-smoothing", action="store_const", const=0.0, dest="smoothing",
                           help="the same as --smoothing 0")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def _smoothing_seconds(text: str) -> float:
    """argparse type of --smoothing: a clear message instead of a traceback."""
    try:
        return check_smoothing_s(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


@dataclass
class TrackSummary:
    """What one tracked face did over a source."""

    source: str
    track_id: int
    frames: int = 0
    first_s: float = 0.0
    last_s: float = 0.0
    labels: Counter = field(default_factory=Counter)
    probability_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(EMOTIONS)))

    def dominant(self) -> str:
        return max((n, label) for label, n in self.labels.items())[1] if self.labels else "-"


class _VideoOut:
    """The --annotated video: opened on the first frame, frames resized to that size."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self._writer = None
        self._size: tuple[int, int] | None = None

    def write(self, image: np.ndarray) -> None:
        if self._writer is None:
            self._size = (image.shape[1], image.shape[0])
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fourcc = cv2.VideoWriter_fourcc(*("MJPG" if self.path.suffix.lower() == ".avi"
                                              else "mp4v"))
            self._writer = cv2.VideoWriter(str(self.path), fourcc, self.fps, self._size)
            if not self._writer.isOpened():
                raise ExportError(self.path, "cannot be written as a video (use .mp4 or .avi)")
        if (image.shape[1], image.shape[0]) != self._size:
            image = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
        self._writer.write(image)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()


def _progress(total: int | None, description: str, disable: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit="frame", disable=disable, file=sys.stderr,
                leave=False, dynamic_ncols=True)


def _analyse_source(spec: str, pipeline: FacePipeline, recorder: CsvRecorder, every: int,
                    video: _VideoOut | None, painter: OverlayPainter,
                    summaries: dict[tuple[str, int], TrackSummary],
                    quiet: bool) -> tuple[int, list[tuple[str, str]]]:
    """Run one input; return (frames analysed, [(skipped file, reason)])."""
    source = open_source(Path(spec))
    pipeline.reset()
    analysed = 0
    try:
        with _progress(source.frame_count, Path(spec).name, quiet) as bar:
            while (frame := source.read()) is not None:
                bar.update(1)
                if frame.index % every:
                    continue
                result = pipeline.process(frame.image, frame.index, frame.timestamp_s)
                name = frame.name or spec
                recorder.write(result, source=name)
                analysed += 1
                for face in result.faces:
                    summary = summaries.setdefault((spec, face.track_id),
                                                   TrackSummary(spec, face.track_id,
                                                                first_s=frame.timestamp_s))
                    summary.frames += 1
                    summary.last_s = frame.timestamp_s
                    summary.labels[face.label] += 1
                    summary.probability_sum += face.probabilities
                if video is not None:
                    video.write(painter.draw(frame.image, result.faces))
    finally:
        source.close()
    if getattr(source, "fps_assumed", False):
        print(f"warning: {spec}: the file gives no frame rate or frame times; its times (and "
              f"the smoothing) assume {ASSUMED_FPS:g} frames a second", file=sys.stderr)
    skipped = [(str(p), reason) for p, reason in getattr(source, "skipped", [])] \
        if isinstance(source, ImageSource) else []
    return analysed, skipped


def format_summary(summaries: dict[tuple[str, int], TrackSummary], with_source: bool) -> str:
    """A plain-text table: one line per track with its frames, time span and main emotion."""
    if not summaries:
        return "no faces found"
    header = ("source  " if with_source else "") + "track  frames  from_s   to_s  " \
        "shown_most  mean_probabilities"
    lines = [header]
    for summary in summaries.values():
        mean = summary.probability_sum / max(1, summary.frames)
        top = ", ".join(f"{EMOTIONS[i]} {mean[i]:.2f}" for i in np.argsort(-mean)[:3])
        prefix = f"{Path(summary.source).name}  " if with_source else ""
        lines.append(f"{prefix}#{summary.track_id:<5d}{summary.frames:7d}  "
                     f"{summary.first_s:6.2f} {summary.last_s:6.2f}  "
                     f"{summary.dominant():<10s}  {top}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``fer-desktop analyze``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.every < 1:
        parser.error(f"--every must be 1 or more, got {args.every}")
    if args.crop_scale is not None and not 0.5 <= args.crop_scale <= 3.0:
        parser.error(f"--crop-scale must be between 0.5 and 3.0, got {args.crop_scale}")
    options = PipelineOptions(detector=args.detector, min_face_px=args.min_face,
                              smoothing_s=args.smoothing, crop_scale=args.crop_scale,
                              keep_frame=False, num_threads=2)
    try:
        pipeline = FacePipeline.create(args.model, options)
    except (ModelError, ResourceError, ValueError) as exc:  # model, or detector file missing/bad
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    with_source = len(args.inputs) > 1
    try:
        recorder = CsvRecorder(args.out, with_source=with_source)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED

    painter = OverlayPainter()
    video = None
    summaries: dict[tuple[str, int], TrackSummary] = {}
    skipped: list[tuple[str, str]] = []
    analysed_total = 0
    quiet = args.no_progress or None  # None: tqdm hides itself when stderr is not a terminal
    try:
        for spec in args.inputs:
            if args.annotated is not None and video is None:
                fps = _source_fps(spec)
                video = _VideoOut(args.annotated, max(1.0, fps / args.every) if fps else 5.0)
            try:
                analysed, bad = _analyse_source(spec, pipeline, recorder, args.every, video,
                                                painter, summaries, quiet)
            except SourceError as exc:
                skipped.append((spec, exc.reason))
                print(f"skipped: {exc}", file=sys.stderr)
                continue
            analysed_total += analysed
            for path, reason in bad:
                skipped.append((path, reason))
                print(f"skipped: {path}: {reason}", file=sys.stderr)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        recorder.close()
        if video is not None:
            video.close()

    print(format_summary(summaries, with_source))
    print(f"{analysed_total} frames analysed, {recorder.rows} face rows written to {args.out}"
          + (f", annotated video {args.annotated}" if video is not None else ""))
    if skipped:
        print(f"{len(skipped)} input(s) skipped: " + "; ".join(p for p, _ in skipped),
              file=sys.stderr)
        return EXIT_FAILED if analysed_total == 0 else EXIT_SKIPPED
    return EXIT_OK


def _source_fps(spec: str) -> float | None:
    path = Path(spec)
    if not path.is_file():
        return None
    capture = cv2.VideoCapture(str(path))
    try:
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0) if capture.isOpened() else 0.0
    finally:
        capture.release()
    return fps if 0 < fps < 1000 else None
