"""Files dragged from the file manager onto the window: the drag is accepted, the status bar
says what a release will do, and the drop opens where it is used: a video, picture or folder
in the Live tab, the FER-2013 CSV (or, dropped on the Train tab, a folder of faces) in the
Train tab. A file macOS hands over (Open With, or dropped on the Dock icon) opens the same
way. What a path is: core/file_drop.py."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QTabWidget

from fer_desktop.core.file_drop import Drop, DropRefused, read_drop
from fer_desktop.ui.live_view import LiveView
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.settings import TABS
from fer_desktop.ui.train_tab import TrainTab

HINT_MS = 4000
WHERE = {"live": "", "csv": " as the training CSV", "faces": " as the folder of faces to train on"}


def local_paths(event: QDropEvent) -> list[Path]:
    """The dropped items that are files or folders on this computer (web addresses left out)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def accepted_as_copy(event: QDropEvent) -> bool:
    """Take a drop as a copy (or a link), never as a move: the app only reads the file, and
    a source told "moved" may delete its original (the proposed action, taken as it came,
    was Move for a source offering both: trial 18). A drag that can only move is refused."""
    for action in (Qt.DropAction.CopyAction, Qt.DropAction.LinkAction):
        if event.possibleActions() & action:
            event.setDropAction(action)
            event.accept()
            return True
    event.ignore()
    return False


class FileDrop(QObject):
    """Event filter that makes the main window a drop target (the tabs' children that take
    no drops hand theirs up to it)."""

    def __init__(self, window, notifier: Notifier, tabs: QTabWidget,
                 train_tab: TrainTab) -> None:
        super().__init__(window)
        self._notifier, self._tabs, self._train_tab = notifier, tabs, train_tab
        self._live: LiveView = tabs.widget(TABS.index("live"))
        self._hint = ""
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        if sys.platform == "darwin":  # the only system that sends FileOpen events
            OpenedBySystem(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind == QEvent.Type.DragEnter:
            self._on_enter(event)
            return True
        if kind == QEvent.Type.DragLeave:
            self._withdraw_hint()
            return True
        if kind == QEvent.Type.Drop:
            self._withdraw_hint()
            if accepted_as_copy(event):
                self.open(local_paths(event))
            return True
        return super().eventFilter(watched, event)

    def open(self, paths: list[Path]) -> None:
        """Open what was dropped where it is used, or say why not (nothing else changes)."""
        try:
            drop = self._read(paths)
            if drop.target == "live":
                self._live.source_picker.choose(drop.path)  # which shows the Live tab
                return
            self._train_tab.use_dropped(drop)
        except DropRefused as exc:
            self._notifier.error(str(exc))
            return
        self._tabs.setCurrentIndex(TABS.index("train"))

    def _read(self, paths: list[Path]) -> Drop:
        return read_drop(paths, on_train_tab=self._tabs.currentIndex() == TABS.index("train"))

    def _on_enter(self, event: QDragEnterEvent) -> None:
        if not event.mimeData().hasUrls() or not accepted_as_copy(event):
            event.ignore()  # dragged text is not ours to take
            return
        try:
            drop = self._read(local_paths(event))
        except DropRefused:
            return  # said on release, with the reason
        self._hint = f"Release to open {drop.path.name or drop.path}{WHERE[drop.target]}"
        self._notifier.info(self._hint, timeout_ms=HINT_MS, keep=False)  # a hint, not news

    def _withdraw_hint(self) -> None:
        if self._hint:
            self._notifier.withdraw(self._hint)
            self._hint = ""


class OpenedBySystem(QObject):
    """macOS gives a file chosen with Open With, or dropped on the Dock icon, to the running
    application as a FileOpen event, never as an argument (Linux and Windows pass it to
    ``fer-desktop FILE``): it opens as a file dropped on the window does. The filter sits on
    the application, where the event is sent, for as long as the window's drop target lives;
    it sees every event of the app (3,700 a second with a video playing, 2.5 us each measured),
    so it is installed on macOS only."""

    def __init__(self, drop: FileDrop) -> None:
        super().__init__(drop)
        self._drop = drop
        QCoreApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() != QEvent.Type.FileOpen or watched is not QCoreApplication.instance():
            return False
        name = event.file()  # empty for a web address, which read_drop refuses by name
        self._drop.open([Path(name)] if name else [])
        return True
