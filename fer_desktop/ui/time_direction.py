"""Time runs left to right in every layout: the seek bar and the charts over time.

Under a right-to-left layout (Qt's ``-reverse``) the seek bar was mirrored (Left went forward,
Home put the handle at the right) while every chart ran left to right, and the charts' value
axes moved to the right, where the newest points press against them (trial 44). Media
timelines keep the tape's direction in right-to-left interfaces too; the rest of the window
is mirrored as Qt lays it out.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def keep_time_left_to_right(widget: QWidget) -> None:
    """Lay ``widget`` (a seek bar, a chart over time) out left to right whatever the window's
    direction; a chart's plot is a graphics item that follows the application's direction
    rather than its view's, so it is set too."""
    widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    if isinstance(widget, pg.PlotWidget):
        widget.getPlotItem().setLayoutDirection(Qt.LayoutDirection.LeftToRight)
