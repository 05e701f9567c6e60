"""How the Live tab's parts are arranged: the top bar, the video column, the splitter.

Widget placement only (no signals, no state), so that ``live_view.py`` keeps to wiring.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
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
            indicators: Sequence[QWidget]) -> QHBoxLayout:
    """The source picker (stretching), then ``indicators`` (REC, Collect), then a text button
    per action, at the right edge: an indicator that appears takes room from the picker,
    and a button that changes its text keeps its width (an action's ``texts`` property lists
    them), so no button moves under the pointer (a second click on Record CSV hit the REC
    label that had taken its place: walk-through 13)."""
    bar = QHBoxLayout()
    bar.setContentsMargins(0, 0, 0, 0)
    bar.addWidget(picker, 1)
    for widget in indicators:
        bar.addWidget(widget)
    bar.addSpacing(12)
    for action in actions:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumWidth(_widest(button, action))
        bar.addWidget(button)
    return bar


def _widest(button: QToolButton, action: QAction) -> int:
    shown = action.text()
    widths = [button.sizeHint().width()]
    for text in action.property("texts") or []:
        action.setText(text)
        widths.append(button.sizeHint().width())
    action.setText(shown)
    return max(widths)


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


class _PinnedToBottom(QObject):
    """Keeps ``widget`` (a child of the host) across the host's bottom edge, over its content."""

    def __init__(self, widget: QWidget, host: QWidget, margin: int) -> None:
        super().__init__(host)
        self._widget, self._host, self._margin = widget, host, margin
        host.installEventFilter(self)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            self.place()
        return False

    def place(self) -> None:
        host, widget, m = self._host, self._widget, self._margin
        height = widget.sizeHint().height()
        widget.setGeometry(m, max(0, host.height() - height - m), max(0, host.width() - 2 * m),
                           height)


def pin_to_bottom(widget: QWidget, host: QWidget, tab_after: QWidget | None = None,
                  margin: int = 6) -> None:
    """Lay ``widget`` over the bottom of ``host`` (a message that must not push the video);
    its controls come right after ``tab_after`` in the Tab order (the saved bar's Open
    folder and close button were never reached by Tab, trial 39)."""
    widget.setParent(host)
    _PinnedToBottom(widget, host, margin).place()
    before = tab_after
    for control in widget.findChildren(QWidget):
        if before is not None and control.focusPolicy() & Qt.FocusPolicy.TabFocus:
            QWidget.setTabOrder(before, control)
            before = control
