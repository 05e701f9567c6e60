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


COUNTED = (b"Training", b"PublicTest")  # what training needs: rows to learn from, to choose by


def _counts_in(lines: bytes, usage: int, last: bool) -> list[int]:
    """Rows of each COUNTED usage among whole ``lines`` (each ending in a newline). The fast
    path (Usage last, bare words) leaves quoted or space-padded ones (either side) to the slow
    one: it counted none in such a file, and the form said it had no PublicTest rows."""
    if last and not any(odd in lines for odd in (b'"', b" \n", b" \r\n", b", ")):
        return [lines.count(b"," + name + b"\n") + lines.count(b"," + name + b"\r\n")
                for name in COUNTED]
    counts = [0] * len(COUNTED)
    for line in lines.splitlines():
        fields = line.split(b",")
        if len(fields) > usage and (name := fields[usage].strip().strip(b'"')) in COUNTED:
            counts[COUNTED.index(name)] += 1
    return counts


def count_training_rows(path: str | os.PathLike) -> int:
    """The rows whose Usage is "Training" in the CSV at ``path`` (see :func:`count_rows`)."""
    return count_rows(path)[0]


def count_rows(path: str | os.PathLike) -> tuple[int, int]:
    """The rows whose Usage is "Training", and "PublicTest", in the CSV at ``path`` (.csv,
    .gz, .bz2, .xz, .zip). The first rows of FER-2013 are all Training: a file cut from them
    has no PublicTest rows, which training needs (said on the form before Start: trial 17).

    Raises:
        DatasetError: no Usage column in the header.
        OSError: the file cannot be read.

    Example:
        count_rows("fer2013.csv.gz")  # (28709, 3589)
    """
    path = Path(path)
    with _open_binary(path) as fh:
        header = [name.strip().strip(b'"') for name in fh.readline().rstrip(b"\r\n").split(b",")]
        if b"Usage" not in header:
            raise DatasetError(path, "no Usage column in the header")
        usage = header.index(b"Usage")
        last = usage == len(header) - 1
        counts, rest = [0] * len(COUNTED), b""
        while chunk := fh.read(CHUNK_BYTES):
            lines = rest + chunk
            cut = lines.rfind(b"\n") + 1  # whole lines now, the rest with the next chunk
            rest = lines[cut:]
            counts = [a + b for a, b in zip(counts, _counts_in(lines[:cut], usage, last),
                                            strict=True)]
        if rest.strip():
            counts = [a + b for a, b in zip(counts, _counts_in(rest + b"\n", usage, last),
                                            strict=True)]
    return counts[0], counts[1]


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

    def get(self, path: str | os.PathLike) -> int | None:
        return self._counted(path)[0]

    def public(self, path: str | os.PathLike) -> int | None:
        """The PublicTest rows, once counted (None: not yet)."""
        return self._counted(path)[1]

    def _counted(self, path: str | os.PathLike) -> tuple[int | None, int | None]:
        key = csv_key(path)
        return self._known.get(key, (None, None)) if key is not None else (None, None)

    @staticmethod
    def count(path: str | os.PathLike) -> tuple[str | None, int, int]:
        """``(csv_key(path), *count_rows(path))``; the key as it was before counting."""
        key = csv_key(path)
        return key, *count_rows(path)

    def remember(self, key: str | None, rows: int, public: int | None = None) -> None:
        if key is not None:
            self._known[key] = (rows, public)
