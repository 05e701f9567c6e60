"""The Train tab: train the emotion CNN from the window, watch it learn, use the result live.

The tab is a thin view over three things: :class:`TrainerProcess` (the trainer child
process and its parsed events), the run folders on disk (``trainer.rundir.run_summary`` and
each run's ``events.jsonl`` / ``history.csv`` / ``model.json``), and the form's
:class:`~trainer.config.TrainConfig`. Events land in numpy buffers; a 10 Hz timer redraws the
curves, so a burst of events never stalls the GUI. The user guide is ``docs/train-tab.md``.

Public surface: ``TrainTab(settings, parent)``, its signal ``model_chosen(str)`` (a run folder
whose ``model.json`` the live view should load) and ``confirm_close() -> bool``.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.trainer_events import parse_event
from fer_desktop.ui.trainer_process import (
    FAILED,
    FINISHED,
    RUNNING,
    STOPPED,
    STOPPING,
    TrainerOutcome,
    TrainerProcess,
    trainer_command,
)
from trainer.config import PRECISIONS, PRESETS, ConfigError, TrainConfig
from trainer.rundir import run_summary

REDRAW_MS = 100           # curves and progress redraw at about 10 Hz
RUN_LIST_REFRESH_MS = 5000
STALE_RUN_S = 180         # a "running" run with no writes for this long is not running
LOG_LINES = 5000


# ------------------------------------------------------------------ run folders (no widgets)

@dataclass(frozen=True)
class RunRow:
    """One line of the run list. state: running, stopped, finished, failed or interrupted."""

    run_dir: Path
    started: str
    preset: str
    epochs_done: int
    epochs: int | None
    best_val_accuracy: float | None
    state: str
    has_model: bool

    @property
    def resumable(self) -> bool:
        # All epochs done but no model.json: stopped during export; resuming finishes it.
        unfinished = self.epochs is None or self.epochs_done < self.epochs or not self.has_model
        return self.state in ("stopped", "failed", "interrupted") and unfinished


def _started_text(run: Path) -> str:
    try:
        stamp = dt.datetime.strptime("-".join(run.name.split("-")[:2]), "%Y%m%d-%H%M%S")
    except ValueError:
        stamp = dt.datetime.fromtimestamp(run.stat().st_mtime)
    return stamp.strftime("%d %b %H:%M")


def _last_write(run: Path) -> float:
    times = [p.stat().st_mtime for p in (run / "events.jsonl", run / "state.json") if p.exists()]
    return max(times, default=0.0)


def _last_event_is_error(run: Path) -> bool:
    path = run / "events.jsonl"
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 4096))
            tail = fh.read().splitlines()
    except OSError:
        return False
    return bool(tail) and parse_event(tail[-1]).name == "error"


def read_run_row(run: Path, now: float | None = None) -> RunRow:
    """The run list's view of a run folder, from its files (a command-line run works too)."""
    summary = run_summary(run)
    status = str(summary.get("status", "unknown"))
    now = time.time() if now is None else now
    if status in ("running", "trained"):
        if now - _last_write(run) > STALE_RUN_S:  # killed: nobody will update it again
            status = "failed" if _last_event_is_error(run) else "interrupted"
        else:
            status = "running"
    elif status not in ("stopped", "finished"):
        status = "failed" if _last_event_is_error(run) else "interrupted"
    epochs = summary.get("epochs")
    return RunRow(run, _started_text(run), str(summary.get("preset", "?")),
                  int(summary.get("epochs_done") or 0), int(epochs) if epochs else None,
                  summary.get("best_val_accuracy"), status, bool(summary.get("has_model")))


def default_runs_folder() -> Path:
    """Where runs go unless the user chose: the user's data folder, not the working directory.

    A double-clicked app's working directory is arbitrary (often / or the bundle); the
    user's application-data folder is stable and writable.
    """
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".fer-desktop") / "runs"


def list_runs(out: Path) -> list[RunRow]:
    """Run folders in ``out`` (those with a config.json or state.json), newest first."""
    if not out.is_dir():
        return []
    runs = [p for p in out.iterdir()
            if p.is_dir() and ((p / "state.json").exists() or (p / "config.json").exists())]
    return [read_run_row(p) for p in sorted(runs, key=lambda p: p.name, reverse=True)]


@dataclass
class RunCurves:
    """A run's history as plain lists: per-epoch values and per-batch loss.

    batch_x is the fractional epoch (epoch 2, step 50 of 100 -> 1.5).
    """

    epoch: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    batch_x: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)


def _num(value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else math.nan


def read_run_curves(run: Path) -> RunCurves:
    """Curves of a finished, stopped or running run: ``events.jsonl``, else ``history.csv``."""
    curves = RunCurves()
    events = run / "events.jsonl"
    if events.is_file():
        with open(events, "rb") as fh:
            for raw in fh:
                event = parse_event(raw)
                if event.ok and event.name == "epoch":
                    _drop_from(curves, "epoch", event["epoch"])
                    curves.epoch.append(float(event["epoch"]))
                    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                        getattr(curves, key).append(_num(event[key]))
                elif event.ok and event.name == "batch" and event["steps"] > 0:
                    x = event["epoch"] - 1 + event["step"] / event["steps"]
                    _drop_from(curves, "batch_x", x)
                    curves.batch_x.append(x)
                    curves.batch_loss.append(_num(event["loss"]))
        if curves.epoch or curves.batch_x:
            return curves
    history = run / "history.csv"
    if history.is_file():
        with open(history, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                try:
                    curves.epoch.append(float(row["epoch"]))
                except (KeyError, ValueError):
                    continue
                for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                    try:
                        getattr(curves, key).append(float(row.get(key) or "nan"))
                    except ValueError:
                        getattr(curves, key).append(math.nan)
    return curves


def _drop_from(curves: RunCurves, axis: str, x: float) -> None:
    """A resumed run repeats the epoch it was stopped in: forget the old points from ``x`` on."""
    xs = getattr(curves, axis)
    keep = len(xs)
    while keep and xs[keep - 1] >= x:
        keep -= 1
    if keep == len(xs):
        return
    names = (("epoch", "loss", "accuracy", "val_loss", "val_accuracy") if axis == "epoch"
             else ("batch_x", "batch_loss"))
    for name in names:
        del getattr(curves, name)[keep:]


# ------------------------------------------------------------------ curves

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


class TrainingCurves(QWidget):
    """Loss and accuracy plots, created once and fed through ``setData`` by a timer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = self._plot("Loss", "loss", legend_offset=(-8, 8))  # falls: top right
        self.accuracy_plot = self._plot("Accuracy", "accuracy (%)", legend_offset=(-8, -8))
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        blue, orange, grey = (31, 119, 180), (230, 120, 20), (120, 150, 200)
        self.series: dict[str, _Series] = {}
        self.items: dict[str, pg.PlotDataItem] = {}
        for key, plot, name, colour, symbol, width in (
                ("batch_loss", self.loss_plot, "training (running mean in epoch)", grey, None, 1),
                ("loss", self.loss_plot, "training", blue, "o", 2),
                ("val_loss", self.loss_plot, "PublicTest", orange, "s", 2),
                ("accuracy", self.accuracy_plot, "training", blue, "o", 2),
                ("val_accuracy", self.accuracy_plot, "PublicTest", orange, "s", 2)):
            item = plot.plot([], [], name=name, pen=pg.mkPen(colour, width=width),
                             symbol=symbol, symbolSize=6, symbolBrush=colour, symbolPen=None,
                             connect="finite")
            if key == "batch_loss":
                item.setDownsampling(auto=True, method="peak")
                item.setClipToView(True)
            self.series[key] = _Series()
            self.items[key] = item
        self._dirty = False

    @staticmethod
    def _plot(title: str, label: str, legend_offset: tuple[int, int]) -> pg.PlotWidget:
        plot = pg.PlotWidget(background="w")
        plot.setTitle(title, color="#333", size="10pt")
        plot.setLabel("bottom", "epoch", color="#333")
        plot.setLabel("left", label, color="#333")
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.addLegend(offset=legend_offset, labelTextColor="#333",
                       brush=pg.mkBrush(255, 255, 255, 200))
        plot.setMenuEnabled(False)
        plot.setMinimumHeight(160)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen("#333")
            plot.getAxis(axis).setPen("#999")
        return plot

    def clear(self) -> None:
        for series in self.series.values():
            series.clear()
        self._dirty = True
        self.redraw()

    def add_batch(self, epoch: int, step: int, steps: int, loss: float | None) -> None:
        if steps > 0:
            self.series["batch_loss"].append(epoch - 1 + step / steps, _num(loss))
            self._dirty = True

    def add_epoch(self, epoch: int, loss, accuracy, val_loss, val_accuracy) -> None:
        for key, value, scale in (("loss", loss, 1.0), ("val_loss", val_loss, 1.0),
                                  ("accuracy", accuracy, 100.0),
                                  ("val_accuracy", val_accuracy, 100.0)):
            self.series[key].append(float(epoch), _num(value) * scale)
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
            self.items[key].setData(x.copy(), y.copy(), connect="finite")


# ------------------------------------------------------------------ results

def _heat(fraction: float) -> QColor:
    """White -> blue for 0 -> 1 of a true class's images."""
    f = min(1.0, max(0.0, fraction))
    return QColor(int(255 - 200 * f), int(255 - 150 * f), int(255 - 40 * f))


def _recipe_text(recipe) -> str:
    """``{"preset": "default", "epochs": 3, ...}`` -> "default, 3 epochs, batch 128, bfloat16"."""
    if not isinstance(recipe, dict):
        return str(recipe or "")
    parts = [str(recipe.get("preset", ""))]
    if recipe.get("epochs"):
        parts.append(f"{recipe['epochs']} epochs")
    if recipe.get("batch_size"):
        parts.append(f"batch {recipe['batch_size']}")
    if recipe.get("precision"):
        parts.append(str(recipe["precision"]))
    return ", ".join(p for p in parts if p)


class ResultsView(QWidget):
    """A run's evaluation from its ``model.json``: accuracy, per-class recall, confusion."""

    use_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel("Select a run to see its evaluation.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip("Load this run's exported model in the live view "
                                   "(the current model stays if the new one fails its checks)")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_clicked)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.summary, 1)
        top.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setToolTip("Confusion matrix on PrivateTest: rows are the true emotion, "
                              "columns the predicted one; colour = share of the row")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 4)
        self.table.setMinimumHeight(8 * (self.fontMetrics().height() + 6) + 6)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.hide()
        layout.addWidget(self.table, 1)
        self.run_dir: Path | None = None
        self.metadata: dict | None = None

    def show_run(self, run: Path | None) -> None:
        self.run_dir, self.metadata = run, None
        self.table.hide()
        self.use_button.setEnabled(False)
        if run is None:
            self.summary.setText("Select a run to see its evaluation.")
            return
        path = run / "model.json"
        if not path.is_file():
            self.summary.setText(f"{run.name}: no evaluation yet. A run is evaluated and "
                                 "exported (model.json) when its last epoch ends.")
            return
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            classes = [str(c) for c in meta.get("classes") or EMOTIONS]
            files = meta["accuracy"]
            name = "model.tflite" if "model.tflite" in files else next(iter(files))
            info = files[name]
            confusion = np.asarray(info["private_confusion"], dtype=np.int64)
            if confusion.shape != (len(classes), len(classes)):
                raise ValueError(f"confusion matrix is {confusion.shape}, expected "
                                 f"{len(classes)}x{len(classes)}")
        except (OSError, ValueError, KeyError, TypeError, StopIteration) as exc:
            self.summary.setText(f"{path}: cannot read the evaluation ({exc}).")
            return
        self.metadata = meta
        lines = [f"<b>{run.name}</b> &nbsp; {_recipe_text(meta.get('recipe'))}",
                 f"PrivateTest accuracy <b>{100 * info['private_accuracy']:.1f}%</b> "
                 f"(PublicTest {100 * info['public_accuracy']:.1f}%, macro F1 "
                 f"{info.get('private_macro_f1', math.nan):.3f}) &nbsp; {name}"]
        others = [f"{k}: {100 * v['private_accuracy']:.1f}%" for k, v in files.items() if k != name]
        if others:
            lines.append("Also exported: " + ", ".join(others))
        self.summary.setText("<br>".join(lines))
        self._fill_table(classes, confusion, info.get("private_recall") or {})
        self.use_button.setEnabled(True)

    def _fill_table(self, classes: list[str], confusion: np.ndarray, recall: dict) -> None:
        n = len(classes)
        self.table.clear()
        self.table.setRowCount(n)
        self.table.setColumnCount(n + 1)
        self.table.setHorizontalHeaderLabels([*classes, "recall"])
        self.table.setVerticalHeaderLabels(classes)
        totals = confusion.sum(axis=1)
        for i in range(n):
            for j in range(n):
                share = confusion[i, j] / totals[i] if totals[i] else 0.0
                item = QTableWidgetItem(str(int(confusion[i, j])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(_heat(share)))
                item.setForeground(QBrush(QColor("white" if share > 0.55 else "black")))
                item.setToolTip(f"true {classes[i]}, predicted {classes[j]}: "
                                f"{int(confusion[i, j])} of {int(totals[i])} ({100 * share:.0f}%)")
                self.table.setItem(i, j, item)
            value = recall.get(classes[i])
            text = f"{100 * value:.0f}%" if isinstance(value, int | float) else "-"
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(i, n, item)
        self.table.show()


# ------------------------------------------------------------------ the tab

def _fmt_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "-"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class TrainTab(QWidget):
    """The Train tab. ``model_chosen(str)`` carries a run folder to load in the live view.

    Args:
        settings: where the form is remembered (keys under ``train/``); default ``QSettings()``.
    """

    model_chosen = Signal(str)

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        self.process = TrainerProcess(self)
        self.process.event_received.connect(self._on_event)
        self.process.log_line.connect(self._on_log_line)
        self.process.state_changed.connect(self._on_state_changed)
        self.process.finished.connect(self._on_process_finished)
        self.validator = TrainerProcess(self)
        self.validator.event_received.connect(self._on_validation_event)
        self.validator.log_line.connect(self._on_log_line)
        self.validator.finished.connect(self._on_validation_finished)
        self._pending: TrainConfig | None = None
        self._validation_rows: str = ""
        self._shown_run: Path | None = None
        self._outcomes: dict[Path, str] = {}  # run -> how its process ended in this session
        self._progress: dict = {}
        self._last_epoch_seconds: float | None = None
        self._build()
        self._load_settings()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)
        self._redraw_timer.start()
        self._list_timer = QTimer(self)
        self._list_timer.setInterval(RUN_LIST_REFRESH_MS)
        self._list_timer.timeout.connect(self._on_list_timer)
        self._list_timer.start()
        self.refresh_runs()
        self._update_buttons()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        form_box = QGroupBox("Train a model")
        form = QFormLayout(form_box)
        self.csv_edit = QLineEdit()
        self.csv_edit.setPlaceholderText("FER-2013 CSV (fer2013.csv or .csv.gz)")
        self.csv_edit.editingFinished.connect(self._on_csv_edited)
        csv_row = self._with_browse(self.csv_edit, self._browse_csv)
        form.addRow("CSV file", csv_row)
        self.preset_combo = QComboBox()
        for name, preset in PRESETS.items():
            self.preset_combo.addItem(name, name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, preset["description"],
                                          Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        self.preset_help = QLabel()
        self.preset_help.setWordWrap(True)
        self.preset_help.setStyleSheet("color: palette(mid);")
        form.addRow("Preset", self.preset_combo)
        form.addRow("", self.preset_help)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 4096)
        numbers = QHBoxLayout()
        numbers.addWidget(self.epochs_spin)
        numbers.addWidget(QLabel("batch size"))
        numbers.addWidget(self.batch_spin)
        form.addRow("Epochs", numbers)
        self.out_edit = QLineEdit()
        self.out_edit.editingFinished.connect(self._on_out_edited)
        form.addRow("Output folder", self._with_browse(self.out_edit, self._browse_out))

        self.advanced_button = QToolButton()
        self.advanced_button.setText("Advanced")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self._on_advanced_toggled)
        form.addRow(self.advanced_button)
        self.advanced = QWidget()
        adv = QFormLayout(self.advanced)
        adv.setContentsMargins(12, 0, 0, 0)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.threads_spin = QSpinBox()
        self.threads_spin.setRange(0, 256)
        self.threads_spin.setSpecialValueText("all cores")
        self.threads_spin.setToolTip("CPU threads for training; 1 keeps the live view smooth "
                                     "on a 2-core machine")
        self.precision_combo = QComboBox()
        self.precision_combo.addItems(list(PRECISIONS))
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 10**7)
        self.limit_spin.setSingleStep(500)
        self.limit_spin.setSpecialValueText("all")
        self.limit_spin.setToolTip("Use only the first N rows of each split (quick trial runs)")
        adv.addRow("Seed", self.seed_spin)
        adv.addRow("Threads", self.threads_spin)
        adv.addRow("Precision", self.precision_combo)
        adv.addRow("Rows per split", self.limit_spin)
        self.advanced.hide()
        form.addRow(self.advanced)

        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume")
        self.start_button.setToolTip("Check the CSV, then train a new run")
        self.stop_button.setToolTip("Stop after the current batch; the last completed "
                                    "epoch's checkpoint stays")
        self.resume_button.setToolTip("Continue the selected stopped run where it stopped")
        self.start_button.clicked.connect(self._on_start_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        for button in (self.start_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.message)

        progress_box = QGroupBox("Progress")
        progress = QVBoxLayout(progress_box)
        self.epoch_label = QLabel("Not training.")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        self.speed_label = QLabel(" ")
        progress.addWidget(self.epoch_label)
        progress.addWidget(self.progress_bar)
        progress.addWidget(self.speed_label)

        runs_box = QGroupBox("Runs in the output folder")
        runs = QVBoxLayout(runs_box)
        self.run_list = QTreeWidget()
        self.run_list.setHeaderLabels(["Started", "Preset", "Epochs", "Best PublicTest", "State"])
        self.run_list.setRootIsDecorated(False)
        self.run_list.setUniformRowHeights(True)
        self.run_list.setAlternatingRowColors(True)
        self.run_list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.run_list.header().setStretchLastSection(True)
        self.run_list.itemSelectionChanged.connect(self._on_run_selected)
        runs.addWidget(self.run_list)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(form_box)
        left_layout.addWidget(progress_box)
        left_layout.addWidget(runs_box, 1)

        self.curves = TrainingCurves()
        self.results = ResultsView()
        self.results.use_clicked.connect(self._on_use_clicked)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_LINES)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.results, "Results")
        self.bottom_tabs.addTab(self.log_view, "Log")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.curves)
        right.addWidget(self.bottom_tabs)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        right.setSizes([480, 380])

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 800])
        layout = QGridLayout(self)
        layout.addWidget(splitter, 0, 0)

    def _with_browse(self, edit: QLineEdit, slot) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        button = QPushButton("Browse...")
        button.clicked.connect(slot)
        box.addWidget(edit, 1)
        box.addWidget(button)
        return row

    # ------------------------------------------------------------------ settings
    def _value(self, key: str, default):
        value = self._settings.value(f"train/{key}", default)
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true")
        if isinstance(default, int):
            try:
                return int(value)
            except (TypeError, ValueError):
                return default
        return str(value) if value is not None else default

    def _load_settings(self) -> None:
        from trainer.data import find_shared_csv

        shared = find_shared_csv()
        self.csv_edit.setText(self._value("csv", str(shared) if shared else ""))
        self.out_edit.setText(self._value("out", str(default_runs_folder())))
        preset = self._value("preset", "default")
        index = max(0, self.preset_combo.findData(preset))
        self.preset_combo.setCurrentIndex(index)
        self._on_preset_changed(index)
        self.epochs_spin.setValue(self._value("epochs", self.epochs_spin.value()))
        self.batch_spin.setValue(self._value("batch_size", self.batch_spin.value()))
        self.seed_spin.setValue(self._value("seed", 1337))
        self.threads_spin.setValue(self._value("threads", 1))
        precision = self._value("precision", "auto")
        self.precision_combo.setCurrentText(precision if precision in PRECISIONS else "auto")
        self.limit_spin.setValue(self._value("limit_per_split", 0))
        self.advanced_button.setChecked(self._value("advanced_open", False))

    def _save_settings(self) -> None:
        for key, value in (("csv", self.csv_edit.text().strip()),
                           ("out", self.out_edit.text().strip()),
                           ("preset", self.preset_combo.currentData()),
                           ("epochs", self.epochs_spin.value()),
                           ("batch_size", self.batch_spin.value()),
                           ("seed", self.seed_spin.value()),
                           ("threads", self.threads_spin.value()),
                           ("precision", self.precision_combo.currentText()),
                           ("limit_per_split", self.limit_spin.value()),
                           ("advanced_open", self.advanced_button.isChecked())):
            self._settings.setValue(f"train/{key}", value)

    # ------------------------------------------------------------------ form
    def config(self) -> TrainConfig:
        """The form as a :class:`TrainConfig` (raises ``ConfigError`` for a bad value)."""
        out = self.out_edit.text().strip() or "runs"
        return TrainConfig(
            csv=self.csv_edit.text().strip(), preset=self.preset_combo.currentData(),
            epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
            out=str(Path(out).expanduser().resolve()), events="json",
            seed=self.seed_spin.value(), precision=self.precision_combo.currentText(),
            threads=self.threads_spin.value(), limit_per_split=self.limit_spin.value())

    def output_folder(self) -> Path:
        return Path(self.out_edit.text().strip() or "runs").expanduser().resolve()

    def _on_preset_changed(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        preset = PRESETS.get(name, {})
        self.preset_help.setText(preset.get("description", ""))
        if preset:
            self.epochs_spin.setValue(int(preset["epochs"]))
            self.batch_spin.setValue(int(preset["batch_size"]))

    def _on_advanced_toggled(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if on
                                          else Qt.ArrowType.RightArrow)

    def _browse_csv(self) -> None:
        start = self.csv_edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "FER-2013 CSV", start,
                                              "FER-2013 CSV (*.csv *.csv.gz *.gz);;All files (*)")
        if path:
            self.csv_edit.setText(path)
            self._on_csv_edited()

    def _browse_out(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Output folder for runs",
                                                self.out_edit.text() or str(Path.cwd()))
        if path:
            self.out_edit.setText(path)
            self._on_out_edited()

    def _on_csv_edited(self) -> None:
        self._settings.setValue("train/csv", self.csv_edit.text().strip())

    def _on_out_edited(self) -> None:
        self._settings.setValue("train/out", self.out_edit.text().strip())
        self.refresh_runs()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    # ------------------------------------------------------------------ start / stop / resume
    def _csv_key(self, path: Path) -> str:
        stat = path.stat()
        return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"

    def _on_start_clicked(self) -> None:
        if self.process.is_active or self.validator.is_active:
            return
        try:
            config = self.config()
        except ConfigError as exc:
            self._say(str(exc), error=True)
            return
        if not config.csv:
            self._say("Choose the FER-2013 CSV file first (Browse...).", error=True)
            return
        path = Path(config.csv).expanduser()
        if not path.is_file():
            self._say(f"{path}: file not found. Choose the FER-2013 CSV file (Browse...).",
                      error=True)
            return
        config = TrainConfig.from_dict(config.to_dict() | {"csv": str(path.resolve())})
        self._save_settings()
        if self._settings.value("train/validated", "") == self._csv_key(path):
            self._launch(config)
            return
        self._pending = config
        self._validation_rows = ""
        self._say(f"Checking {path.name} (every row is validated once)...")
        self.epoch_label.setText("Checking the CSV...")
        self.validator.start_command(
            *trainer_command(["inspect", "--csv", config.csv, "--events", "json"]), threads=1)
        self._update_buttons()

    def _on_validation_event(self, event) -> None:
        if event.name == "data_report":
            splits = event["splits"]
            parts = [f"{name} {info.get('rows', '?'):,}" for name, info in splits.items()
                     if isinstance(info, dict)]
            self._validation_rows = ", ".join(parts)
            for warning in event.get("warnings") or []:
                self._on_log_line(f"data warning: {warning}")

    def _on_validation_finished(self, outcome: TrainerOutcome) -> None:
        config, self._pending = self._pending, None
        if config is None:
            self._update_buttons()
            return
        if outcome.state != FINISHED:
            reason = outcome.message if outcome.state == FAILED else "check cancelled"
            self._say(f"The CSV cannot be used: {reason}", error=outcome.state == FAILED)
            self._update_buttons()
            return
        self._settings.setValue("train/validated", self._csv_key(Path(config.csv)))
        self._say(f"CSV checked: {self._validation_rows or 'ok'}.")
        self._launch(config)

    def _launch(self, config: TrainConfig) -> None:
        self._reset_progress()
        self._select_run(None)
        self.curves.clear()
        self.log_view.appendPlainText(f"--- training {config.preset}, {config.epochs} epochs, "
                                      f"batch {config.batch_size} -> {config.out}")
        try:
            self.process.start(config)
        except (OSError, RuntimeError) as exc:
            self._say(str(exc), error=True)
        self._update_buttons()

    def _on_stop_clicked(self) -> None:
        if self.validator.is_active:
            self.validator.stop()
        if self.process.is_active:
            self.process.stop()
            self._say("Stopping after the current batch...")

    def _on_resume_clicked(self) -> None:
        row = self._selected_row()
        if row is None or not row.resumable or self.process.is_active:
            return
        self._reset_progress()
        self._show_run(row.run_dir)
        self.log_view.appendPlainText(f"--- resuming {row.run_dir}")
        self._save_settings()
        try:
            self.process.resume(row.run_dir, threads=self.threads_spin.value())
        except (OSError, RuntimeError) as exc:
            self._say(str(exc), error=True)
            return
        self._say(f"Resuming {row.run_dir.name} from epoch {row.epochs_done + 1}...")
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.process.is_active or self.validator.is_active
        row = self._selected_row()
        self.start_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy and self.process.state != STOPPING)
        self.resume_button.setEnabled(not busy and row is not None and row.resumable)
        for widget in (self.csv_edit, self.preset_combo, self.epochs_spin, self.batch_spin,
                       self.out_edit, self.advanced):
            widget.setEnabled(not busy)

    # ------------------------------------------------------------------ trainer output
    def _on_log_line(self, text: str) -> None:
        self.log_view.appendPlainText(text)

    def _on_state_changed(self, state: str) -> None:
        self._update_buttons()
        if state == RUNNING:
            self.epoch_label.setText("Starting the trainer (loading data and TensorFlow)...")

    def _on_event(self, event) -> None:
        name = event.name
        progress = self._progress
        if name == "started":
            run = Path(event["run_dir"])
            progress.update(epochs=event["epochs"], epoch=event["initial_epoch"],
                            steps=event["steps_per_epoch"], step=0,
                            batch=(event.get("config") or {}).get("batch_size"))
            if self._shown_run is None or self._shown_run == run:
                self.refresh_runs()
                self._select_run(run)
            else:
                self.refresh_runs()
            self._say(f"Training {run.name}.")
        elif name == "batch":
            progress.update(epoch=event["epoch"], epochs=event["epochs"], step=event["step"],
                            steps=event["steps"], images_per_s=event["images_per_s"])
            if self._showing_live():
                self.curves.add_batch(event["epoch"], event["step"], event["steps"],
                                      event["loss"])
        elif name == "epoch":
            progress.update(epoch=event["epoch"], epochs=event["epochs"],
                            step=progress.get("steps", 0), last_val=event["val_accuracy"])
            seconds = event.get("seconds")
            if isinstance(seconds, int | float):
                self._last_epoch_seconds = float(seconds)
            if event["epoch"] >= event["epochs"]:
                progress["phase"] = "export"
            if self._showing_live():
                self.curves.add_epoch(event["epoch"], event["loss"], event["accuracy"],
                                      event["val_loss"], event["val_accuracy"])
        elif name == "checkpoint":
            self.refresh_runs()
        elif name == "error":
            self._say(f"The trainer failed: {event['message']}", error=True)

    def _on_process_finished(self, outcome: TrainerOutcome) -> None:
        if outcome.state == FAILED:
            self._say(f"Training failed: {outcome.message}", error=True)
            self.bottom_tabs.setCurrentWidget(self.log_view)
        elif outcome.state == STOPPED:
            self._say(f"Training {outcome.message}.")
        else:
            self._say("Training finished." + (" See the evaluation below." if outcome.run_dir
                                              else ""))
        self.epoch_label.setText(f"Trainer {outcome.state}.")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1 if outcome.state == FINISHED else 0)
        self.progress_bar.setFormat("")
        if outcome.run_dir:
            self._outcomes[Path(outcome.run_dir)] = outcome.state
        self.refresh_runs()
        if outcome.run_dir:
            run = Path(outcome.run_dir)
            if self._shown_run == run:  # the curves already hold every point: keep them
                self.results.show_run(run)
            else:
                self._select_run(run)
            if outcome.state == FINISHED:
                self.bottom_tabs.setCurrentWidget(self.results)
        self._update_buttons()

    def _reset_progress(self) -> None:
        self._progress = {}
        self._last_epoch_seconds = None
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        self.speed_label.setText(" ")

    def _redraw(self) -> None:
        self.curves.redraw()
        if not self.process.is_active:
            return
        p = self._progress
        elapsed = time.monotonic() - self.process.started_at
        if "epochs" not in p:
            self.speed_label.setText(f"elapsed {_fmt_duration(elapsed)}")
            return
        if p.get("phase") == "export":
            self.epoch_label.setText(f"Evaluating and exporting the best model "
                                     f"(all {p['epochs']} epochs done)...")
            self.progress_bar.setRange(0, 0)  # busy: the export reports no steps
            self.speed_label.setText(f"elapsed {_fmt_duration(elapsed)}")
            return
        epoch, epochs = max(1, int(p.get("epoch") or 1)), int(p["epochs"])
        step, steps = int(p.get("step") or 0), max(1, int(p.get("steps") or 1))
        self.epoch_label.setText(f"Epoch {epoch} of {epochs}")
        if self.progress_bar.maximum() != steps or not self.progress_bar.format():
            self.progress_bar.setRange(0, steps)
            self.progress_bar.setFormat("step %v of %m")
        self.progress_bar.setValue(min(step, steps))
        rate = p.get("images_per_s")
        batch = p.get("batch") or self.batch_spin.value()
        eta = None
        if isinstance(rate, int | float) and rate > 0:
            step_s = batch / rate
            per_epoch = self._last_epoch_seconds or steps * step_s
            eta = (steps - step) * step_s + (epochs - epoch) * per_epoch
        speed = f"{rate:,.0f} images/s" if isinstance(rate, int | float) else "- images/s"
        self.speed_label.setText(f"{speed}   elapsed {_fmt_duration(elapsed)}   "
                                 f"ETA {_fmt_duration(eta)}")

    # ------------------------------------------------------------------ runs
    def refresh_runs(self) -> None:
        """Re-read the output folder; keeps the selection."""
        selected = self._shown_run
        live = Path(self.process.run_dir) if self.process.run_dir else None
        rows = list_runs(self.output_folder())
        self.run_list.blockSignals(True)
        self.run_list.clear()
        for row in rows:
            state = row.state
            if live is not None and row.run_dir == live and self.process.is_active:
                state = {RUNNING: "running", STOPPING: "stopping"}[self.process.state]
            elif state == "running" and row.run_dir in self._outcomes:
                state = self._outcomes[row.run_dir]  # ended moments ago, files not stale yet
            epochs = f"{row.epochs_done}/{row.epochs}" if row.epochs else str(row.epochs_done)
            best = (f"{100 * row.best_val_accuracy:.1f}%"
                    if isinstance(row.best_val_accuracy, int | float) else "-")
            row = dataclasses.replace(row, state=state)
            item = QTreeWidgetItem([row.started, row.preset, epochs, best, state])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            for column in range(5):
                item.setToolTip(column, str(row.run_dir))
            if state == "failed":
                item.setForeground(4, QBrush(QColor("#b00020")))
            self.run_list.addTopLevelItem(item)
            if selected is not None and row.run_dir == selected:
                item.setSelected(True)
        self.run_list.blockSignals(False)
        self._update_buttons()

    def run_rows(self) -> list[RunRow]:
        """The rows of the run list, top to bottom."""
        return [self.run_list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.run_list.topLevelItemCount())]

    def _selected_row(self) -> RunRow | None:
        items = self.run_list.selectedItems() if hasattr(self, "run_list") else []
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _select_run(self, run: Path | None) -> None:
        """Select ``run`` in the list (or nothing) and show it."""
        self.run_list.blockSignals(True)
        self.run_list.clearSelection()
        for i in range(self.run_list.topLevelItemCount()):
            item = self.run_list.topLevelItem(i)
            if run is not None and item.data(0, Qt.ItemDataRole.UserRole).run_dir == run:
                item.setSelected(True)
                self.run_list.scrollToItem(item)
        self.run_list.blockSignals(False)
        self._show_run(run)

    def _show_run(self, run: Path | None) -> None:
        """Curves and results of ``run`` from its files; a live run then grows from events."""
        self._shown_run = run
        self.results.show_run(run)
        if run is None:
            self.curves.clear()
        else:
            self.curves.show_curves(read_run_curves(run))
        self._update_buttons()

    def _is_live(self, run: Path | None) -> bool:
        return (run is not None and self.process.is_active and self.process.run_dir is not None
                and Path(self.process.run_dir) == run)

    def _showing_live(self) -> bool:
        """True when the curves show the running process (or a start still naming its run)."""
        return self._shown_run is None or self._is_live(self._shown_run)

    def _on_run_selected(self) -> None:
        row = self._selected_row()
        if row is not None:
            self._show_run(row.run_dir)
        self._update_buttons()

    def _on_list_timer(self) -> None:
        if not self.isVisible():
            return
        self.refresh_runs()
        row = self._selected_row()  # a run training elsewhere (detached, command line): follow it
        if row is not None and row.state == "running" and not self._is_live(row.run_dir):
            self.curves.show_curves(read_run_curves(row.run_dir))

    def _on_use_clicked(self) -> None:
        if self.results.run_dir is not None and self.results.metadata is not None:
            self.model_chosen.emit(str(self.results.run_dir))

    # ------------------------------------------------------------------ closing
    def ask_close_choice(self) -> str:
        """Ask how to close while training: "stop", "detach" or "cancel" (tests replace it)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Training in progress")
        p = self._progress
        where = f" (epoch {p['epoch']} of {p['epochs']})" if "epochs" in p else ""
        box.setText(f"A training run is in progress{where}.")
        box.setInformativeText("Stop it now (the last completed epoch is kept and Resume "
                               "continues it), or keep it training in the background? The Train "
                               "tab shows it again when the app is next opened.")
        stop = box.addButton("Stop training", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep training", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "stop" if clicked is stop else "detach" if clicked is keep else "cancel"

    def confirm_close(self) -> bool:
        """Called by the main window's ``closeEvent``: True when the window may close.

        While training, asks whether to stop the run (terminate, wait, kill) or leave it
        training on its own: the trainer then runs detached, its events still go to the run's
        ``events.jsonl``, and the run list shows it as running at the next launch.
        """
        self._save_settings()
        if self.validator.is_active:
            self.validator.kill()
        if not self.process.is_active:
            return True
        choice = self.ask_close_choice()
        if choice == "cancel":
            return False
        if choice == "stop":
            self.process.stop_and_wait()
        else:
            self.process.detach()
        self.shutdown()
        return True

    def shutdown(self) -> None:
        """Stop the tab's timers (the main window calls it when closing). A trainer left
        running on purpose (:meth:`confirm_close` -> keep training) is not touched."""
        with contextlib.suppress(RuntimeError):  # already deleted by Qt at exit
            self._redraw_timer.stop()
            self._list_timer.stop()
