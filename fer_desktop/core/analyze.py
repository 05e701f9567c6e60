"""``fer-desktop analyze INPUT... --out results.csv``: the live pipeline over files, no window.

Runs the same :class:`~fer_desktop.core.pipeline.FacePipeline` as the window over videos,
images and folders of images, writes one CSV row per face per analysed frame (the first
column, ``source``, names the video or image file), optionally an annotated video, and prints
a summary per tracked face. Inputs that cannot be read are named and skipped. ``--jobs N`` and
``--shard K/N`` spread the inputs over processes and machines (:mod:`fer_desktop.core.batch`).

Each still image is judged on its own: a fresh tracker and no smoothing, so a photo's answer
does not depend on the photo before it. Video frames are tracked and smoothed.

Nothing is destroyed (see ``docs/guarantees.md``): an output that names an input is refused,
an existing output is left alone unless ``--force``, and outputs are written beside their
target under a temporary name and renamed into place only when at least one frame was analysed.

Exit codes: 0 all inputs analysed; 1 some inputs (or images in a folder) were skipped, or a
truncated video was incomplete (its frames read are kept); 2 nothing could be analysed or a
setting, the model or the output is unusable; 130 interrupted (Ctrl+C; the rows so far are kept).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import sys
import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core import batch, shard_record
from fer_desktop.core.detectors import DEFAULT_DETECTOR, DETECTOR_FINDS, DETECTORS
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError, ModelError, SourceError
from fer_desktop.core.export import CsvRecorder, csv_name_note
from fer_desktop.core.image_size import unread_note
from fer_desktop.core.messages import about, one_line, quote
from fer_desktop.core.native_paths import opencv_path
from fer_desktop.core.overlay import OverlayPainter
from fer_desktop.core.pipeline import SMALLEST_AUTO_FACE_PX, FacePipeline, PipelineOptions
from fer_desktop.core.plain_words import counted
from fer_desktop.core.privacy import BlurringPainter
from fer_desktop.core.provenance import provenance
from fer_desktop.core.safe_write import PendingFile, check_outputs
from fer_desktop.core.source_defaults import (
    ANALYZE_MIN_FACE_LIMIT_PX,
    SOURCE_DEFAULTS,
    options_for,
    source_kind,
)
from fer_desktop.core.sources import (
    ASSUMED_FPS,
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    ImageSource,
    VideoFileSource,
    ended_early,
    open_source,
)
from fer_desktop.core.tracking import DEFAULT_SMOOTHING_S, check_smoothing_s
from fer_desktop.resources import ResourceError

EXIT_OK, EXIT_SKIPPED, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 130
ENDED_EARLY = "ended after"  # a video cut short: its frames were analysed ("incomplete")



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fer-desktop analyze",
        description=textwrap.fill("Detect, classify and track faces in videos, images or "
                                  "folders of images, and write one CSV row per face per "
                                  "frame.", 78),
        # a script under `set -e` stopped at 1 with every row written: the codes are said
        # (trial 21)
        epilog="Example: fer-desktop analyze clip.mp4 photos/ --out results.csv --every 2\n\n"
               + textwrap.fill(
                   f"Exit codes: {EXIT_OK} every input analysed; {EXIT_SKIPPED} the CSV was "
                   "written but some input was skipped or cut short (named on stderr); "
                   f"{EXIT_FAILED} nothing written (bad options, an existing --out, no input "
                   f"analysed); {EXIT_INTERRUPTED} stopped with Ctrl+C (the rows of the inputs "
                   "finished by then are written).", 78),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="video file, image file, or folder of images and videos (its "
                             "subfolders are not searched)")
    parser.add_argument("--out", required=True, type=Path,
                        help="the CSV file to write (an existing file is left alone unless "
                             "--force)")
    parser.add_argument("--force", action="store_true",
                        help="replace existing --out/--annotated files (never an input)")
    parser.add_argument("--detector", default=PipelineOptions.detector, choices=DETECTORS,
                        help="the face finder: " + ", ".join(
                            f"{name} ({'the default: ' if name == DEFAULT_DETECTOR else ''}"
                            f"{finds})" for name, finds in DETECTOR_FINDS.items())
                        + "; see docs/detection.md")
    parser.add_argument("--every", type=int, default=1, metavar="N",
                        help="analyse every Nth frame of a video (default 1: all)")
    parser.add_argument("--annotated", type=Path, metavar="OUT.mp4",
                        help="also write the analysed frames with the overlay as a video")
    parser.add_argument("--blur-faces", action="store_true",
                        help="pixelate the faces in the --annotated video (privacy)")
    parser.add_argument("--model", type=Path, metavar="DIR",
                        help="model folder with model.json (default: the shipped model)")
    parser.add_argument("--min-face", type=int, default=None, metavar="PX",
                        help="smallest face width to find, in pixels (smaller finds smaller "
                        "faces and takes longer). Default, for a picture 640 px wide: "
                        f"{SOURCE_DEFAULTS['image'].min_face_px} when every input is a photo "
                        f"(a folder's files too), else {SOURCE_DEFAULTS['video'].min_face_px}; "
                        "less in a narrower picture, never under "
                        f"{SMALLEST_AUTO_FACE_PX}")
    parser.add_argument("--no-level-eyes", action="store_true",
                        help="classify faces as found, without turning them eye-level")
    parser.add_argument("--crop-scale", type=float, default=None,
                        help="how much larger than the found face's box the picture given "
                             "to the model is, e.g. 1.2 (default: the detector's own, measured "
                             "to frame faces as the training pictures do)")
    smoothing = parser.add_mutually_exclusive_group()
    smoothing.add_argument("--smoothing", type=_smoothing_seconds, default=DEFAULT_SMOOTHING_S,
                           metavar="SECONDS",
                           help="time constant of each face's probability average, in seconds "
                                "of video time; 0 reports each frame's raw answer (default "
                                f"{DEFAULT_SMOOTHING_S:g}; see docs/labels.md)")
    smoothing.add_argument("--no-smoothing", action="store_const", const=0.0, dest="smoothing",
                           help="the same as --smoothing 0")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="analyse the inputs in N processes, one core each (default 1); "
                             "the CSV is the same as with 1")
    parser.add_argument("--shard", metavar="K/N",
                        help="analyse only the K-th of N slices of the inputs (K from 1), of "
                             "about equal work (a video weighs its frames over --every), for "
                             "batch schedulers; join the CSVs with `fer-desktop merge`")
    return parser


def _say_notes(kinds: set[str], args: argparse.Namespace, saved: list[str]) -> None:
    """Say that photos among videos are read with the videos' minimum face (a photo's box and
    label changed when a video joined it in one command, trial 23), that an ``--out`` not
    named .csv holds CSV (a CSV went under a .txt name without a word, audit 36), and which
    subfolders of the input folders are left out (trial 35)."""
    if note := csv_name_note(args.out):
        print(note, file=sys.stderr)
    if subfolders := batch.subfolders_not_searched(args.inputs):
        shown = "; ".join(subfolders[:5]) + (f" and {len(subfolders) - 5} more"
                                             if len(subfolders) > 5 else "")
        print(f"note: subfolders are not searched: {shown} (name them to analyse them too)",
              file=sys.stderr)
    if unread := batch.pictures_not_read(args.inputs):
        print(f"note: left out, pictures of a type this app does not read: "
              f"{_first_names(unread)} (HEIC "
              "and camera raw photos: convert them to JPEG or PNG)", file=sys.stderr)
    if saved:
        print(f"note: left out, pictures this app saved (screenshots, with their .json "
              f"beside them): {_first_names(saved)} (name one to analyse it)", file=sys.stderr)
    if args.annotated is not None and (inside := _input_folder_holding(args)):
        print(f"note: {args.annotated.name} is written into {inside}, an input folder: a "
              f"later `analyze {inside}` would take it as one more video (keep it elsewhere, "
              "or name the inputs)", file=sys.stderr)
    if args.min_face is None and "image" in kinds and len(kinds) > 1:
        print(f"note: with a video among the inputs, the photos are read with the videos' "
              f"minimum face ({SOURCE_DEFAULTS['video'].min_face_px} px at 640 px wide, "
              f"not {SOURCE_DEFAULTS['image'].min_face_px}); give --min-face to choose it",
              file=sys.stderr)


def _first_names(paths: list[str], shown: int = 5) -> str:
    return ", ".join(Path(p).name for p in paths[:shown]) + (
        f" and {len(paths) - shown} more" if len(paths) > shown else "")


def _input_folder_holding(args: argparse.Namespace) -> str | None:
    """The input folder (as given) that --annotated is written into, if any."""
    where = os.path.realpath(args.annotated.parent)
    return next((spec for spec in args.inputs if os.path.isdir(spec)
                 and os.path.realpath(spec) == where), None)


def _empty_shard(args: argparse.Namespace, inputs: int, recorder: CsvRecorder,
                 pending: list[PendingFile]) -> int:
    """A shard with no input (more shards than inputs) writes its part, the header alone,
    and succeeds: it failed, "nothing could be analysed", and a job scheduler retried it as
    a crash while merge could not tell it from one (review 43)."""
    recorder.close()
    k, n = args.shard
    # why: more shards than inputs, or its share of the work inside a long video (review 62)
    why = f"{counted(inputs, 'input')} for {n} shards" + (
        "; its share of the work lies inside a long video, and a video is not cut"
        if inputs >= n else "")
    if args.out.exists() and not (args.force and _header_alone(args.out)):
        print(f"error: shard {k}/{n} has no input ({why}), and {args.out} exists: it is left "
              "as it was (rows of an earlier run with fewer shards?); remove it or name "
              "another --out", file=sys.stderr)  # --force replaces a header alone (its own
        return EXIT_FAILED  # run again, review 62), never rows (review 46)
    _write_shard_record(args, pending, recorder, [], [])
    _commit([pending[0], pending[-1]], None)  # the CSV and its record; no annotated video
    print(f"shard {k}/{n} has no input ({why}): {args.out} holds the header alone",
          file=sys.stderr)
    return 0


def _header_alone(path: Path) -> bool:
    """A CSV of one line at most: a part with no rows to lose."""
    try:
        with path.open("rb") as fh:
            return len(fh.read(1 << 20).splitlines()) <= 1
    except OSError:
        return False


def _commit(pending: list[PendingFile], video: _VideoOut | None) -> None:
    """Check the annotated video, then rename every file into place: all of them, or where
    one is refused (a file of its name appeared meanwhile) none that is new. The CSV stayed
    when the video was refused, and the command said "nothing written" (review 43)."""
    if video is not None:
        video.check()
    done: list[PendingFile] = []
    try:
        for file in pending:
            file.commit()
            done.append(file)
    except ExportError:
        for file in done:
            if not file.overwrite:  # a file this command made: taken back
                with contextlib.suppress(OSError):
                    file.target.unlink()
        raise


def _model_files(model: Path | None) -> list[Path]:
    """The files of ``--model``'s folder, read by the command like its inputs (``--out
    MODEL/model.json --force`` wrote the CSV over the model in use, audit 36)."""
    if model is None:
        return []
    try:
        return [model, *model.iterdir()] if model.is_dir() else [model]
    except OSError:
        return [model]


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


VIDEO_OUT_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".avi")  # _VideoOut: mp4v, .avi MJPG


def letterboxed(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` scaled to fit ``size`` (width, height) whole, its shape kept, on black: a
    1280x720 video after a 640x480 one was squeezed to 4:3, its faces tall and thin (trial
    35)."""
    width, height = size
    scale = min(width / image.shape[1], height / image.shape[0])
    inner = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    canvas = np.zeros((height, width, 3), np.uint8)
    x, y = (width - inner[0]) // 2, (height - inner[1]) // 2
    canvas[y:y + inner[1], x:x + inner[0]] = cv2.resize(image, inner,
                                                        interpolation=cv2.INTER_AREA)
    return canvas


class _VideoOut:
    """The --annotated video: opened on the first frame, frames resized to that size."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self._writer = None
        self._size: tuple[int, int] | None = None
        self.frames = 0

    def write(self, image: np.ndarray) -> None:
        if self._writer is None:
            self._size = (image.shape[1], image.shape[0])
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fourcc = cv2.VideoWriter_fourcc(*("MJPG" if self.path.suffix.lower() == ".avi"
                                              else "mp4v"))
            try:
                with opencv_path(self.path) as name:  # not UTF-8: OpenCV crashed (audit 39)
                    self._writer = cv2.VideoWriter(name, fourcc, self.fps, self._size)
            except OSError as exc:  # no temporary link for such a name (a full /tmp)
                raise ExportError(self.path, f"cannot be written ({exc.strerror or exc})"
                                  ) from exc
            if not self._writer.isOpened():
                raise ExportError(self.path, "cannot be written as a video (use .mp4 or .avi)")
        if (image.shape[1], image.shape[0]) != self._size:
            image = letterboxed(image, self._size)
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()

    def check(self) -> None:
        """After :meth:`close`: the file holds every frame. OpenCV's writer says nothing of
        a full disk: an unplayable video replaced a good one and was called written (audit
        36).

        Raises:
            ExportError: it does not; the caller keeps the earlier file.
        """
        if self._writer is None:
            return
        with opencv_path(self.path) as name:
            reader = cv2.VideoCapture(name)
        try:
            held = int(reader.get(cv2.CAP_PROP_FRAME_COUNT)) if reader.isOpened() else 0
        finally:
            reader.release()
        if held <= 0 or held < self.frames - self.frames // 100:  # a container's estimate
            free = shutil.disk_usage(self.path.parent).free
            raise ExportError(self.path, f"could not be written whole ({max(0, held)} of its "
                                         f"{self.frames} frames readable; {free // 2**20} MB "
                                         "free on its disk)")


def _progress(total: int | None, description: str, disable: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit="frame", disable=disable, file=sys.stderr,
                leave=False, dynamic_ncols=True)


def _analyse_source(spec: str, pipeline: FacePipeline, recorder: CsvRecorder, every: int,
                    video: _VideoOut | None, painter: OverlayPainter,
                    summaries: dict[tuple[str, int], TrackSummary], totals: Counter,
                    quiet: bool, progress=None) -> list[tuple[str, str]]:
    """Run one input, counting ``totals["frames"]``; return [(skipped file or part, reason)].

    ``progress(total, name)`` makes the progress bar (a worker of ``--jobs`` passes one that
    reports to the parent's bar). Track ids count from 1 in every input (and every photo), so
    an input's rows are the same at any ``--jobs`` or ``--shard``.
    """
    if _listable_folder(Path(spec)):  # a folder left whole: nothing analyze reads in it
        raise SourceError(spec, _nothing_read_words(Path(spec)))  # "no images" of a
    before = _stamp(Path(spec))
    source = open_source(Path(spec))                     # folder whose videos it reads (trial 19)
    stills = isinstance(source, ImageSource)
    video_options = pipeline.options
    if stills:  # each photo on its own: no smoothing, and a fresh tracker per photo below
        pipeline.set_options(pipeline.with_options(smoothing=False))
    pipeline.reset(restart_ids=True)
    if painter is not None:
        painter.reset()  # the numbers start again: the painter's per-face state with them
        painter.same_look = stills  # photos' faces of about one size look alike (trial 56)
    frames_read = 0
    bar = (progress(source.frame_count, Path(spec).name) if progress is not None
           else _progress(source.frame_count, Path(spec).name, quiet))
    try:
        with bar:
            while (frame := source.read()) is not None:
                bar.update(1)
                frames_read = frame.index + 1
                if frame.index % every:
                    continue
                if stills:
                    pipeline.reset(restart_ids=True)
                    if painter is not None:
                        painter.reset()
                result = pipeline.process(frame.image, frame.index, frame.timestamp_s)
                name = frame.name or spec
                recorder.write(result, source=name,  # a "no face" row when none is found
                               pixel_scale=frame.pixel_scale)
                totals["frames"] += 1
                totals["faceless"] += not result.faces
                for face in result.faces:
                    summary = summaries.setdefault((name, face.track_id),
                                                   TrackSummary(name, face.track_id,
                                                                first_s=frame.timestamp_s))
                    summary.frames += 1
                    summary.last_s = frame.timestamp_s
                    summary.labels[face.label] += 1
                    summary.probability_sum += face.probabilities
                if video is not None:
                    video.write(painter.draw(frame.image, result.drawn_faces))  # as the window
    finally:
        source.close()
        pipeline.set_options(video_options)
    if getattr(source, "fps_assumed", False):
        print(f"warning: {spec}: the file gives no frame rate or frame times; its times (and "
              f"the smoothing) assume {ASSUMED_FPS:g} frames a second", file=sys.stderr)
    skipped = [(str(p), reason) for p, reason in source.skipped] if stills else []
    if stills:  # a TIFF's other pages: read_image decodes its first only
        unread = {p for p, _ in skipped}
        skipped += [(str(p), Incomplete(note)) for p in source.paths  # an animated WebP
                    if str(p) not in unread and (note := unread_note(p))]  # too (audit 49)
    if isinstance(source, VideoFileSource) and ended_early(frames_read, source.frame_count):
        skipped.append((spec, Incomplete(
            f"{ENDED_EARLY} {frames_read} of its {source.frame_count} frames (truncated or "
            "damaged?); the frames read were analysed")))
    elif isinstance(source, VideoFileSource) and (after := _stamp(Path(spec))) != before \
            and after is not None:  # moved or deleted while read: the file read is whole
        # (it was called "still being recorded", audit 51); one written meanwhile is not
        skipped.append((spec, Incomplete(
            f"{ENDED_EARLY} {frames_read} frames: the file changed while it was read (still "
            "being recorded or copied?); the frames read were analysed: analyse it again once "
            "it is whole")))
    return skipped


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time: a video still being recorded was analysed up to where it
    had got, exit 0, without a word (audit 38)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _nothing_read_words(folder: Path) -> str:
    """Why a folder gave nothing to analyse: what it holds instead (it said "its subfolders
    are not searched" of a folder without any, that held HEIC photos, audit 49)."""
    try:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
        folders = sum(1 for p in entries if p.is_dir())
    except OSError:
        entries, folders = [], 0
    others = sorted(p.name for p in entries if not p.is_dir())
    said = ["the folder holds no images or videos directly in it"]
    if folders:
        said.append(f"its {folders} subfolder{'s are' if folders > 1 else ' is'} not "
                    "searched: name them")
    if others:
        said.append(f"{len(others)} other file{'s' if len(others) > 1 else ''} (such as "
                    f"{quote(others[0], 60)}) {'are' if len(others) > 1 else 'is'} not of a "
                    "type this app reads (" + ", ".join(sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES))
                    + ")")
    return "; ".join(said)


def _listable_folder(path: Path) -> bool:
    """A folder whose names can be read (one that cannot is named by ``open_source``)."""
    try:
        if not path.is_dir():
            return False
        next(path.iterdir(), None)  # raises where the folder may not be listed
    except OSError:
        return False
    return True


class Incomplete(str):
    """A reason whose input was analysed in part: a video cut short (its frames were), a
    TIFF of several pages (its first was). Told by its type, not its first words: "holds a
    video (...), not a picture", a photo refused, was called incomplete (review 43)."""


def _what_happened(reason: str) -> str:
    """"incomplete" for an :class:`Incomplete` reason, else "skipped"."""
    return "incomplete" if isinstance(reason, Incomplete) else "skipped"


def format_summary(summaries: dict[tuple[str, int], TrackSummary], with_source: bool,
                   cut_names: bool = True) -> str:
    """A plain-text table: one line per track with its frames, time span and main emotion,
    its columns as wide as their longest entry (file names of different lengths shifted the
    rows out from under the header); long names cut to fit a terminal, unless not
    ``cut_names`` (the table saved to a file: two names that differed at their ends read as
    one, trial 56)."""
    if not summaries:
        return "no faces found"
    header = ["source"] * with_source + ["track", "frames", "from_s", "to_s", "shown_most",
                                         "mean_probabilities"]
    rows = [header]
    order = {source: k for k, source in enumerate(dict.fromkeys(
        summary.source for summary in summaries.values()))}
    shown = _short_names(list(order), MAX_SOURCE_COLUMNS if cut_names else None)
    # by input, then by number: largest first listed a picture's faces as #2, #3, #1
    for summary in sorted(summaries.values(), key=lambda s: (order[s.source], s.track_id)):
        mean = summary.probability_sum / max(1, summary.frames)
        top = ", ".join(f"{EMOTIONS[i]} {mean[i]:.2f}" for i in np.argsort(-mean)[:3])
        rows.append([shown[summary.source]] * with_source + [
            f"#{summary.track_id}", str(summary.frames), f"{summary.first_s:.2f}",
            f"{summary.last_s:.2f}", summary.dominant(), top])
    widths = [max(terminal_width(row[c]) for row in rows) for c in range(len(header))]
    numeric = {header.index(name) for name in ("frames", "from_s", "to_s")}

    def padded(cell: str, c: int) -> str:
        pad = " " * (widths[c] - terminal_width(cell))
        return pad + cell if c in numeric else cell + pad

    return "\n".join("  ".join(padded(cell, c) for c, cell in enumerate(row)).rstrip()
                     for row in rows)


def _short_names(sources: list[str], columns: int | None) -> dict[str, str]:
    """Each source as a path below the folder all of them share: "folder/a.jpg" beside
    "two.jpg" (the file name alone made two folders' a.jpg one row name)."""
    parents = [str(Path(source).parent) for source in sources]
    try:
        common = Path(os.path.commonpath(parents)) if parents else None
    except ValueError:  # relative beside absolute, or two drives
        common = None
    names = {source: one_line(Path(source).relative_to(common).as_posix()
                              if common is not None and Path(source).is_relative_to(common)
                              else source) for source in sources}
    return {source: _within(name, columns) if columns else name
            for source, name in names.items()}


MAX_SOURCE_COLUMNS = 40  # the summary's source column; the CSV holds each path whole


def _within(text: str, columns: int) -> str:
    """``text`` cut in the middle to ``columns`` terminal columns ("…" where it is cut): one
    name of 200 characters padded every row of the table to 270, and it wrapped in any
    terminal (trial 43). Both ends stay: the folder and the file name."""
    if terminal_width(text) <= columns:
        return text
    head, tail, room = "", "", columns - 1
    for ch in text:
        if terminal_width(head + ch) > room // 2:
            break
        head += ch
    for ch in reversed(text):
        if terminal_width(head + ch + tail) > room:
            break
        tail = ch + tail
    return f"{head}…{tail}"


def terminal_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a wide (CJK) character or emoji two; a mark
    drawn on the character before it (an accent, a Thai vowel sign), a zero-width format
    character or a skin-tone modifier none. "grüße 写真.jpg" pushed its row two columns out
    of line, counted as 12."""
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if "\U0001f3fb" <= ch <= "\U0001f3ff":  # skin tones: drawn into the emoji before them
        return 0
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") and ch != "\u00ad":  # soft hyphen: 1
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _pipeline_options(args: argparse.Namespace, kinds: set[str]) -> PipelineOptions:
    """The pipeline's options for these inputs: the photos' defaults for photos alone, else
    the videos'; with ``--min-face`` the videos' whatever the inputs (a photo beside a video
    was searched at another minimum than alone, review 39b)."""
    return options_for("image" if kinds == {"image"} and not args.min_face else "video",
                       PipelineOptions(detector=args.detector, smoothing_s=args.smoothing,
                                       crop_scale=args.crop_scale,
                                       level_eyes=not args.no_level_eyes, num_threads=2),
                       min_face_px=args.min_face)


def _check_targets(args: argparse.Namespace, read: list[str]) -> None:
    """Refuse outputs that would replace an input, or a file without --force; and another
    shard's part under any option: "pass --force to replace it" came first there, inviting
    the user to replace another machine's rows (refused then, trial 54)."""
    if args.shard is not None:  # its own part, stopped, named as such (trial 60)
        shard_record.check_replacing(args.out, args.shard, force=args.force)
    check_outputs({"--out": args.out, "--annotated": args.annotated},
                  [Path(spec) for spec in read], force=args.force)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``fer-desktop analyze``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.every < 1:
        parser.error(f"--every must be 1 or more, got {args.every}")
    if args.crop_scale is not None and not 0.5 <= args.crop_scale <= 3.0:
        parser.error(f"--crop-scale must be between 0.5 and 3.0, got {args.crop_scale}")
    try:
        batch.parse_jobs(args.jobs)
        args.shard = batch.parse_shard(args.shard) if args.shard is not None else None
    except ValueError as exc:
        parser.error(str(exc))
    if args.blur_faces and args.annotated is None:  # it did nothing and said nothing (trial 18)
        parser.error("--blur-faces pixelates the faces of the --annotated video, and there is "
                     "none: add --annotated OUT.mp4 (the CSV holds numbers, no pictures)")
    if args.annotated is not None and args.annotated.suffix.lower() not in VIDEO_OUT_SUFFIXES:
        # an MPEG-4 stream went into "out.png", under a raw FFMPEG line, and "done" (trial 19)
        parser.error(f"--annotated writes a video: name it .mp4 (or .avi, .mkv, .mov, .m4v), "
                     f"not {args.annotated.name!r}" + (
                         " (a picture viewer could not open it)"
                         if args.annotated.suffix.lower() in IMAGE_SUFFIXES else ""))
    if args.jobs > 1 and args.annotated is not None:
        parser.error("--annotated writes one video in frame order, so it needs --jobs 1")
    if (warning := batch.jobs_warning(args.jobs)) is not None:
        print(warning, file=sys.stderr)
    try:  # before anything is loaded or opened: a refused command touches nothing
        saved: list[str] = []  # the window's screenshots in a folder: left out, named
        units = batch.expand_inputs(args.inputs, saved)  # listed once: a folder's files
        _check_targets(args, [*args.inputs, *units, *_model_files(args.model)])
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.min_face is not None and not 1 <= args.min_face <= ANALYZE_MIN_FACE_LIMIT_PX:
        parser.error(f"--min-face must be between 1 and {ANALYZE_MIN_FACE_LIMIT_PX} pixels, got "
                     f"{args.min_face}")
    kinds = {source_kind(spec) for spec in units}
    _say_notes(kinds, args, saved)
    try:
        pipeline = FacePipeline.create(args.model, _pipeline_options(args, kinds))
    except (ModelError, ResourceError, ValueError) as exc:  # model, or detector file missing/bad
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    pending: list[PendingFile] = []
    try:
        csv_file = PendingFile(args.out, overwrite=args.force)
        pending.append(csv_file)
        video_file = None
        if args.annotated is not None:
            video_file = PendingFile(args.annotated, overwrite=args.force)
            pending.append(video_file)
        if args.shard is not None:  # its record, renamed last (core/shard_record.py)
            if args.force:  # another shard's part is not replaced (audit 55)
                shard_record.check_replacing(args.out, args.shard)
            pending.append(PendingFile(shard_record.record_path(args.out), overwrite=True))
        made_by = provenance(pipeline.classifier)  # read once: the model cannot change here
        recorder = CsvRecorder(csv_file.path, with_source=True,  # model and app named
                               provenance=lambda: made_by, no_face_rows=True)
        with batch.stop_signals_as_interrupt():  # kill PID: as Ctrl+C, workers stopped
            return _run(args, units, pipeline, recorder,
                        video_file.path if video_file else None, pending)
    except ExportError as exc:
        temp_names = {file.path: file.target for file in pending}
        reason = exc.reason
        if exc.path in temp_names:  # a file of this command, thrown away: the target stays
            written = getattr(exc, "write_error", None)
            reason = (f"cannot be written ({written})" if written else reason) + (
                f"; nothing was written: {args.out} and {args.annotated} are as they were"
                if args.annotated is not None else _left_words(args.out))
        print(f"error: {about(temp_names.get(exc.path, exc.path), reason)}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # writing a row failed (disk full...): nothing was replaced
        print(f"error: {args.out} cannot be written ({exc.strerror or exc})"
              f"{_left_words(args.out)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        for file in pending:  # whatever was not committed: the targets stay as they were
            if not file.committed:
                file.discard()


def _run(args: argparse.Namespace, units: list[str], pipeline: FacePipeline,
         recorder: CsvRecorder, video_path: Path | None, pending: list[PendingFile]) -> int:
    """Analyse every unit into the temporary files, then commit them (or not); a shard that
    read nothing writes its header alone for merge, never over a part (reviews 56, 57)."""
    painter = BlurringPainter(OverlayPainter()) if args.blur_faces else OverlayPainter()
    video = None
    summaries: dict[tuple[str, int], TrackSummary] = {}
    skipped: list[tuple[str, str]] = []
    totals: Counter = Counter()  # frames analysed, also counted when Ctrl+C interrupts
    interrupted = False
    left_out: list[str] = []  # units Ctrl+C left unfinished (--jobs) or unreached
    cut_short = ""  # --jobs 1: the unit under way, whose rows so far are kept
    quiet = args.no_progress or None  # None: tqdm hides itself when stderr is not a terminal
    if args.shard is not None:
        weights = batch.unit_weights(units, args.every)  # slices of about equal work
        every, args.inputs_key = len(units), shard_record.inputs_key(units)
        args.cut = batch.shard_bounds(weights, *args.shard)
        units = units[args.cut[0]:args.cut[1]]
        if not units and every:
            return _empty_shard(args, every, recorder, pending)
    runner = _process_runner(args, units, pipeline, recorder, quiet)
    position = 0
    try:
        for position, spec in enumerate(units):  # noqa: B007 - the Ctrl+C handler reads it
            if video_path is not None and video is None:
                video = _VideoOut(video_path, _annotated_fps(units, args.every))
            try:
                if runner is not None:
                    bad = runner.collect(spec, recorder, summaries, totals)
                else:
                    bad = _analyse_source(spec, pipeline, recorder, args.every, video, painter,
                                          summaries, totals, quiet)
            except SourceError as exc:
                skipped.append((spec, exc.reason))
                print(f"skipped: {exc}", file=sys.stderr)
                continue
            for path, reason in bad:
                skipped.append((path, reason))
                print(f"{_what_happened(reason)}: {about(path, reason)}", file=sys.stderr)
    except KeyboardInterrupt:
        interrupted = True  # keep what was analysed: committed below like a finished run
        batch.hold_further_stops()  # a second Ctrl+C lost every row to a traceback
        if runner is not None:  # the parts finished meanwhile, in order; the rest named
            left_out, bad = runner.salvage(recorder, summaries, totals)
            skipped += bad
        elif units:  # named too (trial 35): the one under way, and those never reached
            cut_short, left_out = units[position], units[position + 1:]
    finally:
        if runner is not None:
            runner.close()
        recorder.close()
        if video is not None:
            video.close()

    if totals["frames"] == 0 and (interrupted or args.shard is None or (  # its own header
            args.out.exists() and not (args.force and _header_alone(args.out)))):  # (r. 63)
        return _nothing_kept(args, interrupted, left_out, cut_short)
    _write_shard_record(args, pending, recorder, [cut_short, *left_out], skipped, not interrupted)
    _commit(pending, video)
    print(format_summary(summaries, len({s.source for s in summaries.values()}) > 1 or bool(
        args.shard) or any(map(os.path.isdir, args.inputs)),  # a shard's (trial 47) and a
        cut_names=bool(sys.stdout and sys.stdout.isatty())))  # folder's one input named (56)
    print(_written_line(args, totals, recorder.rows, video is not None,
                        (cut_short, left_out) if interrupted else None))
    if interrupted:
        print(interrupted_words(cut_short, left_out), file=sys.stderr)
        if args.shard is None:  # a shard's way on is said with its record (run it again)
            print(finish_words(args.out, cut_short), file=sys.stderr)
        return EXIT_INTERRUPTED
    if skipped:
        for what in ("skipped", "incomplete"):
            named = [p for p, reason in skipped if _what_happened(reason) == what]
            if named:
                print(f"{len(named)} input(s) {what}: " + "; ".join(map(one_line, named)),
                      file=sys.stderr)
        return EXIT_SKIPPED
    return EXIT_OK


def _nothing_kept(args: argparse.Namespace, interrupted: bool, left_out: list[str],
                  cut_short: str = "") -> int:
    """Say that nothing was written, and why. With ``--jobs`` the first input may be under
    way while later ones are finished: "before any input was finished" hid the 80 photos left
    out with it, named none of them (audit 57). With one job (``cut_short``: the input under
    way) those after it never ran (they were called finished, review 59)."""
    why = "error: nothing could be analysed"
    if interrupted:
        why = "interrupted before any input was finished"
        if not cut_short and len(left_out) > 1:  # --jobs: rows are kept in the inputs'
            # order, none before the first
            why = (f"interrupted before the first input, {left_out[0]}, was finished: rows "
                   f"are kept in the inputs' order, so the "
                   f"{counted(len(left_out) - 1, 'input')} after it are left out too, those "
                   f"finished included ({shard_record.first_names(left_out[1:])})")
    print(f"{why}; {args.out} was not written{_unchanged_words(args)}", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else EXIT_FAILED


def _left_words(out: Path) -> str:
    """What a failed write left of ``--out``: an existing file as it was, else nothing ("it
    was left as it was" of a new name on a full disk spoke of a file that never existed,
    trial 60)."""
    return "; it was left as it was" if out.exists() or out.is_symlink() else \
        "; nothing was written"


def _unchanged_words(args: argparse.Namespace) -> str:
    """What stays of an existing --out when nothing could be written over it, and, for a
    shard, the way on: its part of an earlier run otherwise stood, refused by merge, and the
    shard run again failed the same way (review 58)."""
    if not args.out.exists():
        return ""
    if args.shard is None:
        return " (the existing file is unchanged)"
    return (f" (the existing file is unchanged: if it is a part of an earlier run, remove it "
            f"with its record, {shard_record.record_path(args.out).name}, and run this shard "
            "again: it then writes its part with the header alone, which merge takes, naming "
            "the inputs it could not read)")


def _record_words(args: argparse.Namespace, interrupted: bool = False) -> str:
    """Where a shard's record is, to keep beside its part (copied without it, the parts were
    merged unchecked: trial 47); for a shard stopped, that it is to run again with --force
    ("keep it for merge" read as a part ready to merge, which merge then refused, trial 60)."""
    if args.shard is None:
        return ""
    k, n = args.shard
    record = shard_record.record_path(args.out).name
    if interrupted:
        return (f" (shard {k}/{n}, stopped before it finished: merge refuses this part; run "
                f"this shard again with --force to finish it; its record, {record}, says "
                "it stopped)")
    return f" (shard {k}/{n}; keep its record, {record}, beside it for merge)"


def _write_shard_record(args: argparse.Namespace, pending: list[PendingFile],
                        recorder: CsvRecorder, not_finished: list[str],
                        skipped: list[tuple[str, str]], complete: bool = True) -> None:
    """A shard's record into its pending file (the last), renamed with the part: what merge
    checks, so that a shard cut short or missing is not merged as whole (audit 55)."""
    if args.shard is None:
        return
    if args.force:  # a shard given the same --out finished meanwhile: its part stays
        shard_record.check_replacing(args.out, args.shard)
    shard_record.write_record(pending[-1].path, shard_record.ShardRecord(
        *args.shard, rows=recorder.rows, complete=complete, inputs=args.inputs_key,
        cut=list(args.cut), every=args.every,
        not_finished=[name for name in not_finished if name],  # "": nothing cut short
        skipped=[f"{path}: {reason}" for path, reason in skipped]))


def _process_runner(args: argparse.Namespace, units: list[str], pipeline: FacePipeline,
                    recorder: CsvRecorder, quiet: bool | None) -> batch.ProcessRunner | None:
    """The worker processes of ``--jobs N`` (None for one job, or nothing to do)."""
    if args.jobs <= 1 or not units:
        return None
    return batch.ProcessRunner(
        units, args.jobs, _analyse_source, FacePipeline.create,
        (args.model, dataclasses.replace(pipeline.options, num_threads=1)),
        {"every": args.every, "video": None, "painter": None, "quiet": True},
        recorder.with_source, recorder.path.parent, quiet)


def interrupted_words(cut_short: str, left_out: list[str]) -> str:
    """What a Ctrl+C kept and left: with one job, the input it cut short (its rows so far
    are kept, its summary ends there) and those it never reached; with several, the inputs
    not finished, and those finished after them, left out to keep the inputs' order
    (:class:`batch.FinishedLeftOut`: they were called "not finished", trial 60). ``--jobs 1``
    named neither: a 10 s video's 2 s read as its whole (trial 35)."""
    unfinished = [name for name in left_out if not isinstance(name, batch.FinishedLeftOut)]
    done = [name for name in left_out if isinstance(name, batch.FinishedLeftOut)]
    return ("interrupted: the rows analysed so far were written"
            + (f"; cut short: {cut_short} (its rows so far are kept)" if cut_short else "")
            + (f"; not finished, left out: {'; '.join(unfinished)}" if unfinished else "")
            + (f"; finished, but left out to keep the rows in the inputs' order (they come "
               f"after {unfinished[0]}): {'; '.join(done)}" if done and unfinished else ""))


def _written_line(args: argparse.Namespace, totals: Counter, rows: int, annotated: bool,
                  stopped: tuple[str, list[str]] | None) -> str:
    """The last stdout line: what was written where; after Ctrl+C (``stopped``: the input
    cut short and those left out) "interrupted:" and, but for a shard, a partial CSV."""
    faceless = totals["faceless"]
    return (("interrupted: " if stopped else "")  # the line a script keeps (trial 60)
            + f"{counted(totals['frames'], 'frame')} analysed, "
            f"{counted(rows - faceless, 'face row')}"
            + (f" and {faceless:,} \"no face\" row{'' if faceless == 1 else 's'}"
               if faceless else "")
            + f" written to {args.out}{_record_words(args, stopped is not None)}"
            + (f", annotated video {args.annotated}" if annotated else "")
            + (_partial_words(*stopped) if stopped and not args.shard else ""))


def _partial_words(cut_short: str, left_out: list[str]) -> str:
    """The end of the last stdout line after Ctrl+C: it read as a finished run's, "482
    frames analysed, 482 face rows written to int1.csv", in the summary a script keeps
    (trial 60)."""
    missing = [f"{counted(len(left_out), 'input')} left out"] if left_out else []
    return (", a partial CSV (" + " and ".join(["1 input cut short"] * bool(cut_short)
                                               + missing) + ", named on stderr)")


def finish_words(out: Path, cut_short: str) -> str:
    """How to finish a run stopped by Ctrl+C: again with --force, or the inputs left out
    into another CSV joined to this one by merge (its rows are the start of the whole run's).
    A rerun said only "already exists ... pass --force", and the merge of the rest with a
    cut-short input analysed again was refused as "a copy of a part" (trial 60)."""
    return (f"to finish: run this command again with --force (every input is analysed "
            f"again), or analyse the inputs left out into another CSV, with the options "
            f"given here, and join the two in this order: fer-desktop merge {out} REST.csv "
            "--out ALL.csv --keep-order"
            + (f" ({cut_short} then stays cut short: merge refuses an input whose rows are "
               f"in both CSVs; to have it whole, analyse it with the rest and take its rows "
               f"out of {out.name} first)" if cut_short else "")
            + "; see \"After Ctrl+C\" in docs/batch-analysis.md")


MIN_ANNOTATED_FPS, MAX_ANNOTATED_FPS = 1.0, 10_000.0  # within what its MP4 writer accepts


def _annotated_fps(units: list[str], every: int) -> float:
    """The annotated video's frame rate: the first video's among the inputs, over ``every``
    (the first input's, a photo's 25 fps or an unreadable file's 5, played a 10 fps clip
    2.5 times too fast or twice too slow, and ``--every 20`` was held at 1 fps: review 43);
    5 fps, a slideshow, for photos alone."""
    for spec in units:
        if Path(spec).suffix.lower() not in IMAGE_SUFFIXES and (fps := _source_fps(spec)):
            # within what the writer takes: 0.001 fps failed as "cannot be written as a
            # video (use .mp4 or .avi)" of an .mp4 (audit 49)
            return min(max(fps / every, MIN_ANNOTATED_FPS), MAX_ANNOTATED_FPS)
    return 5.0


def _source_fps(spec: str) -> float | None:
    path = Path(spec)
    if not path.is_file():
        return None
    with opencv_path(path) as name:
        capture = cv2.VideoCapture(name)
    try:
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0) if capture.isOpened() else 0.0
    finally:
        capture.release()
    return fps if 0 < fps <= 10_000 else None  # a 1000 fps clip is a high-speed one (its
    # annotated video was written at the photos' 5 fps, 200 times slow: audit 49)
