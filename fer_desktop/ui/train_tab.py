"""The Train tab: train the emotion CNN from the window, watch it learn, use the result live.

The tab wires its parts and holds no algorithm: the form (``train_form.py``), the progress box
(``train_progress.py`` over the Qt-free ``core.training_progress``), the run list
(``run_list.py`` over ``trainer.runs``), the curves (``training_curves.py``) and the results
(``run_results.py``). Three :class:`TrainerProcess` objects run the trainer: one trains, one
checks a CSV before the first run on it (``csv_check.py``), one exports a stopped run's best
epoch (``run_export.py``). The user guide is ``docs/train-tab.md``.

Public surface: ``TrainTab(settings, parent)``, its signal ``model_chosen(str)`` (a run folder
whose ``model.json`` the live view should load) and ``confirm_close() -> bool``.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QSplitter, QTabWidget, QWidget

from fer_desktop.core.file_drop import Drop, DropRefused
from fer_desktop.core.gui_wording import for_window
from fer_desktop.core.log_filter import is_framework_noise
from fer_desktop.core.trainer_events import TrainerEvent
from fer_desktop.core.training_progress import TrainingProgress
from fer_desktop.ui import close_training
from fer_desktop.ui.csv_check import CsvCheck, csv_key
from fer_desktop.ui.data_source import DataSourceBox
from fer_desktop.ui.run_compare import CurveComparer
from fer_desktop.ui.run_export import RunExporter
from fer_desktop.ui.run_list import RunList
from fer_desktop.ui.run_menu import RunMenu
from fer_desktop.ui.run_results import ResultsView
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.side_scroll import scroll_down_to
from fer_desktop.ui.train_buttons import resume_tooltip
from fer_desktop.ui.train_form import TrainForm
from fer_desktop.ui.train_layout import ColumnSplitter, form_column, log_view, results_page
from fer_desktop.ui.train_progress import ProgressBox
from fer_desktop.ui.trainer_process import TrainerProcess, trainer_command
from fer_desktop.ui.training_curves import TrainingCurves
from trainer.config import TrainConfig
from trainer.process_outcome import TrainerOutcome
from trainer.rundir import FAILED, FINISHED, INTERRUPTED, RUNNING, STOPPED, STOPPING
from trainer.runs import (
    RunRow,
    background_line,
    ended_line,
    list_runs,
    read_run_curves,
    stop_asked_line,
    stop_trainer_here,
    training_here,
)

REDRAW_MS = 100           # curves and progress redraw at about 10 Hz
LEFT_COLUMN_PX = 400  # the form and the run list in a window of 1200 px or less
RUN_LIST_REFRESH_MS = 5000


class TrainTab(QWidget):
    """The Train tab (``settings``: where the form is remembered; nothing is written when it
    is read-only). ``model_chosen(str)`` carries a run folder to load in the live view."""

    model_chosen = Signal(str)

    def __init__(self, settings: AppSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else AppSettings()
        self.process = TrainerProcess(self)
        self.process.event_received.connect(self._on_event)
        self.process.log_line.connect(self._on_log_line)
        self.process.state_changed.connect(self._on_state_changed)
        self.process.finished.connect(self._on_process_finished)
        self.csv_check = CsvCheck(self)  # every row, once, before the first run on a CSV
        self.csv_check.log_line.connect(self._on_log_line)
        self.csv_check.ended.connect(self._on_csv_checked)
        self.validator = self.csv_check.process
        self.exporter = RunExporter(self)  # a stopped run's best epoch, made a model
        self.exporter.log_line.connect(self._on_log_line)
        self.exporter.ended.connect(self._on_export_ended)
        self._shown_run: Path | None = None
        self._data_warnings: list[str] = []  # from the data_report of the latest run
        self._outcomes: dict[Path, str] = {}  # run -> how its process ended in this session
        self._followed: Path | None = None  # the selected run, training outside this window
        self._background: RunRow | None = None  # a run of the list training here, not ours
        self._said_about: tuple[Path, str] | None = None  # the form's message names this run
        self._progress = TrainingProgress()
        self._build()
        self.form.set_values(self._settings.train_form)
        self.data_source.set_choice(*self._settings.train_source)
        self._on_data_source_changed()
        self.model_in_use: Path | None = None  # set by the window: what "fine-tune" starts from
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)
        self._redraw_timer.start()
        self._list_timer = QTimer(self)
        self._list_timer.setInterval(RUN_LIST_REFRESH_MS)
        self._list_timer.timeout.connect(self._on_list_timer)
        self._list_timer.start()
        self.refresh_runs()
        rows = self.run_list.rows()
        if self._shown_run is None and rows:
            self._select_run(rows[0].run_dir)  # the newest run, as the user last left it
        # a run left training at the last close: followed at once ("Not training." beside
        # its "running 5/6" until it ended, trial 40)
        self._follow_background(self.run_list.selected_row())
        self._update_buttons()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.form = TrainForm()
        self.form.csv_changed.connect(self._save_settings)
        self.form.out_changed.connect(self._on_out_changed)
        self.form.error_cleared.connect(self._say_idle)
        self.form.start_button.clicked.connect(self._on_start_clicked)
        self.form.stop_button.clicked.connect(self._on_stop_clicked)
        self.form.resume_button.clicked.connect(self._on_resume_clicked)
        self.progress_box = ProgressBox()
        self.run_list = RunList()
        self.run_list.selection_changed.connect(self._on_run_selected)
        self.run_menu = RunMenu(self.run_list, lambda: self.model_in_use,
                                (self.process, self.exporter),  # not their runs to the trash
                                self._settings.model_dir_now)  # nor another window's model
        self.run_menu.trashed.connect(
            lambda run: self._select_run(None) if run == self._shown_run else None)
        self.run_menu.said.connect(self.form.say)  # a run moved to the trash: it went unsaid
        self.run_menu.renamed.connect(  # its new name in the Results' heading (trial 13)
            lambda run: self.results.show_run(run) if run == self.results.run_dir else None)
        self.run_menu.changed.connect(self.refresh_runs)  # renamed or trashed: at once
        self.data_source = DataSourceBox(self._settings.collect)
        self.data_source.changed.connect(self._save_settings)
        self.data_source.changed.connect(self._on_data_source_changed)
        self.data_source.recounted.connect(self._on_faces_recounted)
        self._settings.collect.faces_changed.connect(self._follow_collected_faces)
        self._refused_faces = False  # the message shown says the collected faces are too few
        self.form_scroll = left_scroll = form_column(self.data_source, self.form,
                                                     self.progress_box, self.run_list)
        box = self.progress_box  # its bar and all into view, below the fold (trials 24-25)
        box.grew.connect(lambda: QTimer.singleShot(0, lambda: scroll_down_to(left_scroll, box)))
        self.curves = TrainingCurves()
        self.comparer = CurveComparer(self.run_menu, self.run_list, self.curves)  # two runs
        self.results = ResultsView()
        self.results.use_clicked.connect(self._on_use_clicked)
        self.results.export_clicked.connect(self._on_export_clicked)
        self.results.model_in_use_changed.connect(self.run_list.set_in_use)  # "in use"
        self.log_view = log_view()
        self.bottom_tabs = QTabWidget()
        self.results_page = results_page(self.results)
        self.bottom_tabs.addTab(self.results_page, "Results")
        self.bottom_tabs.addTab(self.log_view, "Log")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.curves)
        right.addWidget(self.bottom_tabs)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        right.setSizes([480, 380])

        self.splitter = ColumnSplitter(left_scroll, right, LEFT_COLUMN_PX)  # a third, at
        layout = QGridLayout(self)                                          # least 400 px
        layout.addWidget(self.splitter, 0, 0)

    # ------------------------------------------------------------------ form
    def _save_settings(self) -> None:
        self._settings.train_form = self.form.values()
        box = self.data_source
        self._settings.train_source = (box.choice().kind, box.folder_edit.text().strip(),
                                       box.finetune_check.isChecked())

    def _on_out_changed(self) -> None:
        self._save_settings()
        self.refresh_runs()
        self._follow_background(self.run_list.selected_row())  # "Not training." beside Stop
        live = Path(self.process.run_dir) if self.process.run_dir else None
        if self._shown_run is not None and self._shown_run.parent != self.output_folder() \
                and self._shown_run != live:  # a run of the folder left is not in the list
            self._select_run(None)
            self.form.say("")

    def _on_faces_recounted(self) -> None:
        """More faces collected: a refusal of too few goes (it stayed once fixed); any other
        message stays (a failed training's was wiped by the next face saved)."""
        if self._refused_faces:
            self._refused_faces = False
            self.form.clear_error()

    def _follow_collected_faces(self) -> None:
        """A face collected in the Live tab while the data is a CSV not chosen yet: the data
        becomes the collected faces (it stayed "FER-2013 CSV", with no CSV: trial 14)."""
        if not self._busy() and self.data_source.choice().kind == "csv" \
                and not self.form.csv_edit.text().strip():
            self.data_source.choose("collected")

    def _on_data_source_changed(self) -> None:
        self._refused_faces = False
        self.form.clear_error()  # about the data before ("too few faces" stayed once fixed)
        choice = self.data_source.choice()
        self.form.set_csv_used(choice.kind == "csv", finetune=choice.finetune)
        if self._shown_run is None and not self.process.is_active:  # the empty plots' legend
            self.curves.set_held_out_name("PublicTest" if choice.kind == "csv"  # says what a
                                          else "test faces")                 # Start scores on

    def use_dropped(self, drop: Drop) -> None:
        """A FER-2013 CSV or a folder of faces dropped on the window becomes the data.

        Raises: DropRefused: a training or a CSV check runs (the form is locked).
        """
        if self._busy():
            raise DropRefused(f"{drop.path.name} was not taken: stop the training before "
                              "choosing other data.")
        if drop.target == "csv":
            self.form.csv_edit.setText(str(drop.path))
            self.form.csv_changed.emit()
            self.data_source.choose("csv")
        else:
            self.data_source.choose("images", str(drop.path))

    def output_folder(self) -> Path:
        return self.form.output_folder()

    # ------------------------------------------------------------------ start / stop / resume
    def _busy(self) -> bool:
        """A trainer or a CSV check of this window runs, or a run of the list trains here in
        the background: the form is locked and Start waits (two runs on a 2-core machine)."""
        return self.process.is_active or self.validator.is_active \
            or self.exporter.is_active or self._background is not None

    def _on_start_clicked(self) -> None:
        if self._busy():
            return
        if self.data_source.choice().kind != "csv":
            self._launch_images()
            return
        config = self.form.checked_config()
        if config is None:
            self._say_idle()  # the form says why; not the last run's "Trainer failed."
            return
        self._save_settings()
        if self._settings.validated_csv == csv_key(Path(config.csv)):
            self._launch(config)
            return
        self.form.say(self.csv_check.start(config))
        self.progress_box.say("Checking the CSV...")
        self._update_buttons()

    def _say_idle(self) -> None:
        """A Start refused, or its reason gone: "Not training." (trial 13: a refused Start
        left "Trainer failed.", a CSV chosen again "... the CSV was not accepted.")."""
        if not self._busy():
            self.progress_box.idle()

    def _on_csv_checked(self, config: TrainConfig | None, state: str, text: str) -> None:
        if config is not None and state == FINISHED:
            self._settings.validated_csv = self.csv_check.key_if_unchanged(Path(config.csv))
            self.form.say(text)
            self._launch(config)
            return
        if config is not None:
            self.form.say(text, error=state == FAILED)
            self.progress_box.say("Not training: the CSV was not accepted.")
        self._update_buttons()

    def _launch(self, config: TrainConfig) -> None:
        self._reset_progress()
        self._select_run(None)
        self.curves.clear()
        self.curves.set_held_out_name("PublicTest")
        self.log_view.appendPlainText(f"--- training {config.preset}, {config.epochs} epochs, "
                                      f"batch {config.batch_size} -> {config.out}")
        try:
            self.process.start(config)
        except (OSError, RuntimeError) as exc:
            self.form.say(str(exc), error=True)
        self._update_buttons()

    def _launch_images(self, counted_again: bool = False) -> None:
        """Train or fine-tune on an image folder (the data source box's choice)."""
        if not counted_again and self.data_source.recount_if_refused(
                lambda: self._launch_images(counted_again=True)):
            return  # a refusal stands only once counted again: it may be mended (trial 57)
        self._save_settings()
        choice, threads = self.data_source.choice(), self.form.threads_spin.value()
        try:
            args = choice.trainer_args(self.output_folder(), threads, self.model_in_use,
                                       epochs=self.form.epochs_spin.value(),
                                       sampling=str(self.form.sampling_combo.currentData()))
        except ValueError as exc:
            self.form.say(str(exc), error=True)
            self._refused_faces = True
            self._say_idle()
            return
        self._reset_progress()
        self.form.say("")  # "Training finished..." of the run before stayed (trial 26)
        self._select_run(None)
        self.curves.clear()
        self.curves.set_held_out_name("test faces")  # the folder's, not FER-2013's
        what = "fine-tuning the model in use" if choice.finetune else "training"
        self.log_view.appendPlainText(f"--- {what} on {choice.folder}")
        try:
            self.process.start_command(*trainer_command(args), threads=threads)
        except (OSError, RuntimeError) as exc:
            self.form.say(str(exc), error=True)
        self._update_buttons()

    def _on_stop_clicked(self) -> None:
        if self.validator.is_active:
            self.validator.stop()
        if self.exporter.is_active:
            self.exporter.stop()
        if not self.process.is_active:
            row = self._background  # a run left training: Stop reached nothing
            if row is not None and stop_trainer_here(row.run_dir):
                self._say_about(row.run_dir, stop_asked_line(row))
            return
        if self.process.state == STOPPING:  # Stop is offered again only during the export
            self.process.kill()
            self.form.say(self._progress.ended_in_export_words())
            return
        self.process.stop()
        self.form.say(self._progress.stop_in_export_words() if self._progress.exporting
                      else "Stopping after the current batch...")

    def _on_resume_clicked(self) -> None:
        row = self.run_list.selected_row()
        if row is None or not row.resumable or self._busy():
            return
        self._reset_progress()
        self._show_run(row.run_dir)
        self.log_view.appendPlainText(f"--- resuming {row.run_dir}")
        self._save_settings()
        try:
            self.process.resume(row.run_dir, threads=self.form.threads_spin.value())
        except (OSError, RuntimeError) as exc:
            self.form.say(str(exc), error=True)
            return
        self.form.say(f"Starting {row.run_dir.name} again from epoch 1 (no epoch of it was "
                      "completed)..." if row.starts_over else
                      f"Resuming {row.run_dir.name} from epoch {row.epochs_done + 1}"
                      + (f" of its {row.epochs}" if row.epochs else "")
                      + " (a run keeps its own settings: the form's are for new runs)...")
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._busy()
        row = self.run_list.selected_row()
        self.form.start_button.setEnabled(not busy)
        ours = self.process.is_active or self.validator.is_active or self.exporter.is_active
        self.form.stop_button.setEnabled(ours and (
            self.process.state != STOPPING or self._progress.exporting)
            or not ours and self._background is not None)
        self.form.resume_button.setEnabled(not busy and row is not None and row.resumable)
        self.form.resume_button.setToolTip(resume_tooltip(row))
        self.form.set_busy(busy)
        self.data_source.set_busy(busy)
        self.results.offer_export(row, busy)

    # ------------------------------------------------------------------ trainer output
    def _on_log_line(self, text: str) -> None:
        if not is_framework_noise(text):  # TensorFlow's start-up chatter stays out
            self.log_view.appendPlainText(for_window(text))  # no "--out" (trial 17)

    def _on_state_changed(self, state: str) -> None:
        self._update_buttons()
        if state == RUNNING:
            self.progress_box.say(self._progress.headline())

    def _on_event(self, event: TrainerEvent) -> None:
        exporting = self._progress.exporting
        self._progress.update(event)
        if self._progress.exporting and not exporting:
            self.process.let_export_finish()
            if self.process.state == STOPPING:  # the last epoch ended before the stop
                self.form.say(self._progress.stop_in_export_words())
                self._update_buttons()
        name = event.name
        if name == "data_report":  # before "started": said with it, under the buttons
            self._data_warnings = [str(w) for w in event.get("warnings") or []]
        elif name == "started":
            run = Path(event["run_dir"])
            follow = self._shown_run is None or self._shown_run == run
            self.refresh_runs()
            if follow:
                self._select_run(run)
            self.form.say(self._with_warnings(f"Training {run.name}."))
        elif name == "batch" and self._showing_live():
            self.curves.add_batch(event["epoch"], event["step"], event["steps"], event["loss"])
        elif name == "epoch" and self._showing_live():
            self.curves.add_epoch(event["epoch"], event["loss"], event["accuracy"],
                                  event["val_loss"], event["val_accuracy"])
        elif name == "checkpoint":
            self.refresh_runs()
        elif name == "error":
            self.form.say(f"The trainer failed: {event['message']}", error=True)

    def _with_warnings(self, text: str) -> str:
        """``text``, then the data warnings of the run (they explain its results too)."""
        return text + "".join(f"\nWarning: {w}." for w in self._data_warnings)

    def _on_process_finished(self, outcome: TrainerOutcome) -> None:
        if outcome.state == FAILED:
            self.form.say(f"{'Not started' if outcome.refused else 'Training failed'}: "
                          f"{outcome.message}", error=True)
            self.bottom_tabs.setCurrentWidget(self.log_view)
            bar = self.log_view.verticalScrollBar()  # at its end: why it failed (a resize
            bar.setValue(bar.maximum())              # had left it on older lines: trial 13)
        elif outcome.state == STOPPED:
            self._say_about(outcome.run_dir, f"Training {outcome.message}.")
        else:
            self._say_about(outcome.run_dir, self._with_warnings("Training finished." + (
                " Its scores are in the Results tab." if outcome.run_dir else "")))
        self.progress_box.show_end(outcome.state, outcome.state == FINISHED, outcome.refused)
        # the curves drawn so far stay, as the run's files show them after a restart (a stop
        # in epoch 1 dropped every point: "No curves yet"); a resume redraws the epoch it
        # repeats over them
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
                self.bottom_tabs.setCurrentWidget(self.results_page)
        self._update_buttons()

    def _reset_progress(self) -> None:
        self._progress = TrainingProgress()
        self._data_warnings = []  # a new run: the last one's warnings are not its own
        self.progress_box.reset()

    def _redraw(self) -> None:
        self.curves.redraw()
        if self.process.is_active:
            self.progress_box.show_progress(self._progress,
                                            time.monotonic() - self.process.started_at,
                                            self.form.batch_spin.value())

    # ------------------------------------------------------------------ runs
    def refresh_runs(self) -> None:
        """Re-read the output folder; keeps the selection."""
        live = Path(self.process.run_dir) if self.process.run_dir else None
        rows = list_runs(self.output_folder())
        states: dict[Path, str] = {}
        for row in rows:
            if row.run_dir == live and self.process.is_active:
                states[row.run_dir] = self.process.state  # RUNNING or STOPPING
            elif row.state in (RUNNING, INTERRUPTED) and row.run_dir in self._outcomes:
                states[row.run_dir] = self._outcomes[row.run_dir]  # ended moments ago: how
        self.run_list.show_rows(rows, self._shown_run, states)
        self._background = training_here(rows, skip=live if self.process.is_active else None)
        self._update_buttons()

    def run_rows(self):
        """The rows of the run list, top to bottom."""
        return self.run_list.rows()

    def _select_run(self, run: Path | None) -> None:
        """Select ``run`` in the list (or nothing) and show it."""
        self.run_list.select(run)
        self._show_run(run)

    def _show_run(self, run: Path | None) -> None:
        """Curves and results of ``run`` from its files; a live run then grows from events."""
        if run != self._shown_run:  # another run's Results from their top: the last one's
            self.results_page.verticalScrollBar().setValue(0)  # place hid "Use this model"
        self._shown_run = run
        self.results.show_run(run)
        self.comparer.show_run(run)  # its curves, and another run's to compare, if asked
        self._update_buttons()

    def _is_live(self, run: Path | None) -> bool:
        return (run is not None and self.process.is_active and self.process.run_dir is not None
                and Path(self.process.run_dir) == run)

    def _showing_live(self) -> bool:
        """True when the curves show the running process (or a start still naming its run)."""
        return self._shown_run is None or self._is_live(self._shown_run)

    def _say_about(self, run: Path | str | None, text: str) -> None:
        """Say ``text``, about ``run``: it goes when another run is selected, so that "Training
        stopped; Resume continues ..." does not stand beside a finished run (trial C 47)."""
        self.form.say(text)
        self._said_about = (Path(run), text) if run else None

    def _unsay_about(self, run: Path | None, instead: str = "") -> None:
        """The message about a run other than ``run`` (None: any run) goes, or becomes
        ``instead``; any other message stays."""
        said, self._said_about = self._said_about, None
        if said is None or not self.form.shows(said[1]):
            return
        if run is not None and said[0] == run:
            self._said_about = said
        elif instead:
            self._say_about(said[0], instead)  # about that run still: goes in its turn
        else:
            self.form.say("", keep_room=True)  # the list stays under the pointer

    def _on_run_selected(self) -> None:
        row = self.run_list.selected_row()
        if row is not None:
            self._unsay_about(row.run_dir)
            self._show_run(row.run_dir)
        self._follow_background(row)
        self._update_buttons()

    def _on_list_timer(self) -> None:
        if not self.isVisible():
            return
        self.refresh_runs()
        row = self.run_list.selected_row()  # a run training elsewhere (command line): follow it
        if row is not None and row.state == RUNNING and not self._is_live(row.run_dir):
            self.curves.show_curves(read_run_curves(row.run_dir))
        self._follow_background(row)

    def _follow_background(self, row: RunRow | None) -> None:
        """The Progress box follows a selected run training outside this window ("Not
        training." beside it, once), and its Results appear when it ends (they did not)."""
        if self.process.is_active:
            return
        if self._background is not None and (row is None or row.state != RUNNING):
            row = self._background  # unselected, it still trains (the form is locked)
        if row is not None and row.state == RUNNING and not self._is_live(row.run_dir):
            self._followed = row.run_dir
            self.progress_box.say(background_line(row))
        elif self._followed is not None:
            ended = row is not None and row.run_dir == self._followed
            said = self._said_about
            if said is not None and said[0] == self._followed:  # "Asked it to stop...": done
                self._unsay_about(None, ended_line(row) if ended else "")
            self._followed = None
            if ended:
                self._show_run(row.run_dir)
                self.progress_box.show_end(row.state, finished=row.state == FINISHED)
            else:
                self.progress_box.idle()

    def _on_export_clicked(self) -> None:
        row = self.run_list.selected_row()
        if row is None or not row.exportable or self._busy():
            return
        try:
            self._say_about(row.run_dir, self.exporter.start(row, self.form.threads_spin.value()))
        except (OSError, RuntimeError) as exc:
            self.form.say(str(exc), error=True)
        if self.exporter.is_active:
            self.progress_box.show_busy("Exporting the model...")
        self._update_buttons()

    def _on_export_ended(self, run: Path, ok: bool, text: str) -> None:
        self.form.say(text, error=not ok and text.startswith("Could not"))
        self._said_about = (run, text)  # goes when another run is selected
        self.progress_box.idle()
        self.refresh_runs()
        if self._shown_run == run:
            self.results.show_run(run)
            self.bottom_tabs.setCurrentWidget(self.results_page)
        self._update_buttons()

    def _on_use_clicked(self) -> None:
        if self.results.run_dir is not None and self.results.metadata is not None:
            self.model_chosen.emit(str(self.results.run_dir))

    # ------------------------------------------------------------------ closing
    def ask_close_choice(self) -> str:
        """Ask how to close while training: "stop", "detach", "cancel" or "ended" (tests
        replace it)."""
        return close_training.ask_close_while_training(
            self, lambda: self._progress.position(), lambda: self.process.is_active,
            self.process.run_dir, lambda: self.process.exporting)

    def ask_export_close_choice(self) -> str:
        """The same while exporting (tests replace it)."""
        return close_training.ask_close_while_exporting(
            self, self.exporter.describe, lambda: self.exporter.is_active)

    def confirm_close(self) -> bool:
        """Called by the main window's ``closeEvent``: True when the window may close (the
        jobs ended as ``close_training.end_jobs`` says)."""
        self._save_settings()
        choice = close_training.end_jobs(self.validator, self.exporter, self.process,
                                         self.ask_close_choice, self.ask_export_close_choice)
        if choice in ("stop", "detach"):
            self.shutdown()
        elif choice == "wait":  # the export ends, then the window closes
            close_training.close_when_done(self.exporter, self.window())
        return choice not in ("cancel", "wait")

    def shutdown(self) -> None:
        """Stop the tab's timers (the main window calls it when closing). A trainer left
        running on purpose (:meth:`confirm_close` -> keep training) is not touched."""
        with contextlib.suppress(RuntimeError):  # already deleted by Qt at exit
            self._redraw_timer.stop()
            self._list_timer.stop()
            self.form.row_jobs.detach()  # a CSV's rows still being counted: dropped
