"""How the files the window saves are named: ``fer-clip-20260101-120000.png``, the app's
prefix, the source's name and the date stamp. One home for the prefix and the stamp, which
the savers (screenshots, explanations, recordings, a whole file's analysis) write and the
sweep of their stale temporaries (``safe_write``) matches: written apart, a renamed
screenshot would no longer have been swept (audit 63)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

SAVED_PREFIX = "fer"  # every file the window saves starts with it
STAMP_FORMAT = "%Y%m%d-%H%M%S"  # sorts by date and time, and is valid on every file system
STAMP_PATTERN = r"\d{8}-\d{6}"  # STAMP_FORMAT as a regular expression


MAX_RECORD_BYTES = 4 << 20  # a screenshot's record of many faces is a few tens of KB


def stamp(now: dt.datetime | None = None) -> str:
    """The date stamp of a saved file's name: ``20260101-120000``."""
    return (now or dt.datetime.now()).strftime(STAMP_FORMAT)


def record_names(record: Path, *image_names: str) -> bool:
    """Whether ``record`` is a screenshot's JSON naming one of ``image_names`` (its
    ``image``; a name outside UTF-8 is written escaped, so give both forms) with the time it
    was saved, as the window and ``--snapshot`` write it beside the picture. Anything else,
    unreadable or not a plain file (a pipe hung, a link to /dev/zero filled the memory, a
    JSON nested a million deep raised: review 64), is not."""
    try:
        info = os.stat(record)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RECORD_BYTES:
            return False
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return isinstance(data, dict) and "saved_at" in data and data.get("image") in image_names
