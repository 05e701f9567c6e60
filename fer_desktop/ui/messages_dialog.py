"""View > Messages (Ctrl+Shift+M): every message the window gave this session.

The status bar keeps a sentence for six seconds; the pictures a slideshow skipped, a model
that would not load, where a file was saved were gone by the time a user looked. The list
grows while it is open (it is not modal: read it beside the video), and Copy puts it on the
clipboard for a bug report.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.ui.actions import make_action
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.on_screen import fitting_size

EMPTY_TEXT = "No messages yet: what the status bar says will be listed here."
INTRO_TEXT = "Every message of this session, newest last (the status bar keeps each a moment)."
SHORTCUT = "Ctrl+Shift+M"


class MessagesDialog(QDialog):
    """The notifier's history, read-only, kept up to date while open."""

    def __init__(self, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Messages")
        self._notifier = notifier
        intro = QLabel(INTRO_TEXT)
        intro.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setObjectName("messagesText")
        self.text.setAccessibleName("Messages")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy all")
        self.copy_button.setToolTip("Put every line on the clipboard (for a bug report)")
        self.copy_button.clicked.connect(self.copy_all)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setToolTip("Forget the messages listed so far")
        self.clear_button.clicked.connect(self.clear)
        for button in (self.copy_button, self.clear_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        notifier.logged.connect(self.refresh)
        self.refresh()
        self.resize(fitting_size(parent or self, QSize(720, 420), 0.9))

    def refresh(self, *_args: object) -> None:
        """Show the whole history again, scrolled to its newest line (the last line's
        repeat count changes in place, so appending alone would not do)."""
        history = self._notifier.history
        bar = self.text.verticalScrollBar()
        at_end, place = bar.value() >= bar.maximum(), bar.value()  # a reader scrolled up
        selected = self.text.textCursor().hasSelection()  # or choosing lines to copy
        if selected:
            return  # stays put; Copy all and the next message show the rest
        self.text.setPlainText(history.text() if len(history) else EMPTY_TEXT)
        self.copy_button.setEnabled(bool(len(history)))
        self.clear_button.setEnabled(bool(len(history)))
        bar.setValue(bar.maximum() if at_end else place)

    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText(self._notifier.history.text())

    def clear(self) -> None:
        self._notifier.history.clear()
        self.text.moveCursor(QTextCursor.MoveOperation.End)  # a selection would hold it
        self.refresh()


def add_messages_action(window: QMainWindow, menu: QMenu, notifier: Notifier) -> QAction:
    """View > Messages...: opens the list (one at a time, raised when open already)."""
    holder: dict[str, MessagesDialog] = {}

    def show() -> None:
        dialog = holder.get("dialog")
        if dialog is None:
            dialog = MessagesDialog(notifier, window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda *_: holder.pop("dialog", None))
            holder["dialog"] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    action = make_action(window, "&Messages...", SHORTCUT,
                         "List every message of this session", show)
    menu.addAction(action)
    return action
