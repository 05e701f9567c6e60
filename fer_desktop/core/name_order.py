"""The order of a folder's files, as a person and a file manager sort them: numbers by value
("participant 2" before "participant 10") and capitals among the rest. Sorted as the names
were written, "Participant 3" came before "participant 1" and "10" before "2", in
``analyze``'s rows and the window's "Picture 3 of 20" alike, while ``merge`` sorted its parts
naturally (trial 56). One key for the three."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_NUMBERS = re.compile(r"(\d+)")


def name_order(path: Path | str) -> tuple:
    """The sort key of a file by its name: digits by value, case aside, names in one Unicode
    form (macOS writes "ä" as "a" and two dots, Linux as one: a pool of both machines cut
    different shard slices, review 58); ties broken by the name as written, so the order is
    the same on every machine."""
    name = Path(path).name
    same_form = unicodedata.normalize("NFC", name)
    parts = _NUMBERS.split(same_form.casefold())  # text, number, text, ...: like with like
    return [int(part) if index % 2 else part for index, part in enumerate(parts)], \
        same_form, name
