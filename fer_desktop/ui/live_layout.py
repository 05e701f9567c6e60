"""How the Live tab's parts are arranged: the top bar, the video column, the splitter.

Widget placement only (no signals, no state), so that ``live_view.py`` keeps to wiring.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLayout,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: the video column's and the side panel's shares of a wider window, and their first widths
SPLIT_STRETCH = (3, 1)
SPLIT_SIZES = (900, 340)


def top_bar(picker: QWidget, actions: Sequence[QAction],
            trailing: Sequence[QWidget]) -> QHBoxLayout:
    """The source picker (stretching), a text button per action, then ``trailing``."""
    bar = QHBoxLayout()
    bar.setContentsMargins(0, 0, 0, 0)
    bar.addWidget(picker, 1)
    bar.addSpacing(12)
    for action in actions:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(button)
    for widget in trailing:
        bar.addWidget(widget)
    return bar


def stacked(*pages: QWidget) -> QStackedWidget:
    """A stack showing one page at a time (the video, or the empty state)."""
    stack = QStackedWidget()
    for page in pages:
        stack.addWidget(page)
    return stack


def column(*items: QWidget | QLayout | tuple[QWidget, int]) -> QWidget:
    """A widget holding ``items`` top to bottom without margins; ``(widget, n)`` stretches."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(widget, QLayout):
            layout.addLayout(widget)
        else:
            layout.addWidget(widget, stretch)
    return holder


def video_beside_panel(video: QWidget, panel: QWidget) -> QSplitter:
    """The video on the left, the panel on the right; neither can be collapsed away."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(video)
    splitter.addWidget(panel)
    for index, stretch in enumerate(SPLIT_STRETCH):
        splitter.setStretchFactor(index, stretch)
    splitter.setChildrenCollapsible(False)
    splitter.setSizes(list(SPLIT_SIZES))
    return splitter
