"""The control the keyboard reaches is scrolled into view, wherever the Tab came from.

Qt's QScrollArea scrolls to a control only when Tab moves between two controls inside it: Tab
from outside (the tab bar, the run list) onto the first control of the Train form or the Live
tab's side panel left that control out of view, and nothing on screen showed where the
keyboard was (trial 19). A mouse click is left alone: what is clicked is already in view.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

_MARGIN_PX = 12  # a little of what is around it too: its label, the box it is in


def scroll_into_view(widget: QWidget) -> None:
    """Scroll every scroll area ``widget`` is in so that it shows."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None \
                and parent.widget().isAncestorOf(widget):
            parent.ensureWidgetVisible(widget, _MARGIN_PX, _MARGIN_PX)
        parent = parent.parentWidget()


class _FocusFollower(QObject):
    def on_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if now is not None and QApplication.mouseButtons() == Qt.MouseButton.NoButton:
            scroll_into_view(now)


def keep_focus_in_view() -> None:
    """Follow the keyboard focus in all of the application's windows (once per application)."""
    app = QApplication.instance()
    if app is None or app.property("fer_focus_follower"):
        return
    follower = _FocusFollower(app)
    app.focusChanged.connect(follower.on_focus_changed)
    app.setProperty("fer_focus_follower", True)
