"""Saving what the pipeline saw: annotated screenshots with a JSON sidecar, and a CSV log.

Screenshot names carry the source's name, the date and the time (``fer-sample-20261202-
121500.png``: a folder of screenshots sorts by source, then time) and are created
exclusively, so a second screenshot in the same second gets a suffix instead of replacing
the first. The CSV is flushed at least once a second, so a crash loses at most the last
second of rows; a write that fails (a full disk) cuts the file back to what its last flush
wrote, whole rows only, so what was recorded stays a valid CSV, and says how many it keeps.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError
from fer_desktop.core.native_paths import printable, printable_strings
from fer_desktop.core.privacy import SourceNames
from fer_desktop.core.provenance import PROVENANCE_COLUMNS, frame_settings
from fer_desktop.core.safe_write import (
    WINDOW_TEMP_PREFIX,
    as_made_by_the_user,
    make_folder,
    remove_stale_app_temporaries,
    remove_stale_folders,
    rename_no_replace,
    snapshot_png,
    too_long_words,
    unused_path,
)
from fer_desktop.core.saved_names import SAVED_PREFIX, stamp
from fer_desktop.core.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from fer_desktop.core.types import FrameResult

# label: the best guess (always an emotion); uncertain: "true" when the model is unsure of it.
CSV_COLUMNS = ("frame", "time_s", "track_id", "x", "y", "w", "h", "label", "confidence",
               "uncertain", *EMOTIONS)
FLUSH_INTERVAL_S = 1.0
NO_FACE = "no face"  # the label of the row a frame without faces writes (when asked for)
NAME_PART_MAX = 40  # characters of a source's name in a file name
MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES


def csv_name_note(out: Path) -> str | None:
    """What to say of an output not named .csv (a CSV went under a .txt name without a word,
    audit 36); None for a .csv. ``analyze`` and ``merge`` both say it."""
    if out.suffix.lower() == ".csv":
        return None
    return (f"note: {out.name} will hold CSV (comma-separated) rows; a name ending in .csv "
            "opens in a spreadsheet")


def name_part(source: str) -> str:
    """A source as a part of a file name: ``sample`` for ``/photos/sample.jpg``, ``camera-0``
    for ``camera 0``, "" for none. Only letters, digits, ``_`` and ``-`` are kept (a name that
    is safe on every file system), at most ``NAME_PART_MAX`` characters."""
    path = Path(source.strip())
    # a known file type's suffix goes ("clip.mp4": clip), a folder keeps its dots
    # ("holiday.2024" was named "holiday")
    stem = "" if not source.strip() else (
        path.stem if path.suffix.lower() in MEDIA_SUFFIXES else path.name)
    return re.sub(r"[^\w-]+", "-", stem).strip("-_")[:NAME_PART_MAX].strip("-_")


def file_prefix(source: str, kind: str = "") -> str:
    """The app's prefix, ``kind`` and the source's name, when there is one:
    ``fer-why-sample`` (``fer`` alone without either)."""
    return "-".join(part for part in (SAVED_PREFIX, kind, name_part(source)) if part)


def _check_writable_folder(folder: Path) -> None:
    try:
        make_folder(folder)  # a file in the way is named
    except OSError as exc:
        raise ExportError(folder, too_long_words(folder) if exc.errno == errno.ENAMETOOLONG
                          else f"cannot create the folder ({exc.strerror or exc}); choose "
                               "another folder") from exc
    except UnicodeEncodeError as exc:  # Python's file names in ASCII (PYTHONUTF8=0 LANG=C):
        raise ExportError(folder, "cannot be named in this system's encoding for file names "
                                  f"({sys.getfilesystemencoding()}): start the app under a "
                                  "UTF-8 locale, or choose a folder with a plain name"
                          ) from exc  # it blamed the folder's name (trial 43)
    except ValueError as exc:  # a NUL byte in a hand-edited setting (audit 40)
        raise ExportError(folder, "is not a usable folder name; choose another folder"
                          ) from exc
    if not folder.is_dir():
        raise ExportError(folder, "is not a folder; choose another folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(folder, "is not writable; choose another folder")


class ScreenshotWriter:
    """Writes ``fer-<source>-YYYYMMDD-HHMMSS[-N].png`` plus a ``.json`` sidecar with the faces.

    Args:
        folder: where the files go (created if missing).
        clock: returns the local datetime used in names; injectable for tests.

    Raises:
        ExportError: the folder cannot be created or written.
    """

    def __init__(self, folder: str | Path, clock=dt.datetime.now) -> None:
        self.folder = Path(folder)
        self._clock = clock
        _check_writable_folder(self.folder)

    def _claim(self, written: Path, stem: str) -> Path:
        """Rename the written PNG to the first free name (never over a file, nor beside
        another picture's sidecar); return that name."""
        for n in range(1, 10_000):
            path = self.folder / (f"{stem}.png" if n == 1 else f"{stem}-{n}.png")
            if path.with_suffix(".json").exists():
                continue
            try:
                rename_no_replace(written, path)
                return path
            except FileExistsError:
                continue
        raise ExportError(self.folder / stem, "too many screenshots with this name")

    def save(self, annotated_bgr: np.ndarray, result: FrameResult, source: str = "",
             provenance: dict[str, str] | None = None, pixel_scale: float = 1.0) -> Path:
        """Write the annotated frame and its sidecar; return the PNG's path (never overwrites).

        ``provenance`` (model name, file, SHA-256, app version: see
        :func:`fer_desktop.core.provenance.provenance`) goes into the sidecar as it is. The
        sidecar's boxes are in the PNG's pixels; ``pixel_scale`` (the source's own pixels per
        pixel of it: 2.0 for a large JPEG decoded at half size) goes in beside them (the
        boxes read as the photo's own, off by 2, audit 58).

        Raises:
            ExportError: the image cannot be encoded or the files cannot be written.
        """
        ok, png = cv2.imencode(".png", np.ascontiguousarray(annotated_bgr))
        if not ok:
            raise ExportError(self.folder, f"cannot encode an image of shape "
                                           f"{np.shape(annotated_bgr)} as PNG")
        return self.save_png(png.tobytes(), file_prefix(source), {
            "source": source, "frame": result.index,  # time as the CSVs write it (3.400,
            "time_s": round(float(result.timestamp_s), 3),  # not 3.4000000000000004: audit 54)
            "width": int(annotated_bgr.shape[1]), "height": int(annotated_bgr.shape[0]),
            "pixel_scale": float(pixel_scale), "emotions": list(EMOTIONS),
            "faces": [f.as_dict() for f in result.faces_by_number()],
            "held": [f.as_dict() for f in result.held],  # drawn where last seen, not found now
            "timings_ms": {k: round(float(v), 3) for k, v in result.timings_ms.items()},
            "settings": {"detector": result.detector, "min_face_px": result.min_face_px or None,
                         "smoothing_s": result.smoothing_s,  # numbers, as the rest (trial 29)
                         "crop_scale": result.crop_scale, "level_eyes": result.level_eyes},
            **(provenance or {})})

    def save_png(self, png: bytes, prefix: str, sidecar: dict) -> Path:
        """Write an encoded PNG as ``<prefix>-<date>-<time>.png`` (``-2``... when taken) and
        ``sidecar`` beside it as JSON (with the image's name and the time); never overwrites.
        The screenshots and the explanations ("Why this answer?") go through here.

        Raises:
            ExportError: the files cannot be written.
        """
        now = self._clock()
        stem = f"{prefix}-{stamp(now)}"
        remove_stale_app_temporaries(self.folder)  # left by a window killed while saving
        path, ours = self.folder / f"{stem}.png", []  # the files this save made
        try:  # written whole under a hidden name first: killed while it wrote, a cut PNG
            # stood under the screenshot's name, unreadable and never said (audit 57)
            handle, name = tempfile.mkstemp(prefix=f"{WINDOW_TEMP_PREFIX}{stem}.",
                                            suffix=".png", dir=self.folder)
            ours.append(Path(name))
            with os.fdopen(handle, "wb") as file:
                file.write(png)
            as_made_by_the_user(ours[0])  # not mkstemp's 0600 (audit 58), as its JSON
            path = ours[0] = self._claim(ours[0], stem)
            data = {"image": path.name, "saved_at": now.isoformat(timespec="seconds"),
                    **sidecar}
            ours.append(path.with_name(f"{WINDOW_TEMP_PREFIX}{path.stem}.json"))
            ours[1].write_text(json.dumps(printable_strings(data), indent=2), encoding="utf-8")
            os.replace(ours[1], path.with_suffix(".json"))
        except OSError as exc:
            # none of its files is left behind: a full disk left an empty PNG that read as a
            # screenshot (trial 23)
            for leftover in ours:
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
            raise ExportError(path, f"cannot be written ({exc.strerror or exc})") from exc
        return path


class CsvRecorder:
    """One CSV row per face per frame; see CSV_COLUMNS (``source`` first when asked for).

    Args:
        path: the CSV file (replaced if it exists; its folder is created).
        with_source: add a ``source`` column (several inputs in one file).
        clock: monotonic seconds for the flush interval; injectable for tests.
        no_face_rows: a frame without faces writes one row labelled ``"no face"`` (so "no
            face" and "not processed" differ), its other face columns empty.
        provenance: returns the ``model``, ``model_sha256`` and ``app_version`` written in
            the last columns of every row (called per frame: a model swapped during a
            recording is named from its first frame on), with the frame's ``detector``,
            ``min_face_px``, ``smoothing_s``, ``crop_scale`` and ``level_eyes`` after them
            (``PROVENANCE_COLUMNS``).
        numbers_only: write "source 1", "source 2"... instead of file paths in the ``source``
            column (see :class:`fer_desktop.core.privacy.SourceNames`).
        exclusive: create the file, never open one that exists (FileExistsError is raised
            then, for the caller to take another name: two windows recording into one folder
            in the same second could both take a name found free).

    Raises:
        ExportError: the file cannot be created.

    Example:
        >>> with CsvRecorder(Path("out.csv")) as recorder:
        ...     recorder.write(result)
    """

    def __init__(self, path: str | Path, with_source: bool = False, clock=time.monotonic, *,
                 no_face_rows: bool = False,
                 provenance: Callable[[], dict[str, str]] | None = None,
                 numbers_only: bool = False, exclusive: bool = False) -> None:
        self.path = Path(path)
        self.with_source = with_source
        self.no_face_rows = no_face_rows
        self._provenance = provenance
        self._source_name = SourceNames() if numbers_only else None
        self._clock = clock
        self.rows = 0
        try:
            make_folder(self.path.parent)  # a file in the way is named
            self._file = open(self.path, "x+" if exclusive else "w+",  # noqa: SIM115
                              newline="", encoding="utf-8")  # (+: read back if replaced)
        except OSError as exc:
            if exclusive and isinstance(exc, FileExistsError):
                raise  # taken since it was chosen: the caller takes the next name
            raise ExportError(self.path, f"cannot be written ({exc.strerror or exc}); "
                                         "choose another file") from exc
        self._writer = csv.writer(self._file)
        self.columns = ((("source",) if with_source else ()) + CSV_COLUMNS
                        + (PROVENANCE_COLUMNS if provenance is not None else ()))
        try:
            self._writer.writerow(self.columns)
            self._file.flush()
        except OSError as exc:  # a full disk: no empty file left behind (trial 23)
            self._close_quietly()
            self.path.unlink(missing_ok=True)
            raise ExportError(self.path, f"cannot be written ({exc.strerror or exc}); "
                                         "choose another folder") from exc
        self._last_flush = clock()
        self._kept = (self._file_size(), 0)  # bytes and rows on disk after the last flush

    def write(self, result: FrameResult, source: str | None = None,
              pixel_scale: float = 1.0) -> None:
        """Append one row per face of ``result``; ``pixel_scale``: the source's own pixels per
        pixel of the frame analysed (``Frame.pixel_scale``: boxes and the minimum face are
        written in the source's pixels)."""
        if self._file.closed:
            raise ExportError(self.path, "the recorder is closed")
        rows: list[list] = []
        for face in result.faces_by_number():
            x1, y1, x2, y2 = (float(v) * pixel_scale for v in face.box)
            rows.append([result.index, f"{result.timestamp_s:.3f}",
                         "" if face.track_id is None else face.track_id,
                         round(x1), round(y1), round(x2 - x1), round(y2 - y1), face.label,
                         f"{face.confidence:.4f}", "true" if face.uncertain else "false",
                         *(f"{p:.4f}" for p in face.probabilities)])
        if not rows and self.no_face_rows:
            rows.append([result.index, f"{result.timestamp_s:.3f}", "", "", "", "", "",
                         NO_FACE, "", "", *([""] * len(EMOTIONS))])
        extra: list[str] = []
        if self._provenance is not None and rows:
            info = {**self._provenance(), **frame_settings(result, pixel_scale)}
            extra = [info.get(column, "") for column in PROVENANCE_COLUMNS]
        try:
            for row in rows:
                if self.with_source:
                    name = source or ""  # a name not UTF-8 spelt out (audit 39)
                    row.insert(0, printable(self._source_name(name) if self._source_name
                                            else name))
                self._writer.writerow(row + [printable(v) if isinstance(v, str) else v
                                             for v in extra])
                self.rows += 1
        except OSError as exc:
            self._give_up(exc)
        if self._clock() - self._last_flush >= FLUSH_INTERVAL_S:
            self.flush()

    def write_rows(self, rows) -> None:
        """Append rows already formatted by another recorder with the same ``columns``: all of
        them or, interrupted (Ctrl+C), none: the file is cut back to where it was.

        Used to join the part CSVs of ``analyze --jobs N`` without reformatting any number; an
        input's rows half copied lay among whole ones (review 43).
        """
        if self._file.closed:
            raise ExportError(self.path, "the recorder is closed")
        self.flush()
        size, count = self._kept
        try:
            for row in rows:
                self._writer.writerow(row)
                self.rows += 1
        except OSError as exc:
            self._give_up(exc)
        except BaseException:
            self._cut_back(size, count)
            raise
        self.flush()

    def _cut_back(self, size: int, rows: int) -> None:
        """Forget what was written after ``size`` bytes and ``rows`` rows; the file stays open."""
        with contextlib.suppress(OSError):
            self._file.truncate(size)  # what the buffer held goes first, then the bytes
            self._file.seek(0, os.SEEK_END)  # the next row follows, with no gap before it
        self.rows = rows

    def flush(self) -> None:
        """Write the rows held in memory.

        Raises:
            ExportError: they could not be written; the file is closed, cut back to its last
                whole row (:attr:`rows` says how many it keeps).
        """
        if not self._file.closed:
            try:
                self._file.flush()
            except OSError as exc:
                self._give_up(exc)
            self._last_flush = self._clock()
            self._kept = (self._file_size(), self.rows)
            self._check_still_there()

    def _check_still_there(self) -> None:
        """Raise ExportError when the file is no longer at :attr:`path`: its folder removed
        or moved while it was written. The rows went into a file nobody could find, and the
        end said "Recording saved to ..." of a path where there was none (audit 40)."""
        # only a path that leads nowhere, or a file with no name left, is gone: a stat's file
        # number is not stable on every drive (network, Windows: review 38b)
        try:
            os.stat(self.path)
            there = os.fstat(self._file.fileno()).st_nlink > 0
        except (FileNotFoundError, NotADirectoryError):  # removed or moved away
            there = False
        except OSError:  # a passing refusal (permission, I/O): not proof it is gone
            return
        if there:
            return
        if self.path.exists():  # another file under its name: its rows are read back
            raise ExportError(self.path, self._kept_apart())
        self._close_quietly()
        raise ExportError(self.path, f"was moved or removed while it was written (its "
                                     f"folder too?): its {self.rows} rows are not there "
                                     "any more")

    def _kept_apart(self) -> str:
        """The rows of a file replaced while it was written (``analyze --force`` onto the
        recording's name), written under the next free name: they were lost, and the
        message said the file was "moved or removed (its folder too?)" (audit 53)."""
        try:
            self._file.seek(0)
            rows = self._file.read()
            self._close_quietly()
            kept = unused_path(self.path.parent, self.path.stem, self.path.suffix)
            with open(kept, "x", newline="", encoding="utf-8") as fh:
                fh.write(rows)
        except OSError as exc:
            self._close_quietly()
            return (f"was replaced by another file while it was written (another program "
                    f"wrote to that name); its {self.rows} rows could not be kept "
                    f"({exc.strerror or exc})")
        return (f"was replaced by another file while it was written (another program wrote "
                f"to that name): the {self.rows} rows written so far are kept in {kept}")

    def close(self) -> None:
        """Finish the file (see :meth:`flush` for a write that fails)."""
        if not self._file.closed:
            self.flush()
            self._file.close()

    def _file_size(self) -> int:
        return os.fstat(self._file.fileno()).st_size

    def _close_quietly(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()  # closes the file even where its last flush fails

    def _give_up(self, exc: OSError) -> None:
        """A write failed (a full disk, a drive gone): close, cut the file back to the rows
        written whole before, and say so. A full disk had left a row cut mid-number, and the
        recording looked as if it went on (trial 23)."""
        self._close_quietly()
        size, self.rows = self._kept
        with contextlib.suppress(OSError):  # a drive gone: nothing more can be done to it
            os.truncate(self.path, size)
        error = ExportError(self.path, f"could not be written ({exc.strerror or exc}); it "
                                       f"keeps the {self.rows} rows written before")
        error.write_error = str(exc.strerror or exc)  # for a writer that throws the file away
        raise error from exc

    def __enter__(self) -> CsvRecorder:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


SNAPSHOT_PREFIX = ".snapshot-"


def save_snapshot(out: Path, output, provenance: dict[str, str] | None = None) -> Path:
    """Write ``output`` (the window's CaptureOutput: annotated picture, result, source) to
    exactly ``out`` and ``out`` with ``.json``: ``fer-desktop --snapshot``.

    Uses the core's ScreenshotWriter (same PNG and sidecar as the Screenshot button) in a
    temporary folder beside ``out``, then renames both files into place (replacing files of
    those names: the user named them). Every failure names ``out``, never the temporary folder.

    Raises:
        ExportError: ``out`` cannot be written.
    """
    out = snapshot_png(out)
    tmp = None
    try:
        make_folder(out.parent)  # a file in the way is named, not wrapped below
    except OSError as exc:
        raise ExportError(out, f"cannot be written ({exc.strerror or exc}); choose another "
                               "file") from exc
    remove_stale_folders(out.parent, SNAPSHOT_PREFIX)  # a killed snapshot's (audit 57)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX, dir=out.parent))
        png = ScreenshotWriter(tmp).save(output.annotated, output.result, output.source,
                                         provenance=provenance,
                                         pixel_scale=getattr(output, "pixel_scale", 1.0))
        sidecar = json.loads(png.with_suffix(".json").read_text(encoding="utf-8"))
        sidecar["image"] = printable(out.name)
        png.with_suffix(".json").write_text(json.dumps(sidecar, indent=2), encoding="utf-8")
        os.replace(png, out)
        os.replace(png.with_suffix(".json"), out.with_suffix(".json"))
    except (OSError, ExportError) as exc:
        reason = exc.reason if isinstance(exc, ExportError) else (exc.strerror or str(exc))
        inner = re.fullmatch(r"cannot be written \((.*)\)(; .*)?", reason)  # the writer's
        reason = inner[1] if inner else reason  # own words: not said twice (audit 39)
        raise ExportError(out, f"cannot be written ({reason}); choose another file") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out
