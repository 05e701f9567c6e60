"""The Live tab's first seconds: the model, the cameras, the recent files and the source
remembered from the last session, looked up off the GUI thread, and whether the first source
may open yet.

The window is painted before any of them is known: the model loads in a background job (a
second or two), the camera probe can take longer, and a recent file or the remembered source
on a hung network share must hold neither the first paint nor the cameras. A window opening
on another tab keeps the first source waiting until the Live tab is shown, so that no camera
runs, light on, behind a tab nobody sees. ``LiveView`` decides what to open; this class says
what is known.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from fer_desktop.core.errors import DetectorError, ModelError
from fer_desktop.core.gui_wording import for_window
from fer_desktop.core.messages import about
from fer_desktop.core.model import Classifier
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.sources import initial_source, normalise_source
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.source_picker import (
    LOOK_AGAIN,
    LOOKING,
    RETRY_KEY,
    SourcePicker,
    recent_files_present,
)


def pipeline_failure_words(exc: BaseException) -> tuple[str, str]:
    """(the status bar's line, the video area's words) for a pipeline that did not load. A
    detector's file damaged or missing read "The emotion model could not be loaded" and "choose
    another model", which could not help; another detector can (audit 56)."""
    if isinstance(exc, DetectorError):
        message = (f"The {exc.detector} face detector could not be loaded: {exc.reason}. "
                   "Choose another Detector in Options to go on; installing FER Desktop again "
                   "mends it.")
        return message, for_window(message)
    message = f"The emotion model could not be loaded: {exc}"
    return message, model_failure_words(message)


def model_failure_words(message: str) -> str:
    """What the video area says when the model did not load: the window's wording (it showed
    the terminal's ``python -m ...``) and where to choose another model."""
    shown = for_window(message)
    return shown if "File >" in shown else (
        f"{shown}\n\nUse File > Use model folder... to choose another model.")


class LiveStartup(QObject):
    """What the Live tab knows while it starts; see the module docstring.

    Signals:
        pipeline_loaded(object): the FacePipeline built in the background.
        pipeline_errored(object): the exception that stopped it.
        cameras_listed(object): the camera indices found ([] when the probe failed).
        remembered_found(object): the remembered file or folder, looked up after
            :meth:`first_source` returned None for it; None when it is gone (said in the
            status bar).
    """

    pipeline_loaded = Signal(object)
    pipeline_errored = Signal(object)
    cameras_listed = Signal(object)
    remembered_found = Signal(object)

    def __init__(self, settings: AppSettings, notifier: Notifier, jobs: BackgroundJobs,
                 picker: SourcePicker, *, cli_source: int | str | Path | None,
                 model_dir: Path | None, pipeline_factory: Callable[..., FacePipeline],
                 camera_lister: Callable[[], list[int]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._notifier = notifier
        self._jobs = jobs
        self._picker = picker
        self._cli_source = cli_source
        self.model_dir = model_dir
        self.pipeline_factory = pipeline_factory
        self._camera_lister = camera_lister
        self.loading = False
        self.failed_detector: str | None = None  # the detector the last load could not build
        self._retry: tuple | None = None  # another detector chosen while a load ran
        self.cameras: list[int] | None = None  # None: not probed yet
        self._looking_again: tuple | bool = False  # a second probe: (chosen, in use)
        self.waiting_to_be_shown = False
        self.looking_up = False  # the remembered file or folder is being looked for
        self.gone: str | None = None  # the remembered file or folder, not found at launch

    def first_source(self) -> int | str | Path | None:
        """The source to open first: the command line's or a remembered camera, known at once;
        None for the first camera, or while a remembered file or folder is looked for.

        That lookup runs in a background job (``remembered_found`` answers): on a network
        share that stopped answering, asking whether the file exists held the window's first
        paint for as long as the share took to give up.
        """
        remembered = self._settings.source
        if self._cli_source is not None or remembered is None \
                or isinstance(normalise_source(remembered), int):
            spec, note = initial_source(self._cli_source, remembered)
            if note:
                self._notifier.info(note)
            return spec
        self.looking_up = True
        self._jobs.start(initial_source, None, remembered, on_returned=self._on_remembered,
                         on_errored=lambda exc: self._on_remembered((None, (
                             f"The last source {remembered} could not be looked up "
                             f"({exc}); choose another."))))
        return None

    def start(self, open_source: bool, options: PipelineOptions) -> None:
        """Start the three jobs (``options``: the first source's pipeline options)."""
        self.waiting_to_be_shown = not open_source
        self._jobs.start(self._camera_lister, on_returned=self._on_cameras_listed,
                         on_errored=self._on_cameras_error)
        self._jobs.start(recent_files_present, self._settings.recent_files,
                         on_returned=self._picker.set_recent,
                         on_errored=lambda exc: self._picker.set_recent([]))
        self.load(options)

    def load(self, options: PipelineOptions, classifier: Classifier | None = None) -> None:
        """Build the pipeline in a background job: the launch's model, or around
        ``classifier`` (one chosen since)."""
        self.loading, self.failed_detector = True, None
        build, first = ((self.pipeline_factory, self.model_dir) if classifier is None
                        else (FacePipeline.from_classifier, classifier))
        self._jobs.start(build, first, options,
                         on_returned=self._on_loaded, on_errored=self._on_errored)

    def retry_detector(self, detector: str, options: PipelineOptions,
                       classifier: Classifier | None = None) -> None:
        """Another detector chosen with no pipeline: loaded with it, where the last load
        failed on a detector's file (choosing BlazeFace did nothing, audit 56); around
        ``classifier`` where a model was chosen since (not the launch's again, review 56)."""
        if self.loading:  # the launch's load under way: tried once it fails (review 57)
            self._retry = (detector, options, classifier)
            return
        if self.failed_detector in (None, detector):
            return
        self._notifier.info(f"Loading with the {detector} face detector...")
        self.load(options, classifier)

    def around(self, classifier: Classifier, options: PipelineOptions) -> FacePipeline | None:
        """A pipeline around a model chosen while none was loaded; None where its detector
        cannot be built, said as a failed load is (a DetectorError escaped a Qt slot after a
        detector's file failed at the launch, review 56)."""
        try:
            pipeline = FacePipeline.from_classifier(classifier, options)
            self._retry = None  # in use: the launch's load failing later retries nothing
            return pipeline    # (its result was thrown away, review 58)
        except DetectorError as exc:  # a load under way stays so (it went "not loading")
            self.failed_detector = exc.detector
            self.pipeline_errored.emit(exc)
            return None

    def shown(self) -> bool:
        """The tab is on screen; True when a first source was waiting for that."""
        waited, self.waiting_to_be_shown = self.waiting_to_be_shown, False
        return waited

    def _on_loaded(self, pipeline: FacePipeline) -> None:
        self.loading, self._retry = False, None  # a detector chosen meanwhile: set on it
        self.pipeline_loaded.emit(pipeline)

    def _on_errored(self, exc: BaseException) -> None:
        self.loading = False
        self.failed_detector = exc.detector if isinstance(exc, DetectorError) else None
        self.pipeline_errored.emit(exc)
        retry, self._retry = self._retry, None
        if retry is not None and self.failed_detector is not None:
            self.retry_detector(*retry)  # another detector chosen while it loaded

    def _on_remembered(self, found: tuple[int | str | Path | None, str]) -> None:
        spec, note = found
        self.looking_up = False
        remembered = self._settings.source
        self.gone = str(remembered) if spec is None and remembered is not None else None
        if note:
            self._notifier.info(note)
        self.remembered_found.emit(spec)

    def gone_reason(self) -> tuple[str | None, str | None]:
        """The empty Live tab's title and text when the last source was not found at launch
        (its big words said "no source chosen", and only a status bar line, gone within
        seconds, that the file was: trial 40); (None, None): the first launch's words."""
        if self.gone is None:
            return None, None
        path = Path(self.gone)
        return (f"{path.name or path} is not where it was",
                f"It was in {path.parent}: moved, renamed, deleted, or on a drive that is not "
                "connected now. Open it from where it is, or choose another source.")

    def look_for_cameras(self, chosen: int | str | Path | None, in_use: int | None) -> None:
        """Probe the cameras again: the list was made once, at the launch, and a camera
        plugged in later was found only by a restart (trial 58). ``chosen``: the source
        chosen (None: the first camera found opens); ``in_use``: a camera delivering frames
        now, listed without being opened a second time (some drivers take that badly; one
        that failed is probed as the others are: it was named found while unplugged,
        review 66)."""
        if self._looking_again is not False or self.cameras is None:
            return  # a probe under way answers for this one too
        self._looking_again = (chosen, in_use)
        self.cameras = None
        self._picker.set_cameras(None)
        self._notifier.info(LOOKING)
        lister = self._camera_lister if in_use is None \
            else functools.partial(self._camera_lister, skip=(in_use,))
        self._jobs.start(lister, on_returned=self._on_cameras_listed,
                         on_errored=self._on_cameras_error)

    def _on_cameras_listed(self, cameras: list[int]) -> None:
        again, self._looking_again = self._looking_again, False
        if again is not False:
            chosen, in_use = again
            cameras = sorted({*cameras, *([] if in_use is None else [in_use])})
            self._notifier.info(cameras_found_words(cameras, chosen))
        self.cameras = list(cameras)
        self._picker.set_cameras(self.cameras)
        self.cameras_listed.emit(self.cameras)

    def _on_cameras_error(self, exc: BaseException) -> None:
        self._notifier.error(f"Looking for cameras failed: {exc}", exc=exc)
        self._on_cameras_listed([])


def cameras_found_words(cameras: list[int], chosen: int | str | Path | None) -> str:
    """What a second look for cameras found, in the status bar (with nothing ``chosen``,
    the first camera found opens, as at the launch)."""
    if not cameras:
        return ("No camera found. Connect one (and close other apps using it), then look "
                f"again: {RETRY_KEY}, or {LOOK_AGAIN} in the Source list.")
    found = "Found " + ", ".join(f"Camera {index}" for index in cameras)
    if chosen is None:  # the first one opens
        return found
    others = [index for index in cameras if index != chosen]
    return f"{found}: choose one in the Source list" if others else found


def falling_back(factory: Callable[..., FacePipeline], remembered: Path,
                 fell_back: Callable[[str], None]) -> Callable[..., FacePipeline]:
    """``factory`` that loads the shipped model when the remembered one fails at the first
    load, saying why through ``fell_back`` (a damaged .tflite passes the model.json check at
    launch and left the app with no model). Later loads are the factory's own: "Analyse
    whole file..." of a model folder moved away meanwhile analysed with the shipped model
    without a word (audit 45)."""
    first = [True]

    def build(model_dir=None, options=None):
        launch, first[0] = first[0], False
        try:
            return factory(model_dir, options)
        except ModelError as exc:
            if not launch or model_dir is None or Path(model_dir) != remembered:
                raise
            fell_back(about(exc.path, exc.reason.split("; ")[0]))
            return factory(None, options)
    return build
