"""The system trash, for what the app removes at the user's word: collected faces (Review,
Undo of a face saved) and training runs (Move to trash). Recoverable, where a delete is not.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QFile, QStandardPaths

from fer_desktop.core.native_paths import is_text, printable
from fer_desktop.core.safe_write import rename_no_replace, unused_path


def to_trash(path: Path) -> Path:
    """Move ``path`` to the system trash; its place there (for Undo). Raises OSError with
    Qt's reason when the trash refuses it (no trash on that disk, no permission...). Qt makes
    the trash inside the user's data folder but not that folder itself: in a new account with
    no ~/.local/share every move failed with "Bad file descriptor". It is made first."""
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    if data:
        with contextlib.suppress(OSError):
            Path(data).mkdir(parents=True, exist_ok=True)
    named = _nameable(Path(path))
    file = QFile(str(named))
    if not file.moveToTrash():
        if named != path:
            with contextlib.suppress(OSError):
                rename_no_replace(named, Path(path))  # back as it was
        raise OSError(f"the system trash is not available here: "
                      f"{file.errorString() or 'no reason given'}")
    return Path(file.fileName())


def _nameable(path: Path) -> Path:
    """``path``, renamed first where its name is not UTF-8 text (``caf\xe9.png``, from an
    old zip): Qt cannot name such a file, and its trash "was not available" (audit 39). The
    name it gets spells the stray bytes out (``caf\\xe9.png``)."""
    if is_text(str(path)):
        return path
    if not is_text(str(path.parent)):
        raise OSError("its folder's name is not UTF-8 text, which the system trash cannot "
                      "be given: rename the folder")
    named = unused_path(path.parent, Path(printable(path.name)).stem, path.suffix
                        if is_text(path.suffix) else "")
    rename_no_replace(path, named)
    return named
