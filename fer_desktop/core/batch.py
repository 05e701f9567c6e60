"""Spreading ``fer-desktop analyze`` over processes (``--jobs``) and machines (``--shard``).

The work is a list of *units*: each video file, each image file, and each image and video of
a folder (still images are judged one by one, so a folder splits into its photos). The list is fixed
by the command line and the files' names, so every machine computes the same list:

* ``--shard K/N`` keeps the K-th of N contiguous, equally sized slices of it (1-based, like
  ``split -n l/K/N``). Concatenating the shards' CSVs in shard order gives exactly the CSV of
  one unsharded run; ``fer-desktop merge`` does that and checks the headers.
* ``--jobs N`` analyses the units in N worker processes. Each worker writes a part CSV with
  the same writer as a one-process run; the parent copies the parts into ``--out`` in unit
  order, so the CSV is the same as with ``--jobs 1``. A unit that cannot be read is reported
  and the others go on.

The workers are started with ``spawn`` (not ``fork``): the parent may hold OpenCV and tqdm
threads, and a forked copy of a locked thread pool can hang.
"""

from __future__ import annotations

import argparse
import concurrent.futures.process
import contextlib
import csv
import functools
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from fer_desktop.core.errors import ExportError, SourceError
from fer_desktop.core.export import CsvRecorder, csv_name_note
from fer_desktop.core.messages import quote
from fer_desktop.core.name_order import name_order
from fer_desktop.core.native_paths import printable
from fer_desktop.core.provenance import provenance
from fer_desktop.core.safe_write import (
    STALE_TEMP_S,
    PendingFile,
    check_outputs,
    kind_of,
    remove_stale_folders,
)
from fer_desktop.core.saved_names import record_names
from fer_desktop.core.shard_record import MAX_SHARDS, MergeShards
from fer_desktop.core.sources import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    header_frame_count,
    is_image_path,
)

__all__ = ["ProcessRunner", "expand_inputs", "merge_csvs", "merge_main", "parse_jobs",
           "parse_shard", "shard_bounds", "shard_units", "unit_weights"]


# ## Planning: which units, which share


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N.

    Raises:
        ValueError: a message naming the value and giving an example.
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match:
        raise ValueError(f"--shard takes K/N (the K-th of N shares, counted from 1), "
                         f"got {text!r}; example: --shard 1/4")
    k, n = int(match.group(1)), int(match.group(2))
    if n > MAX_SHARDS:  # merge counted every shard of 2,000,000,000 out of memory (audit 62)
        raise ValueError(f"--shard {text}: at most {MAX_SHARDS:,} shards, got N={n:,}; "
                         f"example: --shard 1/{min(n, 1000)}")
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N (N >= 1), got K={k}, N={n}; "
                         f"example: --shard {min(max(k, 1), max(n, 1))}/{max(n, 1)}")
    return k, n


def usable_cores() -> int:
    """The cores this process may use (a container's or ``taskset``'s limit included)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parse_jobs(value: int) -> int:
    """Check ``--jobs``; return it. Raises ValueError naming the value and the core count."""
    if value < 1:
        cores = usable_cores()
        raise ValueError(f"--jobs must be 1 or more (the number of processes), got {value}; "
                         f"this machine has {cores} cores (example: --jobs {cores})")
    return value


def jobs_warning(jobs: int) -> str | None:
    """A warning when ``--jobs`` asks for more processes than the machine has cores (allowed:
    they share the cores, each slower, with a model loaded in every one)."""
    cores = usable_cores()
    if jobs <= cores:
        return None
    return (f"warning: --jobs {jobs} is more than this machine's {cores} cores; the "
            f"processes share them, each with its own model in memory (--jobs {cores} is "
            "usually as fast)")


def expand_inputs(inputs: list[str], saved: list[str] | None = None) -> list[str]:
    """The units of work, in a fixed order: folders become their images and videos, sorted
    by name (``analyze clips/`` on a folder of videos was refused: "holds no images").

    A folder without images, a missing path or an unreadable file stays one unit of its own,
    so that it is reported with its reason when its turn comes. A file named twice (twice on
    the command line, or alone and in its folder) is one unit, at its first place: analysed
    twice, its rows came twice under one name and its summary merged both passes.
    The pictures the window saved in a folder are left out (:func:`saved_by_the_window`),
    and added to ``saved``.
    """
    units: list[str] = []
    for spec in _each_once(inputs):
        path = Path(spec)
        if _is_folder(path):
            try:
                # not only files: a link to a drive not mounted, a loop of links or a pipe
                # named like a photo is a unit, refused by name in its turn (it vanished from
                # the results without a word, exit 0: audit 58)
                images = sorted((p for p in path.iterdir() if not _is_folder(p)
                                 and p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES),
                                key=name_order)
            except OSError:
                images = []
            window_saved = {p for p in images if saved_by_the_window(p)}  # a set: 8,000
            if saved is not None:  # screenshots took 11 s in a list (review 65)
                saved.extend(str(p) for p in images if p in window_saved)
            images = [p for p in images if p not in window_saved]
            units.extend([str(p) for p in images] or [spec])
        else:
            units.append(spec)
    return list(_each_once(units))


def saved_by_the_window(path: Path) -> bool:
    """A picture the window saved (a screenshot, an explanation, ``--snapshot``): its record
    beside it, ``<name>.json``, names it. In a folder of participants' photos, where the
    window's output folder may be, each was analysed again as one more participant, its
    labels and bars drawn over the face (trial 56); named alone, it is."""
    if path.suffix.lower() != ".png":
        return False
    record = path.with_suffix(".json")
    return record_names(record, path.name, printable(path.name))


def subfolders_not_searched(inputs: list[str]) -> list[str]:
    """The subfolders of the input folders, which :func:`expand_inputs` does not enter
    (hidden ones left out): an ``interviews/`` holding ``day 2/`` lost that day without a word,
    exit 0 (trial 35). A folder with nothing but subfolders is refused on its own."""
    return _left_out(inputs, _is_folder)


# photos and pictures of types this app does not decode, as phones and the web make them:
# left out of a folder without a word, its other pictures analysed, exit 0 (audit 49)
UNREAD_PICTURE_SUFFIXES = frozenset({".heic", ".heif", ".jxl", ".dng", ".cr2", ".cr3", ".nef",
                                     ".arw", ".raf", ".orf", ".rw2", ".psd", ".svg"})


def pictures_not_read(inputs: list[str]) -> list[str]:
    """The files of the input folders whose type names a picture this app does not decode
    (HEIC, camera raw...), which :func:`expand_inputs` leaves out."""
    return _left_out(inputs, lambda p: p.suffix.lower() in UNREAD_PICTURE_SUFFIXES
                     and p.is_file())


def _left_out(inputs: list[str], which: Callable[[Path], bool]) -> list[str]:
    """The entries of the input folders (hidden ones left out) that ``which`` picks."""
    found: list[str] = []
    for spec in _each_once(inputs):
        path = Path(spec)
        if not _is_folder(path):
            continue
        try:
            found += sorted((str(p) for p in path.iterdir()
                             if not p.name.startswith(".") and which(p)), key=name_order)
        except OSError:
            continue
    return found


def _is_folder(path: Path) -> bool:
    """``Path.is_dir`` that answers False where it may not look (a file inside a folder the
    user cannot enter raised PermissionError here); opening it then names the reason."""
    try:
        return path.is_dir()
    except OSError:
        return False


MAX_PART_LINE_CHARS = 1_000_000  # an analyze row is a few hundred characters
MERGE_NEEDS = ("frame", "label")  # the columns of every analyze row; any CSV was merged
# The settings merge warns of when its parts differ in them: the detector, a smoothing that
# is on, the crop scale and the eye-levelling. Not min_face_px, which Auto scales to each
# picture's width (photos of 512 and 256 px read 13 and 8), nor a smoothing of 0, which every
# photo gets (one command's own parts were "made with 2 different settings", review 43).
# And the app's version, which may detect, crop or smooth otherwise (audit 55).
COMPARED_SETTINGS = ("detector", "smoothing_s", "crop_scale", "level_eyes", "app_version")
# values of a compared setting that say nothing to compare: not recorded, or smoothing off
_NOT_COMPARED = {"smoothing_s": ("", "0")}


def _each_once(specs: list[str]) -> list[str]:
    """``specs`` without repeats of the same path (``a.jpg`` and ``./a.jpg`` are one)."""
    seen: set[str] = set()
    kept = []
    for spec in specs:
        key = os.path.normpath(os.path.abspath(spec))
        if key not in seen:
            seen.add(key)
            kept.append(spec)
    return kept


def shard_units(units: list[str], k: int, n: int,
                weights: list[int] | None = None) -> list[str]:
    """The K-th (1-based) of N contiguous slices of about equal work (:func:`shard_bounds`)."""
    start, stop = shard_bounds(weights if weights is not None else [1] * len(units), k, n)
    return units[start:stop]


def shard_bounds(weights: list[int], k: int, n: int) -> tuple[int, int]:
    """Where the K-th of N slices of units of these ``weights`` (:func:`unit_weights`; one
    each: the slices' sizes differ by at most one unit) starts and stops: a unit goes to the
    shard whose share of the work holds the unit's middle. Cut by count, a list of photos
    then six videos gave one machine every video, nine times the other's frames (trial 54).
    Contiguous, the parts in shard order are the rows of one run; the bounds go in the
    shard's record, for merge to check that the slices meet (review 63)."""
    total = max(1, sum(weights))
    done, start, stop = 0, 0, 0
    for weight in weights:
        shard = min(n, (2 * done + weight) * n // (2 * total) + 1)
        done += weight
        if shard < k:
            start = stop = stop + 1
        elif shard == k:
            stop += 1
    return start, stop


def unit_weights(units: list[str], every: int = 1) -> list[int]:
    """Each unit's work in frames analysed: a picture 1, a video its header's frame count
    over ``every`` (a header read, no frame decoded), 1 where it gives none or cannot be
    opened (each machine of a sharded job reads the same files alike: each shard records
    where its slice starts and stops, so that slices cut otherwise are refused at merge)."""
    weights = []
    for unit in units:
        count = header_frame_count(unit) if not is_image_path(unit) and os.path.isfile(unit) \
            else None
        weights.append(max(1, -(-(count or 0) // every)))
    return weights


# ## Running units in worker processes


@dataclass
class UnitResult:
    """What a worker sends back for one unit: counts, summaries and its part CSV (or an error).

    ``skipped``: (path, reason) of images skipped inside the unit; ``error``: the reason the
    whole unit failed (it wrote nothing then); ``write_error``: its part could not be written
    (a full disk: the command's, not the input's, so the command stops).
    """

    spec: str
    analysed: int = 0
    faceless: int = 0
    frames_read: int = 0
    rows: int = 0
    part: str | None = None
    summaries: dict = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    write_error: str | None = None


# State of one worker process, set once by its initializer (one pipeline per process).
_WORKER: dict = {}


class _QueueBar:
    """A tqdm stand-in for a worker: sends frame counts of unit ``unit`` to the parent's bar.

    Messages may arrive after the unit's result, so the result carries the final count too
    and the parent ignores late messages of units it has collected.
    """

    def __init__(self, queue, unit: int, total: int | None) -> None:
        self._queue, self._unit, self._last = queue, unit, time.monotonic()
        self.read = self._sent = 0
        if total:
            queue.put(("total", unit, total))

    def update(self, n: int = 1) -> None:
        self.read += n
        if time.monotonic() - self._last >= 0.25:
            self._send()

    def _send(self) -> None:
        if self.read > self._sent:
            self._queue.put(("frames", self._unit, self.read - self._sent))
            self._sent, self._last = self.read, time.monotonic()

    def __enter__(self) -> _QueueBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self._send()


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


@contextlib.contextmanager
def stop_signals_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP (``kill PID``, a batch scheduler, a closed terminal) handled as
    Ctrl+C is, for the block: what was finished is kept and the worker processes stop. Killed
    by SIGTERM, ``analyze --jobs`` left its workers running for ever (audit 41). Signals can
    be handled only in the main thread; elsewhere the block runs as it is. A signal ignored
    already stays ignored: ``nohup`` ignores SIGHUP so that a run goes on after a logout
    (review 39)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS
                if signal.getsignal(sig) is not signal.SIG_IGN}
    if (handler := signal.getsignal(signal.SIGINT)) is not None:  # for hold_further_stops
        previous[signal.SIGINT] = handler  # (None: set outside Python, left as it is)
    try:
        yield
    finally:
        for sig, handler in previous.items():  # None: set outside Python, taken as default
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def stops_held() -> Iterator[None]:
    """Ctrl+C, SIGTERM and SIGHUP held back for the block and delivered at its end, so that
    the block runs whole or not at all. The hold is a Python handler that notes the signal:
    a ``pthread_sigmask`` hold of the main thread let the kernel hand the signal to a worker
    pool's thread, whose C handler had Python raise it in the block all the same (CI).

    A block that fails (a full disk) ends with its own error, the stop held then dropped:
    the error ends the command as the stop would have, and raised over it the stop had
    the command say "interrupted", exit 130, not the full disk (review 53)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can be set only in the main thread
        return
    held: list[int] = []
    previous = {}
    for sig in (signal.SIGINT, *STOP_SIGNALS):
        handler = signal.getsignal(sig)
        if handler is not None and handler is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, lambda signum, _frame: held.append(signum))
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(held) if not failed else ():
            signal.raise_signal(sig)  # as it came, to the handler it was meant for


def hold_further_stops() -> None:
    """Ignore Ctrl+C, SIGTERM and SIGHUP from now on, for the rest of the enclosing
    :func:`stop_signals_as_interrupt` block (which restores them): after the first, what was
    finished is being written. A second Ctrl+C 0.01 s after the first (or ``timeout -s
    INT``, which signals the process, then its group) ended that in a traceback, exit -2, and
    no CSV although inputs had finished (trial 35)."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, *STOP_SIGNALS):
            if signal.getsignal(sig) is not signal.SIG_IGN:
                signal.signal(sig, signal.SIG_IGN)


PARENT_CHECK_S = 1.0  # how often a worker looks for its parent


def end_with_parent(parent: int, interval_s: float = PARENT_CHECK_S,
                    end: Callable[[], None] = lambda: os._exit(1)) -> threading.Thread:
    """Watch, in a daemon thread, for the parent's end, and then ``end`` this process: after
    a ``kill -9`` of analyze, its workers, reparented, went on analysing at full speed, then
    sat idle for good (audit 55). The parent may not say goodbye, so the worker looks: a
    changed ``os.getppid()`` (Windows reparents nothing: there this watch never fires)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        end()
    thread = threading.Thread(target=watch, name="end-with-parent", daemon=True)
    thread.start()
    return thread


def _init_worker(make_pipeline: Callable, setup: tuple, queue, parent: int) -> None:
    import cv2

    end_with_parent(parent)
    # Ctrl+C in a terminal reaches the whole process group: the parent decides what is kept
    # (ProcessRunner.salvage) and stops the workers; interrupted here, a worker went on to
    # its next unit and the parent waited for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cv2.setNumThreads(1)  # one core per process: --jobs N means N cores
    _WORKER["pipeline"] = make_pipeline(*setup)
    _WORKER["queue"] = queue


def _count_frames(units: list[str], queue, parent: int) -> None:
    """The counter process: each unit's frame count from its header, ahead of the workers, so
    that the bar has its whole total early (it grew as each worker opened its next input, and
    its time left with it). A process of its own, as the workers are: a file that crashes the
    decoder costs the count, never the parent. A unit it cannot open is left to its worker,
    which says why."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides, as for the workers
    end_with_parent(parent)
    import cv2

    from fer_desktop.core.sources import is_image_path, open_source

    cv2.setNumThreads(1)
    for unit, spec in enumerate(units):
        count = 1 if is_image_path(spec) else 0  # a picture: one frame, never decoded here
        if not count:
            try:
                source = open_source(Path(spec))
            except Exception:  # noqa: BLE001 - its worker names the trouble
                continue
            count = source.frame_count or 0
            source.close()
        if count:
            queue.put(("total", unit, count))


def _run_unit(analyse: Callable, unit: int, spec: str, part: str, with_source: bool,
              options: dict) -> UnitResult:
    """Analyse one unit into its part CSV (worker side). Never raises for a bad unit."""
    summaries: dict = {}
    result = UnitResult(spec)
    bars: list[_QueueBar] = []

    def progress(total: int | None, name: str) -> _QueueBar:
        bars.append(_QueueBar(_WORKER["queue"], unit, total))
        return bars[-1]

    totals: Counter = Counter()
    try:
        pipeline = _WORKER["pipeline"]  # the same columns as the main CSV's, model named
        made_by = functools.cache(lambda: provenance(pipeline.classifier))  # once, when used
        with CsvRecorder(part, with_source=with_source, provenance=made_by,
                         no_face_rows=True) as recorder:
            bad = analyse(spec, pipeline, recorder, summaries=summaries,
                          totals=totals, progress=progress, **options)
        result.analysed, result.rows, result.part = totals["frames"], recorder.rows, part
        result.faceless = totals["faceless"]
        result.summaries, result.skipped = summaries, [(str(p), r) for p, r in bad]
    except SourceError as exc:
        result.error = exc.reason
    except ExportError as exc:  # its part could not be written: a full disk, not the input
        cause = exc.__cause__  # (its first row too: "could not be analysed (.../0025.csv...)")
        written = getattr(exc, "write_error", None) or (
            (cause.strerror or str(cause)) if isinstance(cause, OSError) else str(exc.reason))
        result.error = f"its rows could not be written ({written})"
        result.write_error = written
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others;
        # the reason is reported to the user like any unreadable input.
        result.error = f"could not be analysed ({type(exc).__name__}: {exc})"
    result.frames_read = sum(bar.read for bar in bars)
    return result


def unit_failure(spec: str, result: UnitResult, out: Path) -> Exception:
    """A failed unit's error: a part that could not be written ends the command as one job's
    full disk does (``out`` kept as it was, exit 2), where the units after it went on and a
    24-row CSV replaced the user's 162 rows (audit 57); else the input is skipped."""
    if result.write_error is None:
        return SourceError(spec, result.error)
    error = ExportError(out, f"cannot be written ({result.write_error})")
    error.write_error = result.write_error
    return error


PARTS_PREFIX = ".tmp-fer-parts-"


def remove_stale_parts(folder: Path, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Delete the part folders a killed ``--jobs`` run left in ``folder`` (a second copy of
    its rows, kept for good: audit 55), where neither the folder nor a file in it has
    changed for ``older_than_s``: a run writing its parts right now is left alone."""
    return remove_stale_folders(folder, PARTS_PREFIX, older_than_s)


class FinishedLeftOut(str):
    """A unit that finished but is left out after Ctrl+C, as one before it had not: the rows
    are kept in the inputs' order. Told apart from the units not finished, which they were
    called, though their work was done (trial 60)."""


class ProcessRunner:
    """Runs units in ``jobs`` worker processes; hands results back in unit order.

    Args:
        units: the units, in the order their rows must appear.
        jobs: worker processes (at most one per unit is started).
        analyse: module-level function ``analyse(spec, pipeline, recorder, *, summaries,
            totals, progress, **options) -> [(skipped path, reason)]`` that counts the frames
            it analysed in ``totals["frames"]``.
        make_pipeline, setup: each worker calls ``make_pipeline(*setup)`` once.
        options: more keyword arguments for ``analyse`` (picklable).
        with_source: part CSVs carry the ``source`` column (must match ``--out``).
        work_dir: where the part CSVs go (deleted by ``close``).
        quiet: hide the progress bar (None: hide when stderr is not a terminal).

    Example:
        >>> with ProcessRunner(units, 2, analyse, make, setup, {}, True, tmp) as runner:
        ...     for spec in units:
        ...         skipped = runner.collect(spec, recorder, summaries, totals)
    """

    def __init__(self, units: list[str], jobs: int, analyse: Callable, make_pipeline: Callable,
                 setup: tuple, options: dict, with_source: bool, work_dir: Path,
                 quiet: bool | None = None) -> None:
        from tqdm import tqdm

        remove_stale_parts(work_dir)
        self._parts = Path(tempfile.mkdtemp(prefix=PARTS_PREFIX, dir=work_dir))
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(units))),
                                         mp_context=context, initializer=_init_worker,
                                         initargs=(make_pipeline, setup, self._queue,
                                                   os.getpid()))
        self._futures: list[tuple[str, Future]] = [
            (spec, self._pool.submit(_run_unit, analyse, i, spec,
                                     str(self._parts / f"{i:08d}.csv"), with_source, options))
            for i, spec in enumerate(units)]
        self._counter = context.Process(target=_count_frames,
                                        args=(units, self._queue, os.getpid()), daemon=True)
        self._counter.start()
        self._next = 0
        self._totals: dict[int, int] = {}  # unit -> its frame count, from whichever said first
        self._seen: dict[int, int] = {}  # unit -> frames reported so far, until collected
        self._collected: set[int] = set()
        self._frames = 0
        self._bar = tqdm(total=0, desc=f"{len(units)} inputs, {jobs} jobs", unit="frame",
                         disable=quiet, file=sys.stderr, leave=False, dynamic_ncols=True)

    @property
    def frames_done(self) -> int:
        """Frames the workers have reported so far (what the progress bar shows)."""
        return self._frames

    @property
    def frames_expected(self) -> int:
        """The bar's total: the frame counts said so far, each unit's once."""
        self._drain()
        return sum(self._totals.values())

    def _drain(self) -> None:
        while not self._queue.empty():
            try:
                kind, unit, n = self._queue.get_nowait()
            except Exception:  # noqa: BLE001 - raced with another reader: nothing to show
                return
            if kind == "total":
                if unit not in self._totals:  # the counter's and the worker's are the same
                    self._totals[unit] = n
                    self._bar.total += n
                    self._bar.refresh()
            elif unit not in self._collected:  # else late: the unit's result counted it
                self._seen[unit] = self._seen.get(unit, 0) + n
                self._count(n)

    def _count(self, n: int) -> None:
        self._frames += n
        self._bar.update(n)

    def collect(self, spec: str, recorder: CsvRecorder, summaries: dict,
                totals: Counter) -> list[tuple[str, str]]:
        """Wait for the next unit (it must be ``spec``), copy its rows into ``recorder``.

        Returns [(skipped path, reason)]; merges its track summaries into ``summaries`` and
        adds its analysed frames to ``totals["frames"]`` (those without a face to
        ``totals["faceless"]``).

        Raises:
            SourceError: the unit could not be analysed, or its worker process died.
            ExportError: its rows cannot be copied into ``recorder``.
        """
        expected, future = self._futures[self._next]
        if expected != spec:
            raise RuntimeError(f"units collected out of order: {spec!r} before {expected!r}")
        while not future.done():  # Ctrl+C here leaves the unit to salvage()
            self._drain()
            try:
                future.result(timeout=0.2)
            except TimeoutError:
                continue
            except BrokenProcessPool:
                break
        self._drain()
        unit = self._next
        try:
            result: UnitResult = future.result()
        except BrokenProcessPool as exc:  # a decoder crashed the process (e.g. a segfault)
            self._done(unit, 0)
            raise SourceError(spec, "its worker process died while analysing it; "
                                    "try it alone with --jobs 1") from exc
        if result.error is not None:
            self._done(unit, result.frames_read)
            raise unit_failure(spec, result, recorder.path)
        with stops_held():  # its rows, counts and the note that they are in, or none: a stop
            # in the copy passed the unit over, half copied (review 43); one just after it,
            # before the note, had salvage() copy it again (review 46)
            if result.part is not None:
                _copy_rows(Path(result.part), recorder)
            self._done(unit, result.frames_read)
            summaries.update(result.summaries)
            totals["frames"] += result.analysed
            totals["faceless"] += result.faceless
        if result.part is not None:
            Path(result.part).unlink(missing_ok=True)
        return result.skipped

    def _done(self, unit: int, frames_read: int) -> None:
        """Move past a unit collected: its frames counted once, late progress ignored."""
        self._next = unit + 1
        self._collected.add(unit)
        self._count(max(0, frames_read - self._seen.pop(unit, 0)))

    def salvage(self, recorder: CsvRecorder, summaries: dict,
                totals: Counter) -> tuple[list[str], list[tuple[str, str]]]:
        """After Ctrl+C: copy the rows of the units already finished, in order, up to the
        first one that is not; stop the workers at once. With ``--jobs`` an early Ctrl+C
        kept nothing ("nothing could be analysed"), after 8 s of waiting for the workers.

        Returns (the units left out: those not finished, and, as :class:`FinishedLeftOut`,
        those finished after the first of them; [(skipped path, reason)] of those copied).
        """
        left: list[str] = []
        skipped: list[tuple[str, str]] = []
        for spec, future in self._futures[self._next:]:
            finished = future.done() and not future.cancelled()
            if left or not finished:  # after an unfinished unit: left out, finished or not,
                # so that the CSV is the start of the whole run's, to be joined to the rest
                left.append(FinishedLeftOut(spec) if left and finished else spec)
                continue
            try:
                skipped += self.collect(spec, recorder, summaries, totals)
            except SourceError as exc:
                skipped.append((spec, exc.reason))
        # the units under way would run to their end: stop their processes (the standard
        # library has no public call for it before Python 3.14's terminate_workers; read
        # before shutdown, which forgets them)
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(5)
        return left, skipped

    def close(self) -> None:
        """Stop the workers (cancelling units not started) and delete the part CSVs."""
        manager = getattr(self._pool, "_executor_manager_thread", None)
        self._pool.shutdown(wait=True, cancel_futures=True)
        # Python's exit hook wakes every pool thread it still knows of, through a pipe this
        # shutdown closed: where a stop's traceback still held the thread, a job's log ended
        # in "Exception ignored ... Bad file descriptor" (trial 47); it is forgotten here.
        if manager is not None:
            getattr(concurrent.futures.process, "_threads_wakeups", {}).pop(manager, None)
        if self._counter.is_alive():  # still counting: its totals are not needed any more
            self._counter.terminate()
        self._counter.join()
        self._bar.close()
        self._queue.close()
        shutil.rmtree(self._parts, ignore_errors=True)

    def __enter__(self) -> ProcessRunner:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _copy_rows(part: Path, recorder: CsvRecorder) -> None:
    with part.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is not None and tuple(header) != tuple(recorder.columns):
            raise ExportError(part, f"has columns {header}, expected {list(recorder.columns)}")
        recorder.write_rows(reader)


# ## Joining the shards: fer-desktop merge


def merge_csvs(parts: list[Path], out: Path, force: bool = False,
               models: set[str] | None = None,
               settings: dict[str, set[str]] | None = None,
               warnings: list[str] | None = None) -> int:
    """Concatenate CSVs with one header into ``out`` (written beside it, then renamed).

    An existing ``out`` is left alone unless ``force``; ``out`` may never be one of the parts.
    Returns the number of rows written; ``models`` and ``settings``, when given, get the
    rows' ``model_sha256`` values and, for each of ``COMPARED_SETTINGS``, its values;
    ``warnings`` what the shard records say of skipped inputs and parts without one.

    Raises:
        ExportError: a part is missing, empty, not written by analyze, has other columns,
            repeats the header or another part's input, or its shard record says it is cut
            short, given twice or of another N, or a shard is missing
            (:mod:`~fer_desktop.core.shard_record`), or ``out`` is refused or cannot be
            written; ``out`` is then as it was.
    """
    out = Path(out)
    check_outputs({"--out": out}, parts, force=force)
    once = _each_once([str(p) for p in parts])
    if len(once) != len(parts):  # its rows came twice
        twice = next(p for p, q in zip(parts, [*once, None], strict=False) if str(p) != q)
        raise ExportError(twice, "is given twice: its rows would be merged twice; give each "
                                 "part once")
    _refuse_the_same_file_twice(parts)
    check, shards = _PartCheck(models, settings), MergeShards()
    with PendingFile(out, overwrite=force) as pending:
        try:
            with pending.path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                shards.read(parts)  # a shard cut short, or stale, refused before any rows
                for part in parts:
                    first, reader, src = _open_part(part)
                    before = check.rows
                    with src:
                        if check.header is None:
                            writer.writerow(check.start(part, first))
                        check.same_columns(part, first)
                        for line, row in _part_rows(part, reader):
                            check.row(part, line, row)
                            writer.writerow(row)
                    shards.check(part, check.rows - before)
        except OSError as exc:  # a part's own reading errors are named by _part_rows
            raise ExportError(out, f"cannot be written ({exc.strerror or exc})") from exc
        shards.check_all(check.sources)
        pending.commit()
    if warnings is not None:
        warnings += shards.warnings
        if moved := folders_apart(check.sources):
            warnings.append(moved)
    return check.rows


def folders_apart(sources: dict[str, Path]) -> str | None:
    """A warning when some parts name their inputs by whole paths and others by paths
    relative to where they ran (a shard run on a machine that mounts the share elsewhere,
    given the folder whole): merged, the source column mixed "media/clip.mp4" and
    "/mnt/share/media/clip.mp4", and a join on it missed half the rows without a word
    (trial 60). Folders apart within one form are not judged: one run's inputs may lie in
    several folders, which its shards split (day1/photos, day2/photos: review 67)."""
    whole: dict[bool, tuple[Path, str]] = {}
    for source, part in sources.items():
        whole.setdefault(os.path.isabs(source), (part, source))
    if len(whole) < 2:
        return None
    (part_a, a), (part_b, b) = whole[False], whole[True]
    return (f"{part_a.name} names its inputs from where it ran ({a}) and {part_b.name} by "
            f"whole paths ({b}): the source column mixes the two, so a join on it misses "
            "rows; run every shard from the same folder, with the same input paths")


def _analyze_columns(part: Path, header: list[str]) -> None:
    """Refuse a part without the columns of every analyze row (any CSV of the same columns
    was merged, and a bad first part blamed the good one, listing its 24 columns: audit 44)."""
    missing = [c for c in MERGE_NEEDS if c not in header]
    if missing:
        raise ExportError(part, f"is not a CSV written by analyze: it has no "
                                f"{' or '.join(missing)} column; nothing was merged")


class _PartCheck:
    """What ``merge`` checks of each part and row: analyze's columns, one header for all,
    rows whole, no header repeated inside a part (two parts joined by hand with ``cat``), no
    input in two parts (a copy of a part, or an earlier merge beside its parts: every row
    came twice, exit 0, audit 44 and trial 32), and the models and settings seen."""

    def __init__(self, models: set[str] | None, settings: dict[str, set[str]] | None):
        self.header: list[str] | None = None
        self.rows = 0
        self.models, self.settings = models, settings
        self.sources: dict[str, Path] = {}  # input -> the part its rows came from

    def start(self, part: Path, header: list[str]) -> list[str]:
        """The first part's header, checked as analyze's."""
        _analyze_columns(part, header)
        self.header = header
        return header

    def same_columns(self, part: Path, first: list[str]) -> None:
        if first == self.header:
            return
        _analyze_columns(part, first)  # not analyze's at all: said so, of this part
        extra = [c for c in first if c not in self.header]
        lacks = [c for c in self.header if c not in first]
        raise ExportError(part, "has other columns than the parts before it ("
                          + "; ".join(filter(None, (
                              f"more: {', '.join(extra)}" if extra else "",
                              f"fewer: {', '.join(lacks)}" if lacks else "",
                              "" if extra or lacks else "another order"))) +
                          "): merge only the CSVs of one analyze command's shards")

    def row(self, part: Path, line: int, row: list[str]) -> None:
        header = self.header
        if len(row) != len(header):  # a part cut short (a killed run)
            raise ExportError(part, f"line {line} has {len(row)} fields, the header "
                                    f"{len(header)}: the file is cut short or was edited; "
                                    "nothing was merged")
        if row == header:
            raise ExportError(part, f"line {line} repeats the header: two files joined by "
                                    "hand? give the parts themselves; nothing was merged")
        if "source" in header:
            source = row[header.index("source")]
            first = self.sources.setdefault(source, part)
            if first != part:
                raise ExportError(part, f"holds rows of {quote(source)}, as {first.name} "
                                        "does: a copy of a part, or an earlier merge beside "
                                        "its parts? its rows would be merged twice; nothing "
                                        "was merged")
        self.rows += 1
        if self.models is not None and "model_sha256" in header \
                and (model := row[header.index("model_sha256")]):
            temperature = row[header.index("model_temperature")] \
                if "model_temperature" in header else ""
            self.models.add(model[:12] + (f" at temperature {temperature}" if temperature
                                          else ""))
        if self.settings is not None:
            for column in COMPARED_SETTINGS:
                if column in header and (value := row[header.index(column)]) \
                        not in _NOT_COMPARED.get(column, ("",)):
                    self.settings.setdefault(column, set()).add(value)


def _part_rows(part: Path, reader) -> Iterator[tuple[int, list[str]]]:
    """A part's rows after its header, with their line numbers; a row that cannot be read
    names the part (a byte not UTF-8 past the first buffer ended in a traceback, and a
    failed read was said as the output "cannot be written": audit 37)."""
    line = 1
    try:
        for line, row in enumerate(reader, start=2):
            yield line, row
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(part, f"is not a CSV written by analyze: what follows line {line} "
                                f"cannot be read ({quote(exc, 120)}); nothing was merged"
                          ) from exc
    except OSError as exc:
        raise ExportError(part, f"cannot be read ({exc.strerror or exc}); nothing was "
                                "merged") from exc


def _refuse_the_same_file_twice(parts: list[Path]) -> None:
    """A part given twice under two names (a link to it): its rows came twice, exit 0, where
    the names alone were compared (audit 40)."""
    seen: dict[tuple[int, int], Path] = {}
    for part in parts:
        try:
            info = part.stat()
        except OSError:
            continue  # named when it is read
        if not info.st_ino:  # a drive without file numbers (0 for all): names only (review
            continue         # 38b: every second part was "the same file")
        first = seen.setdefault((info.st_dev, info.st_ino), part)
        if first is not part:
            raise ExportError(part, f"is the same file as {first}: its rows would be merged "
                                    "twice; give each part once")


def _lines(part: Path, src) -> Iterator[str]:
    """The part's lines, none longer than MAX_PART_LINE_CHARS: a file with no line break
    (a 3 GB one, /dev/zero) was read into memory whole (audit 40)."""
    while line := src.readline(MAX_PART_LINE_CHARS + 1):
        if len(line) > MAX_PART_LINE_CHARS:
            raise ExportError(part, f"has a line of over {MAX_PART_LINE_CHARS:,} characters: "
                                    "not a CSV written by analyze; nothing was merged")
        yield line


def _open_part(part: Path):
    """(header, reader, open file) of a part CSV; ExportError naming it if it is unusable."""
    try:
        if kind := kind_of(part.stat().st_mode):  # a pipe was read forever (audit 40); a
            # folder was "a pipe or a device" (review 41)
            raise ExportError(part, f"is {kind}, not a file; give the CSV files that "
                                    "analyze --shard wrote")
        src = part.open(newline="", encoding="utf-8-sig")  # a spreadsheet's BOM (audit 44)
    except OSError as exc:
        raise ExportError(part, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        reader = csv.reader(_lines(part, src))
        first = next(reader, None)
    except (OSError, UnicodeDecodeError, csv.Error, ExportError) as exc:
        src.close()
        if isinstance(exc, ExportError):
            raise
        if isinstance(exc, OSError):
            raise ExportError(part, f"cannot be read ({exc.strerror or exc})") from exc
        raise ExportError(part, "is not a CSV written by analyze") from exc
    if first is None:
        src.close()
        raise ExportError(part, "is empty (not a CSV written by analyze)")
    return first, reader, src


def merge_main(argv: list[str] | None = None) -> int:
    """Entry point of ``fer-desktop merge``: 0 merged, 2 a part or the output is unusable."""
    parser = argparse.ArgumentParser(
        prog="fer-desktop merge",
        description="Join the CSVs of `fer-desktop analyze --shard K/N` runs into one CSV, in "
                    "the natural order of their names (part-2 before part-10), so the result "
                    "equals one unsharded run.",
        epilog="Example: fer-desktop merge shards/part-*.csv --out results.csv. Each part of "
               "analyze --shard has its record beside it (part-K.csv.shard.json): keep them "
               "together (copy part-*.csv*), so that a shard missing, stopped early or left "
               "by an earlier run is refused.")
    parser.add_argument("parts", nargs="+", type=Path, metavar="CSV",
                        help="the CSVs of analyze to join (its --shard parts), in name order")
    parser.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--keep-order", action="store_true",
                        help="join in the order given instead of sorting the names")
    args = parser.parse_args(argv)
    parts = args.parts if args.keep_order else sorted(args.parts, key=name_order)
    try:
        check_outputs({"--out": args.out}, parts, force=args.force)  # refused first, and
        if note := csv_name_note(args.out):  # then the note, as analyze says it (trial 32):
            print(note, file=sys.stderr)  # a folder's or /dev/full's came first (trial 60)
        models: set[str] = set()
        settings: dict[str, set[str]] = {}
        warnings: list[str] = []
        with stop_signals_as_interrupt():  # kill PID left a 34 MB hidden file (audit 41)
            rows = merge_csvs(parts, args.out, args.force, models, settings, warnings)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a traceback, rc -2 (audit 41); the temporary file is gone
        print(f"interrupted: nothing was written; {args.out} is as it was", file=sys.stderr)
        return 130
    print(f"{len(parts)} CSV{'s' if len(parts) > 1 else ''} merged, {rows:,} rows written to "
          f"{args.out}")
    if len(models) > 1:  # parts of different models joined without a word (audit 40)
        print(f"warning: the rows come from {len(models)} different models (model_sha256 "
              f"{', '.join(sorted(models))}): compare them only knowing that",
              file=sys.stderr)
    differing = {c: sorted(v) for c, v in settings.items() if len(v) > 1}
    if differing:  # a haar part beside yunet's (trial 32)
        print("warning: the rows were made with different settings ("
              + "; ".join(f"{c} {' and '.join(v[:4])}" for c, v in differing.items())
              + "): compare them only knowing that", file=sys.stderr)
    for warning in warnings:  # inputs a shard skipped, parts with no record (audit 55)
        print(f"warning: {warning}", file=sys.stderr)
    return 0

