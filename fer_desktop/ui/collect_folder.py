"""The folder the Live tab's Collect mode saves faces into: its one home in the running app.

The Live tab's Collect box writes into it and the Train tab's "Faces collected in the Live
tab" trains on it. Each used to keep its own copy of the path, read once at launch: after
Collect > Folder... the Train tab still showed (and would have trained on) the old folder
until a restart (walk-through 12). Both now read :attr:`CollectFolder.path` and listen to its
signals; ``AppSettings.collect`` holds the one instance and remembers the path across
launches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal


class CollectFolder(QObject):
    """Where collected faces go (one subfolder per emotion).

    Args:
        folder: the folder at launch.
        remember: called with each new folder (``AppSettings`` stores it).

    Signals:
        changed(object): another folder was chosen (its Path).
        faces_changed(): a face was saved, moved or taken back in it (the counts changed).
    """

    changed = Signal(object)
    faces_changed = Signal()

    def __init__(self, folder: str | Path,
                 remember: Callable[[Path], None] = lambda _folder: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = Path(folder)
        self._remember = remember

    @property
    def path(self) -> Path:
        return self._path

    def set(self, folder: str | Path) -> None:
        """Collect into ``folder`` from now on; ``changed`` only when it is another one."""
        folder = Path(folder)
        if folder == self._path:
            return
        self._path = folder
        self._remember(folder)
        self.changed.emit(folder)

    def note_faces_changed(self) -> None:
        """Say that faces were saved, moved or removed (the Train tab counts them again)."""
        self.faces_changed.emit()
