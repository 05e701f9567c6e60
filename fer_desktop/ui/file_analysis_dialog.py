"""The "Analyse whole file" window: progress while a video is analysed, then its chart.

The work is :func:`fer_desktop.core.file_analysis.analyse_file` (the ``analyze`` pipeline) on
an :class:`AnalysisThread`, with a pipeline of its own so the live view keeps playing. The
dialog shows the progress with a Cancel button, then a chart of each emotion over video time
(read back from the CSV), where the CSV went, and buttons to open it or its folder. Closing
the dialog cancels a run that has not finished; nothing half-written is left behind.
"""

from __future__ import annotations

import functools
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError, ModelError, SourceError
from fer_desktop.core.file_analysis import (
    AnalysisCancelled,
    ChartedFace,
    EmotionRows,
    EmotionSeries,
    FileAnalysis,
    analyse_file,
    analysed_line,
    read_emotion_rows,
)
from fer_desktop.core.gui_wording import for_window, status_bar_name
from fer_desktop.core.messages import about
from fer_desktop.core.plain_words import counted
from fer_desktop.core.sources import open_source
from fer_desktop.core.time_left import TimeLeft
from fer_desktop.ui import close_training
from fer_desktop.ui.analysis_geometry import (
    MIN_SIZE,
    RUNNING_WIDTH,
    finished_geometry,
    running_geometry,
    size_within_window,
)
from fer_desktop.ui.colours import (
    CHART_BACKGROUND,
    EMOTION_COLORS,
    ERROR_COLOUR,
    HINT_TEXT_COLOUR,
)
from fer_desktop.ui.model_names import record_provenance
from fer_desktop.ui.saved_banner import cannot_open, open_in_file_manager
from fer_desktop.ui.time_direction import keep_time_left_to_right

PROGRESS_EVERY = 5  # frames between progress signals (a signal per frame floods the GUI)
# Cancel stops an analysis that has worked this long only once asked (Esc always asks): a
# mis-click lost minutes (trial 58); a second thought just after the start costs nothing
CANCEL_ASKS_AFTER_S = 5.0


class AnalysisThread(QThread):
    """Builds a pipeline and analyses one video; see the module docstring.

    Args:
        video, out_csv: the video and the CSV to create.
        make_pipeline: returns a fresh FacePipeline (called in the thread: loading a model
            takes a moment).

    Signals:
        progress(int, int): frames done, frame count (0 when unknown).
        succeeded(object): the FileAnalysis.
        failed(str, str): a message for the user, and the details (traceback).
        cancelled(): the user stopped it; nothing was written.
    """

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    def __init__(self, video: Path, out_csv: Path, make_pipeline: Callable[[], Any],
                 parent: QWidget | None = None, numbers_only: bool = False) -> None:
        super().__init__(parent)
        self.video, self.out_csv = video, out_csv
        self.numbers_only = numbers_only
        self._make_pipeline = make_pipeline
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _on_progress(self, done: int, total: int | None) -> None:
        if done % PROGRESS_EVERY == 0 or (total and done >= total):
            self.progress.emit(done, total or 0)

    def run(self) -> None:
        try:
            pipeline = self._make_pipeline()
            if self._cancel.is_set():
                raise AnalysisCancelled()
            result = analyse_file(self.video, self.out_csv, pipeline,
                                  on_progress=self._on_progress, cancelled=self._cancel.is_set,
                                  numbers_only=self.numbers_only,
                                  describe_model=record_provenance)
        except AnalysisCancelled:
            self.cancelled.emit()
        except (SourceError, ExportError, ModelError) as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - a bug must reach the user, not vanish
            self.failed.emit(f"The analysis stopped: {exc}", traceback.format_exc())
        else:
            self.succeeded.emit(result)


class EmotionChart(pg.PlotWidget):
    """Seven curves, one per emotion, over video time; its legend is a row beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=CHART_BACKGROUND)
        self.setAccessibleName("Emotions over video time")
        keep_time_left_to_right(self)
        for widget in (self, self.viewport()):  # keys do nothing there: an invisible, unnamed
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab stop (trial 39)
        self.setLabel("bottom", "video time (s)")
        self.setLabel("left", "probability (mean over faces)")
        self.setYRange(0.0, 1.0, padding=0.02)
        self.setMouseEnabled(x=True, y=False)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.curves = {e: self.plot(pen=pg.mkPen(QColor(EMOTION_COLORS[e]), width=2),
                                    connect="finite", name=e) for e in EMOTIONS}

    def show_series(self, series: EmotionSeries) -> None:
        """The curves over the whole stretch analysed, not only where faces were."""
        self.setLabel("left", axis_title(series))
        for k, emotion in enumerate(EMOTIONS):
            self.curves[emotion].setData(series.time_s, series.probabilities[:, k])
        start, end = series.span_s
        self.setXRange(start, max(end, start + 1e-3), padding=0.01)


def axis_title(series: EmotionSeries) -> str:
    """What the curves are of: one face, named, or the mean over several ("mean over faces"
    was said of a video of one face, or none: trial 36)."""
    faces = [face.track_id for face in series.tracks]
    one = series.track_id if series.track_id is not None else (
        faces[0] if len(faces) == 1 else None)
    if one is not None:
        return f"probability (face #{one})"
    return "probability (mean over faces)" if faces else "probability"


class FaceChooser(QWidget):
    """"Show: [Every face (mean)]": which face the chart follows, in a video of several
    (their mean answered for nobody). Hidden while the CSV holds one face or none.

    Signals:
        chosen(object): the track id to chart, or None for the mean over every face.
    """

    chosen = Signal(object)
    EVERY_FACE = "Every face (mean)"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Face to chart")
        self.combo.setToolTip("Chart one face's emotions, or the mean over every face")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label = QLabel("&Show:")
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(
            lambda index: self.chosen.emit(self.combo.itemData(index)))
        self.hide()

    def list_faces(self, faces: tuple[ChartedFace, ...]) -> None:
        """Offer every face of the CSV, the mean first (chosen)."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.EVERY_FACE, None)
        for face in faces:
            self.combo.addItem(face.choice, face.track_id)
        self.combo.blockSignals(False)
        self.setVisible(len(faces) > 1)


def legend_row() -> QWidget:
    """The chart's legend as plain labels (it never covers a curve)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for emotion in EMOTIONS:
        label = QLabel(f"<span style='color:{EMOTION_COLORS[emotion]}'>\u25a0</span> {emotion}")
        label.setAccessibleName(f"{emotion}: colour {EMOTION_COLORS[emotion]}")
        layout.addWidget(label)
    layout.addStretch(1)
    return row


class FileAnalysisDialog(QDialog):
    """Runs an :class:`AnalysisThread` and shows its progress, then its result.

    Signals:
        finished_analysis(object): the FileAnalysis, once the chart is shown.
        failed(str): the message shown when the analysis failed.
        open_failed(str): what Open CSV or Open folder said when no application started.
    """

    finished_analysis = Signal(object)
    failed = Signal(str)
    open_failed = Signal(str)

    def __init__(self, video: Path, out_csv: Path, make_pipeline: Callable[[], Any],
                 parent: QWidget | None = None, numbers_only: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Analyse {video.name}")
        self.result: FileAnalysis | None = None
        self._rows: EmotionRows | None = None  # the CSV's, read once at the end

        self.status = QLabel(f"Loading the model to analyse {video.name}...")
        self.status.setWordWrap(True)
        # the window's first Tab stop, where the keyboard starts: its words can be read and
        # copied (the CSV's path), and Space or Enter there presses nothing (review 58)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        # Open CSV's or Open folder's failure, on a line of its own: it replaced the summary
        # above (what was found, where it was saved), trial 58
        self.trouble = QLabel()
        self.trouble.setWordWrap(True)
        self.trouble.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.trouble.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trouble.hide()
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Analysis progress")
        self.progress_bar.setRange(0, 0)  # busy until the frame count is known
        self.chart = EmotionChart()
        self.chart.hide()
        self.face_chooser = FaceChooser()
        self.face_chooser.chosen.connect(self._chart_face)
        self.legend = legend_row()
        self.legend.hide()
        # Holds the chart's place while it runs: the progress stays at the top instead of
        # floating in the middle of an empty window, and the user knows what is coming.
        self.chart_placeholder = QLabel("The chart of the emotions over the video's time "
                                        "appears here when every frame has been analysed.")
        self.chart_placeholder.setWordWrap(True)
        self.chart_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_placeholder.setStyleSheet(f"color: {HINT_TEXT_COLOUR};")

        self.open_csv_button = QPushButton("Open CSV")
        self.open_csv_button.setToolTip("Open the CSV file with the default application")
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the folder that holds the CSV file")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the analysis; nothing is saved")
        # never the keyboard's at the start: Space (which pauses the video in the window)
        # and Enter pressed it, and minutes of analysis went without a word (trial 48); a Tab
        # stop after the status line (a click-only button left the keyboard Esc, review 58)
        self.cancel_button.setAutoDefault(False)
        self.buttons = QDialogButtonBox()
        for button in (self.open_csv_button, self.open_folder_button):
            button.setEnabled(False)
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_csv_button.clicked.connect(lambda: self._open(self.result.csv_path))
        self.open_folder_button.clicked.connect(lambda: self._open(self.result.csv_path.parent))
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.trouble)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.face_chooser)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.chart_placeholder, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.buttons)
        self.status.setFocus()  # the button box gave its first button the keyboard
        self._place_small(parent)

        self.thread = AnalysisThread(video, out_csv, make_pipeline, self, numbers_only)
        self.thread.progress.connect(self._on_progress)
        self.thread.succeeded.connect(self._on_succeeded)
        self.thread.failed.connect(self._on_failed)
        self.thread.cancelled.connect(self._on_cancelled)
        self._video = video
        self._outcome_shown = False
        self._time_left = TimeLeft()
        self._working_since: float | None = None  # the clock at its first frame analysed

    def _place_small(self, parent: QWidget | None) -> None:
        """Small at the foot of the video while it runs: chart-sized, it hid the video
        the user is told to keep watching (trial 48)."""
        height = self.layout().totalHeightForWidth(RUNNING_WIDTH)
        video = getattr(parent, "video_view", None)  # the live view's, when it opened it
        banner = getattr(getattr(parent, "outputs", None), "saved_banner", None)
        below = banner.sizeHint().height() + 6 if banner is not None else 0  # its room
        if (place := running_geometry(parent, height, video, below)) is not None:
            self.setGeometry(place)
        else:
            self.resize(RUNNING_WIDTH, height)

    def _grow_for_the_chart(self) -> None:
        self.setMinimumSize(MIN_SIZE)
        if (place := finished_geometry(self.parentWidget())) is not None:
            self.setGeometry(place)
        else:
            self.resize(size_within_window(self.parentWidget()))

    def start(self) -> None:
        self.thread.start()

    @property
    def running(self) -> bool:
        """Until its outcome is shown: the thread ends before its last signal reaches this
        dialog, and a dialog forgotten in between never said that its CSV was saved."""
        return self.thread.isRunning() or (self.thread.isFinished() and not self._outcome_shown)

    opener = staticmethod(open_in_file_manager)  # tests replace it

    def _open(self, path: Path) -> None:
        """Open a file or folder with the desktop's default application; say where it is
        when none could be started (Open CSV did nothing visible), below the summary, which
        stays, and to the window's Messages (``open_failed``)."""
        if self.opener(path):
            self.trouble.hide()
            return
        self.trouble.setText(cannot_open(path))
        self.trouble.show()
        self.open_failed.emit(cannot_open(path))

    def _on_progress(self, done: int, total: int) -> None:
        if self._working_since is None:
            self._working_since = self.clock()
        if total:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
            left = self._time_left.words(done, total)  # 40 minutes under load (trial 46)
            self.status.setText(f"Analysing {self._video.name}: frame {done:,} of {total:,}"
                                + (f", {left}" if left else ""))
        else:
            self.status.setText(f"Analysing {self._video.name}: frame {done}")

    def _on_succeeded(self, result: FileAnalysis) -> None:
        self.result = result
        self._outcome_shown = True
        self.progress_bar.hide()
        self.chart_placeholder.hide()
        self.cancel_button.setText("Close")
        self.cancel_button.setToolTip("Close this window (the CSV file stays)")
        for button in (self.open_csv_button, self.open_folder_button):
            button.setEnabled(True)
        try:
            self._rows = read_emotion_rows(result.csv_path)  # once: a face chosen is drawn
            series = self._rows.series()                     # from memory
        except ExportError as exc:
            self.status.setText(f"Saved {result.csv_path}, but it cannot be charted: {exc}")
            self.finished_analysis.emit(result)
            return
        self.chart.show_series(series)
        self.chart.show()
        self._grow_for_the_chart()
        self.legend.show()
        self.face_chooser.list_faces(series.tracks)
        made = f" Analysed by the model {status_bar_name(result.model)}." if result.model \
            else ""  # named as the status bar names it ("...-default" read as a typo, 58)
        text = (f"{analysed_line(result.frames, series.frames_with_faces)}{made} "  # (the
                f"Saved to {result.csv_path}")  # window may use another now, audit 51)
        if result.problems:
            text += "\n" + "; ".join(about(Path(path).name, reason)  # "ended after 802 of
                                      for path, reason in result.problems)  # ..." named no
            # file and began in lower case (audit 51)
        self.status.setText(text)
        self.status.setToolTip(str(result.csv_path))
        self.finished_analysis.emit(result)

    def _chart_face(self, track_id: int | None) -> None:
        """Chart the face chosen (None: the mean over every face)."""
        if self._rows is not None:
            self.chart.show_series(self._rows.series(track_id))

    def _on_failed(self, message: str, details: str) -> None:
        self._outcome_shown = True
        self.progress_bar.hide()
        self.chart_placeholder.hide()
        self.status.setText(f"Could not analyse {self._video.name}: {for_window(message)}")
        self.status.setToolTip(details.strip().splitlines()[-1] if details.strip() else "")
        self.cancel_button.setText("Close")
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._outcome_shown = True
        self.status.setText("Analysis cancelled; nothing was saved.")
        self.chart_placeholder.hide()

    def stop(self) -> None:
        """Cancel a run that has not finished and wait for it (it stops at the next frame)."""
        if self.thread.isRunning():
            self.thread.cancel()
            self.thread.wait()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """The title bar's close asks while it runs, as Esc does (it threw the analysis away
        without a word, review 58); closing the main window stops the thread first."""
        if self.thread.isRunning() and (not self.ask_stop(self) or not self.running):
            event.ignore()  # "No", or it ended while asked: its results stay
            return
        self.stop()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc, Cancel, Close
        self.stop()
        super().reject()

    clock = staticmethod(time.monotonic)  # tests replace it

    def _on_cancel_clicked(self) -> None:
        """Cancel asks, as Esc does, once the analysis has worked ``CANCEL_ASKS_AFTER_S``
        (it threw minutes away at once, trial 58); one just started stops at once."""
        worked_s = 0.0 if self._working_since is None else self.clock() - self._working_since
        if self.running and worked_s >= CANCEL_ASKS_AFTER_S and (
                not self.ask_stop(self) or not self.running):
            return  # kept, or it ended while asked: its results stay
        self.reject()

    def where(self) -> str:
        """How far it is, for a question ("long.avi: frame 185 of 1,200, about 2:10 left")."""
        return self.status.text().removeprefix("Analysing ").rstrip(".")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Esc while it runs asks first (it threw the analysis away, trial 48)."""
        if event.key() == Qt.Key.Key_Escape and self.running and (
                not self.ask_stop(self) or not self.running):  # it ended while asked: its
            event.accept()  # results stay (a Yes closed what had just been saved, review 58)
            return
        super().keyPressEvent(event)

    @staticmethod
    def ask_stop(dialog: FileAnalysisDialog) -> bool:  # tests replace it
        """True: stop it and throw its work away (*Stop and discard*)."""
        return close_training.ask_stop_analysis(dialog, dialog.where, lambda: dialog.running)


class AnalysisDialogs(QObject):
    """The whole-file analyses the Live tab has open; each dialog is forgotten once closed
    and finished, and all are stopped when the window closes. ``on_saved(csv_path)`` is
    called for each analysis written; ``on_error(message)`` when a video cannot be opened;
    ``on_note(message)`` when one is cancelled (Cancel closes its window, which said so where
    no one saw it: trial 15); ``on_trouble(message)`` when its Open CSV or Open folder finds
    no application (kept in View > Messages, as File > Open output folder's is: trial 58)."""

    def __init__(self, on_saved: Callable[[Path], None], parent: QWidget,
                 on_error: Callable[[str], None],
                 on_note: Callable[[str], None] = lambda _text: None,
                 on_trouble: Callable[[str], None] = lambda _text: None) -> None:
        super().__init__(parent)
        self._on_saved = on_saved
        self._on_error = on_error
        self._on_note = on_note
        self._on_trouble = on_trouble
        self._parent = parent
        self.dialogs: list[FileAnalysisDialog] = []
        self._waited: list[FileAnalysisDialog] = []  # "Close when it is done": for these
        self._wait_timer = QTimer(self, interval=close_training.FOLLOW_MS)
        self._wait_timer.timeout.connect(self._close_when_done)

    def open(self, video: Path, out_csv: Path, make_pipeline: Callable[[], Any],
             numbers_only: bool = False) -> FileAnalysisDialog | None:
        """Show a dialog and start analysing ``video`` into ``out_csv``; None, with the reason
        given to ``on_error``, when the video cannot be opened."""
        # A broken file gets one sentence, not a big empty dialog with an error line. Opening
        # decodes one frame on the GUI thread (a few ms for a local 1080p file); a file on a
        # slow network share makes the click wait as long as its first frame takes.
        try:
            open_source(video).close()
        except SourceError as exc:
            self._on_error(for_window(f"Cannot analyse the video: {exc}"))
            return None
        dialog = FileAnalysisDialog(video, out_csv, make_pipeline, self._parent,
                                    numbers_only=numbers_only)
        dialog.finished_analysis.connect(self._saved)
        dialog.finished.connect(functools.partial(self._forget, dialog))
        # closed while its thread was ending: forgotten once the outcome is shown (the thread's
        # own finished signal comes after the outcome's)
        dialog.thread.finished.connect(functools.partial(self._forget, dialog))
        dialog.thread.cancelled.connect(functools.partial(self._cancelled, video))
        dialog.failed.connect(functools.partial(self._failed, video))
        dialog.open_failed.connect(self._on_trouble)
        self.dialogs.append(dialog)
        dialog.show()
        dialog.start()
        return dialog

    def _saved(self, result: FileAnalysis) -> None:
        """The banner, and a line in View > Messages as a screenshot or a recording gets (the
        banner alone went with its timer, trial 29)."""
        self._on_note(f"Analysis of {result.video.name} saved to {result.csv_path} "
                      f"({counted(result.frames, 'frame')} analysed)")
        self._on_saved(result.csv_path)

    def _cancelled(self, video: Path) -> None:
        self._on_note(f"Analysis of {video.name} cancelled; nothing was saved.")

    def _failed(self, video: Path, message: str) -> None:
        """Kept in View > Messages, as the saved and cancelled ones are: once its window
        was closed, a failed analysis left no trace (audit 51)."""
        self._on_note(f"Analysis of {video.name} failed: {for_window(message)}")

    def _forget(self, dialog: FileAnalysisDialog, *_args: Any) -> None:
        if dialog in self.dialogs and not dialog.running and not dialog.isVisible():
            self.dialogs.remove(dialog)
            dialog.deleteLater()

    def running(self) -> list[FileAnalysisDialog]:
        return [dialog for dialog in self.dialogs if dialog.running]

    def ask_close(self) -> str:
        """Ask before the window closes over analyses under way, which closing throws away
        (trial 17: the window just went): "stop", "wait", "cancel" or "ended" (tests replace
        it). The question follows the progress and goes if they end meanwhile."""
        def where() -> str:
            running = self.running()
            return running[0].where() if len(running) == 1 else f"{len(running)} videos"

        box = close_training.question_box(self._parent, where, lambda: bool(self.running()),
                                          "Analysis in progress", "An analysis")
        return close_training.answer(
            box, "Closing the window now stops it, and nothing of it is saved. Close the "
            "window once it is done (its CSV saved), or stop it now?", "Stop and close",
            "Close when it is done", keep="wait")

    def confirm_close(self) -> bool:
        """True when the window may close: no analysis runs, or it ended while asked, or its
        user said to stop it; "Close when it is done" closes the window once none runs."""
        self._wait_timer.stop()  # a new answer replaces an earlier "wait"
        if not self.running():
            return True
        choice = self.ask_close()
        if choice == "wait":
            self._waited = self.running()
            self._wait_timer.start()
        return choice in ("stop", "ended")

    def _close_when_done(self) -> None:
        """Once none runs and no dialog is open (a closing window would take it with it),
        close the window, if every analysis waited for was saved: a failure stays to be read."""
        if self.running() or close_training.modal_open():
            return
        self._wait_timer.stop()
        if all(dialog.result is not None for dialog in self._waited):
            self._parent.window().close()

    def close_all(self) -> None:
        for dialog in list(self.dialogs):
            dialog.stop()
            dialog.close()
