"""The Live tab: the annotated video, the face panel, and the wiring between its parts.

It holds no algorithm: its parts live beside it (``docs/architecture.md`` lists them). The
pipeline is built in a background worker (the window is painted before the model is loaded),
then a :class:`CaptureThread` runs it on the chosen source."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from fer_desktop.core.export import CsvRecorder
from fer_desktop.core.file_analysis import analysis_csv_path, pipeline_running
from fer_desktop.core.frame_stats import FrameStats
from fer_desktop.core.image_size import size_note
from fer_desktop.core.model import Classifier, EmotionClassifier
from fer_desktop.core.overlay import OverlayPainter, OverlayStyle
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.source_defaults import defaults_for, min_face_worth_naming, source_kind
from fer_desktop.core.sources import (
    FrameSource,
    is_image_path,
    is_video_path,
    list_cameras,
    normalise_source,
    open_source,
    source_name,
)
from fer_desktop.ui.capture import CaptureOutput, CaptureThread
from fer_desktop.ui.collect_panel import CollectPanel
from fer_desktop.ui.empty_state import EmptyState, SourceBanner
from fer_desktop.ui.explain_view import ExplainDialog
from fer_desktop.ui.explaining import FaceExplainer
from fer_desktop.ui.face_panel import FacePanel
from fer_desktop.ui.face_selection import FaceSelection
from fer_desktop.ui.file_analysis_dialog import AnalysisDialogs, FileAnalysisDialog
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.live_actions import live_actions
from fer_desktop.ui.live_layout import column, pin_to_bottom, stacked, top_bar, video_beside_panel
from fer_desktop.ui.live_options import LiveOptions, OptionsBox
from fer_desktop.ui.live_startup import LiveStartup, pipeline_failure_words
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.playback import PlaybackControls
from fer_desktop.ui.recording import OutputControls, kind_of
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.side_scroll import SidePanelScroll
from fer_desktop.ui.slideshow_status import SlideshowStatus
from fer_desktop.ui.source_picker import LOOKING, SourcePicker, describe_spec, showing
from fer_desktop.ui.source_trouble import SourceTrouble
from fer_desktop.ui.thread_stopper import ThreadStopper
from fer_desktop.ui.video_view import VideoView
from fer_desktop.ui.wheel_guard import guard_wheel

STATS_INTERVAL_MS = 1000
SLIDESHOW_SECONDS = 3.0  # a folder's pictures, one at a time: time to read the bars


class LiveView(QWidget):
    """The Live tab; see the module docstring.

    Args:
        settings, notifier: the remembered source, options and folders; where messages go.
        source, detector: instead of the remembered ones (command line).
        model_dir: the model folder (None: the shipped model).
        pipeline_factory, source_opener, camera_lister: the core functions, injectable for
            tests (a fake source, a stub classifier).

    Signals:
        pipeline_ready(object): the pipeline loaded; carries its classifier.
        pipeline_failed(str): the model could not be loaded at start (none other in use).
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
        self._source_opener = source_opener
        options = settings.options
        if detector:
            options = dataclasses.replace(options, detector=detector)
        self._options = options
        self._spec: int | str | Path | None = None
        self._pictures = False  # the source is a photo or a folder (OverlayPainter.same_look)
        self._remember: int | str | Path | None = None  # saved in the settings once it opens
        self._pipeline: FacePipeline | None = None
        self._classifier: Classifier | None = None  # the last chosen, for the next thread too
        self._capture: CaptureThread | None = None
        self._stopper = ThreadStopper(parent=self)
        self._last_output: CaptureOutput | None = None
        self._last_id = -1
        self._jobs = BackgroundJobs()
        self._frame_stats = FrameStats()
        self._closing = False
        self.slideshow = SlideshowStatus(notifier, self)
        self.slideshow.caption_shown.connect(lambda caption: self.source_shown.emit(
            f"{caption} \u2013 {describe_spec(self._spec or '')}"))  # the window title
        self.analyses = AnalysisDialogs(  # a file that cannot be analysed: a dialog (trial 13)
            lambda path: self.outputs.show_saved("Analysis saved", path), self,
            lambda text: notifier.error(text, serious=True), notifier.info, notifier.error)

        self.outputs = OutputControls(settings, notifier, self, lambda: self._last_output)
        self.outputs.bind(lambda: self._pipeline.classifier if self._pipeline else None,
                          self._painter,
                          lambda: self._capture is not None and self._capture.isRunning(),
                          lambda: source_name(self._spec), lambda: not self.transport.playing)
        self.explainer = FaceExplainer(notifier, self._jobs, self)
        self.explainer.save_requested.connect(
            lambda dialog: self.outputs.save_explanation(dialog.png_bytes, dialog.details()))
        self.source_picker = SourcePicker(settings, notifier)
        self.source_picker.chosen.connect(self.set_source)
        self.source_picker.look_for_cameras.connect(self._look_for_cameras)
        self.startup = LiveStartup(settings, notifier, self._jobs, self.source_picker,
                                   cli_source=source, model_dir=model_dir,
                                   pipeline_factory=pipeline_factory,
                                   camera_lister=camera_lister, parent=self)
        self.startup.pipeline_loaded.connect(self._on_pipeline_loaded)
        self.startup.pipeline_errored.connect(self._on_pipeline_error)
        self.startup.cameras_listed.connect(self._on_cameras_listed)
        self.startup.remembered_found.connect(self._on_remembered_found)
        o = self.outputs
        self.act_screenshot, self.act_record, self.act_output_folder = (
            o.act_screenshot, o.act_record, o.act_output_folder)
        self.act_open_output_folder, self.act_blur_faces, self.act_numbers_only = (
            o.act_open_output_folder, o.act_blur_faces, o.act_numbers_only)
        self.outputs.recording_changed.connect(self.recording_changed)
        self.outputs.recorder_changed.connect(self._on_recorder_changed)
        self.outputs.screenshot_saved.connect(self.screenshot_saved)
        live_actions(self, SLIDESHOW_SECONDS)  # act_open_video... (live_actions.py)
        self._build_ui()
        self._sync_frame_actions()

        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_INTERVAL_MS)
        self._stats_timer.timeout.connect(self._on_stats_timer)
        self._stats_timer.start()

    # construction -----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.banner = SourceBanner()
        self.banner.retry_clicked.connect(self.retry_source)
        self.video_view = VideoView()
        self.video_view.highlight_scale = self._options.label_scale
        self.video_view.set_message("Loading the model...")
        self.video_view.zoomed.connect(lambda: self._capture and self._capture.request_redraw())
        self.empty_state = EmptyState()
        self.empty_state.sample_requested.connect(self.source_picker.open_sample)
        self.empty_state.video_requested.connect(self.source_picker.open_video_dialog)
        self.empty_state.image_requested.connect(self.source_picker.open_image_dialog)
        self.empty_state.folder_requested.connect(self.source_picker.open_folder_dialog)
        self.stack = stacked(self.video_view, self.empty_state)
        self.trouble = SourceTrouble(self.banner, self.video_view, self.empty_state, self.stack,
                                     self.source_picker, self._notifier, self.act_retry, self)
        self.playback = PlaybackControls(self._settings, self.video_view, self)
        self.transport, self.act_play_pause = self.playback.bar, self.playback.act_play_pause
        self.transport.analyse_requested.connect(self.analyse_whole_file)
        self.playback.said.connect(self._notifier.info)  # "Resumed at 12:34, where..."
        self.playback.end_left.connect(self._notifier.withdraw)
        self.transport.seek_requested.connect(lambda _: self.slideshow.reset())  # named again

        self.face_panel = FacePanel()
        self.face_panel.set_min_face(min_face_worth_naming(self._options.min_face_px))
        self.face_panel.explain_requested.connect(self.explain_face)
        self.face_panel.explain_available.connect(self.act_explain.setEnabled)  # none yet:
        self.act_explain.setEnabled(self.face_panel.explain_button.isEnabled())  # off
        self.options_box = OptionsBox(self._options)
        self.options_box.changed.connect(self.set_options)
        self.collect_panel = CollectPanel(self._settings, self._notifier,
                                          lambda: (self._last_output, self._options.detector,
                                                   self.face_panel.chosen_face))
        self.face_selection = FaceSelection(
            self.video_view, self.face_panel, self._notifier,
            lambda: self._last_output.result if self._last_output is not None else None, self,
            collect_box=self.collect_panel.active,  # a click on the bars picks their face
            panel_boxes=lambda: getattr(self._last_output, "panel_boxes", ()),
            label_boxes=lambda: getattr(self._last_output, "label_boxes", ()),
            label_box=lambda *face_in_frame: self._painter().label_box(*face_in_frame))
        self.addActions(self.collect_panel.actions)

        top = top_bar(self.source_picker, [self.act_screenshot, self.act_record],
                      [self.outputs.label, self.collect_panel.indicator])
        video_column = column(top, self.banner, (self.stack, 1), self.transport)
        pin_to_bottom(self.outputs.saved_banner, self.stack, self.video_view)  # over the video
        # The answer (heading, bars) stays in view; the timeline, options and Collect under
        # it scroll, as wide as they need (no sideways scrolling): changing an option scrolled
        # the answer it changes out of sight.
        below = column((self.face_panel.take_timeline(), 1), self.options_box, self.collect_panel)
        below.layout().addStretch(0)  # what a still picture's short timeline leaves, at the end
        self.side_scroll = SidePanelScroll(below)
        guard_wheel(below)  # the wheel scrolls the panel, not the setting under the pointer
        side = column(self.face_panel, (self.side_scroll, 1))
        self.splitter = video_beside_panel(video_column, side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

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

    # start-up (what is known while it starts: live_startup.py) -------------------------
    def start(self, open_source: bool = True) -> None:
        """Load the pipeline and look for cameras in the background; then open a source,
        or (``open_source`` False: the window opens on another tab) wait for :meth:`shown`."""
        spec = self.startup.first_source()
        if spec is not None:  # remembered once it opens (a command-line choice too)
            self._spec = self._remember = spec
            self.source_picker.show_source(spec)
        self.startup.start(open_source, self._pipeline_options())  # for that source's kind
        self.video_view.set_message("Loading the model...")

    def busy_workers(self) -> int:
        return len(self._jobs)

    def _on_pipeline_loaded(self, pipeline: FacePipeline) -> None:
        if self._closing or self._pipeline is not None:
            return  # a model chosen while the shipped one loaded stays in use
        self._pipeline = pipeline
        self.pipeline_ready.emit(pipeline.classifier)
        self._open_chosen_or_default()

    def shown(self) -> None:
        """The tab is on screen: open the source that :meth:`start` kept waiting."""
        if self.startup.shown() and self._pipeline is not None:
            self._open_chosen_or_default()

    def _open_chosen_or_default(self) -> None:
        if self.startup.waiting_to_be_shown:
            return
        if self._spec is not None:
            self._start_capture()
        elif self.startup.looking_up:
            self.video_view.set_message(f"Looking for {describe_spec(self._settings.source)}...")
        elif self.startup.cameras is not None:
            self._open_default()
        else:
            self.video_view.set_message(LOOKING)

    def _on_pipeline_error(self, exc: BaseException) -> None:
        message, shown = pipeline_failure_words(exc)
        if self._pipeline is not None:  # one chosen while it loaded works: not "none loaded"
            return self._notifier.error(f"{message} The model in use stays.", exc=exc)
        self.video_view.set_message(shown)
        self._notifier.error(message, exc=exc, serious=True)
        self.pipeline_failed.emit(str(exc))

    def _on_remembered_found(self, spec: int | str | Path | None) -> None:
        if self._closing or self._spec is not None:
            return  # the user chose a source while it was looked for: theirs stays
        if spec is not None:
            self._spec = self._remember = spec
            self.source_picker.show_source(spec)
        if self._pipeline is not None:
            self._open_chosen_or_default()

    def _on_cameras_listed(self, cameras: list[int]) -> None:
        self.cameras_listed.emit(cameras)
        if self._pipeline is not None and self._spec is None and not self._closing:
            self._open_chosen_or_default()

    def _open_default(self) -> None:
        if self.startup.cameras:
            self.set_source(self.startup.cameras[0])
        else:
            self.empty_state.show_reason(*self.startup.gone_reason())
            self.stack.setCurrentWidget(self.empty_state)
            self.source_picker.show_source(None)
            self.act_retry.setEnabled(True)  # F5 looks for a camera connected since

    # sources ----------------------------------------------------------------------------
    def set_source(self, spec: int | str | Path, remember: bool = True) -> None:
        """Switch to this source: stop the current capture, start a new one."""
        spec = normalise_source(spec)
        self._spec = spec
        self.startup.waiting_to_be_shown = False  # chosen by the user (a menu on another tab)
        if remember:  # once it opens (a Retry that works remembers it too)
            self._remember = spec
        self.source_picker.show_source(spec)
        self.stack.setCurrentWidget(self.video_view)
        self.trouble.clear()
        self.outputs.saved_banner.hide()  # it named a file of the source before
        if self._pipeline is None:
            if not self.startup.loading:
                self.video_view.set_message("No model is loaded: use File > Use model folder...")
            return
        self._start_capture()

    def retry_source(self) -> None:
        """Open the source again; the last launch's, where it was not found (its drive
        connected since: F5 looked for cameras, review 66); else look for cameras."""
        if self._spec is not None:
            self.set_source(self._spec, remember=False)
        elif self.startup.gone is not None:
            self.set_source(self.startup.gone)
        else:
            self._look_for_cameras()

    def _look_for_cameras(self) -> None:
        capture = self._capture
        delivering = capture is not None and capture.isRunning()
        self.startup.look_for_cameras(
            self._spec, self._spec if isinstance(self._spec, int) and delivering else None)

    # capture ----------------------------------------------------------------------------
    def _pipeline_options(self, base: PipelineOptions | None = None,
                          kind: str | None = None) -> PipelineOptions:
        base = base or (self._pipeline.options if self._pipeline is not None
                        else PipelineOptions())
        kind = kind or (source_kind(self._spec) if self._spec is not None else "camera")
        return self._options.pipeline_options(base, kind)

    def _painter(self) -> OverlayPainter:
        return OverlayPainter(OverlayStyle(show_bars=self._options.show_bars,
                                           label_scale=self._options.label_scale),
                              self.video_view.zoom, same_look=self._pictures)

    def _opener(self, spec: int | str | Path) -> Callable[[], FrameSource]:
        if isinstance(spec, int):
            return functools.partial(self._source_opener, spec)
        loop = False if is_image_path(spec) else self._options.loop_video
        return functools.partial(self._source_opener, spec, loop=loop,
                                 seconds_per_image=SLIDESHOW_SECONDS)  # used by a folder

    def _start_capture(self) -> None:
        self._stop_capture()
        spec = self._spec
        assert spec is not None and self._pipeline is not None
        if self._stopper.retired:  # one still inside the pipeline: not shared with it (its
            self._pipeline = FacePipeline.from_classifier(  # detector, tracker; review 48)
                self._pipeline.classifier, self._pipeline_options())
        # what the previous thread, exiting, never took (new options, a model) applies here
        self._pipeline.set_options(self._pipeline_options())
        if self._classifier is not None and self._pipeline.classifier is not self._classifier:
            self._pipeline.set_classifier(self._classifier)
        kind = source_kind(spec)
        self._pictures = kind == "image"  # a photo or a folder's: faces of one size look alike
        self.options_box.show_auto_min_face(defaults_for(kind).min_face_px)
        thread = CaptureThread(self._opener(spec), self._pipeline, self._painter(),
                               mirror=self._options.mirror, describe=describe_spec(spec),
                               speed=self.transport.speed, every_frame=self.transport.every_frame)
        self.playback.attach(thread, spec)
        thread.opened.connect(functools.partial(self._on_opened, thread))
        thread.frame_ready.connect(functools.partial(self._on_frame_ready, thread))
        thread.ended.connect(functools.partial(self._on_ended, thread))
        thread.source_failed.connect(functools.partial(self._on_source_failed, thread))
        thread.recording_failed.connect(functools.partial(self._on_recording_failed, thread))
        thread.errored.connect(functools.partial(self._on_thread_errored, thread))
        thread.note.connect(functools.partial(self._on_note, thread))
        self.slideshow.reset()
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
        self._sync_frame_actions()
        thread.start()

    def _stop_capture(self) -> None:
        thread, self._capture = self._capture, None
        if thread is not None:
            self.playback.detach()
            self._stopper.stop(thread)

    def _on_opened(self, thread: CaptureThread, description: str, is_live: bool,
                   still: bool) -> None:
        if thread is not self._capture:
            return
        kind = "folder" if thread.slideshow else kind_of(is_live, still)
        self._notifier.info(showing(self._spec, kind, description))
        self.trouble.clear()
        spec = self._spec
        if still and spec is not None and is_image_path(spec):  # its header: off this thread
            self._jobs.start(size_note, spec, on_returned=functools.partial(
                self._on_size_note, thread, Path(description).name), on_errored=lambda e: None)
        if spec is not None:
            self.source_picker.opened(spec, remember=spec == self._remember)
        self.source_shown.emit(describe_spec(spec) if spec is not None else description)
        self.playback.on_opened(thread)
        self.face_panel.set_still(still or thread.slideshow)

    def _on_note(self, thread: CaptureThread, text: str) -> None:
        if thread is self._capture:
            self.slideshow.note(text)

    def _on_size_note(self, thread: CaptureThread, name: str, note: str) -> None:
        if note and thread is self._capture:  # the name, not the path: the bar cut the size
            self._notifier.info(f"{name}: {note}", timeout_ms=20000)  # out of the middle

    def _on_frame_ready(self, thread: CaptureThread, frame_id: int) -> None:
        if thread is not self._capture:
            return  # a late signal from a source we already left
        output = thread.take_latest()
        if output is None or output.frame_id <= self._last_id:
            return  # already painted a newer one (latest frame wins)
        shown = self._last_output
        self._last_id, self._last_output = output.frame_id, output
        self.slideshow.frame(thread, output)  # names a new picture (status bar, title)
        self.video_view.set_frame(output.annotated, output.frame_id)
        self.face_panel.show_result(output.result)
        self.options_box.show_auto_min_face(output.result.min_face_px or None)  # this width's
        self.face_selection.show_highlight(output.result)
        self.playback.on_frame(thread, output.result.timestamp_s)
        self._frame_stats.add(output.latency_ms, output.interval_ms)
        self._sync_frame_actions()
        if shown is None or len(shown.result.faces) != len(output.result.faces):
            self._on_stats_timer(restart=False)  # the count with the boxes, not up to 1 s late
        self.frame_shown.emit(output)

    def _on_ended(self, thread: CaptureThread, frames: int) -> None:
        if thread is self._capture:
            self.playback.on_ended(thread, self.slideshow.take_notes())  # status bar

    def _on_source_failed(self, thread: CaptureThread, message: str, retryable: bool) -> None:
        if thread is not self._capture:
            return
        self.trouble.source_failed(self._spec, thread.describe, self._last_output is not None,
                                   message, retryable)
        self.outputs.source_lost()
        self.source_failed.emit(message)

    def _on_thread_errored(self, thread: CaptureThread, message: str, tb: str) -> None:
        if thread is not self._capture:
            return
        self.trouble.thread_errored(message, tb)
        self.outputs.source_lost()

    def _sync_frame_actions(self) -> None:
        """Offer only what can be done now (Explain follows the panel: explain_available)."""
        self.outputs.set_available()

    # explain ----------------------------------------------------------------------------
    def explain_face(self) -> ExplainDialog | None:
        """Why the face shown got its answer (off the GUI thread); None with no face."""
        return self.explainer.explain(self._pipeline, self._last_output,
                                      self.face_panel.current_face)

    # whole-file analysis ----------------------------------------------------------------
    def analyse_whole_file(self) -> FileAnalysisDialog | None:
        """Analyse the video on screen (or one the user picks) in the background: its
        :class:`FileAnalysisDialog` (progress, chart, CSV); None when no video was chosen."""
        video = self.source_picker.video_to_analyse(self._spec)
        if not video:
            return None
        video = Path(video)
        options = self._pipeline_options(PipelineOptions(), "video")
        classifier = self._classifier or (self._pipeline and self._pipeline.classifier)
        make_pipeline = functools.partial(pipeline_running, classifier, options) \
            if isinstance(classifier, EmotionClassifier) else functools.partial(
                self.startup.pipeline_factory, self.startup.model_dir, options)
        hidden = self._settings.numbers_only  # "fer-file-emotions-...", as a recording is
        csv = analysis_csv_path(Path(self._settings.output_folder), video, named=not hidden)
        return self.analyses.open(video, csv, make_pipeline, numbers_only=hidden)

    # options ----------------------------------------------------------------------------
    def set_options(self, options: LiveOptions) -> None:
        """Apply and remember new options; a still image is processed again."""
        old, self._options = self._options, options
        self._settings.options = options
        self.options_box.set_options(options)  # signals blocked: no loop back here
        self.face_panel.set_min_face(min_face_worth_naming(options.min_face_px))
        self.video_view.highlight_scale = options.label_scale
        if self._pipeline is None:  # another detector, after one failed to load: tried
            return self.startup.retry_detector(options.detector, self._pipeline_options(),
                                               self._classifier)
        pipeline_options = self._pipeline_options()
        painter = self._painter() if (old.show_bars, old.label_scale) != (
            options.show_bars, options.label_scale) else None
        if self._capture is not None and self._capture.isRunning():
            self._capture.request_options(pipeline_options, painter, options.mirror)
        else:
            self._pipeline.set_options(pipeline_options)
        if old.loop_video != options.loop_video and self._capture is not None \
                and not isinstance(self._spec, int) and not is_image_path(self._spec):
            self._capture.request_loop(options.loop_video)  # the video playing, at once
            if options.loop_video:
                self.playback.play_again()  # at its end, as the end notice promises

    # model hot swap ---------------------------------------------------------------------
    def set_classifier(self, classifier: Classifier) -> bool:
        """Use this (already loaded and checked) classifier from the next frame on, and on
        the next source's: a thread stopped before it took the model lost it (review 45).
        False where no pipeline could be built around it (a detector's file damaged)."""
        self._classifier = classifier
        if self._pipeline is None:  # None again where its detector's file is damaged
            if (pipeline := self.startup.around(classifier, self._pipeline_options())) is None:
                return False  # said, as at the launch; another detector loads it (review 56)
            self._pipeline = pipeline
            self.pipeline_ready.emit(classifier)
            if self._spec is not None or self.startup.cameras is not None:
                self._open_chosen_or_default()
            return True
        if self._capture is not None and self._capture.isRunning():
            self._capture.request_classifier(classifier)
        else:
            self._pipeline.set_classifier(classifier)
        return True

    def take_screenshot(self) -> Path | None:
        """Save the frame on screen (PNG + JSON sidecar); returns the PNG path or None."""
        return self.outputs.save_screenshot()

    def start_recording(self) -> Path | None:
        """Record every face of every frame analysed to a new CSV; its path, or None."""
        return recorder.path if (recorder := self.outputs.start()) is not None else None

    def stop_recording(self) -> Path | None:
        """Finish the CSV file; returns its path (None when not recording)."""
        path = self.outputs.stop()
        if path is not None and not self._closing:
            self.outputs.show_saved("Recording saved", path)
        return path

    def _on_recorder_changed(self, recorder: CsvRecorder | None) -> None:
        if self._capture is not None:
            self._capture.set_recorder(recorder)

    def _on_recording_failed(self, thread: CaptureThread, message: str) -> None:
        if thread is self._capture and self.is_recording:
            self.outputs.stop(failure=message)

    def _on_stats_timer(self, restart: bool = True) -> None:
        output, capture = self._last_output, self._capture
        self.stats_updated.emit(self._frame_stats.take(
            faces=len(output.result.faces) if output is not None else 0,
            still=bool(output is not None and output.still),
            dropped=capture.dropped if capture is not None else 0,
            running=capture is not None and capture.isRunning(),
            paused=capture is not None and capture.seekable and capture.paused,
            ended=self.playback.at_end,
            slideshow=capture is not None and capture.slideshow, restart=restart,
            pace=capture.pace if capture is not None else None))

    # shutdown ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Finish the recording and stop every thread (window closing)."""
        self._closing = True
        self.explainer.closing = True
        self.analyses.close_all()
        self.stop_recording()
        self._stats_timer.stop()
        self._stop_capture()
        self._stopper.shutdown()
        self._jobs.wait()  # a model still loading finishes quietly, not after its receivers
