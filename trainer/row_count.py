"""How many Training rows a FER-2013 CSV holds, counted cheaply, for the Train form's estimate.

The form said "With 3 epochs: about 6 minutes" for a 30-row CSV that trained in 20 s: its
estimate assumed FER-2013's 28,709 Training rows whatever the file. This counts the rows
without parsing pixels (the bytes ending in ",Training" when Usage is the last column, as in
FER-2013), about 3 s for the real 35,887-row ``.csv.gz`` on a 2-core machine (most of it
decompressing), so the window runs it off its GUI thread and :class:`TrainingRowCounts`
remembers the answer per path, size and modification time. TF-free and Qt-free.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from trainer.data import (
    BLANK_REASON,
    MAX_HEADER_CHARS,
    PIXELS,
    DatasetError,
    _check_compression_named,
    _check_size,
    _open_binary,
    header_names,
    text_problem,
)

CHUNK_BYTES = 1 << 22


COUNTED = (b"Training", b"PublicTest")  # what training needs: rows to learn from, to choose by


class _Tally:
    """The counts so far, and the rows whose pixels field has not PIXELS values."""

    def __init__(self, usage: int, pixels: int, columns: int) -> None:
        self.usage, self.pixels = usage, pixels
        self.last = usage == columns - 1
        self.counts = [0] * len(COUNTED)
        self.rows = 0  # data rows read so far
        self.malformed = 0
        self.first_malformed: tuple[int, str] | None = None  # (row, why), as the trainer says
        self.blank: list[int] = []  # blank rows not yet followed by a row: maybe the end's

    def add(self, lines: bytes) -> None:
        """Count whole ``lines`` (each ending in a newline). The fast path (Usage last, bare
        words, every line PIXELS - 1 spaces, counted line by line in NumPy: a chunk's total
        passed two bad rows whose counts made up for each other) leaves quoted or
        space-padded Usage (it counted none in such a file, and the form said it had no
        PublicTest rows), blank lines (numbered as rows and refused between rows, skipped at
        the end, as the trainer does: audit 37) and rows of another length to the slow one,
        which names the first bad row as the trainer does."""
        data = np.frombuffer(lines, np.uint8)
        ends = np.flatnonzero(data == ord("\n"))
        n = len(ends)
        if not n:
            return
        starts = np.concatenate(([0], ends[:-1] + 1))
        per_line = np.add.reduceat((data == ord(" ")).view(np.uint8), starts, dtype=np.int32)
        if self.last and (per_line == PIXELS - 1).all() \
                and not any(odd in lines for odd in (b'"', b" \n", b" \r\n", b", ")):
            for k, name in enumerate(COUNTED):
                self.counts[k] += lines.count(b"," + name + b"\n") \
                    + lines.count(b"," + name + b"\r\n")
            self._rows_follow()
            self.rows += n
            return
        for line in lines.splitlines():
            self.rows += 1
            if not line.replace(b",", b"").replace(b'"', b"").strip():  # ",,", '"",,' too:
                self.blank.append(self.rows)  # a spreadsheet's empty rows (review 37)
                continue
            self._rows_follow()
            fields = line.split(b",")
            if len(fields) > self.usage \
                    and (name := fields[self.usage].strip().strip(b'"')) in COUNTED:
                self.counts[COUNTED.index(name)] += 1
            values = len(fields[self.pixels].split()) if len(fields) > self.pixels else 0
            if values != PIXELS:
                self._bad(self.rows, f"{values} pixel values, expected {PIXELS}")

    def _rows_follow(self) -> None:
        """A row after blank lines: they were between rows, so they are bad rows."""
        for row in self.blank:
            self._bad(row, BLANK_REASON)
        self.blank = []

    def _bad(self, row: int, why: str) -> None:
        self.malformed += 1
        self.first_malformed = self.first_malformed or (row, why)


def _check_text(path: Path, lines: bytes, rows_before: int) -> None:
    """Refuse a carriage return alone or a byte that is not UTF-8 in whole ``lines`` as the
    trainer does, naming the row (the count took them; training refused them, audit 42)."""
    problem = text_problem(lines)
    if problem is not None:
        offset, reason = problem
        raise DatasetError(path, reason, row=rows_before + lines.count(b"\n", 0, offset) + 1)


def count_training_rows(path: str | os.PathLike) -> int:
    """The rows whose Usage is "Training" in the CSV at ``path`` (see :func:`count_rows`)."""
    return count_rows(path)[0]


def count_rows(path: str | os.PathLike) -> tuple[int, int]:
    """The rows whose Usage is "Training", and "PublicTest", in the CSV at ``path`` (.csv,
    .gz, .bz2, .xz, .zip). The first rows of FER-2013 are all Training: a file cut from them
    has no PublicTest rows, which training needs (said on the form before Start: trial 17).

    Raises:
        DatasetError: what the trainer would refuse the file for, found without parsing
            pixels: empty, not text, a column missing, rows without 2,304 pixel values (the
            form gave a 0-byte file, a JPEG and a CSV with bad rows a confident time, trial
            19); the sentence is the trainer's.
        OSError: the file cannot be read.

    Example:
        count_rows("fer2013.csv.gz")  # (28709, 3589)
    """
    path = Path(path)
    _check_size(path)
    _check_compression_named(path)
    with _open_binary(path) as fh:
        names = header_names(path, fh.readline(MAX_HEADER_CHARS + 1))
        tally = _Tally(names.index("Usage"), names.index("pixels"), len(names))
        rest = b""
        while chunk := fh.read(CHUNK_BYTES):
            lines = rest + chunk
            cut = lines.rfind(b"\n") + 1  # whole lines now, the rest with the next chunk
            rest = lines[cut:]
            _check_text(path, lines[:cut], tally.rows)
            tally.add(lines[:cut])
        if rest.strip():
            _check_text(path, rest + b"\n", tally.rows)
            tally.add(rest + b"\n")
    if tally.first_malformed is not None:
        row, why = tally.first_malformed
        more = f" ({tally.malformed} bad rows in all)" if tally.malformed > 1 else ""
        raise DatasetError(path, f"{why}{more}", row=row, bad_rows=tally.malformed)
    return tally.counts[0], tally.counts[1]


def csv_key(path: str | os.PathLike) -> str | None:
    """"path|size|mtime" of a file (None when it is not one): a changed file is counted again."""
    try:
        stat = Path(path).stat()
        resolved = Path(path).resolve()
    except OSError:
        return None
    return f"{resolved}|{stat.st_size}|{stat.st_mtime_ns}" if Path(path).is_file() else None


class TrainingRowCounts:
    """The Training (and PublicTest) rows of the CSVs counted so far, per :func:`csv_key`.

    Example:
        counts = TrainingRowCounts()
        counts.get("tiny.csv")                  # None: not counted yet
        key, rows, public = TrainingRowCounts.count("tiny.csv")  # slow: off the GUI thread
        counts.remember(key, rows, public)
        counts.get("tiny.csv")                  # 30, until the file changes
        counts.public("tiny.csv")               # 30
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int | None]] = {}  # (Training, PublicTest) rows
        self._problems: dict[str, str] = {}  # what the trainer would refuse the file for

    def get(self, path: str | os.PathLike) -> int | None:
        return self._counted(path)[0]

    def public(self, path: str | os.PathLike) -> int | None:
        """The PublicTest rows, once counted (None: not yet)."""
        return self._counted(path)[1]

    def _counted(self, path: str | os.PathLike) -> tuple[int | None, int | None]:
        key = csv_key(path)
        return self._known.get(key, (None, None)) if key is not None else (None, None)

    @staticmethod
    def count(path: str | os.PathLike) -> tuple[str | None, int, int, str]:
        """``(csv_key(path), training rows, PublicTest rows, "")``, or ``(key, 0, 0, why the
        trainer would refuse the file)``; the key as it was before counting (a file still
        being copied is counted again once it changes). A file that cannot be read
        (``OSError``) raises: that may pass, and is not remembered."""
        key = csv_key(path)
        try:
            return key, *count_rows(path), ""
        except DatasetError as exc:
            return key, 0, 0, problem_sentence(exc)

    def remember(self, key: str | None, rows: int, public: int | None = None,
                 problem: str = "") -> None:
        if key is None:
            return
        if problem:
            self._problems[key] = problem
        else:
            self._known[key] = (rows, public)

    def problem(self, path: str | os.PathLike) -> str:
        """Why the trainer would refuse the file at ``path`` as it is now; "" when none is
        known."""
        key = csv_key(path)
        return self._problems.get(key, "") if key is not None else ""


def problem_sentence(error: BaseException) -> str:
    """``error`` without the file's path (the form names the file in its field): "row 4
    (line 5): 100 pixel values, expected 2304 (4 bad rows in all)"."""
    if isinstance(error, DatasetError):
        return (f"row {error.row} (line {error.row + 1}): {error.reason}"
                if error.row is not None else error.reason)
    return f"it cannot be read ({getattr(error, 'strerror', None) or error})"
