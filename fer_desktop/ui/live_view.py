"""The Live tab: source picker, the annotated video, the face panel and the options.

It wires widgets to the core and holds no algorithm. The pipeline is built in a background
worker (the window is painted before the model is loaded), then a :class:`CaptureThread` runs
it on the chosen source. The tab keeps the latest processed frame for screenshots, hands a
``CsvRecorder`` to the capture thread while recording, and reports everything that goes wrong
through the window's :class:`Notifier`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.detectors import create_detector
from fer_desktop.core.export import CsvRecorder, ExportError, ScreenshotWriter
from fer_desktop.core.overlay import OverlayPainter, OverlayStyle
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES, list_cameras, open_source
from fer_desktop.resources import ResourceError, resource_path
from fer_desktop.ui.capture import CaptureOutput, CaptureThread
from fer_desktop.ui.face_panel import FacePanel
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.settings import AppSettings, LiveOptions
from fer_desktop.ui.video_view import VideoView

log = logging.getLogger("fer_desktop.ui")

STATS_INTERVAL_MS = 1000
STOP_TIMEOUT_MS = 5000
DETECTOR_LABELS = {"blazeface": "BlazeFace (fast, finds small faces)",
                   "haar": "Haar cascade (classic fallback)"}
SAMPLE_NAME = "sample.jpg"


def _dialog_filter(title: str, suffixes: frozenset[str]) -> str:
    patterns = " ".join(f"*{s}" for s in sorted(suffixes))
    return f"{title} ({patterns});;All files (*)"


def is_image_path(spec: int | str | Path) -> bool:
    return not isinstance(spec, int) and Path(spec).suffix.lower() in IMAGE_SUFFIXES


def describe_spec(spec: int | str | Path) -> str:
    """What the source picker shows for a source."""
    if isinstance(spec, int):
        return f"Camera {spec}"
    path = Path(spec)
    try:
        if path.resolve() == resource_path(SAMPLE_NAME, must_exist=False).resolve():
            return "Sample image"
    except OSError:
        pass
    return path.name or str(path)


@dataclass(frozen=True)
class LiveStats:
    """What the status bar shows, once a second.

    fps: frames painted per second over the last interval. latency_ms: mean time from a frame
    read to its annotated copy ready. interval_ms: mean time between processed frames. faces:
    in the latest frame. still: the source is a still image (fps means nothing then).
    dropped: frames replaced before they were painted, since the source opened.
    """

    fps: float = 0.0
    latency_ms: float | None = None
    interval_ms: float | None = None
    faces: int = 0
    still: bool = False
    dropped: int = 0
    running: bool = False


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
    """

    pipeline_ready = Signal(object)
    pipeline_failed = Signal(str)
    source_failed = Signal(str)
    frame_shown = Signal(object)
    stats_updated = Signal(object)
    recording_changed = Signal(bool)
    screenshot_saved = Signal(object)
    cameras_listed = Signal(object)

    def __init__(self, settings: AppSettings, notifier: Notifier, *,
                 source: int | str | Path | None = None, model_dir: Path | None = None,
                 detector: str | None = None,
                 pipeline_factory: Callable[..., Any] = FacePipeline.create,
                 source_opener: Callable[..., Any] = open_source,
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
        self._pipeline: Any = None
        self._loading = False
        self._cameras: list[int] | None = None
        self._capture: CaptureThread | None = None
        self._retired: list[CaptureThread] = []
        self._last_output: CaptureOutput | None = None
        self._last_id = -1
        self._jobs = BackgroundJobs()
        self._recorder: CsvRecorder | None = None
        self._record_started = 0.0
        self._interval_frames = 0
        self._interval_latency: list[float] = []
        self._interval_gaps: list[float] = []
        self._interval_t = time.monotonic()
        self._closing = False

        self._build_actions()
        self._build_ui()
        self._apply_options_to_widgets(options)

        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_INTERVAL_MS)
        self._stats_timer.timeout.connect(self._on_stats_timer)
        self._stats_timer.start()
        self._record_timer = QTimer(self)
        self._record_timer.setInterval(500)
        self._record_timer.timeout.connect(self._update_record_label)

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
                                              self.choose_output_folder)
        self.act_retry = self._action("Re&try source", "F5", "Open the current source again",
                                      self.retry_source)

    def _build_ui(self) -> None:
        # Top bar: source picker, screenshot, record.
        self.source_combo = QComboBox()
        self.source_combo.setMinimumContentsLength(22)
        self.source_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source_combo.setToolTip("Where the frames come from: a camera, a video, an image")
        self.source_combo.activated.connect(self._on_source_activated)
        self._fill_source_combo()

        self.screenshot_button = QToolButton()
        self.screenshot_button.setDefaultAction(self.act_screenshot)
        self.screenshot_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.record_button = QToolButton()
        self.record_button.setDefaultAction(self.act_record)
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.record_label = QLabel("")
        self.record_label.setToolTip("Time recorded so far")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        source_label = QLabel("&Source:")
        source_label.setBuddy(self.source_combo)
        top.addWidget(source_label)
        top.addWidget(self.source_combo, 1)
        top.addSpacing(12)
        top.addWidget(self.screenshot_button)
        top.addWidget(self.record_button)
        top.addWidget(self.record_label)

        # Error banner (source failed), with Retry.
        self.banner = QFrame()
        self.banner.setObjectName("sourceBanner")
        self.banner.setStyleSheet("#sourceBanner { background: #5c1f1f; border-radius: 4px; }"
                                  "#sourceBanner QLabel { color: #ffffff; }")
        self.banner_label = QLabel("")
        self.banner_label.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Open the source again (F5)")
        self.retry_button.clicked.connect(self.retry_source)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 10, 6)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.retry_button)
        self.banner.hide()

        # Video area: the view, or the empty state.
        self.video_view = VideoView()
        self.video_view.set_message("Loading the model...")
        self.video_view.clicked_at.connect(self._on_video_clicked)
        self.empty_state = self._build_empty_state()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.video_view)
        self.stack.addWidget(self.empty_state)

        video_column = QWidget()
        video_layout = QVBoxLayout(video_column)
        video_layout.setContentsMargins(0, 0, 0, 0)
        video_layout.addLayout(top)
        video_layout.addWidget(self.banner)
        video_layout.addWidget(self.stack, 1)

        # Side: face panel + options.
        self.face_panel = FacePanel()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.face_panel, 1)
        side_layout.addWidget(self._build_options())
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(300)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

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

    def _build_empty_state(self) -> QWidget:
        title = QLabel("No camera found and no source chosen")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel("Connect a camera and choose it in the Source list, or open a video or "
                      "an image file. The sample image shows what the app does without a "
                      "camera.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_sample_button = QPushButton("Show the sample image")
        self.empty_sample_button.setDefault(True)
        self.empty_sample_button.setToolTip("Open the sample image shipped with the app "
                                            "(Ctrl+E)")
        self.empty_sample_button.clicked.connect(self.open_sample)
        video = QPushButton("Open video...")
        video.setToolTip("Play a video file (Ctrl+O)")
        video.clicked.connect(self.open_video_dialog)
        image = QPushButton("Open image...")
        image.setToolTip("Analyse an image file (Ctrl+I)")
        image.clicked.connect(self.open_image_dialog)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.empty_sample_button, video, image):
            button.setMinimumWidth(150)
            buttons.addWidget(button)
        buttons.addStretch(1)

        card = QWidget()
        card.setMaximumWidth(620)
        inner = QVBoxLayout(card)
        inner.addWidget(title)
        inner.addWidget(text)
        inner.addSpacing(16)
        inner.addLayout(buttons)

        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        return page

    def _build_options(self) -> QGroupBox:
        box = QGroupBox("Options")
        self.detector_combo = QComboBox()
        for name, label in DETECTOR_LABELS.items():
            self.detector_combo.addItem(label, name)
        self.detector_combo.setToolTip("Face detector: BlazeFace is faster and finds small or "
                                       "turned faces; Haar is OpenCV's classic")
        self.bars_check = QCheckBox("Show bars next to faces")
        self.bars_check.setToolTip("Draw the seven probabilities beside each face in the video")
        self.smoothing_check = QCheckBox("Smooth over frames")
        self.smoothing_check.setToolTip("Average each face's probabilities over a few frames so "
                                        "labels do not flicker")
        self.mirror_check = QCheckBox("Mirror the camera")
        self.mirror_check.setToolTip("Flip camera frames left-right, like a mirror (files are "
                                     "shown as they are)")
        self.loop_check = QCheckBox("Loop videos")
        self.loop_check.setToolTip("Start a video again when it ends")
        self.min_face_spin = QSpinBox()
        self.min_face_spin.setRange(16, 480)
        self.min_face_spin.setSingleStep(8)
        self.min_face_spin.setSuffix(" px")
        self.min_face_spin.setToolTip("Ignore faces smaller than this (side of the box)")
        form = QFormLayout(box)
        form.addRow("Detector:", self.detector_combo)
        form.addRow("Minimum face:", self.min_face_spin)
        form.addRow(self.bars_check)
        form.addRow(self.smoothing_check)
        form.addRow(self.mirror_check)
        form.addRow(self.loop_check)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.detector_combo.currentIndexChanged.connect(self._on_option_widget_changed)
        self.min_face_spin.valueChanged.connect(self._on_option_widget_changed)
        for check in (self.bars_check, self.smoothing_check, self.mirror_check, self.loop_check):
            check.toggled.connect(self._on_option_widget_changed)
        return box

    def _apply_options_to_widgets(self, options: LiveOptions) -> None:
        widgets = (self.detector_combo, self.min_face_spin, self.bars_check,
                   self.smoothing_check, self.mirror_check, self.loop_check)
        blockers = [QSignalBlocker(w) for w in widgets]
        index = self.detector_combo.findData(options.detector)
        self.detector_combo.setCurrentIndex(max(0, index))
        self.min_face_spin.setValue(options.min_face_px)
        self.bars_check.setChecked(options.show_bars)
        self.smoothing_check.setChecked(options.smoothing)
        self.mirror_check.setChecked(options.mirror)
        self.loop_check.setChecked(options.loop_video)
        del blockers

    # state read-back --------------------------------------------------------------------
    @property
    def pipeline(self) -> Any:
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
        return self._recorder is not None

    @property
    def recorder(self) -> CsvRecorder | None:
        return self._recorder

    def threads(self) -> list[CaptureThread]:
        """Capture threads this tab still holds (the running one and any being retired)."""
        return [t for t in [self._capture, *self._retired] if t is not None]

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
            self._spec = int(spec) if isinstance(spec, str) and spec.isdigit() else spec
            self._settings.source = self._spec  # a command-line choice is remembered too
            self._select_in_combo(self._spec)

    def _on_pipeline_loaded(self, pipeline: Any) -> None:
        self._loading = False
        if self._closing or self._pipeline is not None:
            return  # a model chosen while the shipped one loaded stays in use
        self._pipeline = pipeline
        self.pipeline_ready.emit(pipeline.classifier)
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
        self._fill_source_combo()
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
            self._show_empty_state()

    def _show_empty_state(self) -> None:
        self.stack.setCurrentWidget(self.empty_state)
        self._select_in_combo(None)

    # source picker ----------------------------------------------------------------------
    def _fill_source_combo(self) -> None:
        blocker = QSignalBlocker(self.source_combo)
        combo = self.source_combo
        combo.clear()
        if self._cameras is None:
            combo.addItem("Looking for cameras...", ("none", None))
        elif not self._cameras:
            combo.addItem("No camera found", ("none", None))
        for index in self._cameras or []:
            combo.addItem(f"Camera {index}", ("camera", index))
        combo.insertSeparator(combo.count())
        combo.addItem("Open video...", ("open_video", None))
        combo.addItem("Open image...", ("open_image", None))
        combo.addItem("Sample image", ("sample", None))
        del blocker
        self._select_in_combo(self._spec)

    def _select_in_combo(self, spec: int | str | Path | None) -> None:
        combo = self.source_combo
        blocker = QSignalBlocker(combo)
        if spec is None:
            combo.setCurrentIndex(0)
        elif isinstance(spec, int):
            index = combo.findData(("camera", spec))
            if index < 0:
                combo.insertItem(0, f"Camera {spec}", ("camera", spec))
                index = 0
            combo.setCurrentIndex(index)
        else:
            data = ("file", str(spec))
            index = combo.findData(data)
            if index < 0:
                sep = next((i for i in range(combo.count()) if combo.itemData(i) is None),
                           combo.count())
                combo.insertItem(sep, describe_spec(spec), data)
                combo.setItemData(sep, str(spec), Qt.ItemDataRole.ToolTipRole)
                index = sep
            combo.setCurrentIndex(index)
        del blocker

    def _on_source_activated(self, index: int) -> None:
        data = self.source_combo.itemData(index)
        kind, value = data if isinstance(data, tuple) else ("none", None)
        if kind == "camera":
            self.set_source(int(value))
        elif kind == "file":
            self.set_source(value)
        elif kind == "open_video":
            self.open_video_dialog()
        elif kind == "open_image":
            self.open_image_dialog()
        elif kind == "sample":
            self.open_sample()
        self._select_in_combo(self._spec)  # dialogs cancelled: show what really plays

    def _ask_open_file(self, title: str, file_filter: str) -> str:
        """A file dialog (tests replace this method)."""
        path, _ = QFileDialog.getOpenFileName(self, title, self._settings.last_open_folder,
                                              file_filter)
        return path

    def open_video_dialog(self) -> None:
        path = self._ask_open_file("Open a video", _dialog_filter("Videos", VIDEO_SUFFIXES))
        if path:
            self._settings.last_open_folder = str(Path(path).parent)
            self.set_source(path)

    def open_image_dialog(self) -> None:
        path = self._ask_open_file("Open an image", _dialog_filter("Images", IMAGE_SUFFIXES))
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
        if isinstance(spec, str) and spec.strip().isdigit():
            spec = int(spec)
        self._spec = spec
        if remember:
            self._settings.source = spec
        self._select_in_combo(spec)
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
        return dataclasses.replace(base, detector=o.detector, min_face_px=o.min_face_px,
                                   smoothing=o.smoothing)

    def _painter(self) -> OverlayPainter:
        return OverlayPainter(OverlayStyle(show_bars=self._options.show_bars))

    def _opener(self, spec: int | str | Path) -> Callable[[], Any]:
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
                               mirror=self._options.mirror, describe=describe_spec(spec))
        thread.opened.connect(functools.partial(self._on_opened, thread))
        thread.frame_ready.connect(functools.partial(self._on_frame_ready, thread))
        thread.ended.connect(functools.partial(self._on_ended, thread))
        thread.source_failed.connect(functools.partial(self._on_source_failed, thread))
        thread.recording_failed.connect(functools.partial(self._on_recording_failed, thread))
        thread.errored.connect(functools.partial(self._on_thread_errored, thread))
        if self._recorder is not None:
            thread.set_recorder(self._recorder)
        self._capture = thread
        self._last_id = -1
        self._last_output = None
        self.video_view.reset_ids()
        self.video_view.set_message(f"Opening {describe_spec(spec)}...")
        self.face_panel.clear()
        thread.start()

    def _stop_capture(self) -> None:
        thread, self._capture = self._capture, None
        if thread is None:
            return
        thread.set_recorder(None)
        thread.stop()
        if not thread.wait(STOP_TIMEOUT_MS):
            # A camera driver stuck in read(): keep the object alive until it finishes, so
            # Qt never destroys a running thread.
            log.warning("capture thread for %s still running after %d ms; retiring it",
                        thread.describe, STOP_TIMEOUT_MS)
            self._retired.append(thread)
            thread.finished.connect(functools.partial(self._on_retired_finished, thread))

    def _on_retired_finished(self, thread: CaptureThread) -> None:
        if thread in self._retired:
            self._retired.remove(thread)

    def _on_opened(self, thread: CaptureThread, description: str, is_live: bool,
                   still: bool) -> None:
        if thread is not self._capture:
            return
        kind = "camera" if is_live else ("image" if still else "file")
        self._notifier.info(f"Showing {kind} {description}")

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
        self._interval_frames += 1
        self._interval_latency.append(output.latency_ms)
        if output.interval_ms is not None:
            self._interval_gaps.append(output.interval_ms)
        self.frame_shown.emit(output)

    def _on_ended(self, thread: CaptureThread, frames: int) -> None:
        if thread is self._capture:
            self._notifier.info(f"End of {thread.describe} ({frames} frames); "
                                "tick Loop videos to play it again and again")

    def _on_source_failed(self, thread: CaptureThread, message: str) -> None:
        if thread is not self._capture:
            return
        text = f"Source problem: {message}"
        self.banner_label.setText(text)
        self.banner.show()
        if self._last_output is None:
            self.video_view.set_message("No picture from this source.\nPress Retry, or choose "
                                        "another source.")
        self._notifier.error(text)
        self.source_failed.emit(message)

    def _on_thread_errored(self, thread: CaptureThread, message: str, tb: str) -> None:
        if thread is not self._capture:
            return
        self.banner_label.setText(message)
        self.banner.show()
        self._notifier.error(message, serious=True, details=tb)

    # options ----------------------------------------------------------------------------
    def _on_option_widget_changed(self, *_args: Any) -> None:
        options = LiveOptions(detector=str(self.detector_combo.currentData()),
                              show_bars=self.bars_check.isChecked(),
                              smoothing=self.smoothing_check.isChecked(),
                              mirror=self.mirror_check.isChecked(),
                              min_face_px=self.min_face_spin.value(),
                              loop_video=self.loop_check.isChecked())
        self.set_options(options)

    def set_options(self, options: LiveOptions) -> None:
        """Apply and remember new options; a still image is processed again."""
        old, self._options = self._options, options
        self._settings.options = options
        self._apply_options_to_widgets(options)  # signals blocked: no loop back here
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
    def set_classifier(self, classifier: Any) -> None:
        """Use this (already loaded and checked) classifier from the next frame on."""
        if self._pipeline is None:
            options = self._pipeline_options(PipelineOptions())
            detector = create_detector(options.detector, min_face_px=options.min_face_px,
                                       score_threshold=options.score_threshold,
                                       num_threads=options.num_threads)
            self._pipeline = FacePipeline(classifier, detector, options)
            self.pipeline_ready.emit(classifier)
            if self._spec is not None:
                self._start_capture()
            elif self._cameras is not None:
                self._open_default()
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
        self.face_panel.select_track(track)
        self.face_panel.show_result(output.result)

    # screenshot -------------------------------------------------------------------------
    def _ask_folder(self, title: str) -> str:
        """A folder dialog (tests replace this method)."""
        return QFileDialog.getExistingDirectory(self, title, str(self._settings.output_folder))

    def choose_output_folder(self) -> None:
        folder = self._ask_folder("Where should screenshots and recordings go?")
        if folder:
            self._settings.output_folder = folder
            self._notifier.info(f"Screenshots and recordings go to {folder}")

    def _writable_folder_or_ask(self, make: Callable[[Path], Any], what: str) -> Any:
        """Call ``make(folder)``; when the folder cannot be written, say so and ask for another.

        Returns make's result, or None when the user gives up.
        """
        folder = self._settings.output_folder
        while True:
            try:
                return make(folder)
            except ExportError as exc:
                self._notifier.error(f"Cannot save the {what}: {exc}", exc=exc, serious=True)
                chosen = self._ask_folder(f"{folder} cannot be written: choose another folder")
                if not chosen:
                    return None
                folder = Path(chosen)
                self._settings.output_folder = folder

    def take_screenshot(self) -> Path | None:
        """Save the frame on screen (PNG + JSON sidecar); returns the PNG path or None."""
        output = self._last_output
        if output is None:
            self._notifier.info("Nothing to save yet: no frame has been shown")
            return None

        def save(folder: Path) -> Path:
            return ScreenshotWriter(folder).save(output.annotated, output.result, output.source)

        path = self._writable_folder_or_ask(save, "screenshot")
        if path is not None:
            self._notifier.info(f"Screenshot saved to {path}", timeout_ms=10000)
            self.screenshot_saved.emit(path)
        return path

    # recording --------------------------------------------------------------------------
    def _on_record_toggled(self, checked: bool) -> None:
        if checked and self._recorder is None:
            self.start_recording()
        elif not checked and self._recorder is not None:
            self.stop_recording()

    def start_recording(self) -> Path | None:
        if self._recorder is not None:
            return self._recorder.path

        def make(folder: Path) -> CsvRecorder:
            ScreenshotWriter(folder)  # the same folder check, before creating a file
            stem = dt.datetime.now().strftime("fer-%Y%m%d-%H%M%S")
            path = folder / f"{stem}.csv"
            n = 2
            while path.exists():
                path = folder / f"{stem}-{n}.csv"
                n += 1
            return CsvRecorder(path, with_source=True)

        recorder = self._writable_folder_or_ask(make, "recording")
        if recorder is None:
            self._set_record_checked(False)
            return None
        self._recorder = recorder
        self._record_started = time.monotonic()
        if self._capture is not None:
            self._capture.set_recorder(recorder)
        self._set_record_checked(True)
        self._record_timer.start()
        self._update_record_label()
        self._notifier.info(f"Recording to {recorder.path}")
        self.recording_changed.emit(True)
        return recorder.path

    def stop_recording(self) -> Path | None:
        """Finish the CSV file; returns its path (None when not recording)."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        if self._capture is not None:
            self._capture.set_recorder(None)
        recorder.close()
        self._record_timer.stop()
        self.record_label.setText("")
        self._set_record_checked(False)
        self._notifier.info(f"Recording saved to {recorder.path} ({recorder.rows} rows)",
                            timeout_ms=10000)
        self.recording_changed.emit(False)
        return recorder.path

    def _on_recording_failed(self, thread: CaptureThread, message: str) -> None:
        if thread is self._capture and self._recorder is not None:
            self._notifier.error(message, serious=True)
            recorder, self._recorder = self._recorder, None
            recorder.close()
            self._record_timer.stop()
            self.record_label.setText("")
            self._set_record_checked(False)
            self.recording_changed.emit(False)

    def _set_record_checked(self, checked: bool) -> None:
        blocker = QSignalBlocker(self.act_record)
        self.act_record.setChecked(checked)
        self.act_record.setText("Stop &recording" if checked else "&Record CSV")
        del blocker

    def _update_record_label(self) -> None:
        if self._recorder is None:
            return
        seconds = int(time.monotonic() - self._record_started)
        self.record_label.setText(f"\u25cf REC {seconds // 60:02d}:{seconds % 60:02d}")
        self.record_label.setStyleSheet("color: #e04040; font-weight: bold;")

    # stats ------------------------------------------------------------------------------
    def _on_stats_timer(self) -> None:
        now = time.monotonic()
        elapsed = max(1e-6, now - self._interval_t)
        output = self._last_output
        running = self._capture is not None and self._capture.isRunning()
        stats = LiveStats(
            fps=self._interval_frames / elapsed,
            latency_ms=(sum(self._interval_latency) / len(self._interval_latency)
                        if self._interval_latency else None),
            interval_ms=(sum(self._interval_gaps) / len(self._interval_gaps)
                         if self._interval_gaps else None),
            faces=len(output.result.faces) if output is not None else 0,
            still=bool(output is not None and output.still),
            dropped=self._capture.dropped if self._capture is not None else 0,
            running=running)
        self._interval_t = now
        self._interval_frames = 0
        self._interval_latency.clear()
        self._interval_gaps.clear()
        self.stats_updated.emit(stats)

    # shutdown ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Finish the recording and stop every thread (window closing)."""
        self._closing = True
        self.stop_recording()
        self._stats_timer.stop()
        self._stop_capture()
        for thread in list(self._retired):
            thread.stop()
            thread.wait(STOP_TIMEOUT_MS)
        self._retired = [t for t in self._retired if t.isRunning()]
