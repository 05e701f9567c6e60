"""File names that are not UTF-8 (a name from an old zip or a FAT stick, ``caf\\xe9.avi``),
handed to OpenCV and written into text files.

Python keeps such a name's stray bytes as lone surrogates (``'caf\\udce9.avi'``).
OpenCV's Python binding crashes the whole process on such a str (a segmentation fault in
``cv2.VideoCapture``, ``cv2.VideoWriter``: audit 39), and a UTF-8 CSV cannot hold it (a
UnicodeEncodeError cost every other input's rows). :func:`opencv_path` gives OpenCV an ASCII
alias of the file (a symbolic link in a private temporary folder, removed once OpenCV has
opened the file: its reader and writer keep the file open, not its name), and
:func:`printable` writes the name with its stray bytes spelt out (``caf\\xe9.avi``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any


def is_text(name: str) -> bool:
    """Whether ``name`` is valid Unicode text (no stray bytes kept as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    """``name`` as text any UTF-8 file can hold: a stray byte is written as ``\\xe9``.

    Example:
        >>> printable("caf\\udce9.png")
        'caf\\\\xe9.png'
    """
    if is_text(name):
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")  # the name's bytes, as on disk
    except UnicodeEncodeError:  # a surrogate no file system made
        return name.encode("utf-8", "backslashreplace").decode("ascii")
    return raw.decode("utf-8", "backslashreplace")


def printable_strings(value: Any) -> Any:
    """``value`` (JSON-like) with every string :func:`printable`: a name's stray byte went
    into the JSON sidecars as a lone surrogate (``caf\\udce9``), which jq shows as U+FFFD and
    UTF-8 writers refuse, where the CSVs spell it ``caf\\xe9`` (trial 43)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_strings(key): printable_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable_strings(item) for item in value]
    return value


@contextlib.contextmanager
def opencv_path(path: str | os.PathLike) -> Iterator[str]:
    """A name for ``path`` that OpenCV can be given, valid while the block runs: the path
    itself when it is text, else an ASCII link to it (the file need not exist yet: a video
    writer creates it through the link). Open the file inside the block.

    Example:
        >>> with opencv_path("clip.avi") as name:
        ...     name
        'clip.avi'
    """
    text = os.fspath(path)
    if is_text(text):
        yield text
        return
    suffix = os.path.splitext(text)[1]  # the container is chosen by it when writing
    with tempfile.TemporaryDirectory(prefix="fer-desktop-name-") as folder:
        alias = os.path.join(folder, "file" + (suffix if is_text(suffix) else ""))
        os.symlink(os.path.abspath(text), alias)
        yield alias
