"""The mouse wheel scrolls a scrolling panel; it changes a setting only once it is clicked.

Scrolling the Live tab's side panel or the Train tab's form with the wheel changed whatever
combo box, spin box or slider slid under the pointer (Smoothing 0.5 -> 1.0 s, the detector to
Haar), and the change was saved. A guarded control takes the wheel only while it has the
keyboard focus (clicked or tabbed to); otherwise the wheel goes on to the panel, which scrolls.

A plot in the panel (a QGraphicsView, with zoom turned off) took the wheel and did nothing:
with the panel scrolled down, only the plot's bottom edge showed, and the wheel over it could
not scroll the panel back up. Its wheel always goes to the panel.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGraphicsView,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def _scroll_panel(widget: QWidget, event: QEvent) -> None:
    """Send a wheel event to the scroll bar of the panel around ``widget``."""
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    if area is not None:  # the panel scrolls instead (its scroll bar takes the wheel)
        QApplication.sendEvent(area.verticalScrollBar(), event)


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            _scroll_panel(watched, event)
            return True
        return False


class _PlotWheel(QObject):
    """On a plot's viewport: the wheel scrolls the panel around the plot."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Wheel:
            _scroll_panel(self._view, event)
            return True
        return False


def guard_wheel(panel: QWidget) -> None:
    """Every combo box, spin box and slider in ``panel`` takes the wheel only when focused
    (and is focused by a click or Tab, not by the wheel); a plot never takes it."""
    guard = _WheelGuard(panel)
    for kind in GUARDED:
        for control in panel.findChildren(kind):
            if isinstance(control, QScrollBar):
                continue  # scroll bars (of a list, a plot) scroll: that is what they are for
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            control.installEventFilter(guard)
    for view in panel.findChildren(QGraphicsView):  # plots: no zoom, the wheel scrolls
        view.viewport().installEventFilter(_PlotWheel(view))
