"""Windows that fit the screen they open on: the main window's first or restored size, and a
dialog's size (the arithmetic is Qt-free: ``fer_desktop.core.screen_fit``).

The screen is the one the window opens on (``QWidget.screen()``: where its geometry is, else
the primary screen), less the desktop's panels and docks (``QScreen.availableGeometry``).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from fer_desktop.core.screen_fit import Rect, fit_size, fit_window


def available(widget: QWidget) -> Rect | None:
    """The usable part of the widget's screen as ``(x, y, width, height)``; None without one."""
    screen = widget.screen()
    if screen is None:
        return None
    return screen.availableGeometry().getRect()


def _title_bar_px(widget: QWidget) -> int:
    """The title bar's height, as Qt's own restoreGeometry reckons it (the real one is known
    only once the desktop has framed the shown window)."""
    style = widget.style() or QApplication.style()
    return style.pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight, None, widget)


def fitting_size(widget: QWidget, wanted: QSize, share: float = 1.0,
                 minimum: QSize = QSize(0, 0)) -> QSize:
    """``wanted`` shrunk to ``share`` of the widget's screen (a dialog's room), not below
    ``minimum`` unless the room is smaller still; ``wanted`` when there is no screen."""
    room = available(widget)
    if room is None:
        return wanted
    size = fit_size(wanted.toTuple(), (int(room[2] * share), int(room[3] * share)),
                    minimum.toTuple())
    return QSize(*size)


def fit_to_screen(window: QWidget, restored: bool) -> None:
    """Shrink (and, for a ``restored`` place, move) ``window`` so that it is whole on its
    screen, title bar and all. A first size is only shrunk: the desktop places the window.
    A maximized or full-screen window is left to the desktop."""
    room = available(window)
    if room is None or window.isMaximized() or window.isFullScreen():
        return
    title_bar = _title_bar_px(window)
    x, y, width, height = fit_window(window.geometry().getRect(), room, title_bar)
    if restored:
        window.setGeometry(QRect(x, y, width, height))
    else:
        window.resize(width, height)

