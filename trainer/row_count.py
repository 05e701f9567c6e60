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

from trainer.data import DatasetError, _open_binary

CHUNK_BYTES = 1 << 22


def _training_in(lines: bytes, usage: int, last: bool) -> int:
    """Training rows among whole ``lines`` (each ending in a newline)."""
    if last:
        return lines.count(b",Training\n") + lines.count(b",Training\r\n")
    count = 0
    for line in lines.splitlines():
        fields = line.split(b",")
        count += len(fields) > usage and fields[usage].strip().strip(b'"') == b"Training"
    return count


def count_training_rows(path: str | os.PathLike) -> int:
    """The rows whose Usage is "Training" in the CSV at ``path`` (.csv, .gz, .bz2, .xz, .zip).

    Raises:
        DatasetError: no Usage column in the header.
        OSError: the file cannot be read.

    Example:
        count_training_rows("fer2013.csv.gz")  # 28709
    """
    path = Path(path)
    with _open_binary(path) as fh:
        header = [name.strip().strip(b'"') for name in fh.readline().rstrip(b"\r\n").split(b",")]
        if b"Usage" not in header:
            raise DatasetError(path, "no Usage column in the header")
        usage = header.index(b"Usage")
        last = usage == len(header) - 1
        count, rest = 0, b""
        while chunk := fh.read(CHUNK_BYTES):
            lines = rest + chunk
            cut = lines.rfind(b"\n") + 1  # whole lines now, the rest with the next chunk
            rest = lines[cut:]
            count += _training_in(lines[:cut], usage, last)
        if rest.strip():
            count += _training_in(rest + b"\n", usage, last)
    return count


def csv_key(path: str | os.PathLike) -> str | None:
    """"path|size|mtime" of a file (None when it is not one): a changed file is counted again."""
    try:
        stat = Path(path).stat()
        resolved = Path(path).resolve()
    except OSError:
        return None
    return f"{resolved}|{stat.st_size}|{stat.st_mtime_ns}" if Path(path).is_file() else None


class TrainingRowCounts:
    """The Training rows of the CSVs counted so far, per :func:`csv_key`.

    Example:
        counts = TrainingRowCounts()
        counts.get("tiny.csv")                  # None: not counted yet
        key, rows = TrainingRowCounts.count("tiny.csv")   # slow: off the GUI thread
        counts.remember(key, rows)
        counts.get("tiny.csv")                  # 30, until the file changes
    """

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def get(self, path: str | os.PathLike) -> int | None:
        key = csv_key(path)
        return self._known.get(key) if key is not None else None

    @staticmethod
    def count(path: str | os.PathLike) -> tuple[str | None, int]:
        """``(csv_key(path), count_training_rows(path))``; the key as it was before counting."""
        key = csv_key(path)
        return key, count_training_rows(path)

    def remember(self, key: str | None, rows: int) -> None:
        if key is not None:
            self._known[key] = rows
