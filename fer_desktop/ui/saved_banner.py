"""The "saved" banner of the Live tab: where a screenshot, recording or analysis went.

The status bar of a small window cuts a long path, and a path alone does not help a user find
the file. This one-line bar says what was saved and where (the path elided in the middle, the
full path in its tooltip), with **Open folder** and a close button. It lies over the bottom of
the video (in the layout, it pushed the video down and rescaled it at every screenshot) and
goes after ``SHOWN_MS`` unless the pointer is on it, or when closed or replaced.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QToolButton,
    QWidget,
)

from fer_desktop.ui.colours import SAVED_BACKGROUND, SAVED_BORDER, SAVED_TEXT
from fer_desktop.ui.elided_label import ElidedLabel

SHOWN_MS = 15000  # long enough to reach for Open folder


def open_in_file_manager(path: Path) -> bool:
    """Show a folder (or open a file) with the desktop's default application; False when
    none could be started (a desktop without a file launcher: the click did nothing)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def cannot_open(path: Path) -> str:
    """What to say when :func:`open_in_file_manager` failed: the path, to find by hand."""
    return f"No application could be started to open {path}; open it yourself."


CANNOT_OPEN_TITLE = "Cannot open the folder"


def warn_cannot_open(parent: QWidget, path: Path) -> QMessageBox:
    """Say :func:`cannot_open` in a warning of its own, where the widget has no line of its
    own for it: written into a help paragraph, it stayed there (trial 58). Window-modal
    but not blocking (``open``, not ``exec``: no code waits on it); freed once closed."""
    box = QMessageBox(QMessageBox.Icon.Warning, CANNOT_OPEN_TITLE, cannot_open(path),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("cannot_open")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class SavedBanner(QFrame):
    """"Screenshot saved: /path/fer-....png  [Open folder] [x]"; see the module docstring.

    Signals:
        open_folder_requested(object): the folder (Path) the user asked to open.
    """

    open_folder_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("savedBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#savedBanner {{ background: {SAVED_BACKGROUND};"
                           f" border: 1px solid {SAVED_BORDER}; }}"
                           f" #savedBanner QLabel {{ color: {SAVED_TEXT}; }}")
        self.path: Path | None = None
        self.label = ElidedLabel()
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the folder that holds this file")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.close_button = QToolButton()
        self.close_button.setText("\u2715")
        self.close_button.setAccessibleName("Close this message")
        self.close_button.setToolTip("Close this message")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.close_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SHOWN_MS)
        self.timer.timeout.connect(self.hide)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self.hide()

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """Kept while the keyboard is on it, as while the pointer is (it went after 15 s
        under a keyboard user's Tab, trial 39)."""
        if new is not None and self.isAncestorOf(new):
            self.timer.stop()
        elif old is not None and self.isAncestorOf(old) and self.isVisible() \
                and not self.underMouse():
            self.timer.start()

    def show_saved(self, what: str, path: Path, after: str = "") -> None:
        """Say that ``what`` ("Screenshot saved") is at ``path`` (``after`` it: what else was
        saved beside it); offer to open its folder."""
        self.path = Path(path)
        self.label.setText(f"{what}: {self.path}{after}")
        self.show()
        self.raise_()  # over the video
        focus = QApplication.focusWidget()
        if not self.underMouse() and (focus is None or not self.isAncestorOf(focus)):
            self.timer.start()

    def enterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.timer.stop()  # not while the pointer reaches for Open folder
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.isVisible():
            self.timer.start()
        super().leaveEvent(event)

    def _on_open_clicked(self) -> None:
        if self.path is not None:
            self.open_folder_requested.emit(self.path.parent)
