"""Where the Train tab's parts sit: the form column, the Results page and the Log.

Kept apart from ``train_tab.py`` (which wires the parts and starts the trainer) so that the
tab's logic stays readable. Nothing here knows about training.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.ui.run_list import RunList
from fer_desktop.ui.side_scroll import SidePanelScroll
from fer_desktop.ui.wheel_guard import guard_wheel

LOG_LINES = 5000
FORM_COLUMN_MIN_PX = 300  # the form column is never narrower, even when it could be
LIST_SHARE = 0.45  # the most of the window the form column takes for the run list's columns


def form_column(*parts: QWidget) -> QScrollArea:
    """The left column (data source, form, progress, run list; the last one stretches).

    It scrolls up and down when Advanced opens in a small window, never sideways: it asks the
    splitter for its content's minimum width (``SidePanelScroll``), and its long lines wrap.
    A width fixed once at start let a long progress line ("... is training in the background
    (left running, or started from a terminal) ...") push the Browse... buttons and Resume
    out of view behind a sideways scroll bar (trial C, 1366x768).
    """
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts[:-1]:
        layout.addWidget(part)
    layout.addWidget(parts[-1], 1)
    guard_wheel(column)  # the wheel scrolls the form, not the Epochs or Seed under it
    return SidePanelScroll(column, min_px=FORM_COLUMN_MIN_PX, keep_bar_room=True)


class ColumnSplitter(QSplitter):
    """The form column beside the charts: a third of the width, at least ``min_px``, as the
    window grows or shrinks, until the user drags the handle; from then on it is theirs.
    Wider, up to :data:`LIST_SHARE` of the window, where the run list's columns need it.

    Fitted only when first shown, the column kept 400 px in a window opened small and then
    maximised to 1920 px: the run list's Recipe column was cut beside wide empty charts
    (trial 13). At 1024 px its State column was cut ("finished, in u", trial 57).
    """

    def __init__(self, left: QWidget, right: QWidget, min_px: int) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        self._min_px = min_px
        self.user_sized = False
        self.splitterMoved.connect(self._on_moved)
        self.setSizes([min_px, 2 * min_px])
        self._list = left.findChild(RunList)
        if self._list is not None:
            self._list.widths_changed.connect(self._fit)

    def _on_moved(self, *_args) -> None:
        self.user_sized = True

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """Fitted again once the list is laid out (before, its columns had no widths)."""
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        if self.user_sized or self.width() <= 0:
            return
        wanted = 0
        if self._list is not None:  # its columns, and the column's margins around the list
            left = self.widget(0)
            wanted = self._list.wanted_width() + max(0, left.width() - self._list.width())
        left = max(self._min_px, self.width() // 3, min(wanted, int(self.width() * LIST_SHARE)))
        if self.sizes()[0] != left:
            self.setSizes([left, max(1, self.width() - left)])


def results_page(results: QWidget) -> QScrollArea:
    """The Results tab: the summary and the confusion matrix scroll, never cut."""
    scroll = QScrollArea()
    scroll.setWidget(results)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    # no Tab stop of its own (it showed no focus, trial 17); it still scrolls to the focused
    # control inside it, as the live view's side panel does
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll


def log_view() -> QPlainTextEdit:
    """The Log tab: read-only, the last ``LOG_LINES`` lines, wrapped, fixed pitch."""
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setMaximumBlockCount(LOG_LINES)
    # long lines wrap: unwrapped, one TensorFlow warning scrolled the Log sideways and
    # every line's beginning was hidden (walk-throughs 8 and 11)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    # the data report is a table: its columns line up only in a fixed-pitch font
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return view
