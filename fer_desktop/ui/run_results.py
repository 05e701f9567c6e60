"""A run's evaluation, read from its ``model.json``: accuracy, per-class recall, confusion matrix,
and the "Use this model" button."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.contrast import contrast_ratio
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import MODEL_JSON, TFLITE_FILE
from fer_desktop.core.model_compare import csv_name
from fer_desktop.core.model_schema import is_share
from fer_desktop.core.plain_words import counted, precision_words, run_sentences
from fer_desktop.ui.colours import HEAT_TEXT_DARK, HEAT_TEXT_PALE, HELP_TEXT_COLOUR
from fer_desktop.ui.focus_handoff import FocusHandoff
from fer_desktop.ui.read_only_table import read_only_table
from trainer.rundir import RunState
from trainer.runs import (
    RESTART_HINT,
    RunRow,
    choices_text,
    damage_of,
    export_offer,
    mixing_text,
    read_run_name,
    read_run_row,
    rows_limit_text,
)

HEADER_PADDING_PX = 14  # a header section's margins around its text


USE_TIP = ("Load this run's exported model in the live view (the current model stays if the "
           "new one fails its checks)")
EXPORT_TIP = ("Make a model of this stopped run's best epoch so far (evaluated on the test faces "
              "first), to use it without resuming the run; Resume still trains the rest")


def _heat(fraction: float) -> QColor:
    """White -> blue for 0 -> 1 of a true class's images."""
    f = min(1.0, max(0.0, fraction))
    return QColor(int(255 - 200 * f), int(255 - 150 * f), int(255 - 40 * f))


def heat_text(cell: QColor) -> str:
    """The text colour of a cell: white or black, whichever reads better on it (white from
    a share of 0.56 read 2.3:1 on the mid blues, review 65; at worst now 4.6:1)."""
    background = cell.name()
    return max((HEAT_TEXT_DARK, HEAT_TEXT_PALE),
               key=lambda text: contrast_ratio(text, background))


def _recipe_text(recipe) -> str:
    """``{"preset": "default", "epochs": 3, ...}`` -> "default, 3 epochs, batch 128,
    16-bit arithmetic"."""
    if not isinstance(recipe, dict):
        return str(recipe or "")
    parts = [str(recipe.get("preset", ""))]
    if recipe.get("widths"):  # --widths: not the preset's network
        parts[0] += f" {str(recipe['widths']).replace(',', '/')}"
    if recipe.get("epochs"):
        parts.append(counted(int(recipe["epochs"]), "epoch"))
    if recipe.get("batch_size"):
        parts.append(f"batch {recipe['batch_size']}")
    if recipe.get("precision"):
        parts.append(precision_words(str(recipe["precision"])))
    parts += choices_text(recipe)  # "ferplus labels" (trial 49)
    parts.append(mixing_text(recipe))
    parts.append(rows_limit_text(recipe.get("limit_per_split")))  # scores on those rows only
    return ", ".join(p for p in parts if p)



def _unreadable(exc: Exception) -> str:
    """Why a run's model.json cannot be shown, in words (a missing key read "('accuracy')")."""
    if isinstance(exc, KeyError):
        return f"it has no \"{exc.args[0]}\" entry; Resume or export the run again"
    if isinstance(exc, StopIteration):
        return "it lists no exported model file; Resume or export the run again"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at line {exc.lineno}"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if isinstance(exc, TypeError | AttributeError | OverflowError):  # Python's own words
        return ("a value in it is not of the kind a run's evaluation holds (a number, a list "
                "of numbers); Resume or export the run again")
    return str(exc)

NO_RUN_TEXT = "Select a run to see its evaluation."


class ResultsView(QWidget):
    """A run's evaluation from its ``model.json``: accuracy, per-class recall, confusion.

    Signals:
        use_clicked(), export_clicked(): the buttons. model_in_use_changed(object): the live
        view's model folder (a Path, or None), told by :meth:`set_model_in_use`.
    """

    use_clicked = Signal()
    export_clicked = Signal()
    model_in_use_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel(NO_RUN_TEXT)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip(USE_TIP)
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_clicked)
        self.export_button = QPushButton("Export best epoch")
        self.export_button.setToolTip(EXPORT_TIP)
        self.export_button.hide()
        self.export_button.clicked.connect(self.export_clicked)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.summary, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.export_button)
        FocusHandoff(self, {self.export_button: [self.use_button]})  # the model it made
        buttons.addStretch(1)
        top.addLayout(buttons)
        layout.addLayout(top)
        self.table = read_only_table(0, 0, "Confusion matrix")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 4)
        self.table.setMinimumHeight(8 * (self.fontMetrics().height() + 6) + 6)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.hide()
        self.table.installEventFilter(self)  # names fitted to its width
        # the axes said in words above the matrix (only the tooltip said which was which)
        self.table_caption = QLabel()
        self.table_caption.setWordWrap(True)
        self.table_caption.hide()
        layout.addWidget(self.table_caption)
        layout.addWidget(self.table, 1)
        self.run_dir: Path | None = None
        self.metadata: dict | None = None
        self.examples: QWidget | None = None  # a fine-tuned run's faces, right and wrong
        self._in_use: tuple[Path, dict | None] | None = None  # the live view's model
        self._columns: list[str] = []  # the emotions over the table's columns, whole
        self._counts: list[str] = []  # the widest number in its cells
        # the summary before an export offer was added to it ("" blanked the Results of a
        # window with no run selected at the first refresh of the list: trial 13)
        self._summary = NO_RUN_TEXT

    def show_run(self, run: Path | None) -> None:
        self.run_dir, self.metadata = run, None
        self.table.hide()
        self.table_caption.hide()
        if self.examples is not None:
            self.examples.deleteLater()
            self.examples = None
        self.use_button.setEnabled(False)
        self.use_button.setText("Use this model")
        self.use_button.setToolTip(USE_TIP)
        self.export_button.hide()
        if run is None:
            self._set_summary(NO_RUN_TEXT)
            return
        path = run / MODEL_JSON
        if (damaged := damage_of(run)) and not path.is_file():  # not "evaluated when its
            self._set_summary(f"{_heading(run)}: its {damaged}, so it cannot be "  # last
                              "resumed or exported.")  # epoch ends"
            return
        if not path.is_file() and run.is_dir() and read_run_row(run).must_restart:  # "when
            self._set_summary(f"{_heading(run)}: it stopped before its model was made; "  # its
                              f"{RESTART_HINT}.")  # last epoch ends" of one that never will
            return  # be (trial 51)
        if not path.is_file():
            self._set_summary(f"{_heading(run)}: no evaluation yet. A run is evaluated and "
                              "exported (model.json) when its last epoch ends.")
            return
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            classes = [str(c) for c in meta.get("classes") or EMOTIONS]
            files = meta["accuracy"]
            name = _file_in_use(meta, run)
            info = files[name]
            confusion = np.asarray(info["private_confusion"], dtype=np.int64)
            if confusion.shape != (len(classes), len(classes)):
                raise ValueError(f"confusion matrix is {confusion.shape}, expected "
                                 f"{len(classes)}x{len(classes)}")
            self.metadata = meta
            # read as it is shown: a field missing or of another type (an older or newer
            # trainer, a hand edit) raised out of the selection, and the Results said
            # "Select a run" beside the run selected (audit 41)
            self._show_evaluation(run, meta, name, info, classes, confusion)
        except (OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError,
                OverflowError, StopIteration) as exc:
            self.metadata = None
            self.table.hide()
            self.table_caption.hide()
            self._set_summary(html.escape(f"{path}: cannot read the evaluation "
                                          f"({_unreadable(exc)}).", quote=False))
            return
        self._show_examples(run, meta)
        self._update_use_button()

    def _show_evaluation(self, run: Path, meta: dict, name: str, info: dict,
                         classes: list[str], confusion: np.ndarray) -> None:
        """The summary and the table of one run's ``model.json``; raises what a field missing
        or of another type raises (``show_run`` says it)."""
        files = meta["accuracy"]
        on_fer = meta.get("scored_on_fer2013", True)  # else: an image folder's test faces
        score = (f"PrivateTest accuracy <b>{_percent(info['private_accuracy'])}</b> "
                 f"(PublicTest {_percent(info['public_accuracy'])}"
                 f"{' with the balanced decision' if _corrected(meta) else ''}"
                 f"{_while_training(meta, info)}, "
                 if on_fer else
                 f"Accuracy on the test faces <b>{_percent(info['private_accuracy'])}</b> "
                 f"({int(confusion.sum())} faces, ")
        # the plain words first, the figures for specialists after them (a fine-tune's
        # Results opened with "macro F1", "balanced decision" and a .tflite file's name)
        lines = [f"<b>{_heading(run)}</b> &nbsp; {_recipe_text(meta.get('recipe'))}"]
        lines += [html.escape(text) for text in run_sentences(meta, name, csv_name(run))]
        figures = [f"{score}macro F1 {_fraction(info.get('private_macro_f1'))}) &nbsp; {name}",
                   _balanced_text(info, "PrivateTest" if on_fer else "Test faces:")]
        others = [f"{k}: {_percent(v['private_accuracy'])}" for k, v in files.items() if k != name]
        if others:
            figures.append("Also exported: " + ", ".join(others))
        figures.append(_chart_note(run, meta))
        lines += [f"<span style='color:{HELP_TEXT_COLOUR}'>{line}</span>"
                  for line in figures if line]
        self._set_summary("<br>".join(line for line in lines if line))
        self._fill_table(classes, confusion, info.get("private_recall") or {})
        where = "PrivateTest faces" if on_fer else "The test faces"  # not FER-2013's
        self.table_caption.setText(f"{where}: each row is the true emotion, each column the "
                                   "model's answer (colour: share of the row)")
        self.table.setToolTip(f"Confusion matrix ({where}): rows are the true emotion, "
                              "columns the predicted one; colour = share of the row")

    def _set_summary(self, text: str) -> None:
        self._summary = text
        self.summary.setText(text)

    def offer_export(self, row: RunRow | None, busy: bool) -> None:
        """The shown run stopped with a best epoch that has no model: say so and offer to
        export it (disabled while a trainer runs); any other run: no offer."""
        if self.run_dir is not None and not self.run_dir.is_dir():
            # its folder went (deleted, moved away): its results and "Use this model" stayed
            # on screen, and the button failed only once pressed (audit 48)
            gone = self.run_dir
            self.show_run(None)
            self._set_summary(f"{gone.name} was moved or removed since it was shown: its "
                              "results and model went with it.")
            return
        offered = row is not None and row.exportable and row.run_dir == self.run_dir
        self.export_button.setVisible(offered)
        self.export_button.setEnabled(offered and not busy)
        text = self._summary
        if offered:
            self.export_button.setText(f"Export epoch {row.best_epoch}")
            offer = html.escape(export_offer(row), quote=False)
            text = offer if self.metadata is None else f"{text}<br><b>{offer}</b>"
        if self.summary.text() != text:  # called at every refresh: keeps a selection
            self.summary.setText(text)

    def set_model_in_use(self, folder: Path | None, metadata: dict | None) -> None:
        """The live view's model: "Use this model" is offered only for another one (it stayed
        enabled for the model in use, which a click only said was already in use)."""
        self._in_use = None if folder is None else (Path(folder), metadata)
        self._update_use_button()
        self.model_in_use_changed.emit(folder)

    def _update_use_button(self) -> None:
        if self.metadata is None or self.run_dir is None:
            self.use_button.setEnabled(False)
            return
        in_use = (self._in_use is not None and self._in_use[1] == self.metadata
                  and self._in_use[0].resolve() == self.run_dir.resolve())
        if in_use:
            # the window's focus widget (given back to it as the question closed), disabled,
            # passed the focus on: the Results scroll area then scrolled down to the table,
            # hiding this header and button (trial 12)
            self.use_button.clearFocus()
        self.use_button.setEnabled(not in_use)
        self.use_button.setText("In use" if in_use else "Use this model")
        self.use_button.setToolTip("This run's model is the one the live view uses" if in_use
                                   else USE_TIP)

    def _show_examples(self, run: Path, meta: dict) -> None:
        """A fine-tuned run: a few of its test faces per emotion, right and wrong."""
        from fer_desktop.core.model_compare import load_test_faces
        from fer_desktop.ui.model_switch import examples_widget

        test = load_test_faces(run)
        predicted = ((meta.get("held_out") or {}).get("after") or {}).get("predicted")
        if test is None or not isinstance(predicted, list) or len(predicted) != len(test[1]):
            return
        self.examples = examples_widget(test[0], test[1], np.asarray(predicted, np.int64))
        self.layout().addWidget(self.examples)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self._fit_header_names()
        return super().eventFilter(watched, event)

    def _fit_header_names(self) -> None:
        """Whole emotion names over the columns and rows when they fit, else their first
        three letters ("sur"; whole in the tooltips), so that "recall" shows too: at 1024x700
        the table ran past its edge ("reca", "100'") and its sideways scroll bar was out of
        view. Never narrower than a name or number shown (at 800 px "disgust" read "isgus");
        in a yet narrower window the table scrolls sideways."""
        header, names = self.table.horizontalHeader(), self._columns
        if not names or self.table.columnCount() != len(names) + 1:
            return
        metrics = header.fontMetrics()

        def section_px(shown: list[str]) -> int:  # an emotion's column: its name, its counts
            return max(metrics.horizontalAdvance(text) for text in [*shown, *self._counts]) \
                + HEADER_PADDING_PX

        def need_px(shown: list[str]) -> int:  # the table: rows' names, columns, recall
            return (max(metrics.horizontalAdvance(name) for name in shown) + HEADER_PADDING_PX
                    + section_px(shown) * len(shown) + header.sectionSizeHint(len(shown))
                    + 2 * self.table.frameWidth())

        short = [name[:3] for name in names]
        shown = names if need_px(names) <= self.table.width() else short
        for index, name in enumerate(shown):
            for item in (self.table.horizontalHeaderItem(index),
                         self.table.verticalHeaderItem(index)):
                if item is not None and item.text() != name:
                    item.setText(name)
        header.setMinimumSectionSize(section_px(shown))

    def _fill_table(self, classes: list[str], confusion: np.ndarray, recall: dict) -> None:
        n = len(classes)
        self.table.clear()
        self.table.setRowCount(n)
        self.table.setColumnCount(n + 1)
        for column, name in enumerate([*classes, "recall"]):
            item = QTableWidgetItem(name)
            item.setToolTip("each emotion's recall: the share of its faces answered right"
                            if column == n else f"answered {name}")
            self.table.setHorizontalHeaderItem(column, item)
            if column < n:
                row = QTableWidgetItem(name)
                row.setToolTip(f"true {name}")
                self.table.setVerticalHeaderItem(column, row)
        # the emotions share the width; "recall" keeps its own (the widest name)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(n, QHeaderView.ResizeMode.ResizeToContents)
        self._columns = list(classes)
        self._counts = [str(int(confusion.max(initial=0)))]
        self._fit_header_names()
        totals = confusion.sum(axis=1)
        for i in range(n):
            for j in range(n):
                share = confusion[i, j] / totals[i] if totals[i] else 0.0
                item = QTableWidgetItem(str(int(confusion[i, j])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(_heat(share)))
                item.setForeground(QBrush(QColor(heat_text(_heat(share)))))
                item.setToolTip(f"true {classes[i]}, predicted {classes[j]}: "
                                f"{int(confusion[i, j])} of {int(totals[i])} ({100 * share:.0f}%)")
                self.table.setItem(i, j, item)
            value = recall.get(classes[i])  # none without test faces (it read "0%")
            text = f"{100 * value:.0f}%" if isinstance(value, int | float) and totals[i] \
                else "-"
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(i, n, item)
        self.table.show()
        self.table_caption.show()


def _heading(run: Path) -> str:
    """The run as the list names it: its name and folder when renamed (the Results kept the
    folder's name alone after a Rename: trial 13), else the folder's name; HTML-escaped."""
    name = read_run_name(run)
    return html.escape(f"{name} ({run.name})" if name else run.name, quote=False)


def _percent(value: object) -> str:
    """"66.3%", or "not measured" (null or NaN: the CSV had no rows for it; -3 or 1.5, a
    hand edit: read "-300.0%", review 41)."""
    if is_share(value):
        return f"{100 * value:.1f}%"
    return "not measured"


def _fraction(value: object) -> str:
    """"0.693", or "not measured" (a macro F1 lies from 0 to 1, as a share)."""
    if is_share(value):
        return f"{value:.3f}"
    return "not measured"


def _file_in_use(meta: dict, run: Path) -> str:
    """The file whose figures lead: the one the live view runs (the int8 copy when there is
    one: the "Use this model?" question quoted its 22% under Results' 20% for model.tflite,
    trial 17), else model.tflite, else the first scored."""
    files = meta["accuracy"]
    int8 = (meta.get("files") or {}).get("tflite_int8")
    if isinstance(int8, str) and int8 in files and (run / int8).is_file():
        return int8
    return TFLITE_FILE if TFLITE_FILE in files else next(iter(files))


def _chart_note(run: Path, meta: dict) -> str:
    """Why the Accuracy chart's last point and a fine-tune's score on the user's test faces
    differ ("" where they do not): 73% at the chart's end beside "80% (12 of 15)", nothing
    said (trial 42)."""
    after = ((meta.get("held_out") or {}).get("after") or {}).get("accuracy")
    state = RunState.peek(run)
    last = (state.history[-1] or {}).get("val_accuracy") if state and state.history else None
    if not is_share(after) or not is_share(last) or abs(float(after) - float(last)) < 1e-6:
        return ""
    return (f"The Accuracy chart's last point, {float(last):.0%}, is the network as it "
            f"trained; {float(after):.0%} is the exported model, which also looks at each "
            "face mirrored")


def _while_training(meta: dict, info: dict) -> str:
    """The run list's figure beside the model's, where they differ: the network alone at its
    best epoch, while it trained (14.0% in the list, 2.0% here, read as two scores for one
    model: trial 17)."""
    keras = (meta.get("training") or {}).get("best_public_accuracy_keras")
    public = info.get("public_accuracy")
    if not isinstance(keras, int | float) or not isinstance(public, int | float) or \
            round(1000 * keras) == round(1000 * public):
        return ""
    return f"; the run list's {_percent(keras)} is the network alone, while it trained"


def _corrected(meta: dict) -> bool:
    """The exported model divides by the class prior (power 0, recorded too, is no change)."""
    correction = meta.get("prior_correction_in_model")
    return isinstance(correction, dict) and bool(correction.get("power"))


def _balanced_text(info: dict, where: str = "PrivateTest") -> str:
    """Balanced accuracy (every emotion counts the same) and the FER+ score, when exported."""
    parts = []
    if isinstance(info.get("private_balanced_accuracy"), int | float):
        parts.append(f"balanced accuracy <b>{100 * info['private_balanced_accuracy']:.1f}%</b> "
                     "(the mean of the per-emotion recalls)")
    if isinstance(info.get("private_ferplus_accuracy"), int | float):
        parts.append(f"FER+ majority {100 * info['private_ferplus_accuracy']:.1f}%")
    return f"{where} " + ", ".join(parts) if parts else ""
