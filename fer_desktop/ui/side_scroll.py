"""The scroll area under the Live tab's answer (timeline, options, Collect), never narrower
than what it holds.

With a fixed 280 px minimum the splitter gave the side panel 9 px less than it needed at
1024x700: a horizontal scroll bar appeared and the Detector box was cut at the right edge.
This scroll area asks for its content's minimum width plus the vertical scroll bar, so it
only ever scrolls up and down, and it asks again whenever the content's layout changes (the
Collect box shown). The answer above it (heading, bars) is outside it and never scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

SIDE_PANEL_MIN_PX = 280  # never narrower than this, even when the content could be


class SidePanelScroll(QScrollArea):
    """A frameless, vertically scrolling area at least as wide as ``content`` needs.

    Also the Train tab's form column (``train_layout.py``), with its own ``min_px``.
    ``keep_bar_room``: the room of the vertical scroll bar is kept while it is hidden, so that
    the content is as wide with the bar as without it: in the Train tab a refusal under Start
    gave the form a scroll bar, a help text above rewrapped to one more line, and Start moved
    down under the pointer, then up again as the refusal went (trial 51).
    """

    def __init__(self, content: QWidget, parent: QWidget | None = None,
                 min_px: int = SIDE_PANEL_MIN_PX, keep_bar_room: bool = False) -> None:
        super().__init__(parent)
        self._min_px = min_px
        if keep_bar_room:  # shown as needed: while the content scrolls
            self.verticalScrollBar().rangeChanged.connect(self._keep_bar_room)
            self._keep_bar_room(0, 0)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Left as needed, for a window squeezed below its minimum; normally never shown.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # No Tab stop of its own: it showed no focus and did nothing with keys (Tab seemed to
        # vanish); it still scrolls to the focused control inside it.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        content = self.widget()
        need = self._min_px
        if content is not None:
            need = max(need, content.minimumSizeHint().width()
                       + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth())
        return QSize(max(hint.width(), need), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's minimum may have changed: tell the splitter
            self._keep_content_whole()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._keep_content_whole()

    def _keep_content_whole(self) -> None:
        """The content no shorter than its wrapped text needs at the width it is given, so
        that it scrolls: its minimum, taken before the lines wrap, let the area squeeze it,
        and a refusal under Start cut the Advanced fields to half their height (trial 55)."""
        content = self.widget()
        layout = content.layout() if content is not None else None
        if layout is not None and layout.hasHeightForWidth():  # at the width it is given: at
            width = max(self.viewport().width(), content.minimumSizeHint().width())  # least
            content.setMinimumHeight(layout.totalHeightForWidth(width))  # its minimum (r. 63)

    def _keep_bar_room(self, low: int, high: int) -> None:
        """The bar hidden (nothing to scroll): its width kept as a margin instead."""
        self.setViewportMargins(0, 0, 0 if high > low else
                                self.verticalScrollBar().sizeHint().width(), 0)


def scroll_down_to(area: QScrollArea, widget: QWidget) -> None:
    """Scroll ``area`` up or down to show ``widget``, never sideways: ensureWidgetVisible also
    scrolled a squeezed column to the right, and the Train tab's headings read "rogress" and
    "uns in the output folder" after Start (trial 34)."""
    across = area.horizontalScrollBar().value()
    area.ensureWidgetVisible(widget)
    area.horizontalScrollBar().setValue(across)
