"""The window's "Analyse whole file...": one video through the ``analyze`` pipeline (Qt-free).

:func:`analyse_file` runs the same code as ``fer-desktop analyze VIDEO --out CSV`` (every
frame, tracked and smoothed), reports progress through a callback, can be cancelled between
frames, and keeps the same guarantees (docs/guarantees.md): the CSV is written beside its
target and renamed into place only when at least one frame was analysed; nothing existing is
replaced. :func:`emotion_series` reads such a CSV back as one curve per emotion over video
time, for the result's chart.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fer_desktop.core import analyze
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError, SourceError
from fer_desktop.core.explain import private_classifier
from fer_desktop.core.export import CsvRecorder, file_prefix
from fer_desktop.core.overlay import OverlayPainter
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.plain_words import counted
from fer_desktop.core.provenance import provenance
from fer_desktop.core.safe_write import (
    PendingFile,
    check_outputs,
    remove_stale_app_temporaries,
    unused_path,
)
from fer_desktop.core.saved_names import stamp

ProgressCallback = Callable[[int, "int | None"], None]


class AnalysisCancelled(Exception):
    """The user stopped the analysis; nothing was written."""


@dataclass(frozen=True)
class FileAnalysis:
    """The outcome of :func:`analyse_file`.

    video: the file analysed. csv_path: the CSV written. frames: frames analysed.
    rows: face rows written. problems: (file, reason) for a truncated end, if any.
    model: the name of the model that analysed it (the window may use another by the end).
    """

    video: Path
    csv_path: Path
    frames: int
    rows: int
    problems: tuple[tuple[str, str], ...] = ()
    model: str = ""


def analysed_line(frames: int, with_faces: int) -> str:
    """What a whole-file analysis found, in words: "Faces found in 225 of 450 frames." or,
    for a video with no face, why its chart is empty (it read "75 frames analysed, faces in
    0." over a blank chart: trial 15).

    Example:
        >>> analysed_line(75, 0)
        'No face found in its 75 frames, so the chart is empty.'
    """
    if with_faces <= 0:
        return f"No face found in its {counted(frames, 'frame')}, so the chart is empty."
    return f"Faces found in {with_faces:,} of {counted(frames, 'frame')}."


def analysis_csv_path(folder: Path, video: Path, now: dt.datetime | None = None,
                      named: bool = True) -> Path:
    """``folder/fer-<video stem>-emotions-20260101-120000.csv``, ``-2``... when taken: named
    as the app's recordings and screenshots are (``fer-clip-...``), "emotions" telling it
    from a recording of the same video. Not ``named`` (No file paths in saved files):
    ``fer-file-emotions-...``, as a recording is then (it kept the video's name: trial 14)."""
    source = str(video) if named else "file"
    return unused_path(folder, f"{file_prefix(source)}-emotions-{stamp(now)}", ".csv")


class _Progress:
    """The progress-bar object ``analyze`` expects (a context manager with ``update``)."""

    def __init__(self, total: int | None, on_progress: ProgressCallback | None,
                 cancelled: Callable[[], bool]) -> None:
        self.total, self.done = total, 0
        self._on_progress, self._cancelled = on_progress, cancelled

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def update(self, n: int = 1) -> None:
        if self._cancelled():
            raise AnalysisCancelled()
        self.done += n
        if self._on_progress is not None:
            self._on_progress(self.done, self.total)


def analyse_file(video: str | Path, out_csv: str | Path, pipeline: FacePipeline, *,
                 on_progress: ProgressCallback | None = None,
                 cancelled: Callable[[], bool] = lambda: False,
                 numbers_only: bool = False,
                 describe_model: Callable[[Any], dict[str, str]] = provenance) -> FileAnalysis:
    """Analyse every frame of ``video`` into ``out_csv`` (which must not exist yet).

    Args:
        video: the video file.
        out_csv: the CSV to create (same columns as ``fer-desktop analyze``).
        pipeline: a FacePipeline of its own (not the live view's: it is reset and used here).
        on_progress: called as ``(frames_done, frame_count or None)`` after each frame.
        cancelled: polled before each frame; True stops the run.
        numbers_only: "source 1" instead of the video's path in the ``source`` column.
        describe_model: the model's columns (the window's name its run's given name first,
            as its other records do: the CSV named only the run's folder, audit 51).

    Raises:
        AnalysisCancelled: ``cancelled()`` became true; no CSV was left behind.
        SourceError: the video cannot be read, or no frame of it could be analysed.
        ExportError: the CSV would replace a file or cannot be written.
    """
    video, out_csv = Path(video), Path(out_csv)
    check_outputs({"the result CSV": out_csv}, [video])
    remove_stale_app_temporaries(out_csv.parent)  # a killed analysis's, under its own name
    pending = PendingFile(out_csv, window=True)
    totals: Counter = Counter()
    try:
        made_by = describe_model(pipeline.classifier)  # once: the model cannot change here
        recorder = CsvRecorder(pending.path, with_source=True, numbers_only=numbers_only,
                               provenance=lambda: made_by, no_face_rows=True)  # as analyze
        try:
            problems = analyze._analyse_source(
                str(video), pipeline, recorder, 1, None, OverlayPainter(), {}, totals, True,
                progress=lambda total, _name: _Progress(total, on_progress, cancelled))
        finally:
            recorder.close()
        if totals["frames"] == 0:
            raise SourceError(video, "no frame of it could be analysed")
        pending.commit(next_free=True)  # the app's own name: the next one where it was taken
        out_csv = pending.target
    except OSError as exc:
        raise ExportError(out_csv, f"cannot be written ({exc.strerror or exc})") from exc
    except ExportError as exc:  # the recorder's own words name its temporary file (a folder
        if exc.path != pending.path:  # moved meanwhile named that hidden file, audit 51)
            raise
        written = getattr(exc, "write_error", None)
        reason = (f"cannot be written ({written})" if written is not None else
                  f"could not be kept: its folder {out_csv.parent} was moved or removed during "
                  "the analysis")
        raise ExportError(out_csv, f"{reason}; nothing was saved") from exc
    finally:
        if not pending.committed:
            pending.discard()
    return FileAnalysis(video, out_csv, totals["frames"], recorder.rows, tuple(problems),
                        made_by["model"])


def pipeline_running(classifier: Any, options: PipelineOptions) -> FacePipeline:
    """A pipeline of its own around the model in use, as loaded (its folder's file may have
    been replaced or moved since: the analysis ran another network, or none, under the
    window's model name, review 45)."""
    return FacePipeline.from_classifier(private_classifier(classifier), options)


@dataclass(frozen=True)
class ChartedFace:
    """One tracked face of an analysis CSV, as the chart's face chooser lists it."""

    track_id: int
    frames: int
    first_s: float
    last_s: float

    @property
    def choice(self) -> str:
        """"Face #2: 41 frames, 3.2-7.9 s": which face, and enough to tell it apart."""
        return (f"Face #{self.track_id}: {counted(self.frames, 'frame')}, "
                f"{self.first_s:.1f}-{self.last_s:.1f} s")


@dataclass(frozen=True)
class EmotionSeries:
    """Emotions over video time, read back from an analysis CSV.

    time_s: (n,) float64, video seconds, increasing.
    probabilities: (n, 7) float64, ordered as EMOTIONS: the mean over the faces of that frame;
        a row of NaN marks a stretch with no face (the chart breaks its lines there).
    faces: (n,) int, faces in that frame (0 in the NaN rows).
    span_s: the first and last video time in the CSV, frames without a face included: the
        whole stretch analysed, which the chart's time axis covers (it covered only the
        faces' stretch, so a face in the last seconds of a minute filled the chart).
    tracks: every tracked face of the CSV in the order of their numbers, whichever face the
        series is of (the chart's chooser lists them).
    track_id: the face the series follows, or None for the mean over every face.
    """

    time_s: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)
    faces: np.ndarray = field(repr=False)
    span_s: tuple[float, float] = (0.0, 0.0)
    tracks: tuple[ChartedFace, ...] = ()
    track_id: int | None = None

    @property
    def frames_with_faces(self) -> int:
        return int(np.count_nonzero(self.faces))


def emotion_series(csv_path: str | Path, track_id: int | None = None) -> EmotionSeries:
    """One curve per emotion from a CSV written by ``analyze`` or the recorder: the mean over
    every face of a frame, or the face numbered ``track_id`` alone (in a video of several
    people, the mean answered for nobody). See :func:`read_emotion_rows`.

    Raises:
        ExportError: the file cannot be read or lacks the expected columns.
    """
    return read_emotion_rows(csv_path).series(track_id)


def read_emotion_rows(csv_path: str | Path) -> EmotionRows:
    """The rows of an emotion CSV, read once: each face's curves are then drawn from memory
    (choosing a face read the whole CSV again on the GUI thread, review 46).

    Raises:
        ExportError: the file cannot be read or lacks the expected columns.
    """
    rows = EmotionRows()
    path = Path(csv_path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("frame", "time_s", *EMOTIONS)
                       if c not in (reader.fieldnames or [])]
            if missing:
                raise ExportError(path, "is not an emotion CSV (no column "
                                        + ", ".join(missing) + ")")
            for line, row in enumerate(reader, start=2):
                try:
                    rows.add(row)
                except (TypeError, ValueError) as exc:
                    raise ExportError(path, f"row {line} has a value that is not a "
                                            f"number ({exc})") from exc
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror or exc})") from exc
    return rows


class EmotionRows:
    """An emotion CSV's face rows: per face (its track id, None for a row without one), each
    frame's time and probabilities; and the time span of every row, "no face" rows included."""

    def __init__(self) -> None:
        # face: {frame: [time_s, probabilities summed, rows]} (a face twice in a frame: a
        # recorder's stills without numbers)
        self.faces: dict[int | None, dict[int, list]] = {}
        self.first_s, self.last_s = math.inf, -math.inf

    def add(self, row: dict) -> None:
        row_s = float(row["time_s"])
        self.first_s, self.last_s = min(self.first_s, row_s), max(self.last_s, row_s)
        if not row.get(EMOTIONS[0]):
            return  # a row that says "no face" carries no probabilities
        frames = self.faces.setdefault(_track_of(row), {})
        entry = frames.setdefault(int(row["frame"]), [row_s, np.zeros(len(EMOTIONS)), 0])
        entry[1] += [float(row[e]) for e in EMOTIONS]
        entry[2] += 1

    def tracks(self) -> tuple[ChartedFace, ...]:
        """Every numbered face, in the order of its number."""
        return tuple(ChartedFace(track, sum(n for _t, _p, n in frames.values()),
                                 min(t for t, _p, _n in frames.values()),
                                 max(t for t, _p, _n in frames.values()))
                     for track, frames in sorted((t, f) for t, f in self.faces.items()
                                                 if t is not None))

    def series(self, track_id: int | None = None) -> EmotionSeries:
        """The mean of each frame (over every face, or ``track_id``'s alone), a NaN row
        between frames that are not neighbours, so that no curve crosses a stretch without
        the face."""
        by_frame: dict[int, list] = {}
        for track, frames in self.faces.items():
            if track_id is not None and track != track_id:
                continue
            for frame, (time_s, probs, rows) in frames.items():
                entry = by_frame.setdefault(frame, [time_s, np.zeros(len(EMOTIONS)), 0])
                entry[1] += probs
                entry[2] += rows
        times: list[float] = []
        means: list[np.ndarray] = []
        counts: list[int] = []
        previous: int | None = None
        for frame in sorted(by_frame):
            time_s, total, count = by_frame[frame]
            if previous is not None and frame > previous + 1:  # a stretch with no face
                times.append((times[-1] + time_s) / 2)
                means.append(np.full(len(EMOTIONS), np.nan))
                counts.append(0)
            times.append(time_s)
            means.append(total / count)
            counts.append(count)
            previous = frame
        span = (self.first_s, self.last_s) if self.first_s <= self.last_s else (0.0, 0.0)
        return EmotionSeries(np.asarray(times, np.float64),
                             np.asarray(means, np.float64).reshape(-1, len(EMOTIONS)),
                             np.asarray(counts, int), span, self.tracks(), track_id)


def _track_of(row: dict) -> int | None:
    """A row's face number; None where it has none (a recorder's CSV of stills)."""
    try:
        return int(row.get("track_id") or "")
    except ValueError:
        return None
