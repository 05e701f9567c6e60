"""What a file dropped on the window opens, decided without Qt.

A desktop user drags a video, a picture or a folder from the file manager onto the window
and expects it to open as if chosen from the File menu; the FER-2013 CSV (or, on the Train
tab, a folder of faces) is training data. Anything else is refused with a sentence that
names it, before anything is opened: the source in use keeps playing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fer_desktop.core.csv_forms import is_csv_name
from fer_desktop.core.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES


class DropRefused(ValueError):
    """What was dropped cannot be opened; the message says why, for the status bar."""


@dataclass(frozen=True)
class Drop:
    """Where a dropped path goes: ``"live"`` (a video, picture or folder to analyse),
    ``"csv"`` (the Train tab's FER-2013 CSV) or ``"faces"`` (the Train tab's image folder)."""

    target: str
    path: Path


def is_csv_path(path: Path) -> bool:
    """Every form the trainer reads: a zipped FER-2013, as it is often passed around, was
    refused as "not a ... FER-2013 CSV" (audit 45)."""
    return is_csv_name(path.name)


def read_drop(paths: list[Path], on_train_tab: bool = False) -> Drop:
    """The one place a drop is decided.

    Args:
        paths: the local files and folders dropped (web addresses left out by the caller).
        on_train_tab: dropped while the Train tab is shown: a folder is then a folder of
            faces to train on (one subfolder per emotion), not a slideshow.

    Raises:
        DropRefused: nothing local, several items, or a file of a kind the app cannot open.
    """
    if not paths:
        raise DropRefused("Only files and folders on this computer can be opened "
                          "(a web address cannot: save the file first).")
    if len(paths) > 1:
        raise DropRefused(f"{len(paths)} items were dropped: drop one video, picture or "
                          "folder at a time (a folder of pictures plays as a slideshow).")
    path = paths[0]
    if _is_folder(path):
        return Drop("faces" if on_train_tab else "live", path)
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES or suffix in VIDEO_SUFFIXES:
        return Drop("live", path)
    if is_csv_path(path):
        return Drop("csv", path)
    raise DropRefused(
        f"{_short(path.name)} is not a video, picture, folder or FER-2013 CSV that FER "
        f"Desktop opens (videos: {_listed(VIDEO_SUFFIXES)}; pictures: "
        f"{_listed(IMAGE_SUFFIXES)}).")


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name the file system cannot hold (too long): not a folder of ours
        return False


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[:limit - 3] + "..."


def _listed(suffixes: frozenset[str]) -> str:
    return " ".join(sorted(suffixes))
