"""How the files the window saves are named: ``fer-clip-20260101-120000.png``, the app's
prefix, the source's name and the date stamp. One home for the prefix and the stamp, which
the savers (screenshots, explanations, recordings, a whole file's analysis) write and the
sweep of their stale temporaries (``safe_write``) matches: written apart, a renamed
screenshot would no longer have been swept (audit 63)."""

from __future__ import annotations

import datetime as dt

SAVED_PREFIX = "fer"  # every file the window saves starts with it
STAMP_FORMAT = "%Y%m%d-%H%M%S"  # sorts by date and time, and is valid on every file system
STAMP_PATTERN = r"\d{8}-\d{6}"  # STAMP_FORMAT as a regular expression


def stamp(now: dt.datetime | None = None) -> str:
    """The date stamp of a saved file's name: ``20260101-120000``."""
    return (now or dt.datetime.now()).strftime(STAMP_FORMAT)
