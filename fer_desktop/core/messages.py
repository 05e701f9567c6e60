"""Quoting user-supplied values in error messages without echoing a whole file.

A header-less CSV's first "column name" is 9,000 characters of pixel values, and a hostile
file can put megabytes into one field: every value a message quotes goes through
:func:`quote`, which cuts it to a readable length and says how long it really was.
"""

from __future__ import annotations

import unicodedata

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


# How a reason that goes on its subject's sentence begins: "broken.jpg is damaged...", not
# "broken.jpg: is damaged..." (the colon cut the sentence in two). "cannot be" only: in
# "cannot create the folder" the app is the one that cannot, and "folder: cannot create the
# folder" is right as it is; so is a reason of its own ("no such file or folder").
_PREDICATES = ("is ", "was ", "has ", "holds ", "names ", "answers ", "must ", "already ",
               "appeared ", "stopped ", "cannot be ", "does not ", "ended ")


def goes_on(reason: str) -> bool:
    """Whether ``reason`` goes on the sentence of the thing it is about ("is damaged...")."""
    return reason.startswith(_PREDICATES)


def about(subject: object, reason: str) -> str:
    """One sentence naming ``subject`` and what is wrong with it: ``"broken.jpg is damaged
    or incomplete"`` when the reason goes on the subject's sentence, else ``"camera 2: no
    frames"`` (a reason of its own after the name).

    Example:
        >>> about("broken.jpg", "is damaged or incomplete: this app cannot decode it")
        'broken.jpg is damaged or incomplete: this app cannot decode it'
        >>> about("photos", "no such file or folder")
        'photos: no such file or folder'
    """
    subject = one_line(str(subject))  # a file named "bad\nname.jpg" split the sentence in
    # two: "skipped: all/bad" and a line "name.jpg is damaged ..." (audit 58)
    return f"{subject} {reason}" if goes_on(reason) else f"{subject}: {reason}"


def one_line(text: str) -> str:
    """``text`` with its control characters spelt out: a file named "my\\nface.png" broke
    its row of the table in two (audit 46)."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) == "Cc" else ch for ch in text)
