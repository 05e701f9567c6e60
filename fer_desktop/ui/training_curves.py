"""The Train tab's loss and accuracy plots.

Created once and fed through ``setData`` (pyqtgraph's scrolling-plot habit): events append to
growable numpy buffers and the tab's 10 Hz timer calls :meth:`TrainingCurves.redraw`, so a
burst of batch events never stalls the GUI. The legend is one line of text under both plots
(it wraps in a narrow window), so it never covers a curve or runs off a plot; the epoch axis
shows at least one epoch, never below 0, and never switches to "epoch (x0.001)" at the
first batches.
While no curve has a point, a line of text over each plot says where curves come from (two
blank grids with 0.2 to 0.8 "epochs" told a new user nothing).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from fer_desktop.core.training_progress import gaps_between_epochs
from fer_desktop.ui.colours import (
    HINT_TEXT_COLOUR,
    PLOT_AXIS,
    PLOT_BACKGROUND,
    PLOT_BATCHES,
    PLOT_HELD_OUT,
    PLOT_OTHER_RUN,
    PLOT_TEXT,
    PLOT_TRAINING,
)
from fer_desktop.ui.time_direction import keep_time_left_to_right
from trainer.runs import RunCurves, number_or_nan

EMPTY_HINT = ("No curves yet. They appear here during a training, or when you click a run "
              "in the list.")


MIN_ACCURACY_SPAN = 20.0  # percentage points


class _Series:
    """Growable float64 (x, y) buffers that double when full; NaN marks a missing value."""

    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        while self.n and self._x[self.n - 1] >= x:  # resumed epoch: replace, keep x increasing
            self.n -= 1
        if self.n == len(self._x):
            self._x = np.resize(self._x, 2 * self.n)
            self._y = np.resize(self._y, 2 * self.n)
        self._x[self.n], self._y[self.n] = x, y
        self.n += 1

    def clear(self) -> None:
        self.n = 0

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x[:self.n], self._y[:self.n]


def lone_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points of a NaN-broken curve with no finite neighbour (a line draws none)."""
    finite = np.isfinite(y)
    if not len(finite):
        return x, y
    before = np.r_[False, finite[:-1]]
    after = np.r_[finite[1:], False]
    lone = finite & ~before & ~after
    return x[lone], y[lone]


class EpochAxis(pg.AxisItem):
    """An epoch axis with whole epochs only: a 3-epoch run's read 1.0, 1.5, 2.0, 2.5."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's names)
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            whole = [v for v in values if abs(v - round(v)) < 1e-9]
            if whole:
                levels.append((max(spacing, 1.0), whole))
        return levels


class TrainingCurves(QWidget):
    """Loss and accuracy plots, created once and fed through ``setData`` by a timer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = self._plot("Loss", "loss")
        self.accuracy_plot = self._plot("Accuracy", "accuracy (%)")
        layout.addWidget(self.loss_plot, 0, 0)
        layout.addWidget(self.accuracy_plot, 0, 1)
        self.empty_hints = [self._empty_hint(layout, column) for column in (0, 1)]
        blue, orange, grey = PLOT_TRAINING, PLOT_HELD_OUT, PLOT_BATCHES
        self._legend_parts = (
            f"<span style='color:{blue}'>\u25cf</span> training &nbsp; "
            f"<span style='color:{orange}'>\u25a0</span> ",
            f" &nbsp; <span style='color:{grey}'>\u2014</span> loss over the batches "
            "(running mean in the epoch)")
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.legend.setAccessibleName("Legend of the training plots")
        layout.addWidget(self.legend, 1, 0, 1, 2)
        self.series: dict[str, _Series] = {}
        self.items: dict[str, pg.PlotDataItem] = {}
        for key, plot, name, colour, symbol, width in (
                ("batch_loss", self.loss_plot, "batches", grey, None, 1),
                ("loss", self.loss_plot, "training", blue, "o", 2),
                ("val_loss", self.loss_plot, "PublicTest", orange, "s", 2),
                ("accuracy", self.accuracy_plot, "training", blue, "o", 2),
                ("val_accuracy", self.accuracy_plot, "PublicTest", orange, "s", 2)):
            item = plot.plot([], [], pen=pg.mkPen(colour, width=width),
                             symbol=symbol, symbolSize=6, symbolBrush=colour, symbolPen=None,
                             connect="finite")
            item.opts["name"] = name  # read by tests and tooltips; the legend is the label
            if key == "batch_loss":
                item.setDownsampling(auto=True, method="peak")
                item.setClipToView(True)
            self.series[key] = _Series()
            self.items[key] = item
        self.lone_batches = self.loss_plot.plot([], [], pen=None, symbol="o", symbolSize=5,
                                                symbolBrush=grey, symbolPen=None)
        # another run's held-out curves, dashed, to compare with (``show_other``)
        self.other_items = {key: plot.plot([], [], pen=pg.mkPen(PLOT_OTHER_RUN, width=2,
                                                                style=Qt.PenStyle.DashLine),
                                           symbol="t1", symbolSize=7, symbolBrush=PLOT_OTHER_RUN,
                                           symbolPen=None, connect="finite")
                            for key, plot in (("val_loss", self.loss_plot),
                                              ("val_accuracy", self.accuracy_plot))}
        self.other_name = ""
        # One epoch axis for both plots: the loss plot holds every x (batches and epochs),
        # the accuracy plot follows it (after a 1-epoch run they read 0.2-1.0 and 0.6-1.4).
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.getViewBox().enableAutoRange(x=False)
        # At least 20 points of accuracy on screen: a 3-face test set moved in 1-point steps
        # on a 31-37% axis, so one face changing its answer looked like a crash.
        self.accuracy_plot.getViewBox().setLimits(minYRange=MIN_ACCURACY_SPAN, yMin=-2.0,
                                                  yMax=102.0)  # never "-10 %" (flat curves)
        for plot in (self.loss_plot, self.accuracy_plot):  # its "A" (auto range) button
            plot.getPlotItem().hideButtons()                # undid the link on a click
        self.set_held_out_name("PublicTest")
        self._accuracy_shown = False
        self._dirty = True
        self.redraw()  # the empty state: hints, no axes

    def set_held_out_name(self, name: str) -> None:
        """Name the orange curves after what they are measured on: "PublicTest", or "test
        faces" for a run on an image folder (its legend said PublicTest for 3 own faces)."""
        self._held_out = name
        self._show_legend()
        for key in ("val_loss", "val_accuracy"):
            self.items[key].opts["name"] = name
        for title, plot in (("Loss", self.loss_plot), ("Accuracy", self.accuracy_plot)):
            plot.setToolTip(f"{title} per epoch: training (blue circles) and {name} "
                            "(orange squares)" + ("; grey: the running mean over the batches"
                                                  if title == "Loss" else ""))

    def _show_legend(self) -> None:
        other = (f" &nbsp; <span style='color:{PLOT_OTHER_RUN}'>\u25b2 - -</span> "
                 f"{html.escape(self.other_name)}" if self.other_name else "")
        self.legend.setText(self._legend_parts[0] + self._held_out + self._legend_parts[1]
                            + other)

    def show_other(self, name: str, curves: RunCurves | None) -> None:
        """Another run's held-out loss and accuracy, dashed, over the run shown, named in the
        legend ("06 Dec 01:18 (PublicTest)"); None: none. Choosing between two runs meant
        flipping between them, each on axes of its own (trial 21)."""
        self.other_name = name if curves is not None else ""
        for key, scale in (("val_loss", 1.0), ("val_accuracy", 100.0)):
            x = np.asarray(curves.epoch if curves is not None else [], float)
            y = np.asarray([number_or_nan(v) * scale for v in getattr(curves, key)]
                           if curves is not None else [], float)
            self.other_items[key].setData(x, y, connect="finite")
        self._show_legend()
        self._dirty = True  # the run shown may have none: the hint gives way to these
        self.redraw()

    @staticmethod
    def _plot(title: str, label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(background=PLOT_BACKGROUND, axisItems={"bottom": EpochAxis("bottom")})
        plot.setAccessibleName(f"{title} per epoch")
        keep_time_left_to_right(plot)
        plot.setTitle(title, color=PLOT_TEXT, size="10pt")
        plot.setLabel("bottom", "epoch", color=PLOT_TEXT)
        plot.setLabel("left", label, color=PLOT_TEXT)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMenuEnabled(False)
        plot.setMinimumHeight(160)
        # nothing to do with keys: no Tab stop (it showed no focus, trial 17)
        plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(PLOT_TEXT)
            plot.getAxis(axis).setPen(PLOT_AXIS)
            plot.getAxis(axis).enableAutoSIPrefix(False)
        plot.getViewBox().setLimits(minXRange=1.0, xMin=0.0)  # at least one epoch wide
        plot.setMinimumWidth(160)
        return plot

    @staticmethod
    def _empty_hint(layout: QGridLayout, column: int) -> QLabel:
        """A grey line of text over the plot in ``column`` (same grid cell, added later, so
        on top), shown while there is nothing to plot."""
        hint = QLabel(EMPTY_HINT)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet(f"color: {HINT_TEXT_COLOUR}; background: transparent;")
        hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # the whole cell, text centred with a margin: wrapped to the plot's width (a label
        # of at most 260 px was a column of four short lines in a 600 px plot)
        hint.setContentsMargins(24, 0, 24, 0)
        layout.addWidget(hint, 0, column)
        return hint

    def clear(self) -> None:
        """Nothing shown (a training starts, no run selected): another run's curves go too."""
        for series in self.series.values():
            series.clear()
        self.show_other("", None)

    def add_batch(self, epoch: int, step: int, steps: int, loss: float | None) -> None:
        if steps > 0:
            self.series["batch_loss"].append(epoch - 1 + step / steps, number_or_nan(loss))
            self._dirty = True

    def add_epoch(self, epoch: int, loss, accuracy, val_loss, val_accuracy) -> None:
        for key, value, scale in (("loss", loss, 1.0), ("val_loss", val_loss, 1.0),
                                  ("accuracy", accuracy, 100.0),
                                  ("val_accuracy", val_accuracy, 100.0)):
            self.series[key].append(float(epoch), number_or_nan(value) * scale)
        self._dirty = True

    def show_curves(self, curves: RunCurves) -> None:
        """Replace everything with a stored run's history."""
        for series in self.series.values():
            series.clear()
        for i, epoch in enumerate(curves.epoch):
            self.add_epoch(int(epoch), curves.loss[i], curves.accuracy[i], curves.val_loss[i],
                           curves.val_accuracy[i])
        for x, y in zip(curves.batch_x, curves.batch_loss, strict=True):
            self.series["batch_loss"].append(x, y)
        self._dirty = True
        self.redraw()

    def points(self) -> dict[str, int]:
        """How many points each curve holds (for tests and the status line)."""
        return {key: series.n for key, series in self.series.items()}

    def redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        for key, series in self.series.items():
            x, y = series.data()
            if key == "batch_loss":  # its running mean restarts each epoch: no line between
                x, y = gaps_between_epochs(x, y)
                # a batch alone in its epoch is a dot: a line needs two points, and a run
                # stopped after one batch (or a fine-tune of one batch an epoch) showed empty
                # axes (trial 20)
                self.lone_batches.setData(*lone_points(x, y))
            self.items[key].setData(x.copy(), y.copy(), connect="finite")
        empty = not any(series.n for series in self.series.values()) and not self.other_name
        has_accuracy = bool(self.series["accuracy"].n or self.series["val_accuracy"].n)
        if has_accuracy != self._accuracy_shown:  # once, not at every redraw (a y zoom stays)
            self._accuracy_shown = has_accuracy
            if has_accuracy:
                self.accuracy_plot.getViewBox().enableAutoRange(y=True)
        if not has_accuracy:  # batches but no epoch yet: a 0-100% axis, not 0-1 under "(%)"
            self.accuracy_plot.setYRange(0.0, 100.0, padding=0.0)
        for hint in self.empty_hints:
            hint.setVisible(empty)
        for plot in (self.loss_plot, self.accuracy_plot):  # empty axes (0.2 to 0.8 "epochs")
            for axis in ("left", "bottom"):                 # said nothing and ran under the
                plot.getPlotItem().showAxis(axis, not empty)  # hint in a small window
