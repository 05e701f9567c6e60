"""Fitting a window into the screen it opens on (Qt-free arithmetic).

The main window opened at a fixed 1280x800: taller than a 1366x768 laptop's screen, and at
150 % scaling taller than a 1920x1080 one (1280x720 in Qt's logical pixels), so the video's
transport bar and the status bar were below the screen's edge. A size restored from another
scale or screen had the same fault. Sizes are ``(width, height)`` and rectangles
``(x, y, width, height)``, in the screen's logical pixels, as Qt gives them.
"""

from __future__ import annotations

Size = tuple[int, int]
Rect = tuple[int, int, int, int]

#: what the desktop draws around a window before it is shown (Qt knows it only after): a
#: border on each side and below; the title bar above is the style's PM_TitleBarHeight
BORDER_PX = 4


def fit_size(wanted: Size, room: Size, minimum: Size = (0, 0)) -> Size:
    """``wanted`` shrunk to ``room`` on each side, but not below ``minimum`` (a window
    smaller than its minimum size cannot be used either) unless the room is smaller still:
    a minimum over the room put a dialog's buttons below the screen (the shortcuts list's
    520 px on a 1280x720 screen at 150 %, trial 19)."""
    return (min(room[0], max(minimum[0], wanted[0])),
            min(room[1], max(minimum[1], wanted[1])))


def fit_window(window: Rect, available: Rect, title_bar: int = 0,
               border: int = BORDER_PX) -> Rect:
    """``window`` (its inside, without the desktop's frame) fitted into ``available`` (the
    screen less its panels and docks), with room for a title bar of ``title_bar`` px above
    it and a ``border`` around it: shrunk first, then moved as little as needed, so that the
    whole window, title bar included, is on that screen. A window that fits is left as it is.
    """
    x, y, width, height = window
    ax, ay, aw, ah = available
    width, height = fit_size((width, height), (aw - 2 * border, ah - title_bar - 2 * border))
    left_most, top_most = ax + border, ay + title_bar + border
    x = max(left_most, min(x, ax + aw - border - width))
    y = max(top_most, min(y, ay + ah - border - height))
    return x, y, width, height
