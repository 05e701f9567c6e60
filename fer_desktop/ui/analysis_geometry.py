"""Where the "Analyse whole file" window sits and how large it is, while it runs and once its
chart arrives.

While it runs the window holds a line of progress and a button, and the user is told to keep
watching the video: at 1024x600 a chart-sized window covered all but a 90 px strip of it
(trial 48). So it starts small, at the foot of the video, and takes the chart's size,
centred over the main window, when the chart comes.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QWidget

MIN_SIZE = QSize(520, 360)  # with the chart
PREFERRED_SIZE = QSize(820, 520)
#: the share of the main window the chart's window may cover, so that the window stays in sight
MAX_SHARE_OF_WINDOW = 0.85
RUNNING_WIDTH = 520
#: space left under the small window: the main window's status bar, which says the live figures
FOOT_MARGIN = 48
#: between the small window and the foot of the video it sits on, under it the room of the
#: saved bar pinned there (the window lay on its Open folder button, review 61)
VIDEO_MARGIN = 8


def _visible_top(parent: QWidget | None) -> QWidget | None:
    top = parent.window() if parent is not None else None
    return top if top is not None and top.isVisible() else None


def size_within_window(parent: QWidget | None) -> QSize:
    """The chart's preferred size, shrunk to leave a border of the main window visible around
    it (820x520 hid an 800x600 window entirely), never below the minimum."""
    top = _visible_top(parent)
    if top is None:
        return PREFERRED_SIZE
    room = QSize(int(top.width() * MAX_SHARE_OF_WINDOW), int(top.height() * MAX_SHARE_OF_WINDOW))
    return PREFERRED_SIZE.boundedTo(room).expandedTo(MIN_SIZE)


def running_geometry(parent: QWidget | None, height: int, video: QWidget | None = None,
                     below: int = 0) -> QRect | None:
    """The small window's place while it runs: centred at the foot of ``video`` (the video
    view: the playback controls under it stay in sight, where at the foot of the main window
    it cut across them and the saved bar, trial 52), ``below`` pixels kept under it (the
    saved bar's room), else of the main window above its status bar; on the screen; None
    without a main window on screen (Qt places it)."""
    top = _visible_top(parent)
    if top is None:
        return None
    frame = top.geometry()
    if video is not None and video.isVisible():
        frame = QRect(video.mapToGlobal(QPoint(0, 0)), video.size())
        foot = frame.bottom() - VIDEO_MARGIN - below
    else:
        foot = frame.bottom() - FOOT_MARGIN
    width = min(RUNNING_WIDTH, frame.width())
    x = frame.left() + (frame.width() - width) // 2
    y = max(frame.top(), foot - height)
    return _on_screen(QRect(QPoint(x, y), QSize(width, height)), top)


def _on_screen(rect: QRect, top: QWidget) -> QRect:
    """``rect`` moved, where it must be, into the screen of ``top``: a main window moved
    partly off the screen put the window wholly below it (review 61)."""
    screen = top.screen()
    if screen is None:
        return rect
    area = screen.availableGeometry()
    rect.moveLeft(max(area.left(), min(rect.left(), area.right() + 1 - rect.width())))
    rect.moveTop(max(area.top(), min(rect.top(), area.bottom() + 1 - rect.height())))
    return rect


def finished_geometry(parent: QWidget | None) -> QRect | None:
    """The chart's size, centred over the main window (as Qt places a dialog); None without
    a main window on screen."""
    top = _visible_top(parent)
    if top is None:
        return None
    size = size_within_window(parent)
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(top.geometry().center())
    return _on_screen(rect, top)
