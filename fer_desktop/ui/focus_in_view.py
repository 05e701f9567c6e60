"""The control the keyboard reaches is scrolled into view, wherever the Tab came from.

Qt's QScrollArea scrolls to a control only when Tab moves between two controls inside it: Tab
from outside (the tab bar, the run list) onto the first control of the Train form or the Live
tab's side panel left that control out of view, and nothing on screen showed where the
keyboard was (trial 19). Only focus moved by the keyboard (Tab, Shift+Tab, a shortcut) is
followed: a click is on something in view already, and a panel scrolled with the wheel must
not jump back when the window is activated again or a dialog hands the focus back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

_MARGIN_PX = 12  # a little of what is around it too: its label, the box it is in
_KEYBOARD = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
             Qt.FocusReason.ShortcutFocusReason)


def scroll_into_view(widget: QWidget) -> None:
    """Scroll every scroll area ``widget`` is in so that it shows."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None \
                and parent.widget().isAncestorOf(widget):
            parent.ensureWidgetVisible(widget, _MARGIN_PX, _MARGIN_PX)
        parent = parent.parentWidget()


class _FocusFollower(QObject):
    """An application event filter that reads only the focus events moved by the keyboard
    (``focusChanged`` does not say what moved the focus)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget) \
                and isinstance(event, QFocusEvent) and event.reason() in _KEYBOARD:
            scroll_into_view(watched)
        return False


def keep_focus_in_view() -> None:
    """Follow the keyboard focus in all of the application's windows (once per application)."""
    app = QApplication.instance()
    if app is None or app.property("fer_focus_follower"):
        return
    app.installEventFilter(_FocusFollower(app))
    app.setProperty("fer_focus_follower", True)
