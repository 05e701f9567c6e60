"""The control the keyboard reaches is scrolled into view, wherever the Tab came from.

Qt's QScrollArea scrolls to a control only when Tab moves between two controls inside it: Tab
from outside (the tab bar, the run list) onto the first control of the Train form or the Live
tab's side panel left that control out of view, and nothing on screen showed where the
keyboard was (trial 19). Only focus moved by the keyboard (Tab, Shift+Tab, a shortcut) is
followed: a click is on something in view already, and a panel scrolled with the wheel must
not jump back when the window is activated again or a dialog hands the focus back.

When the keyboard leaves a panel it scrolled, the panel goes back to where it was before (the
side panel stayed scrolled down to the Options after Tab went on to the video, and hid the
timeline from a keyboard user, trial 27), unless it was scrolled since by other means (the
wheel, a drag): then it stays where the user put it.
"""

from __future__ import annotations

import functools

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QScrollBar, QWidget

_MARGIN_PX = 12  # a little of what is around it too: its label, the box it is in
_KEYBOARD = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
             Qt.FocusReason.ShortcutFocusReason)


def scroll_areas_around(widget: QWidget) -> list[QScrollArea]:
    """The scroll areas ``widget`` is in, innermost first."""
    areas = []
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None \
                and parent.widget().isAncestorOf(widget):
            areas.append(parent)
        parent = parent.parentWidget()
    return areas


def _put_back(bar: QScrollBar, before: int, left_at: int) -> None:
    """``bar`` to ``before`` where something scrolled it back to ``left_at`` meanwhile."""
    if shiboken6.isValid(bar) and bar.value() == left_at:
        bar.setValue(before)


class _FocusFollower(QObject):
    """An application event filter that reads only the focus events moved by the keyboard
    (``focusChanged`` does not say what moved the focus)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # a panel the keyboard scrolled -> (where it was before, where the keyboard left it)
        self._moved: dict[QScrollArea, tuple[int, int]] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget) \
                and isinstance(event, QFocusEvent):
            if event.reason() in _KEYBOARD:
                self._follow(watched)
            else:  # a click away: the panels it left stay where they are, and are forgotten
                self._forget_outside(scroll_areas_around(watched))  # (review 39b)
        return False

    def _forget_outside(self, areas: list[QScrollArea], restore: bool = False) -> None:
        """Drop the panels the focus is not in now; ``restore``: put back those the keyboard
        scrolled and nothing else moved since."""
        for area, (before, left_at) in list(self._moved.items()):
            if not shiboken6.isValid(area):  # closed with its window
                del self._moved[area]
            elif area not in areas:
                del self._moved[area]
                bar = area.verticalScrollBar()
                if restore and bar.value() == left_at:  # not scrolled since by the wheel
                    bar.setValue(before)
                    # and again once Qt's own Tab handling is done: leaving forward, the
                    # area scrolled back to its last control (trial 29)
                    QTimer.singleShot(0, functools.partial(_put_back, bar, before, left_at))

    def _follow(self, widget: QWidget) -> None:
        areas = scroll_areas_around(widget)
        self._forget_outside(areas, restore=True)
        for area in areas:
            value = area.verticalScrollBar().value()
            before, left_at = self._moved.get(area, (value, value))
            if value != left_at:  # the wheel moved it since: where the user put it counts
                before = value
            area.ensureWidgetVisible(widget, _MARGIN_PX, _MARGIN_PX)
            self._moved[area] = (before, area.verticalScrollBar().value())


def keep_focus_in_view() -> None:
    """Follow the keyboard focus in all of the application's windows (once per application)."""
    app = QApplication.instance()
    if app is None or app.property("fer_focus_follower"):
        return
    app.installEventFilter(_FocusFollower(app))
    app.setProperty("fer_focus_follower", True)
