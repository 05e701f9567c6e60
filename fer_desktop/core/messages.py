"""Quoting user-supplied values in error messages without echoing a whole file.

A header-less CSV's first "column name" is 9,000 characters of pixel values, and a hostile
file can put megabytes into one field: every value a message quotes goes through
:func:`quote`, which cuts it to a readable length and says how long it really was.
"""

from __future__ import annotations

QUOTE_CHARS = 40


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """``repr`` of ``str(value)``, cut to ``limit`` characters with its full length noted.

    Example:
        >>> quote("0 12 " * 2000)
        "'0 12 0 12 0 12 0 12 0 12 0 12 0 12 0 12 ...' (10000 characters)"
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit] + '...'!r} ({len(text)} characters)"


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters (for lists and numbers found in files)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
