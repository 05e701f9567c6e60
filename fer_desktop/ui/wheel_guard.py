"""The mouse wheel scrolls a scrolling panel; it changes a setting only once it is clicked.

Scrolling the Live tab's side panel or the Train tab's form with the wheel changed whatever
combo box, spin box or slider slid under the pointer (Smoothing 0.5 -> 1.0 s, the detector to
Haar), and the change was saved. A guarded control takes the wheel only while it has the
keyboard focus (clicked or tabbed to); otherwise the wheel goes on to the panel, which scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            area = watched.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            if area is not None:  # the panel scrolls instead (its scroll bar takes the wheel)
                QApplication.sendEvent(area.verticalScrollBar(), event)
            return True
        return False


def guard_wheel(panel: QWidget) -> None:
    """Every combo box, spin box and slider in ``panel`` takes the wheel only when focused
    (and is focused by a click or Tab, not by the wheel)."""
    guard = _WheelGuard(panel)
    for kind in GUARDED:
        for control in panel.findChildren(kind):
            if isinstance(control, QScrollBar):
                continue  # scroll bars (of a list, a plot) scroll: that is what they are for
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            control.installEventFilter(guard)
