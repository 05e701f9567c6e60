"""Help > Keyboard shortcuts (F1): every key the window answers to, in one list.

The menu items' keys are read from the window's own actions, so the list cannot drift from
what the keys do; the keys that belong to one widget (the video, the seek bar, Collect) are in
:data:`WIDGET_KEYS`, beside the code that handles them.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.ui.actions import LIST_TEXT
from fer_desktop.ui.on_screen import fitting_size
from fer_desktop.ui.read_only_table import read_only_table

#: keys that act on one widget, not through a menu item (see docs/ui.md)
WIDGET_KEYS: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "On the video: show the next / previous face in the side panel"),
    ("1-9, 0", "On the video: show the face with that number (two digits typed quickly: "
               "#10 and over); 0: the largest again (while Collect is ticked, 1-7 save the "
               "face instead)"),
    ("1-7", "While Collect is on (Ctrl+Shift+C): save the face shown as angry ... neutral"),
    ("Left / Right, Page Down / Page Up, Home / End", "On the seek bar: 1 s back / on, 5 s "
                                                      "back / on, to the start / the end"),
    ("1-7", "In Review collected faces: move the selected faces to angry ... neutral"),
    ("Delete", "In Review collected faces: send the selected faces to the system trash"),
    ("Ctrl+Z", "In Review collected faces: take back its last move or removal"),
    ("Ctrl+S", "In Why this answer?: save its picture and numbers"),
    ("Menu key, Shift+F10", "In the Train tab's run list: the selected run's menu (Open "
                            "folder, Rename..., Compare curves with, Move to trash...)"),
    ("Ctrl++ / Ctrl+-, Ctrl+0", "In the user guide: larger / smaller text, as it was"),
    ("Ctrl+Home / Ctrl+End", "In the user guide: the page's top / end"),
    ("Alt+Left, Backspace", "In the user guide: back from a page it links to (on a Mac: "
                            "Cmd+[ or Backspace)"),
    ("Escape", "Close a dialog (Why this answer?, Analyse whole file, this list); leave "
               "full screen"),
)


SCREEN_SHARE = 0.9  # of the screen the list may cover
MIN_HEIGHT_PX = 520

#: where a menu key works only on one widget
ON_VIDEO = (" (on the video or the seek bar: the video has the keys when a video opens, or once "
            "clicked)")
WHERE = {"Space": ON_VIDEO, ".": ON_VIDEO, ",": ON_VIDEO}  # `.` said nothing (trial 31)


def _plain(text: str) -> str:
    """A menu item's text as read: no mnemonic ampersand, no trailing dots."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".")


def _menu_actions(menu: QMenu) -> list[QAction]:
    found: list[QAction] = []
    for action in menu.actions():
        if action.menu() is not None:
            found += _menu_actions(action.menu())
        elif not action.isSeparator():
            found.append(action)
    return found


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """(keys, what they do) for every menu item with a shortcut, in menu order, then the
    widgets' own keys."""
    rows: list[tuple[str, str]] = []
    for top in window.menuBar().actions():
        if top.menu() is None:
            continue
        for action in _menu_actions(top.menu()):
            # the first key only: Quit's second is the platform's "Exit", a key few have
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                does = action.property(LIST_TEXT) or _plain(action.text())
                rows.append((keys, does + WHERE.get(keys, "")))
    return rows + list(WIDGET_KEYS)


class ShortcutsDialog(QDialog):
    """The list of keys, read-only, with Close."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = read_only_table(len(rows), 2, "Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().hide()
        for row, (keys, does) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(does))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # every row at once where the screen has room (at 520 px it showed 15 of 20, the
        # face and seek keys behind a scroll bar)
        self.table.resizeRowsToContents()
        rows_px = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        wanted = rows_px + header.height() + 2 * self.table.frameWidth() + 90  # + Close
        self.resize(fitting_size(parent or window, QSize(640, wanted), SCREEN_SHARE,
                                 minimum=QSize(0, MIN_HEIGHT_PX)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """The rows' heights follow the wrapped text at the width the dialog now has:
        measured before it took its size, three rows were cut with "..." (trial 33)."""
        super().resizeEvent(event)
        QTimer.singleShot(0, self.table.resizeRowsToContents)  # after the columns' widths
