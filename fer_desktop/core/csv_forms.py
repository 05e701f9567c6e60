"""The forms of the FER-2013 CSV the trainer reads: plain, or compressed in one of these.

One home for a fact three places used: the trainer's reader (``trainer/data.py``), a file
dropped on the window (``core/file_drop.py``) and the Train tab's Browse dialog. Written
apart, they drifted: a ``fer2013.gz`` the trainer and Browse took was refused when dropped
(review 55).
"""

from __future__ import annotations

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zip")  # the last suffix decides; .zip holds one CSV


def csv_forms_words() -> str:
    """The forms in words, for help texts: "plain, .gz, .bz2, .xz or .zip"."""
    return f"plain, {', '.join(COMPRESSIONS[:-1])} or {COMPRESSIONS[-1]}"


def is_csv_name(name: str) -> bool:
    """Whether a file of this name is a FER-2013 CSV in a form the trainer reads."""
    return name.lower().endswith((".csv", *COMPRESSIONS))


def csv_file_filter() -> str:
    """The Browse dialog's filter: every form the trainer reads, then any file."""
    patterns = " ".join(f"*{suffix}" for suffix in (".csv", *COMPRESSIONS))
    return f"FER-2013 CSV ({patterns});;All files (*)"
