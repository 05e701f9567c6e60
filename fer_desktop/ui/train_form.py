"""The Train tab's form: CSV, preset, epochs, batch, output folder, the advanced options and
the Start / Stop / Resume buttons.

The form turns its widgets into a :class:`~trainer.config.TrainConfig` (the same object the
trainer's command line builds) and into :class:`~fer_desktop.ui.settings.TrainFormValues`
(what the window remembers); it starts nothing itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.csv_forms import csv_file_filter
from fer_desktop.core.gui_wording import for_window
from fer_desktop.core.plain_words import FER2013_WHERE, counted, precision_words
from fer_desktop.core.safe_write import not_a_file
from fer_desktop.core.training_progress import (
    EPOCH_OVERHEAD_S,
    FER2013_TRAINING_ROWS,
    RUN_START_S,
    estimated_minutes,
)
from fer_desktop.ui.colours import ERROR_COLOUR, HELP_TEXT_COLOUR
from fer_desktop.ui.data_source import FIELDS_USED
from fer_desktop.ui.epochs_line import (
    BUSY_TIME_TEXT,
    CSV_MISSING_TEXT,
    NO_PUBLIC_TEXT,
    NO_TRAINING_TEXT,
    TIME_RESERVE,
    csv_problem_text,
    duration_text,
)
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.settings import TrainFormValues, app_data_folder
from fer_desktop.ui.steady_label import SteadyLabel
from fer_desktop.ui.train_buttons import run_buttons
from trainer.config import (
    LABEL_SETS,
    PRECISIONS,
    PRESETS,
    SAMPLING_POWERS,
    ConfigError,
    TrainConfig,
)
from trainer.finetune_config import FinetuneConfig
from trainer.row_count import TrainingRowCounts
from trainer.runs import rows_limit_text

LABEL_NAMES = {"fer": "FER-2013 labels", "ferplus": "FER+ votes",
               "mixed": "FER-2013 and FER+ mixed"}
# the trainer's own name in brackets: the run list's Recipe column says "sqrt sampling"
SAMPLING_NAMES = {"natural": "As in the data", "sqrt": "Rare emotions more often (sqrt)",
                  "balanced": "Every emotion equally often (balanced)"}


def default_runs_folder() -> Path:
    """Where runs go unless the user chose: the user's data folder, not the working directory.

    A double-clicked app's working directory is arbitrary (often / or the bundle); the
    user's application-data folder is stable and writable.
    """
    return app_data_folder() / "runs"




def _with_browse(edit: QLineEdit, slot: Callable[[], None]) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("Browse...")
    button.clicked.connect(slot)
    box.addWidget(edit, 1)
    box.addWidget(button)
    return row


FINETUNE_EPOCHS = FinetuneConfig.epochs  # what a fine-tune runs (trainer/finetune_config.py)
# the preset line when the data source takes no preset
FOLDER_PRESET_TEXT = ("Not used with a folder: the recommended network is trained on its "
                      "faces, with the epochs below (minutes for a few hundred faces).")
FINETUNE_PRESET_TEXT = (f"Not used: a fine-tune adapts the model in use in {FINETUNE_EPOCHS} "
                        "epochs of its own (Epochs is for a new network).")


class TrainForm(QGroupBox):
    """"Train a model": the fields, the buttons and a one-line message.

    Signals:
        csv_changed(): the user typed or browsed a CSV path.
        out_changed(): the user typed or browsed an output folder.
        error_cleared(): a red message about the data went (the data was changed).
    """

    csv_changed = Signal()
    out_changed = Signal()
    error_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Train a model", parent)
        self._uses = "csv"  # what the chosen data source takes: "csv", "folder", "finetune"
        self._busy = False  # a trainer or a CSV check runs: the fields are locked
        # (epochs, batch size) the chosen preset filled in: a value the user changed since is
        # kept when another preset is chosen (2 epochs typed became 60 unsaid, trial 30)
        self._filled: tuple[int, int] | None = None
        self.row_jobs = BackgroundJobs()  # the CSV's Training rows, for the time estimate
        self._row_counts = TrainingRowCounts()
        self._counting: set[str] = set()
        self._csv_rows: int | None = None  # the chosen CSV's, once counted
        self._csv_public: int | None = None  # and its PublicTest rows
        self._csv_missing = False  # a CSV named that is not there: its size is not known
        self._csv_problem = ""  # why the trainer would refuse the CSV named, once counted
        form = QFormLayout(self)
        self.csv_edit = QLineEdit()
        self.csv_edit.setPlaceholderText("FER-2013 CSV (fer2013.csv or .csv.gz)")
        self.csv_edit.editingFinished.connect(self.csv_changed)
        self.csv_edit.textChanged.connect(self._count_csv_rows)
        self.csv_row = _with_browse(self.csv_edit, self._browse_csv)
        form.addRow("CSV file", self.csv_row)
        self._build_preset_row(form)
        self.out_edit = QLineEdit()
        self.out_edit.editingFinished.connect(self.out_changed)
        self.out_row = _with_browse(self.out_edit, self._browse_out)
        form.addRow("Output folder", self.out_row)
        self._build_advanced(form)
        buttons, self.start_button, self.stop_button, self.resume_button = run_buttons(self)
        form.addRow(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.message)
        self._form_layout = form
        form.setRowVisible(self.message, False)  # an empty line under the buttons: none
        self._error_shown = False
        for edit in (self.csv_edit, self.out_edit):
            edit.textChanged.connect(self.clear_error)
        self._describe_controls()
        for edit in (self.csv_edit, self.out_edit):  # a long path: its start, and the whole
            _show_path_whole(edit)  # in the tooltip ("/home/.local/share/..." read as whole
            # when its real start, "/tmp/walk", had scrolled out of the field)

    def _describe_controls(self) -> None:
        """A name for screen readers and a tooltip on every control, in one place."""
        described = (
            (self.csv_edit, "CSV file", "The FER-2013 CSV (fer2013.csv, or .csv.gz). "
                                        + FER2013_WHERE),
            (self.preset_combo, "Preset", "The network and training recipe; the line below "
                                          "describes the one chosen"),
            (self.epochs_spin, "Epochs", "How many passes over the training rows"),
            (self.batch_spin, "Batch size", "Images per training step"),
            (self.out_edit, "Output folder", "Where each run gets its folder (checkpoints, "
                                             "curves, the exported model)"),
            (self.advanced_button, "Advanced options", "Show or hide labels, sampling, seed, "
                                                       "threads, precision and rows per split"),
            (self.seed_spin, "Seed", "Random seed: the same seed and settings give the same "
                                     "run"),
            (self.precision_combo, "Precision", "Number format while training: 16-bit is "
                                                "faster on processors that have it"),
            (self.threads_spin, "Threads", None),
            (self.limit_spin, "Rows per split", None),
        )
        for widget, name, tip in described:
            widget.setAccessibleName(name)
            if tip:
                widget.setToolTip(tip)
        for edit, tip in ((self.csv_edit, "Choose the FER-2013 CSV file"),
                          (self.out_edit, "Choose the folder for the runs")):
            button = edit.parentWidget().findChild(QPushButton)
            if button is not None:
                button.setToolTip(tip)
                button.setAccessibleName(tip)

    def _build_preset_row(self, form: QFormLayout) -> None:
        self.preset_combo = QComboBox()
        # the recommended recipe first, each named for its use ("seed" alone meant nothing)
        for name in sorted(PRESETS, key=lambda n: n != "default"):
            preset = PRESETS[name]
            self.preset_combo.addItem(preset.get("label", name), name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, preset["description"],
                                          Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        # as tall as its longest text: ticking Fine-tune (3 lines instead of 4) moved Start
        self.preset_help = SteadyLabel()
        self.preset_help.set_reserve([*(p.get("summary", "") for p in PRESETS.values()),
                                      FOLDER_PRESET_TEXT, FINETUNE_PRESET_TEXT])
        self.preset_help.setStyleSheet(f"color: {HELP_TEXT_COLOUR};")
        form.addRow("Preset", self.preset_combo)
        form.addRow("", self.preset_help)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.epochs_spin.valueChanged.connect(self._show_preset_help)  # its time follows
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 4096)
        numbers = QHBoxLayout()
        numbers.addWidget(self.epochs_spin)
        numbers.addWidget(QLabel("batch size"))
        numbers.addWidget(self.batch_spin)
        form.addRow("Epochs", numbers)
        # the time of the epochs chosen, on a line of its own that is always there: added to
        # the wrapping preset text, it moved Start down under the pointer (walk-through 13)
        self.epochs_time = SteadyLabel()  # wraps, as tall as its longest text (a CSV's
        self.epochs_time.set_reserve(TIME_RESERVE)  # rows named in it widened the column)
        self.epochs_time.setStyleSheet(f"color: {HELP_TEXT_COLOUR};")
        self.epochs_time.setMinimumHeight(self.epochs_time.fontMetrics().height())
        # under Epochs, its room below it (centred, a time floated mid-way in the room kept
        # for the longest refusal)
        self.epochs_time.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.addRow("", self.epochs_time)

    def _build_advanced(self, form: QFormLayout) -> None:
        self.advanced_button = QToolButton()
        self.advanced_button.setText("Advanced")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self._on_advanced_toggled)
        form.addRow(self.advanced_button)
        # folded, what is set there that changes the training (a label: it wraps, where the
        # button's own text would widen the form)
        self.advanced_note = QLabel()
        self.advanced_note.setWordWrap(True)
        self.advanced_note.setAccessibleName("Advanced options set")
        # in a row of its own box: a form row drops a hidden widget's room, a box keeps it
        # (setRetainSizeWhenHidden) while a fine-tune hides the note
        self._note_row = QWidget()
        note_box = QVBoxLayout(self._note_row)
        note_box.setContentsMargins(0, 0, 0, 0)
        note_box.addWidget(self.advanced_note)
        self._note_row.hide()
        form.addRow(self._note_row)
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
        self.labels_combo = QComboBox()
        for name in LABEL_SETS:
            self.labels_combo.addItem(LABEL_NAMES[name], name)
        self.labels_combo.setToolTip(
            "Which answers the network learns from: the original FER-2013 labels, the votes of "
            "ten FER+ annotators per face (needs their file, fer2013new.csv, beside the CSV), "
            "or both mixed")
        self.labels_combo.setAccessibleName("Labels")
        adv.addRow("Labels", self.labels_combo)
        self.sampling_combo = QComboBox()
        for name in SAMPLING_POWERS:
            self.sampling_combo.addItem(SAMPLING_NAMES[name], name)
        self.sampling_combo.setToolTip(
            "How often each emotion is shown to the network in an epoch. FER-2013 has 16 happy "
            "faces for each disgusted one; drawing rare emotions more often (the square root "
            "of their counts, or all equally) can make the model right on them more often")
        self.sampling_combo.setAccessibleName("Sampling")
        for combo in (self.labels_combo, self.sampling_combo):  # the longest entry must not
            combo.setSizeAdjustPolicy(                          # widen the form (it scrolled
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)  # sideways)
            combo.setMinimumContentsLength(16)
        adv.addRow("Sampling", self.sampling_combo)
        adv.addRow("Seed", self.seed_spin)
        adv.addRow("Threads", self.threads_spin)
        adv.addRow("Precision", self.precision_combo)
        adv.addRow("Rows per split", self.limit_spin)
        self.advanced.hide()
        form.addRow(self.advanced)
        for spin in (self.limit_spin, self.seed_spin):
            spin.valueChanged.connect(self._show_advanced_summary)
        self.limit_spin.valueChanged.connect(self._show_preset_help)  # the time follows
        for combo in (self.labels_combo, self.sampling_combo, self.precision_combo):
            combo.currentIndexChanged.connect(self._show_advanced_summary)

    # values -----------------------------------------------------------------------------
    def set_values(self, values: TrainFormValues) -> None:
        """Show remembered values; an empty output folder shows the default runs folder."""
        self.csv_edit.setText(values.csv)
        self.out_edit.setText(values.out or str(default_runs_folder()))
        index = max(0, self.preset_combo.findData(values.preset))
        self._filled = None
        self.preset_combo.setCurrentIndex(index)
        self._on_preset_changed(index)  # the preset's epochs and batch size...
        if values.epochs:
            _put(self.epochs_spin, values.epochs)  # ...unless the user chose others
        if values.batch_size:
            _put(self.batch_spin, values.batch_size)
        _put(self.seed_spin, values.seed)
        _put(self.threads_spin, values.threads)
        self.precision_combo.setCurrentText(values.precision)
        _put(self.limit_spin, values.limit_per_split)
        self.labels_combo.setCurrentIndex(max(0, self.labels_combo.findData(values.labels)))
        self.sampling_combo.setCurrentIndex(
            max(0, self.sampling_combo.findData(values.sampling)))
        self.advanced_button.setChecked(values.advanced_open)
        self._show_advanced_summary()

    def values(self) -> TrainFormValues:
        """What the form shows, to remember. The default runs folder is remembered as ""
        (the default), not frozen as a path the user never chose."""
        out = self.out_edit.text().strip()
        if out and Path(out).expanduser() == default_runs_folder():
            out = ""
        return TrainFormValues(
            csv=self.csv_edit.text().strip(), out=out,
            preset=str(self.preset_combo.currentData()), epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
            threads=self.threads_spin.value(), precision=self.precision_combo.currentText(),
            limit_per_split=self.limit_spin.value(),
            labels=str(self.labels_combo.currentData()),
            sampling=str(self.sampling_combo.currentData()),
            advanced_open=self.advanced_button.isChecked())

    def config(self) -> TrainConfig:
        """The form as a :class:`TrainConfig` (raises ``ConfigError`` for a bad value)."""
        return TrainConfig(
            csv=self.csv_edit.text().strip(), preset=self.preset_combo.currentData(),
            epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
            out=str(self.output_folder()), events="json",
            seed=self.seed_spin.value(), precision=self.precision_combo.currentText(),
            threads=self.threads_spin.value(), limit_per_split=self.limit_spin.value(),
            labels=str(self.labels_combo.currentData()),
            sampling=str(self.sampling_combo.currentData()))

    def checked_config(self) -> TrainConfig | None:
        """The form's config with the CSV resolved; None (and a message) when it cannot run."""
        try:
            config = self.config()
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return None
        path = Path(config.csv).expanduser()
        out, kind = self.output_folder(), not_a_file(path) if path.exists() else ""
        if not config.csv:
            self.say(f"Choose the FER-2013 CSV file first (Browse...). {FER2013_WHERE}", error=True)
        elif not path.is_file():  # a device or a pipe named as what it is (audit 45)
            self.say((f"{path} is {kind}, not a file" if kind else f"{path}: file not found")
                     + ". Choose the FER-2013 CSV file (Browse...).", error=True)
        elif out.exists() and not out.is_dir():  # said once the trainer ran, in its words
            self.say(f"{out} is {not_a_file(out) or 'a file'}, not a folder. Choose another "
                     "Output folder (Browse...).", error=True)
        else:
            return TrainConfig.from_dict(config.to_dict() | {"csv": str(path.resolve())})
        return None

    def output_folder(self) -> Path:
        return Path(self.out_edit.text().strip() or "runs").expanduser().resolve()

    def say(self, text: str, error: bool = False, keep_room: bool = False) -> None:
        """The one-line message under the buttons (red for an error), the trainer's
        command-line advice put in the window's words. ``keep_room``: an emptied message
        keeps its height until the next one (a click on a run cleared it, and the run list
        moved up under the pointer, trial 20)."""
        room = self.message.height() if keep_room and not text and self.message.isVisible() \
            else 0
        self._error_shown = error and bool(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self.message.setText(for_window(text))
        self.message.setMinimumHeight(room)
        self._form_layout.setRowVisible(self.message, bool(text) or room > 0)

    def shows(self, text: str) -> bool:
        """The message under the buttons is ``text`` as :meth:`say` put it."""
        return self.message.text() == for_window(text)

    def clear_error(self, *_args) -> None:
        """A red message about the data goes once the user changes the CSV, the folder or
        the data source ("Choose the FER-2013 CSV file first" stayed after the CSV was
        chosen), or the collected faces are counted again."""
        if self._error_shown:
            self.say("")
            self.error_cleared.emit()

    def set_busy(self, busy: bool) -> None:
        """Lock the fields while a trainer or a CSV check runs."""
        self._busy = busy
        # the rows, Browse... with them: choosing another output folder mid-run hid the
        # running run from the list
        for widget in (self.out_row, self.advanced):
            widget.setEnabled(not busy)
        self._sync_fields()
        self._show_preset_help()

    def _sync_fields(self) -> None:
        """Only the fields the chosen data source takes are enabled: with a fine-tune the
        form offered batch size 128, sampling, seed... and the Results then said "batch 32"."""
        used = FIELDS_USED.get(self._uses)
        fields = {"preset": self.preset_combo, "epochs": self.epochs_spin,
                  "batch": self.batch_spin, "labels": self.labels_combo,
                  "sampling": self.sampling_combo, "seed": self.seed_spin,
                  "precision": self.precision_combo, "rows": self.limit_spin,
                  "threads": self.threads_spin}
        for name, widget in fields.items():
            widget.setEnabled(not self._busy and (used is None or name in used))
        self.csv_row.setEnabled(not self._busy and self._uses == "csv")

    def set_csv_used(self, used: bool, finetune: bool = False) -> None:
        """Grey out what only the CSV uses (the file, its label set) when the faces come from
        an image folder: it looked as if the CSV were trained on too. ``finetune``: the
        folder adapts the model in use, which takes none of the advanced choices."""
        self._uses = "csv" if used else ("finetune" if finetune else "folder")
        # a fine-tune runs its own few epochs: the box showed 60, editable, and 8 ran
        self._sync_fields()
        self._show_preset_help()
        self._show_advanced_summary()

    # reactions --------------------------------------------------------------------------
    def _on_preset_changed(self, index: int) -> None:
        """Fill in the preset's epochs and batch size, except a value the user changed."""
        preset = PRESETS.get(self.preset_combo.itemData(index), {})
        if preset:
            filled, new = self._filled, (int(preset["epochs"]), int(preset["batch_size"]))
            for spin, before, value in zip((self.epochs_spin, self.batch_spin),
                                           filled or (None, None), new, strict=True):
                if filled is None or spin.value() == before:
                    spin.setValue(value)
            self._filled = new
        self._show_preset_help()

    def _show_preset_help(self) -> None:
        """Plain words on the form, the recipe's technical terms in the tooltip. Its time is
        the CSV's: with faces from a folder it said "about 2 hours" for a few dozen faces."""
        preset = PRESETS.get(self.preset_combo.currentData(), {})
        text = preset.get("summary", "")
        epochs, per_epoch = self.epochs_spin.value(), preset.get("minutes_per_epoch")
        # a 3-epoch trial said "a full run: about 2 hours"; so did a 300-row trial
        limit, csv_rows = self.limit_spin.value(), self._csv_rows
        rows = f", {limit:,} rows per split" if limit and (csv_rows is None or limit < csv_rows) \
            else f", {csv_rows:,} training rows" if csv_rows not in (None, FER2013_TRAINING_ROWS) \
            else ""
        minutes = estimated_minutes(epochs, per_epoch, limit, csv_rows=csv_rows,
                                    epoch_overhead_s=EPOCH_OVERHEAD_S,
                                    start_s=RUN_START_S) if per_epoch else 0.0
        self.epochs_time.setText(
            "" if not per_epoch or self._uses != "csv"
            else BUSY_TIME_TEXT if self._busy
            else CSV_MISSING_TEXT if self._csv_missing  # said where the time would be
            else csv_problem_text(self._csv_problem) if self._csv_problem
            # both refused at Start; said here once counted (trial 17)
            else NO_TRAINING_TEXT if self._csv_rows == 0 and self._csv_public is not None
            else NO_PUBLIC_TEXT if self._csv_public == 0
            else f"With {counted(epochs, 'epoch')}{rows}: about {duration_text(minutes)}.")
        # with a folder the line says nothing: no room kept for a CSV's words (five blank
        # lines stood between Epochs and Output folder)
        self.epochs_time.set_reserve(TIME_RESERVE if self._uses == "csv" else ())
        if self._uses == "folder":
            text = FOLDER_PRESET_TEXT
        elif self._uses == "finetune":
            text = FINETUNE_PRESET_TEXT
        self.preset_help.setText(text)
        self.preset_help.setToolTip(preset.get("description", ""))

    def _count_csv_rows(self, *_args) -> None:
        """The estimate takes the chosen CSV's Training rows: counted off the GUI thread (3 s
        for the real .csv.gz), once per file as it is (``trainer/row_count.py``)."""
        text = self.csv_edit.text().strip()
        path = Path(text).expanduser()
        self._csv_rows = self._row_counts.get(path)
        self._csv_public = self._row_counts.public(path)
        # a CSV not found gave FER-2013's time (trial 13): its size is unknown, so none is said
        self._csv_missing = bool(text) and not path.is_file()
        self._csv_problem = self._row_counts.problem(path) if text else ""
        self._show_preset_help()
        if self._csv_rows is None and not self._csv_problem and path.is_file() \
                and str(path) not in self._counting:
            self._counting.add(str(path))
            self.row_jobs.start(TrainingRowCounts.count, path,
                                on_returned=functools.partial(self._on_rows_counted, path),
                                on_errored=lambda _exc: self._counting.discard(str(path)))

    def _on_rows_counted(self, path: Path, result: tuple[str | None, int, int, str]) -> None:
        if not shiboken6.isValid(self.csv_edit):  # the form went while it counted
            return
        self._counting.discard(str(path))
        self._row_counts.remember(*result)  # a file the trainer cannot read: the full figure
        self._count_csv_rows()  # the field may name another file by now, or this one changed

    def _on_advanced_toggled(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if on
                                          else Qt.ArrowType.RightArrow)
        self._show_advanced_summary()

    def advanced_summary(self) -> str:
        """The advanced choices that change what is trained, where they differ from the
        defaults and the data source uses them ("first 300 rows of each split, sqrt sampling");
        "" when none do."""
        return self._summary_for(self._uses)

    def _summary_for(self, uses: str) -> str:
        """:meth:`advanced_summary` for the data source ``uses``."""
        defaults, values = TrainFormValues(), self.values()
        parts: list[str] = []
        if uses == "finetune":  # it takes none of them
            return ""
        if uses == "folder":  # an image folder's new network: only the sampling
            return f"{values.sampling} sampling" if values.sampling != defaults.sampling else ""
        parts.append(rows_limit_text(values.limit_per_split))
        if values.labels != defaults.labels:
            parts.append(LABEL_NAMES[values.labels])
        if values.sampling != defaults.sampling:
            parts.append(f"{values.sampling} sampling")
        if values.seed != defaults.seed:
            parts.append(f"seed {values.seed}")
        if values.precision != defaults.precision:
            parts.append(precision_words(values.precision))
        return ", ".join(part for part in parts if part)

    def _show_advanced_summary(self, *_args) -> None:
        """Folded, the section names its non-default choices: a remembered 300-row trial
        limit made the next Start a trial, with nothing on the form saying so."""
        folded = not self.advanced_button.isChecked()
        summary = self.advanced_summary() if folded else ""
        # a fine-tune takes none of them, yet ticking it must not move Start up: the folder's
        # line stays as room, hidden
        kept = self._summary_for("folder") if folded and self._uses == "finetune" else ""
        self.advanced_note.setText(f"Set under Advanced: {summary or kept}."
                                   if summary or kept else "")
        policy = self.advanced_note.sizePolicy()
        policy.setRetainSizeWhenHidden(bool(kept))
        self.advanced_note.setSizePolicy(policy)
        self.advanced_note.setVisible(bool(summary))
        self._note_row.setVisible(bool(summary or kept))

    def _browse_csv(self) -> None:
        start = self.csv_edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "FER-2013 CSV", start, csv_file_filter())
        if path:
            self.csv_edit.setText(path)
            self.csv_changed.emit()

    def _browse_out(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Output folder for runs",
                                                self.out_edit.text() or str(Path.cwd()))
        if path:
            self.out_edit.setText(path)
            self.out_changed.emit()


def _show_path_whole(edit: QLineEdit) -> None:
    """Show a path field from its start (cut at the right edge, where a reader sees it is
    cut), with the whole path under its own tooltip line."""
    tip = edit.toolTip()

    def follow(text: str) -> None:
        edit.setToolTip(f"{tip}\n{text}" if text else tip)
        if not edit.hasFocus():
            edit.setCursorPosition(0)

    edit.textChanged.connect(follow)
    edit.editingFinished.connect(lambda: edit.setCursorPosition(0))
    follow(edit.text())


def _put(spin: QSpinBox, value: int) -> None:
    """``value`` within the box's range: one remembered 99999999999 overflowed Qt's int and
    took the whole Train tab away at every launch (audit 37)."""
    spin.setValue(min(max(value, spin.minimum()), spin.maximum()))
