"""The Train tab's list of runs in the output folder, newest first.

Rows come from :func:`trainer.runs.list_runs` (the run folders' files); the tab passes what it
knows better than the files (a run it is training now, a run whose process ended a moment
ago) as ``states``.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from fer_desktop.ui.colours import ERROR_COLOUR, HELP_TEXT_COLOUR
from trainer.finetune_config import PRESET as FINETUNE_PRESET
from trainer.rundir import (
    DETACHED,
    FAILED,
    FINISHED,
    INTERRUPTED,
    RUNNING,
    STOPPED,
    STOPPING,
)
from trainer.runs import RunRow

EMPTY_TEXT = ("No runs in this folder yet. Press Start to train one: it shows here as it "
              "goes, and stays here to compare, resume or use.")
# Recipe last: it is the long one ("default, distilled, mixed labels, ..."), so it takes the
# room that is left and the numbers and the state always show.
COLUMNS = ("Run", "Epochs", "Best on PublicTest", "State", "Recipe")
RUN_COLUMN = COLUMNS.index("Run")
BEST_COLUMN = COLUMNS.index("Best on PublicTest")
NAME_SHOWN_CHARS = 24  # a longer name is cut with "..." in the list (whole in its tooltip)
NAME_END_CHARS = 8  # ... in its middle, its end kept: "experiment lr...batch 64"
STATE_COLUMN = COLUMNS.index("State")
RECIPE_COLUMN = COLUMNS.index("Recipe")
RECIPE_MIN_PX = 24
# The most the list asks of the form column's width: past it the list scrolls sideways
# itself. Its columns as wide as their cells ("3 of 7 (final, test faces)", "stopped, in
# use") made the Train tab 818 px wide at least: at 800x600 the whole form column scrolled
# sideways, Browse... and Resume cut (trial 34).
LIST_MIN_CAP_PX = 360
# The rows the list always shows (the form column scrolls rather than squeeze it): at
# 1024x700 with an image folder it was its header and half a row (trial 57).
MIN_ROWS_SHOWN = 4
FEW_TEST_FACES = 30  # fewer test faces than this: the count right, not a percentage
IN_USE = "in use"  # added to the State of the run whose model the live view uses
DAMAGED = "damaged"  # the State of a run whose state.json or config.json cannot be read


def best_heading(rows: list[RunRow]) -> str:
    """The best-accuracy column's heading for these rows: what their figures are measured on
    ("Best on PublicTest" stood over a fine-tune's score on its own test faces, trial 20)."""
    own = {row.own_faces for row in rows}
    if own == {True}:
        return "Best on its test faces"
    return "Best accuracy" if own == {True, False} else COLUMNS[BEST_COLUMN]


def best_text(row: RunRow, heading: str) -> str:
    """The best-accuracy cell: the figure, and where the heading does not say it, what it is
    measured on; a fine-tune's is its final weights' (once exported, its model's score on
    the test faces: ``trainer.runs``), not its best epoch's."""
    if not isinstance(row.best_val_accuracy, int | float):
        return "-"
    best = f"{100 * row.best_val_accuracy:.1f}%"
    if row.test_faces is not None and row.test_faces < FEW_TEST_FACES:  # "100.0%" of 2
        best = f"{round(row.best_val_accuracy * row.test_faces)} of {row.test_faces}"  # faces
        # read as a sure thing beside a fall on FER-2013 (trial 26)
    finetune = row.own_faces and row.preset == FINETUNE_PRESET
    # its model's score, or a stopped one's epoch, which made no model ("86.6% (final)" was
    # said of a fine-tune stopped in epoch 5 of 8, trial 57)
    final = "final" if row.has_model else f"epoch {row.epochs_done}" + (
        "" if row.state == RUNNING else ", no model")  # still training: no model yet
    if heading == COLUMNS[BEST_COLUMN]:
        return best
    if not row.own_faces:
        return f"{best} (PublicTest)"
    if heading == "Best accuracy":
        return f"{best} ({final}, test faces)" if finetune else f"{best} (test faces)"
    return f"{best} ({final})" if finetune else best


def run_text(row: RunRow) -> str:
    """The Run column: the name the user gave the run (cut in its middle: names that share
    their start, "Fast sqrt run for comparison A" and "... B", read alike cut at the end and
    could not both be given, trial 21), else when it started."""
    if not row.name or len(row.name) <= NAME_SHOWN_CHARS:
        return row.name or row.started
    head = row.name[:NAME_SHOWN_CHARS - 3 - NAME_END_CHARS].rstrip()
    return f"{head}...{row.name[-NAME_END_CHARS:].lstrip()}"


def run_with_recipe(row: RunRow, limit: int = 32) -> str:
    """A run in a menu or a legend, where there is room: its name, or when it started with
    its recipe (two unnamed runs read "07 Dec 14:36" and "07 Dec 14:35": which one learnt the
    FER+ labels? trial 49)."""
    if row.name:
        return row.name
    recipe = short_recipe(row.recipe, limit)
    return f"{row.started} ({recipe})" if recipe else row.started


def short_recipe(recipe: str, limit: int = 32) -> str:
    """A run's recipe cut to ``limit`` characters, "..." where it was cut."""
    return recipe if len(recipe) <= limit else recipe[:limit - 3].rstrip() + "..."


class RunNameDelegate(QStyledItemDelegate):
    """Draws the Run column: where the column is narrower than the name as the list cuts it,
    the whole name is cut in its middle once, at the column's width. Qt cut the already cut
    name again at its end: "R3 taught on...e..." kept neither the end that told two names
    apart nor a readable start (trial 22)."""

    def paint(self, painter, option: QStyleOptionViewItem, index) -> None:
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        row = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(row, RunRow) and row.name and not self.fits(shown):
            shown.text = row.name
            shown.textElideMode = Qt.TextElideMode.ElideMiddle
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, shown, painter, widget)

    @staticmethod
    def fits(option: QStyleOptionViewItem) -> bool:
        """Whether the cell's text fits its rectangle, less the margins the style keeps."""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        return option.fontMetrics.horizontalAdvance(option.text) <= option.rect.width() - 2 * margin


class RunList(QGroupBox):
    """"Runs in the output folder".

    Signals:
        selection_changed(): the user selected another run (or none).
    """

    selection_changed = Signal()
    widths_changed = Signal()  # the width its columns want (``wanted_width``) may differ

    def __init__(self, parent=None) -> None:
        super().__init__("Runs in the output folder", parent)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Runs in the output folder")
        self.tree.setToolTip("The runs in the output folder, newest first: select one to see "
                             "its curves and evaluation, or to resume it")
        self.tree.setHeaderLabels(list(COLUMNS))
        self._name_delegate = RunNameDelegate(self.tree)
        self.tree.setItemDelegateForColumn(RUN_COLUMN, self._name_delegate)
        self.tree.headerItem().setToolTip(
            RUN_COLUMN, "When the run started, or the name you gave it (right-click a run, or "
            "select it and press the Menu key, to rename it, open its folder or move it to "
            "the trash)")
        # two PublicTest figures for one run read as a contradiction without this
        self.tree.headerItem().setToolTip(
            BEST_COLUMN,
            "The network's best accuracy while it trained: on FER-2013's PublicTest, or on "
            "the test faces of an image folder (the heading says which, or each figure "
            "where the list holds both). The exported model's "
            "figure in the Results differs: it adds the balanced decision, which gives up "
            "some accuracy on common emotions for the rare ones. A fine-tune keeps its final "
            "weights, not the best epoch's (\"final\"): once exported, its figure is its "
            "model's on the test faces, as in its Results")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(RECIPE_COLUMN, QHeaderView.ResizeMode.Fixed)
        self.tree.header().setSectionResizeMode(RUN_COLUMN, QHeaderView.ResizeMode.Fixed)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setMinimumSectionSize(RECIPE_MIN_PX)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.header().sectionResized.connect(self._fit_recipe)
        self.tree.viewport().installEventFilter(self)
        self.tree.itemSelectionChanged.connect(self.selection_changed)
        self.empty_label = QLabel(EMPTY_TEXT)  # an empty table says nothing about why
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet(f"color: {HELP_TEXT_COLOUR};")  # quiet, yet readable
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty_label)
        self.tree.hide()
        self._in_use: Path | None = None
        self._run_floor = 0  # the Run column's least width (a start time's): _fit_recipe
        self._wanted = 0  # the widest wanted_width yet: see there

    def set_in_use(self, model_dir: Path | None) -> None:
        """Mark the run whose model the live view uses ("finished, in use"): among runs of
        one recipe only the Results of each, one at a time, said which was in use."""
        self._in_use = _resolved(model_dir)
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            item.setText(STATE_COLUMN, self._state_text(item.data(0, Qt.ItemDataRole.UserRole)))

    def _state_text(self, row: RunRow) -> str:
        in_use = self._in_use is not None and _resolved(row.run_dir) == self._in_use
        # (it read "interrupted", Resume on); a run training now says so whatever it reads
        state = DAMAGED if row.damaged and row.state != RUNNING else row.state
        return f"{state}, {IN_USE}" if in_use else state

    def show_rows(self, rows: list[RunRow], selected: Path | None,
                  states: dict[Path, str] | None = None) -> None:
        """Replace the rows (no signal), keeping ``selected`` selected.

        Args:
            rows: the runs, top to bottom.
            selected: the run folder to select, or None.
            states: run folder -> state to show instead of the one read from its files.
        """
        states = states or {}
        heading = best_heading(rows)
        self.tree.blockSignals(True)
        self.tree.clear()
        self.tree.headerItem().setText(BEST_COLUMN, heading)
        for row in rows:
            row = dataclasses.replace(row, state=states.get(row.run_dir, row.state))
            epochs = f"{row.epochs_done}/{row.epochs}" if row.epochs else str(row.epochs_done)
            item = QTreeWidgetItem([run_text(row), epochs, best_text(row, heading),
                                    self._state_text(row), row.recipe])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            for column in range(len(COLUMNS)):
                item.setToolTip(column, str(row.run_dir))
            if row.name:  # the folder's name and the start time stay at hand
                item.setToolTip(RUN_COLUMN, f"{row.name}\nstarted {row.started}\n{row.run_dir}")
            item.setToolTip(RECIPE_COLUMN, f"{row.recipe}\n{row.run_dir}")  # cut when narrow
            if row.damaged:  # which file, and why: nothing of the run can be resumed
                item.setToolTip(STATE_COLUMN, f"{row.damaged}: the run cannot be resumed or "
                                              "exported")
            if row.state == FAILED or row.damaged:
                item.setForeground(STATE_COLUMN, QBrush(QColor(ERROR_COLOUR)))
            self.tree.addTopLevelItem(item)
            if selected is not None and row.run_dir == selected:
                item.setSelected(True)
                self._make_current(item)
        self.tree.blockSignals(False)
        self.tree.setHidden(not rows)
        self.empty_label.setHidden(bool(rows))
        self._fit_recipe()
        self._keep_rows_shown()
        self.widths_changed.emit()

    def _keep_rows_shown(self) -> None:
        """At least :data:`MIN_ROWS_SHOWN` rows high (fewer when there are fewer runs)."""
        rows = min(MIN_ROWS_SHOWN, self.tree.topLevelItemCount())
        row_px = self.tree.sizeHintForRow(0) if rows else 0
        self.tree.setMinimumHeight(self.tree.header().sizeHint().height() + rows * row_px
                                   + 2 * self.tree.frameWidth())

    def wanted_width(self) -> int:
        """The width the list needs for every column but the Recipe whole, the Recipe's
        sliver and its scroll bar: the Train tab's column takes it where the window has room
        (at 1024 px the State column was cut, "finished, in u", trial 57). The Run column
        counts as a start time's width: a long name is cut, never widens the column (trial
        21)."""
        header = self.tree.header()
        others = sum(max(self.tree.sizeHintForColumn(c), header.sectionSizeHint(c),
                         self._widest_state() if c == STATE_COLUMN else 0)
                     for c in range(len(COLUMNS)) if c not in (RUN_COLUMN, RECIPE_COLUMN))
        columns = max(self._run_floor, self._widest_start()) + others
        margins = self.width() - self.tree.width() if self.tree.width() else 24
        wanted = (columns + RECIPE_MIN_PX + 2 * self.tree.frameWidth() + max(0, margins)
                  + self.tree.verticalScrollBar().sizeHint().width())
        # never narrower again while the tab lives: a cell growing and shrinking as runs
        # come and go moved the buttons to and fro (trial 61)
        self._wanted = max(self._wanted, wanted)
        return self._wanted

    def _widest_start(self) -> int:
        """The Run column's width for a start time ("30 Sep 23:59", its least), whether the
        list has rows or not: empty, it asked none, and the column moved by 45 px at a
        folder's first run (review 67)."""
        metrics = self.tree.fontMetrics()
        padding = 2 * self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 8
        return padding + max(metrics.horizontalAdvance(
            datetime.date(2026, month, 28).strftime("%d %b 23:59")) for month in range(1, 13))

    def _widest_state(self) -> int:
        """The State column's width for the longest word it may show, whatever it shows
        now: sized by its rows, the Train tab's column widened from 420 to 445 to 480 px as
        a run went from "running" to "finished, in use", the charts narrowing each time
        (trial 61)."""
        metrics = self.tree.fontMetrics()
        padding = 2 * self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 8
        return padding + max(metrics.horizontalAdvance(f"{word}, {IN_USE}") for word in (
            RUNNING, STOPPING, STOPPED, FINISHED, FAILED, DETACHED, INTERRUPTED, DAMAGED))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_recipe()
        return super().eventFilter(watched, event)

    def _fit_recipe(self, *_args) -> None:
        """The Recipe takes the width the other columns leave and is cut with "..." (whole in
        its tooltip). Qt's stretch kept a 100-px floor: in a narrow panel the Recipe ran past
        the list's edge, cut mid-word, its sideways scroll bar below the panel's fold."""
        header = self.tree.header()
        fixed = sum(header.sectionSize(c) for c in range(len(COLUMNS))
                    if c not in (RUN_COLUMN, RECIPE_COLUMN))
        # the Run column: its names whole where there is room, else cut to a start time's
        # width; the list asks no more room for a long name (a rename widened the form column
        # by 57 px and narrowed the charts, trial 21)
        cells = self.tree.sizeHintForColumn(RUN_COLUMN)
        run_need = max(cells, header.sectionSizeHint(RUN_COLUMN))
        metrics = self.tree.fontMetrics()
        texts = [self.tree.topLevelItem(k).text(RUN_COLUMN)
                 for k in range(self.tree.topLevelItemCount())]
        margins = cells - max((metrics.horizontalAdvance(t) for t in texts), default=cells)
        starts = [metrics.horizontalAdvance(row.started) for row in self.rows()]
        run_floor = min(run_need, max([*starts, header.sectionSizeHint(RUN_COLUMN) - margins],
                                      default=0) + margins)
        self._run_floor = run_floor
        # room for the columns as wide as their cells ("33.3% (test faces)", "interrupted")
        # and a sliver of the recipe, whatever the form beside it needs (with the folder rows
        # hidden the panel shrank under the columns)
        self.tree.setMinimumWidth(min(LIST_MIN_CAP_PX,
                                      fixed + run_floor + RECIPE_MIN_PX + 2 * self.tree.frameWidth()
                                      + self.tree.verticalScrollBar().sizeHint().width()))
        room = self.tree.viewport().width() - fixed
        run = max(run_floor, min(run_need, room - RECIPE_MIN_PX))
        if header.sectionSize(RUN_COLUMN) != run:
            header.resizeSection(RUN_COLUMN, run)
        width = max(RECIPE_MIN_PX, room - run)
        if header.sectionSize(RECIPE_COLUMN) != width:
            header.resizeSection(RECIPE_COLUMN, width)

    def rows(self) -> list[RunRow]:
        """The rows, top to bottom (with the states shown)."""
        return [self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.tree.topLevelItemCount())]

    def selected_row(self) -> RunRow | None:
        items = self.tree.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _make_current(self, item: QTreeWidgetItem) -> None:
        """The keyboard's row follows the selection (the arrow keys and the Menu key went
        from an older run's row, trial 41); the selection itself is left as it is."""
        self.tree.setCurrentItem(item, 0, QItemSelectionModel.SelectionFlag.NoUpdate)

    def select(self, run: Path | None) -> None:
        """Select ``run`` (or nothing), without emitting ``selection_changed``."""
        self.tree.blockSignals(True)
        self.tree.clearSelection()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if run is not None and item.data(0, Qt.ItemDataRole.UserRole).run_dir == run:
                item.setSelected(True)
                self._make_current(item)
                self.tree.scrollToItem(item)
        self.tree.blockSignals(False)


def _resolved(folder: Path | None) -> Path | None:
    """``folder`` as one spelling of it (a link or "..": the same run), or None."""
    if folder is None:
        return None
    try:
        return Path(folder).resolve()
    except (OSError, RuntimeError):  # a loop of links: compared as given
        return Path(folder)
