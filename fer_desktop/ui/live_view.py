"""The Live tab: the annotated video, the face panel, and the wiring between its parts.

It wires widgets to the core and holds no algorithm. Its parts live beside it: the source
picker (``source_picker.py``), the options box (``live_options.py``), the empty state
(``empty_state.py``), screenshots and recording (``recording.py``) and the status-bar
statistics (``fer_desktop.core.frame_stats``). The pipeline is built in a background worker
(the window is painted before the model is loaded), then a :class:`CaptureThread` runs it on
the chosen source. Everything that goes wrong is reported through the window's
:class:`Notifier`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.explain import explain_face, private_classifier
from fer_desktop.core.export import CsvRecorder
from fer_desktop.core.face_timeline import next_track
from fer_desktop.core.file_analysis import analysis_csv_path
from fer_desktop.core.frame_stats import FrameStats
from fer_desktop.core.model import Classifier
from fer_desktop.core.overlay import OverlayPainter, OverlayStyle
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.privacy import blur_faces
from fer_desktop.core.provenance import provenance
from fer_desktop.core.source_defaults import options_for, source_kind
from fer_desktop.core.sources import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    FrameSource,
    list_cameras,
    normalise_source,
    open_source,
)
from fer_desktop.resources import ResourceError, resource_path
from fer_desktop.ui.capture import CaptureOutput, CaptureThread, ThreadStopper
from fer_desktop.ui.collect_panel import CollectPanel
from fer_desktop.ui.empty_state import EmptyState, SourceBanner
from fer_desktop.ui.explain_view import ExplainDialog
from fer_desktop.ui.face_panel import FacePanel
from fer_desktop.ui.file_analysis_dialog import FileAnalysisDialog
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.live_options import LiveOptions, OptionsBox
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.recording import OutputControls
from fer_desktop.ui.saved_banner import SavedBanner, open_in_file_manager
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.source_picker import SAMPLE_NAME, SourcePicker, describe_spec, dialog_filter
from fer_desktop.ui.transport_bar import TransportBar
from fer_desktop.ui.video_view import VideoView

STATS_INTERVAL_MS = 1000
STOP_TIMEOUT_MS = 5000


def is_image_path(spec: int | str | Path) -> bool:
    return not isinstance(spec, int) and Path(spec).suffix.lower() in IMAGE_SUFFIXES


def _explain_job(classifier: Any, copy: Any, frame: Any, box: Any,
                 crop_scale: float) -> tuple[Any, Any]:
    """Runs in a worker: (the private copy of the model, the Explanation)."""
    copy = copy if copy is not None else private_classifier(classifier)
    return copy, explain_face(copy, frame, box, crop_scale)


def is_video_path(spec: int | str | Path | None) -> bool:
    return (spec is not None and not isinstance(spec, int) and Path(spec).is_file()
            and not is_image_path(spec))


class LiveView(QWidget):
    """The Live tab; see the module docstring.

    Args:
        settings: remembered source, options and folders.
        notifier: where messages go.
        source: open this source instead of the remembered one (command line).
        model_dir: the model folder (None: the shipped model).
        detector: override the remembered detector (command line).
        pipeline_factory, source_opener, camera_lister: the core functions, injectable for
            tests (a fake source, a stub classifier).

    Signals:
        pipeline_ready(object): the pipeline loaded; carries its classifier.
        pipeline_failed(str): the model could not be loaded at start.
        source_failed(str): a source could not be opened or stopped delivering frames.
        frame_shown(object): a CaptureOutput was accepted for painting.
        stats_updated(object): LiveStats, once a second.
        recording_changed(bool): recording started or stopped.
        screenshot_saved(object): the Path of the PNG written.
        cameras_listed(object): the list of camera indices found.
        source_shown(str): a source was opened: its short name (for the window title).
    """

    pipeline_ready = Signal(object)
    pipeline_failed = Signal(str)
    source_failed = Signal(str)
    frame_shown = Signal(object)
    stats_updated = Signal(object)
    recording_changed = Signal(bool)
    screenshot_saved = Signal(object)
    cameras_listed = Signal(object)
    source_shown = Signal(str)

    def __init__(self, settings: AppSettings, notifier: Notifier, *,
                 source: int | str | Path | None = None, model_dir: Path | None = None,
                 detector: str | None = None,
                 pipeline_factory: Callable[..., FacePipeline] = FacePipeline.create,
                 source_opener: Callable[..., FrameSource] = open_source,
                 camera_lister: Callable[[], list[int]] = list_cameras,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._notifier = notifier
        self._model_dir = model_dir
        self._pipeline_factory = pipeline_factory
        self._source_opener = source_opener
        self._camera_lister = camera_lister
        options = settings.options
        if detector:
            options = dataclasses.replace(options, detector=detector)
        self._options = options
        self._cli_source = source
        self._spec: int | str | Path | None = None
        self._pipeline: FacePipeline | None = None
        self._loading = False
        self._cameras: list[int] | None = None
        self._capture: CaptureThread | None = None
        self._stopper = ThreadStopper(STOP_TIMEOUT_MS, self)
        self._last_output: CaptureOutput | None = None
        self._last_id = -1
        self._jobs = BackgroundJobs()
        self._frame_stats = FrameStats()
        self._closing = False
        self._at_end = False
        self.analysis_dialogs: list[FileAnalysisDialog] = []
        self.explain_dialog: ExplainDialog | None = None
        self._explain_request = 0
        self._explain_copy: tuple[int, Any] | None = None  # (id of the model, private copy)

        self.outputs = OutputControls(settings, notifier, self)
        self.outputs.provenance = self.provenance
        self.outputs.picture = self._saved_picture
        self.outputs.recording_changed.connect(self._on_recording_changed)
        self.outputs.screenshot_saved.connect(self.screenshot_saved)
        self.outputs.screenshot_saved.connect(
            lambda path: self.saved_banner.show_saved("Screenshot saved", path))
        self._build_actions()
        self._build_ui()

        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_INTERVAL_MS)
        self._stats_timer.timeout.connect(self._on_stats_timer)
        self._stats_timer.start()

    # construction -----------------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey | None, tip: str,
                slot: Callable[..., Any], checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_open_video = self._action("Open &video...", "Ctrl+O",
                                           "Play a video file", self.open_video_dialog)
        self.act_open_image = self._action("Open &image...", "Ctrl+I",
                                           "Analyse an image file", self.open_image_dialog)
        self.act_sample = self._action("&Sample image", "Ctrl+E",
                                       "Show the sample image shipped with the app",
                                       self.open_sample)
        self.act_screenshot = self._action("&Screenshot", "Ctrl+S",
                                           "Save the annotated frame as PNG with a JSON file "
                                           "of the faces", self.take_screenshot)
        self.act_record = self._action("&Record CSV", "Ctrl+R",
                                       "Record every face of every frame to a CSV file",
                                       self._on_record_toggled, checkable=True)
        self.act_output_folder = self._action("Choose output &folder...", None,
                                              "Choose where screenshots and recordings go",
                                              self.outputs.choose_output_folder)
        self.act_blur_faces = self._action(
            "&Blur faces in screenshots", None,
            "Privacy: pixelate every face in saved screenshots (the labels stay)",
            self._on_blur_faces_toggled, checkable=True)
        self.act_numbers_only = self._action(
            "&No file paths in saved files", None,
            "Privacy: CSVs and screenshot JSON say \"source 1\", \"file\"... instead of the "
            "file's path; the numbers are kept", self._on_numbers_only_toggled, checkable=True)
        for action, on in ((self.act_blur_faces, self._settings.blur_faces),
                           (self.act_numbers_only, self._settings.numbers_only)):
            blocker = QSignalBlocker(action)
            action.setChecked(on)
            del blocker
        self.act_open_output_folder = self._action(
            "&Open output folder", None,
            "Show the folder with the screenshots, recordings and analyses",
            self.open_output_folder)
        self.act_retry = self._action("Re&try source", "F5", "Open the current source again",
                                      self.retry_source)
        self.act_play_pause = self._action("&Play / pause", "Space",
                                           "Play or pause the video", self._on_play_shortcut)
        self.act_play_pause.setEnabled(False)
        # Space plays and pauses only where the video has the focus: elsewhere it must still
        # press the focused button or tick the focused box.
        self.removeAction(self.act_play_pause)
        self.act_play_pause.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_explain = self._action(
            "E&xplain the face shown...", "Ctrl+Shift+E",
            "Show which parts of the face shown in the side panel made the model's answer",
            self.explain_face)
        self.act_analyse_file = self._action(
            "&Analyse whole file...", "Ctrl+Shift+A",
            "Analyse every frame of a video in the background and chart the emotions over "
            "its time (saved as a CSV file)", self.analyse_whole_file)

    def _build_ui(self) -> None:
        video_column = QWidget()
        video_layout = QVBoxLayout(video_column)
        video_layout.setContentsMargins(0, 0, 0, 0)
        video_layout.addLayout(self._build_top_bar())
        self.banner = SourceBanner()
        self.banner.retry_clicked.connect(self.retry_source)
        video_layout.addWidget(self.banner)
        self.saved_banner = SavedBanner()
        self.saved_banner.open_folder_requested.connect(self._open_folder)
        video_layout.addWidget(self.saved_banner)
        video_layout.addWidget(self._build_video_stack(), 1)
        self.transport = TransportBar()
        self.transport.set_pacing(self._settings.every_frame)
        self.transport.play_toggled.connect(self._on_play_toggled)
        self.transport.seek_requested.connect(self._on_seek_requested)
        self.transport.speed_changed.connect(self._on_speed_changed)
        self.transport.every_frame_changed.connect(self._on_every_frame_changed)
        self.transport.analyse_requested.connect(self.analyse_whole_file)
        self.transport.hide()
        video_layout.addWidget(self.transport)
        self.video_view.addAction(self.act_play_pause)
        self.video_view.tab_handler = self._on_face_step
        self.video_view.number_pressed.connect(self._on_face_number)

        self.face_panel = FacePanel()
        self.face_panel.explain_requested.connect(self.explain_face)
        self.options_box = OptionsBox(self._options)
        self.options_box.changed.connect(self.set_options)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.face_panel, 1)
        side_layout.addWidget(self.options_box)
        self.collect_panel = CollectPanel(self._settings, self._notifier,
                                          lambda: (self._last_output, self._options.detector))
        self.addActions(self.collect_panel.actions)
        side_layout.addWidget(self.collect_panel)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(280)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(video_column)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([900, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

    def _build_top_bar(self) -> QHBoxLayout:
        """Source picker, screenshot, record."""
        self.source_picker = SourcePicker()
        self.source_picker.chosen.connect(self.set_source)
        self.source_picker.open_video_requested.connect(self.open_video_dialog)
        self.source_picker.open_image_requested.connect(self.open_image_dialog)
        self.source_picker.sample_requested.connect(self.open_sample)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.source_picker, 1)
        top.addSpacing(12)
        for action in (self.act_screenshot, self.act_record):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            top.addWidget(button)
        top.addWidget(self.outputs.label)
        return top

    def _build_video_stack(self) -> QStackedWidget:
        """The video view, or the empty state."""
        self.video_view = VideoView()
        self.video_view.set_message("Loading the model...")
        self.video_view.clicked_at.connect(self._on_video_clicked)
        self.empty_state = EmptyState()
        self.empty_state.sample_requested.connect(self.open_sample)
        self.empty_state.video_requested.connect(self.open_video_dialog)
        self.empty_state.image_requested.connect(self.open_image_dialog)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.video_view)
        self.stack.addWidget(self.empty_state)
        return self.stack

    # state read-back --------------------------------------------------------------------
    @property
    def pipeline(self) -> FacePipeline | None:
        return self._pipeline

    @property
    def capture(self) -> CaptureThread | None:
        return self._capture

    @property
    def current_source(self) -> int | str | Path | None:
        return self._spec

    @property
    def options(self) -> LiveOptions:
        return self._options

    @property
    def is_recording(self) -> bool:
        return self.outputs.recorder is not None

    @property
    def recorder(self) -> CsvRecorder | None:
        return self.outputs.recorder

    def threads(self) -> list[CaptureThread]:
        """Capture threads this tab still holds (the running one and any being retired)."""
        return [t for t in [self._capture, *self._stopper.retired] if t is not None]

    # start-up ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the pipeline and look for cameras in the background; then open a source."""
        self._choose_initial_source()
        self._start_worker(self._camera_lister, self._on_cameras_listed, self._on_cameras_error)
        self._load_pipeline()

    def _start_worker(self, func: Callable[..., Any], on_returned: Callable[[Any], None],
                      on_errored: Callable[[BaseException], None], *args: Any) -> None:
        self._jobs.start(func, *args, on_returned=on_returned, on_errored=on_errored)

    def busy_workers(self) -> int:
        return len(self._jobs)

    def _load_pipeline(self) -> None:
        self._loading = True
        self.video_view.set_message("Loading the model...")
        self._start_worker(self._pipeline_factory, self._on_pipeline_loaded,
                           self._on_pipeline_error, self._model_dir, self._pipeline_options())

    def _choose_initial_source(self) -> None:
        spec = self._cli_source
        if spec is None:
            remembered = self._settings.source
            if isinstance(remembered, int) or (remembered and Path(remembered).exists()):
                spec = remembered
            elif remembered:
                self._notifier.info(f"The last source {remembered} is gone; choose another.")
        if spec is not None:
            self._spec = normalise_source(spec)
            self._settings.source = self._spec  # a command-line choice is remembered too
            self.source_picker.show_source(self._spec)

    def _on_pipeline_loaded(self, pipeline: FacePipeline) -> None:
        self._loading = False
        if self._closing or self._pipeline is not None:
            return  # a model chosen while the shipped one loaded stays in use
        self._pipeline = pipeline
        self.pipeline_ready.emit(pipeline.classifier)
        self._open_chosen_or_default()

    def _open_chosen_or_default(self) -> None:
        if self._spec is not None:
            self._start_capture()
        elif self._cameras is not None:
            self._open_default()
        else:
            self.video_view.set_message("Looking for cameras...")

    def _on_pipeline_error(self, exc: BaseException) -> None:
        self._loading = False
        message = f"The emotion model could not be loaded: {exc}"
        self.video_view.set_message(message + "\n\nUse File > Use model folder... to choose "
                                              "another model.")
        self._notifier.error(message, exc=exc, serious=True)
        self.pipeline_failed.emit(str(exc))

    def _on_cameras_listed(self, cameras: list[int]) -> None:
        self._cameras = list(cameras)
        self.source_picker.set_cameras(self._cameras)
        self.cameras_listed.emit(self._cameras)
        if self._pipeline is not None and self._spec is None:
            self._open_default()

    def _on_cameras_error(self, exc: BaseException) -> None:
        self._notifier.error(f"Looking for cameras failed: {exc}", exc=exc)
        self._on_cameras_listed([])

    def _open_default(self) -> None:
        if self._cameras:
            self.set_source(self._cameras[0])
        else:
            self.stack.setCurrentWidget(self.empty_state)
            self.source_picker.show_source(None)

    # sources ----------------------------------------------------------------------------
    def _ask_open_file(self, title: str, file_filter: str) -> str:
        """A file dialog (tests replace this method)."""
        path, _ = QFileDialog.getOpenFileName(self, title, self._settings.last_open_folder,
                                              file_filter)
        return path

    def open_video_dialog(self) -> None:
        self._open_file_dialog("Open a video", dialog_filter("Videos", VIDEO_SUFFIXES))

    def open_image_dialog(self) -> None:
        self._open_file_dialog("Open an image", dialog_filter("Images", IMAGE_SUFFIXES))

    def _open_file_dialog(self, title: str, file_filter: str) -> None:
        path = self._ask_open_file(title, file_filter)
        if path:
            self._settings.last_open_folder = str(Path(path).parent)
            self.set_source(path)

    def open_sample(self) -> None:
        try:
            path = resource_path(SAMPLE_NAME)
        except ResourceError as exc:
            self._notifier.error(str(exc), exc=exc)
            return
        self.set_source(path)

    def set_source(self, spec: int | str | Path, remember: bool = True) -> None:
        """Switch to this source: stop the current capture, start a new one."""
        spec = normalise_source(spec)
        self._spec = spec
        if remember:
            self._settings.source = spec
        self.source_picker.show_source(spec)
        self.stack.setCurrentWidget(self.video_view)
        self.banner.hide()
        if self._pipeline is None:
            if not self._loading:
                self.video_view.set_message("No model is loaded: use File > Use model folder...")
            return
        self._start_capture()

    def retry_source(self) -> None:
        if self._spec is not None:
            self.set_source(self._spec, remember=False)

    # capture ----------------------------------------------------------------------------
    def _pipeline_options(self, base: PipelineOptions | None = None) -> PipelineOptions:
        o = self._options
        base = base or (self._pipeline.options if self._pipeline is not None
                        else PipelineOptions())
        kind = source_kind(self._spec) if self._spec is not None else "camera"
        return options_for(kind, dataclasses.replace(base, detector=o.detector, smoothing=True,
                                                     smoothing_s=o.smoothing_s),
                           min_face_px=o.min_face_px or None)  # 0: Auto, the kind's default

    def _painter(self) -> OverlayPainter:
        return OverlayPainter(OverlayStyle(show_bars=self._options.show_bars))

    def _opener(self, spec: int | str | Path) -> Callable[[], FrameSource]:
        if isinstance(spec, int):
            return functools.partial(self._source_opener, spec)
        loop = False if is_image_path(spec) else self._options.loop_video
        return functools.partial(self._source_opener, spec, loop=loop)

    def _start_capture(self) -> None:
        self._stop_capture()
        spec = self._spec
        assert spec is not None and self._pipeline is not None
        # Options changed while the previous thread was exiting never reached it: apply them
        # here, with no thread running, before the new one starts.
        self._pipeline.set_options(self._pipeline_options())
        thread = CaptureThread(self._opener(spec), self._pipeline, self._painter(),
                               mirror=self._options.mirror, describe=describe_spec(spec),
                               speed=self.transport.speed,
                               every_frame=self.transport.every_frame)
        self._at_end = False
        self.transport.hide()
        self.transport.set_playing(True)
        self.act_play_pause.setEnabled(False)
        thread.opened.connect(functools.partial(self._on_opened, thread))
        thread.frame_ready.connect(functools.partial(self._on_frame_ready, thread))
        thread.ended.connect(functools.partial(self._on_ended, thread))
        thread.source_failed.connect(functools.partial(self._on_source_failed, thread))
        thread.recording_failed.connect(functools.partial(self._on_recording_failed, thread))
        thread.errored.connect(functools.partial(self._on_thread_errored, thread))
        if self.outputs.recorder is not None:
            thread.set_recorder(self.outputs.recorder)
        self._capture = thread
        self._last_id = -1
        self._last_output = None
        self.video_view.reset_ids()
        self.video_view.set_message(f"Opening {describe_spec(spec)}...")
        self.face_panel.clear()
        self.face_panel.set_video_time(is_video_path(spec))
        self.video_view.set_highlight(None)
        thread.start()

    def _stop_capture(self) -> None:
        thread, self._capture = self._capture, None
        if thread is not None:
            self._stopper.stop(thread)

    def _on_opened(self, thread: CaptureThread, description: str, is_live: bool,
                   still: bool) -> None:
        if thread is not self._capture:
            return
        kind = "camera" if is_live else ("image" if still else "file")
        self._notifier.info(f"Showing {kind} {description}")
        spec = self._spec
        self.source_shown.emit(describe_spec(spec) if spec is not None else description)
        if thread.seekable:
            self.transport.set_video(thread.frame_count, thread.fps)
            self.transport.show()
            self.act_play_pause.setEnabled(True)

    def _on_frame_ready(self, thread: CaptureThread, frame_id: int) -> None:
        if thread is not self._capture:
            return  # a late signal from a source we already left
        output = thread.take_latest()
        if output is None or output.frame_id <= self._last_id:
            return  # already painted a newer one (latest frame wins)
        self._last_id = output.frame_id
        self._last_output = output
        self.video_view.set_frame(output.annotated, output.frame_id)
        self.face_panel.show_result(output.result)
        self._show_highlight(output.result)
        if thread.seekable and thread.fps:
            # by time: frame numbers go on counting when a video loops, its time restarts
            self.transport.set_position(round(output.result.timestamp_s * thread.fps))
        self._frame_stats.add(output.latency_ms, output.interval_ms)
        self.frame_shown.emit(output)

    def _on_ended(self, thread: CaptureThread, frames: int) -> None:
        if thread is self._capture:
            self._at_end = True
            self.transport.set_playing(False)
            self._notifier.info(f"End of {thread.describe}: press Play to watch it again, "
                                "or tick Loop videos to play it again and again")

    def _on_source_failed(self, thread: CaptureThread, message: str) -> None:
        if thread is not self._capture:
            return
        text = f"Source problem: {message}"
        self.banner.show_message(text)
        if self._last_output is None:
            self.video_view.set_message("No picture from this source.\nPress Retry, or choose "
                                        "another source.")
        self._notifier.error(text)
        self.source_failed.emit(message)

    def _on_thread_errored(self, thread: CaptureThread, message: str, tb: str) -> None:
        if thread is not self._capture:
            return
        self.banner.show_message(message)
        self._notifier.error(message, serious=True, details=tb)

    # transport --------------------------------------------------------------------------
    def _on_play_shortcut(self) -> None:
        if self.transport.isVisible():
            self.transport.toggle()

    def _on_play_toggled(self, playing: bool) -> None:
        capture = self._capture
        if capture is None:
            return
        if playing and self._at_end:
            self._at_end = False
            capture.request_seek(0)  # play again from the start
        capture.set_paused(not playing)

    def _on_seek_requested(self, frame_index: int) -> None:
        if self._capture is not None:
            self._at_end = False
            self._capture.request_seek(frame_index)

    def _on_speed_changed(self, speed: float) -> None:
        if self._capture is not None:
            self._capture.request_playback(speed=speed)

    def _on_every_frame_changed(self, every_frame: bool) -> None:
        self._settings.every_frame = every_frame
        if self._capture is not None:
            self._capture.request_playback(every_frame=every_frame)

    # explain ----------------------------------------------------------------------------
    def explain_face(self) -> ExplainDialog | None:
        """Compute, off the GUI thread, which parts of the face shown made the answer, and
        show it (the Explain window). Returns the window, or None with no face to explain."""
        output, face = self._last_output, self.face_panel.current_face
        if self._pipeline is None or output is None or face is None or output.frame is None:
            self._notifier.info("No face to explain: wait for a face in the picture")
            return None
        if self.explain_dialog is None:
            self.explain_dialog = ExplainDialog(self)
        name = f"face #{face.track_id}" if face.track_id is not None else "the face"
        self.explain_dialog.show_busy(name)
        self.explain_dialog.show()
        self.explain_dialog.raise_()
        classifier = self._pipeline.classifier
        cached = self._explain_copy
        copy = cached[1] if cached is not None and cached[0] == id(classifier) else None
        self._explain_request += 1
        request = self._explain_request
        self._jobs.start(_explain_job, classifier, copy, output.frame, face.box,
                         self._pipeline.options.resolved_crop_scale(),
                         on_returned=functools.partial(self._on_explained, request, name,
                                                       id(classifier)),
                         on_errored=functools.partial(self._on_explain_failed, request))
        return self.explain_dialog

    def _on_explained(self, request: int, name: str, model_id: int, answer: Any) -> None:
        copy, explanation = answer
        self._explain_copy = (model_id, copy)
        if request == self._explain_request and self.explain_dialog is not None \
                and not self._closing:
            self.explain_dialog.show_result(name, explanation)

    def _on_explain_failed(self, request: int, exc: BaseException) -> None:
        if request == self._explain_request and self.explain_dialog is not None \
                and not self._closing:
            self.explain_dialog.show_error(f"The explanation could not be computed: {exc}")
            self._notifier.error(f"The explanation could not be computed: {exc}", exc=exc)

    # whole-file analysis ----------------------------------------------------------------
    def analyse_whole_file(self) -> FileAnalysisDialog | None:
        """Analyse the video on screen (or one the user picks) in the background.

        Opens a :class:`FileAnalysisDialog` with the progress and, at the end, the chart; the
        CSV goes to the output folder. Returns the dialog, or None when no video was chosen.
        """
        video = self._spec if is_video_path(self._spec) else None
        if video is None:
            path = self._ask_open_file("Analyse a video",
                                       dialog_filter("Videos", VIDEO_SUFFIXES))
            if not path:
                return None
            video = path
        video = Path(video)
        out_csv = analysis_csv_path(Path(self._settings.output_folder), video)
        make_pipeline = functools.partial(self._pipeline_factory, self._analysis_model_dir(),
                                          self._pipeline_options(PipelineOptions()))
        dialog = FileAnalysisDialog(video, out_csv, make_pipeline, self,
                                    numbers_only=self._settings.numbers_only)
        dialog.finished_analysis.connect(
            lambda result: self.saved_banner.show_saved("Analysis saved", result.csv_path))
        dialog.finished.connect(functools.partial(self._forget_dialog, dialog))
        self.analysis_dialogs.append(dialog)
        dialog.show()
        dialog.start()
        return dialog

    def _analysis_model_dir(self) -> Path | None:
        """The folder of the model in use (a model chosen later included)."""
        return getattr(getattr(self._pipeline, "classifier", None), "model_dir",
                       self._model_dir)

    def _forget_dialog(self, dialog: FileAnalysisDialog, *_args: Any) -> None:
        if dialog in self.analysis_dialogs and not dialog.running:
            self.analysis_dialogs.remove(dialog)
            dialog.deleteLater()

    # options ----------------------------------------------------------------------------
    def set_options(self, options: LiveOptions) -> None:
        """Apply and remember new options; a still image is processed again."""
        old, self._options = self._options, options
        self._settings.options = options
        self.options_box.set_options(options)  # signals blocked: no loop back here
        if self._pipeline is None:
            return
        pipeline_options = self._pipeline_options()
        painter = self._painter() if old.show_bars != options.show_bars else None
        if self._capture is not None and self._capture.isRunning():
            self._capture.request_options(pipeline_options, painter, options.mirror)
        else:
            self._pipeline.set_options(pipeline_options)
        if old.loop_video != options.loop_video and self._spec is not None \
                and not isinstance(self._spec, int) and not is_image_path(self._spec):
            self._notifier.info("Loop videos applies the next time a video is opened")

    # model hot swap ---------------------------------------------------------------------
    def set_classifier(self, classifier: Classifier) -> None:
        """Use this (already loaded and checked) classifier from the next frame on."""
        if self._pipeline is None:
            self._pipeline = FacePipeline.from_classifier(
                classifier, self._pipeline_options(PipelineOptions()))
            self.pipeline_ready.emit(classifier)
            if self._spec is not None or self._cameras is not None:
                self._open_chosen_or_default()
            return
        if self._capture is not None and self._capture.isRunning():
            self._capture.request_classifier(classifier)
        else:
            self._pipeline.set_classifier(classifier)

    # selection --------------------------------------------------------------------------
    def _on_video_clicked(self, x: float, y: float) -> None:
        output = self._last_output
        if output is None:
            return
        hit = [f for f in output.result.faces
               if f.box[0] <= x <= f.box[2] and f.box[1] <= y <= f.box[3]]
        track = min(hit, key=lambda f: f.area).track_id if hit else None
        self._select_face(track)

    def _select_face(self, track: int | None) -> None:
        self.face_panel.select_track(track)
        if self._last_output is not None:
            self._show_highlight(self._last_output.result)

    def _on_face_step(self, step: int) -> bool:
        """Tab / Shift+Tab on the video: the next face; False past the last (focus moves on)."""
        present = self.face_panel.present_tracks
        current = self.face_panel.current_face
        track = next_track(present, current.track_id if current is not None else None, step)
        if track is None:
            self._select_face(None)
            return False
        self._select_face(track)
        return True

    def _on_face_number(self, number: int) -> None:
        """A digit on the video: follow that face (0: the largest again)."""
        if number == 0:
            self._select_face(None)
        elif number in self.face_panel.present_tracks:
            self._select_face(number)
        else:
            self._notifier.info(f"No face #{number} in the picture now")

    def _show_highlight(self, result: Any) -> None:
        """Mark the followed face when there is a choice (several faces, or one chosen)."""
        face = self.face_panel.current_face
        if face is None or (len(result.faces) < 2 and self.face_panel.selected_track is None):
            self.video_view.set_highlight(None)
        else:
            self.video_view.set_highlight(tuple(float(v) for v in face.box))

    # screenshot and recording -----------------------------------------------------------
    def take_screenshot(self) -> Path | None:
        """Save the frame on screen (PNG + JSON sidecar); returns the PNG path or None."""
        return self.outputs.save_screenshot(self._last_output)

    def _on_record_toggled(self, checked: bool) -> None:
        if checked and not self.is_recording:
            self.start_recording()
        elif not checked and self.is_recording:
            self.stop_recording()

    def provenance(self) -> dict[str, str]:
        """The model in use (name, file, SHA-256) and the app version, for every record."""
        return provenance(getattr(self._pipeline, "classifier", None))

    def start_recording(self) -> Path | None:
        """Record every face of every frame to a new CSV file; returns its path or None."""
        if self._capture is None or not self._capture.isRunning():
            self._notifier.info("Choose a camera, a video or an image first: a recording "
                                "writes the faces of what is on screen")
            self._set_record_checked(False)
            return None
        recorder = self.outputs.start()
        if recorder is None:
            self._set_record_checked(False)
            return None
        if self._capture is not None:
            self._capture.set_recorder(recorder)
        return recorder.path

    def stop_recording(self) -> Path | None:
        """Finish the CSV file; returns its path (None when not recording)."""
        if self._capture is not None:
            self._capture.set_recorder(None)  # the thread lets go before the file closes
        path = self.outputs.stop()
        if path is not None and not self._closing:
            self.saved_banner.show_saved("Recording saved", path)
        return path

    # privacy ----------------------------------------------------------------------------
    def _on_blur_faces_toggled(self, on: bool) -> None:
        self._settings.blur_faces = on

    def _on_numbers_only_toggled(self, on: bool) -> None:
        self._settings.numbers_only = on
        if self.is_recording:
            self._notifier.info("No file paths applies to the next recording")

    def _saved_picture(self, output: CaptureOutput) -> Any:
        """The picture a screenshot saves: as shown, or with the faces pixelated (the overlay
        drawn again on top, so the labels stay readable)."""
        if not self._settings.blur_faces or output.frame is None:
            return output.annotated
        faces = output.result.faces
        return self._painter().draw(blur_faces(output.frame, faces), faces)

    # output folder ----------------------------------------------------------------------
    def open_output_folder(self) -> None:
        """Show the output folder in the file manager (created when missing)."""
        folder = Path(self._settings.output_folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._notifier.error(f"Cannot create the output folder {folder}: "
                                 f"{exc.strerror or exc}; choose another with File > Choose "
                                 "output folder...", exc=exc)
            return
        self._open_folder(folder)

    def _open_folder(self, folder: Path) -> None:
        """Open a folder in the file manager (tests replace ``open_in_file_manager``)."""
        if not self.folder_opener(folder):
            self._notifier.error(f"Could not open {folder} in a file manager; open it yourself")

    folder_opener = staticmethod(open_in_file_manager)

    def _on_recording_failed(self, thread: CaptureThread, message: str) -> None:
        if thread is self._capture and self.is_recording:
            self.outputs.stop(failure=message)

    def _on_recording_changed(self, recording: bool) -> None:
        self._set_record_checked(recording)
        self.recording_changed.emit(recording)

    def _set_record_checked(self, checked: bool) -> None:
        blocker = QSignalBlocker(self.act_record)
        self.act_record.setChecked(checked)
        self.act_record.setText("Stop &recording" if checked else "&Record CSV")
        del blocker

    # stats ------------------------------------------------------------------------------
    def _on_stats_timer(self) -> None:
        output = self._last_output
        capture = self._capture
        self.stats_updated.emit(self._frame_stats.take(
            faces=len(output.result.faces) if output is not None else 0,
            still=bool(output is not None and output.still),
            dropped=capture.dropped if capture is not None else 0,
            running=capture is not None and capture.isRunning()))

    # shutdown ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Finish the recording and stop every thread (window closing)."""
        self._closing = True
        for dialog in list(self.analysis_dialogs):
            dialog.stop()
            dialog.close()
        self.stop_recording()
        self._stats_timer.stop()
        self._stop_capture()
        self._stopper.shutdown()
        self._jobs.wait()  # a model still loading finishes quietly, not after its receivers
