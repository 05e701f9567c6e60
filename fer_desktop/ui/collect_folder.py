"""The folder the Live tab's Collect mode saves faces into: its one home in the running app.

The Live tab's Collect box writes into it and the Train tab's "Faces collected in the Live
tab" trains on it. Each used to keep its own copy of the path, read once at launch: after
Collect > Folder... the Train tab still showed (and would have trained on) the old folder
until a restart (walk-through 12). Both now read :attr:`CollectFolder.path` and listen to its
signals; ``AppSettings.collect`` holds the one instance and remembers the path across
launches.

The folder is also watched (QFileSystemWatcher: the folder, its emotion folders and the
nearest folder above it that exists), so that faces added, removed or the whole folder moved
from the file manager are counted again at once: the Collect box kept its old counts after
the folder was moved away (audit 38).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from fer_desktop.core.emotions import EMOTIONS

RECOUNT_DELAY_MS = 300  # a file manager's move of many faces is counted again once


class CollectFolder(QObject):
    """Where collected faces go (one subfolder per emotion).

    Args:
        folder: the folder at launch.
        remember: called with each new folder (``AppSettings`` stores it).

    Signals:
        changed(object): another folder was chosen (its Path).
        faces_changed(): a face was saved, moved or taken back in it (the counts changed).
        files_changed(): something changed in it, or it was made, moved or removed, from
            outside the app (the counts may differ; no face was collected).
        gone(object): the folder, there before, was moved or removed from outside the app
            (its Path): the counts fell to 0 with nothing to say why (trial 25).
    """

    changed = Signal(object)
    faces_changed = Signal()
    files_changed = Signal()
    gone = Signal(object)

    def __init__(self, folder: str | Path,
                 remember: Callable[[Path], None] = lambda _folder: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = Path(folder)
        self._remember = remember
        self._existed = False  # whether the folder was there at the last look
        self.went = False  # it was there, then moved or removed from outside the app
        self._watcher = QFileSystemWatcher(self)
        self._recount = QTimer(self, singleShot=True, interval=RECOUNT_DELAY_MS)
        self._recount.timeout.connect(self._changed_outside)
        self._watcher.directoryChanged.connect(self._on_changed)
        self._watch()

    @property
    def path(self) -> Path:
        return self._path

    def set(self, folder: str | Path) -> None:
        """Collect into ``folder`` from now on; ``changed`` only when it is another one."""
        folder = Path(folder)
        if folder == self._path:
            return
        self._path, self.went = folder, False
        self._remember(folder)
        self._watch()
        self.changed.emit(folder)

    def note_faces_changed(self) -> None:
        """Say that faces were saved, moved or removed (the Train tab counts them again)."""
        self._watch()  # the first face saved made the folders: watched from now on
        self.faces_changed.emit()

    def _watch(self) -> None:
        """Watch the folder, its emotion folders and the nearest folder above it that exists
        (to see the folder itself made, moved or removed: in a new account not even the
        app's data folder exists yet, trial 25); the ones missing now are picked up at the
        next change."""
        self._existed = self._path.is_dir()
        if self._existed:
            self.went = False  # back (renamed back), or made again by a face saved
        above = next((p for p in self._path.parents if p.is_dir()), None)
        wanted = [str(p) for p in (above, self._path, *(self._path / e for e in EMOTIONS))
                  if p is not None and p.is_dir()]
        watched = self._watcher.directories()
        if watched != wanted:
            if watched:
                self._watcher.removePaths(watched)
            if wanted:
                self._watcher.addPaths(wanted)

    def _on_changed(self, path: str) -> None:
        """A change above the folder that neither made nor took it (a file saved in $HOME
        beside ~/faces) counts nothing again: it recounted every face at each (review 38)."""
        if Path(path) in self._path.parents and self._path.is_dir() == self._existed:
            self._watch()  # a folder on the way to it made: watched from there
            return
        self._recount.start()

    def _changed_outside(self) -> None:
        existed = self._existed
        self._watch()
        gone = existed and not self._existed
        self.went = self.went or gone  # before the news: the Train tab reads it (trial 42)
        self.files_changed.emit()
        if gone:
            self.gone.emit(self._path)
