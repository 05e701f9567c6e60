"""The main window: the Live and Train tabs, menus, the status bar and the model hot swap.

The window is shown before anything heavy happens: the Live tab loads its pipeline in a
background worker. ``use_model(dir)``, the one way to change the model in use (the Train tab's
"Use this model" and both File menu items), loads the candidate in a worker too, compares it
with the model in use on the same test faces and asks before swapping it in; on failure the old
model stays and the error is shown. The Train tab (``fer_desktop.ui.train_tab``) is added
when that module is present.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QTabWidget, QWidget

from fer_desktop import APP_NAME
from fer_desktop.core.errors import ModelError
from fer_desktop.core.gui_wording import about_model_line, fallback_words, for_window
from fer_desktop.core.model import (
    Classifier,
    EmotionClassifier,
    default_model_dir,
    is_shipped_model_dir,
    read_metadata,
)
from fer_desktop.core.model_compare import SwitchQuestion, same_model, switch_question
from fer_desktop.core.model_memory import digest_to_remember, is_remembered, replaced_since
from fer_desktop.core.pipeline import FacePipeline
from fer_desktop.core.sources import FrameSource, list_cameras, open_source
from fer_desktop.ui.about import AboutDialog, show_about
from fer_desktop.ui.actions import make_action
from fer_desktop.ui.elided_label import ElidedLabel
from fer_desktop.ui.file_drop import FileDrop
from fer_desktop.ui.focus_in_view import keep_focus_in_view
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.live_figures import LiveFigures
from fer_desktop.ui.live_startup import falling_back
from fer_desktop.ui.live_view import LiveView
from fer_desktop.ui.messages_dialog import add_messages_action
from fer_desktop.ui.model_names import (
    folder_name,
    said_line,
    short_model_line,
    shown_model_name,
    with_shown_names,
)
from fer_desktop.ui.notifications import Notifier, TabNotifier
from fer_desktop.ui.on_screen import fit_to_screen
from fer_desktop.ui.settings import TABS, AppSettings
from fer_desktop.ui.shortcuts_dialog import ShortcutsDialog
from fer_desktop.ui.unwatched import RestWhenUnseen

if TYPE_CHECKING:  # imported on demand: a GUI-only build has no Train tab
    from fer_desktop.ui.train_tab import TrainTab

log = logging.getLogger("fer_desktop.ui")

TRAIN_TAB_MODULE = "fer_desktop.ui.train_tab"
MODEL_LABEL_MAX_PX = 280  # the rest of the status bar is left to the messages
MODEL_LABEL_SHARE = 3  # a wider window gives the model's line up to a third of its width
FULL_SCREEN_HINT = "Full screen: press Esc or F11 to leave it"
MODEL_TIP = "The emotion model in use and its PrivateTest accuracy (from model.json)"


def model_line(classifier: Classifier) -> str:
    """"name (PrivateTest 66.3%)" for the status bar and the About box."""
    return f"{classifier.name} ({classifier.accuracy_text()})"


class MainWindow(QMainWindow):
    """FER Desktop's window.

    Args:
        settings: the app's settings (default: the user's QSettings).
        source, model_dir, detector: command-line choices (see ``fer_desktop.ui.app``).
        pipeline_factory, source_opener, camera_lister, classifier_loader: the core functions,
            injectable for tests.
        start: begin loading the model and opening the source at once.

    Signals:
        model_changed(str): a model was loaded and put to use (its status-bar line).
        model_failed(str): ``use_model`` failed; the old model stays in use.
    """

    model_changed = Signal(str)
    model_failed = Signal(str)

    def __init__(self, settings: AppSettings | None = None, *,
                 source: int | str | Path | None = None, model_dir: Path | None = None,
                 detector: str | None = None,
                 pipeline_factory: Callable[..., FacePipeline] = FacePipeline.create,
                 source_opener: Callable[..., FrameSource] = open_source,
                 camera_lister: Callable[[], list[int]] = list_cameras,
                 classifier_loader: Callable[[Path], Classifier] = EmotionClassifier.load,
                 confirm_switch: Callable[[SwitchQuestion], bool] | None = None,
                 start: bool = True) -> None:
        super().__init__()
        self.settings = settings if settings is not None else AppSettings()
        self._classifier_loader = classifier_loader
        self._confirm_switch = confirm_switch or self._ask_switch
        self._startup_note = ""
        self._fallback_reason = ""  # set by the loading worker, read on the GUI thread
        if model_dir is None:
            model_dir = self._remembered_model()
            if model_dir is not None:
                pipeline_factory = falling_back(pipeline_factory, model_dir, self._fell_back)
        self._classifier: Classifier | None = None
        self._jobs = BackgroundJobs()
        self._model_request = 0  # id of the latest use_model request
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)
        self.setMinimumSize(640, 480)
        keep_focus_in_view()  # Tab into a scrolled panel: the control shown
        self._build_status_bar()
        self.notifier = Notifier(self.statusBar(), self)
        self.notifier.yield_room(self.figures.make_room)  # a long message gets their room
        # the Live tab's news waits while the Train tab is shown (TabNotifier)
        self.live_notifier = TabNotifier(self.notifier, self._live_tab_shown)
        self.live_view = LiveView(self.settings, self.live_notifier, source=source,
                                  model_dir=model_dir, detector=detector,
                                  pipeline_factory=pipeline_factory,
                                  source_opener=source_opener, camera_lister=camera_lister)
        self.live_view.pipeline_ready.connect(self._on_pipeline_ready)
        self.live_view.pipeline_failed.connect(self._on_pipeline_failed)
        self.live_view.stats_updated.connect(self.figures.show_stats)
        self.live_view.source_shown.connect(self._on_source_shown)
        self.live_view.recording_changed.connect(self._update_title)  # "● REC" in the title
        self.live_view.trouble.named.connect(self._on_source_shown)  # "x.mp4 (cannot be opened)"
        self._source_name = ""
        self._closing = False

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.live_view, "Live")
        self.train_tab, train_page = self._make_train_tab()
        self.tabs.addTab(train_page, "Train")
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.rest_when_unseen = RestWhenUnseen(self, self.tabs, self.live_view)  # trial 46
        # a video or image opened from the menu on the Train tab is shown where it plays
        self.live_view.source_picker.chosen.connect(
            lambda _spec: self.tabs.setCurrentIndex(TABS.index("live")))
        self._build_menus()
        self.file_drop = FileDrop(self, self.notifier, self.tabs, self.train_tab)
        self._restore_geometry()
        self._restore_tab(opening_a_source=source is not None)
        if self._startup_note:
            self._say_fallback(self._startup_note)
        if start:
            self.start_live()

    # construction -----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.figures = LiveFigures(bar)
        self.fps_label, self.latency_label, self.faces_label = self.figures.labels
        self.model_label = ElidedLabel("Model: loading...")  # cut in the middle
        self.model_label.setMaximumWidth(MODEL_LABEL_MAX_PX)
        self.model_label.setToolTip(MODEL_TIP)
        self.model_label.setContentsMargins(6, 0, 6, 0)
        bar.addPermanentWidget(self.model_label)

    def _make_train_tab(self) -> tuple[TrainTab | None, QWidget]:
        """The Train tab and the page to show: a placeholder when the build has no trainer
        (a GUI-only bundle) or the tab failed to open."""
        if importlib.util.find_spec(TRAIN_TAB_MODULE) is None:
            return None, self._placeholder("Training from the window is not available in this "
                                           "build. Use `python -m trainer` from a terminal.")
        try:
            module = importlib.import_module(TRAIN_TAB_MODULE)
            tab: TrainTab = module.TrainTab(self.settings)
        except Exception as exc:  # noqa: BLE001 - a broken Train tab must not stop the app
            log.error("the Train tab could not be created: %s: %s", type(exc).__name__, exc)
            log.info("traceback:", exc_info=True)  # with --verbose, as every traceback (audit 48)
            return None, self._placeholder(f"The Train tab could not be opened: "
                                           f"{str(exc) or type(exc).__name__}")  # audit 37
        tab.model_chosen.connect(self.use_model)
        # its model renamed while in use: named anew in the status bar and the title
        tab.run_menu.renamed.connect(lambda _run: self._classifier is None
                                     or self._show_model(self._classifier))
        return tab, tab

    @staticmethod
    def _placeholder(text: str) -> QWidget:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    def _build_menus(self) -> None:
        lv = self.live_view
        file_menu = self.menuBar().addMenu("&File")
        for action in (lv.act_open_video, lv.act_open_image, lv.act_open_folder, lv.act_sample):
            file_menu.addAction(action)
        recent = file_menu.addMenu("Open Recen&t")  # what the Source list offers
        recent.aboutToShow.connect(functools.partial(lv.source_picker.fill_recent_menu, recent))
        file_menu.addSeparator()
        file_menu.addAction(lv.act_analyse_file)
        file_menu.addSeparator()
        for action in (lv.act_screenshot, lv.act_record, lv.act_output_folder,
                       lv.act_open_output_folder):
            file_menu.addAction(action)
        privacy = file_menu.addMenu("&Privacy")
        privacy.addAction(lv.act_blur_faces)
        privacy.addAction(lv.act_numbers_only)
        file_menu.addSeparator()
        self.act_use_model = QAction("Use &model folder...", self)
        self.act_use_model.setStatusTip("Load another exported model (a folder with model.json)")
        self.act_use_model.triggered.connect(self._choose_model_folder)
        file_menu.addAction(self.act_use_model)
        self.act_shipped_model = QAction("Use the s&hipped model", self)
        self.act_shipped_model.setStatusTip("Go back to the model that came with FER Desktop")
        self.act_shipped_model.triggered.connect(lambda: self.use_model(default_model_dir()))
        file_menu.addAction(self.act_shipped_model)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        # Ctrl+Q everywhere: the platform's Quit key is empty on some desktops (and offscreen)
        quit_action.setShortcuts(list(dict.fromkeys(
            [QKeySequence("Ctrl+Q"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)])))
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_quit = quit_action
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")  # Collect and its undo (the Live tab)
        edit_menu.addAction(lv.collect_panel.act_collect)
        edit_menu.addAction(lv.collect_panel.act_undo)
        edit_menu.addAction(lv.collect_panel.act_review)
        # collecting saves the face of the Live tab's video: show it when Collect goes on
        lv.collect_panel.act_collect.toggled.connect(
            lambda on: on and self.tabs.setCurrentWidget(lv))

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(lv.act_retry)
        steps = (lv.playback.act_next_frame, lv.playback.act_previous_frame)
        view_menu.addActions([lv.act_play_pause, *steps, lv.act_explain])
        # they act on the Live tab's video: from the Train tab, show it (Ctrl+Shift+E there
        # explained a face out of sight, and play/pause ran a video behind the Train tab)
        for action in (lv.act_retry, lv.act_play_pause, *steps, lv.act_explain):
            action.triggered.connect(lambda *_: self.tabs.setCurrentWidget(lv))
        for index, name in enumerate(("&Live", "&Train")):
            action = QAction(f"{name} tab", self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(functools.partial(self.tabs.setCurrentIndex, index))
            view_menu.addAction(action)
        self.act_full_screen = full = QAction("&Full screen", self)
        full.setShortcut(QKeySequence(Qt.Key.Key_F11))
        full.setCheckable(True)
        full.toggled.connect(self._set_full_screen)
        view_menu.addAction(full)
        self.addAction(full)
        self.act_messages = add_messages_action(self, view_menu, self.notifier)
        # Escape leaves full screen, as in a video player (only F11 did, and nothing said so);
        # enabled only then, so that Escape is free for everything else the rest of the time
        self._act_leave_full = make_action(self, "Leave full screen", "Escape",
                                           "Leave full screen", lambda: full.setChecked(False))
        self._act_leave_full.setEnabled(False)
        self._build_help_menu()

    def _build_help_menu(self) -> None:
        help_menu = self.menuBar().addMenu("&Help")
        guide = QAction("&User guide", self)
        guide.triggered.connect(self.show_user_guide)
        help_menu.addAction(guide)
        keys = QAction("&Keyboard shortcuts", self)
        keys.setShortcut(QKeySequence(Qt.Key.Key_F1))  # the help there is, on the usual key
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        self.addAction(keys)
        about = QAction("&About FER Desktop", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_user_guide(self) -> QWidget:
        """Help > User guide: docs/user-guide.md in a window (not modal: read beside the app)."""
        from fer_desktop.ui.user_guide import UserGuideDialog

        dialog = UserGuideDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # each click made one more
        dialog.show()
        return dialog

    def _restore_geometry(self) -> None:
        # the size and place of the last launch, or the first size, made to fit the screen
        # (1280x800 was taller than a 1366x768 screen, and than 1920x1080 at 150 %)
        geometry = self.settings.geometry
        restored = geometry is not None and self.restoreGeometry(geometry)
        fit_to_screen(self, restored=restored)
        if (state := self.settings.window_state) is not None:
            self.restoreState(state)
        if (splitter := self.settings.splitter_state) is not None:
            self.live_view.splitter.restoreState(splitter)

    def _restore_tab(self, opening_a_source: bool) -> None:
        """Open on the tab the window was closed on; on Live when a source was named on
        the command line (that is what the user wants to see) or there is no Train tab."""
        if self.settings.tab == "train" and self.train_tab is not None and not opening_a_source:
            self.tabs.setCurrentIndex(TABS.index("train"))

    def start_live(self, open_source: bool | None = None) -> None:
        """Load the model and look for cameras; open the source now if the window shows the
        Live tab (or ``open_source`` says so), else when Live is first shown: a camera must
        not run, light on, behind the Train tab."""
        if open_source is None:
            open_source = self.tabs.currentIndex() == TABS.index("live")
        self.live_view.start(open_source=open_source)

    def _live_tab_shown(self) -> bool:
        """The Live tab is the one shown (or the tabs are not made yet: the window's start)."""
        tabs = getattr(self, "tabs", None)
        return tabs is None or tabs.currentIndex() == TABS.index("live")

    def _on_tab_changed(self, index: int) -> None:
        """FPS, latency and faces describe the Live tab: shown only there (on the Train tab
        they read as the training's figures). The model in use stays."""
        self.figures.set_on_live_tab(index == TABS.index("live"))
        if index == TABS.index("live"):
            self.live_notifier.tab_shown()
            self.live_view.shown()

    # model ------------------------------------------------------------------------------
    @property
    def classifier(self) -> Classifier | None:
        """The classifier in use (None before the first one loaded)."""
        return self._classifier

    def _update_title(self) -> None:
        """"clip.mp4 - model name - FER Desktop": what is shown, by which model; the shipped
        model goes unnamed ("default 20261204-095120" was a code to a new user, trial 24)."""
        parts = ["\u25cf REC"] * self.live_view.is_recording + (  # a recording is seen from
            [self._source_name] if self._source_name else [])  # any tab, and the taskbar
        if self._classifier is not None and not is_shipped_model_dir(
                getattr(self._classifier, "model_dir", None)):  # named as the status bar does
            parts.append(shown_model_name(self._classifier))  # (trial 48 for REC)
        self.setWindowTitle(" \u2013 ".join([*parts, APP_NAME]))

    def _on_source_shown(self, name: str) -> None:
        self._source_name = name
        self._update_title()

    def _remembered_model(self) -> Path | None:
        """The model chosen at an earlier launch, if it can still be used; else None (the
        shipped model) and a note saying why."""
        chosen = self.settings.model_dir
        if not chosen:
            return None
        try:
            read_metadata(Path(chosen))
        except (ModelError, ValueError) as exc:
            self._startup_note = str(exc)
            self.settings.model_dir = ""
            return None
        return Path(chosen)

    def _fell_back(self, reason: str) -> None:
        self._fallback_reason = reason  # said on the GUI thread once the model is in use

    def _say_fallback(self, reason: str) -> None:
        """In a dialog (the bar's line went within the second, trial 24), not "go back"."""
        self.notifier.error(fallback_words(reason), serious=True)

    def _set_full_screen(self, on: bool) -> None:
        self._act_leave_full.setEnabled(on)
        if on == self.isFullScreen():
            return  # the window is there already (restored so, or the desktop did it)
        if on:
            self._maximized_before = self.isMaximized()
            self.showFullScreen()
            self.notifier.info(FULL_SCREEN_HINT, timeout_ms=5000, keep=False)
        elif getattr(self, "_maximized_before", False):
            self.showMaximized()  # back as it was, not a small window
        else:
            self.showNormal()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """The full-screen item and Esc follow the window, however it got there (restored
        full screen, or left through the desktop): Esc was off in one case, on in the other."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and hasattr(self, "act_full_screen"):
            full = self.isFullScreen()
            if full and not event.oldState() & Qt.WindowState.WindowFullScreen:
                # however it got there: leaving, it goes back as it was before
                self._maximized_before = bool(event.oldState() & Qt.WindowState.WindowMaximized)
            if self.act_full_screen.isChecked() != full:
                self.act_full_screen.setChecked(full)  # _set_full_screen: nothing to move
                if full:  # restored full screen, no title bar: the way out unsaid (trial 40)
                    self.notifier.info(FULL_SCREEN_HINT, timeout_ms=10000)
            self._act_leave_full.setEnabled(full)
            if not full:  # "press Esc or F11 to leave it" stayed up after leaving
                self.notifier.withdraw(FULL_SCREEN_HINT)

    def _show_model(self, classifier: Classifier) -> None:
        """The model in use, named in the status bar and the window title."""
        name = shown_model_name(classifier)  # the whole name: window title, tooltip
        shipped = is_shipped_model_dir(getattr(classifier, "model_dir", None))
        # "shipped" as File > Use the shipped model says it (nothing tied the two, trial 13)
        self.model_label.setText(f"Model: {name} ({'shipped, ' if shipped else ''}"
                                 f"{classifier.accuracy_text()})")
        value = classifier.accuracy()  # at 1024 px: "shipped" kept, "PrivateTest" dropped
        shorter = [f"Model: {name} (shipped, {value:.1%})"] if shipped and value is not None \
            else []
        self.model_label.set_short_text(*shorter, short_model_line(classifier),
                                        short_model_line(classifier, words=2))
        self.model_label.setToolTip(MODEL_TIP if name == classifier.name else
                                    f"{model_line(classifier)}\n{MODEL_TIP}")
        self._update_title()
        # File > Use the shipped model only when another is in use (it said "already in use")
        self.act_shipped_model.setEnabled(not shipped)
        if self.train_tab is not None:  # what "fine-tune the model in use" starts from
            self.train_tab.model_in_use = getattr(classifier, "model_dir", None)
            self.train_tab.data_source.set_model_in_use(classifier)
            self.train_tab.results.set_model_in_use(self.train_tab.model_in_use,
                                                    getattr(classifier, "metadata", None))

    def _on_pipeline_ready(self, classifier: Classifier) -> None:
        self._classifier = classifier
        self._show_model(classifier)
        if self._fallback_reason:
            self._say_fallback(self._fallback_reason)
            self.settings.model_dir = ""
            self._fallback_reason = ""
        elif changed := replaced_since(self.settings.model_dir, self.settings.model_sha256,
                                       classifier):
            self.notifier.error(changed, serious=True)  # not loaded unsaid (trial 34)
        if is_remembered(self.settings.model_dir, classifier):  # not a --model's
            self.settings.model_sha256 = digest_to_remember(classifier)
        self.model_changed.emit(model_line(classifier))

    def _on_pipeline_failed(self, message: str) -> None:
        self.model_label.setText("Model: none loaded")
        self.model_label.setToolTip(MODEL_TIP)

    def _choose_model_folder(self) -> None:
        # in the Train tab's runs folder, where the app's own models are (it opened in the
        # home folder, from which the hidden data folder holding them cannot be seen)
        runs = self.train_tab.output_folder() if self.train_tab is not None else None
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a model: the folder of a finished run, or of an export",
            str(runs if runs is not None and runs.is_dir() else Path.home()))
        if folder:
            self.use_model(folder)

    def use_model(self, model_dir: str | Path) -> None:
        """Every change of the model in use comes here ("Use this model", File > Use model
        folder..., File > Use the shipped model): load the candidate in the background, show
        it beside the model in use on the same test faces, and switch only if the user says
        so. With no model in use yet there is nothing to compare: it is used once it loads.

        On a switch the pipeline takes the model at its next frame and ``model_changed`` is
        emitted; when it fails to load the error is shown, ``model_failed`` is emitted and the
        old model stays.
        """
        path = Path(model_dir)
        self._model_request += 1  # any earlier request is out of date either way
        if self._is_in_use(path):
            self.notifier.info(f"{said_line(self._classifier)} is already in use")
            self._show_model(self._classifier)  # a comparison dropped now left "comparing..."
            return  # comparing a model with itself only asked a question with no answer
        doing = "comparing with" if self._classifier is not None else "loading"
        shipped = is_shipped_model_dir(path)
        self.model_label.setText(f"Model: {doing} "                  # name users never chose
                                 f"{'the shipped model' if shipped else folder_name(path)}...")
        # Only the latest request may win: a slow load finishing after a newer one is dropped.
        request = self._model_request
        self._jobs.start(self._classifier_loader, path,
                         on_returned=functools.partial(self._on_candidate_loaded, request, path),
                         on_errored=functools.partial(self._on_model_error_for, request, path))

    def _is_in_use(self, path: Path) -> bool:
        """The folder of the model in use, with the same model.json (a run exported again
        into its folder is a new model)."""
        in_use = getattr(self._classifier, "model_dir", None)
        if in_use is None or Path(in_use).resolve() != path.resolve():
            return False
        try:
            return read_metadata(path) == getattr(self._classifier, "metadata", None)
        except (ModelError, OSError, ValueError):
            return False  # let the load say what is wrong

    def _on_candidate_loaded(self, request: int, path: Path, candidate: Classifier) -> None:
        if request != self._model_request or self._closing:
            return
        if self._classifier is None:  # nothing to compare with
            self._on_model_loaded(candidate)
            return
        if same_model(self._classifier, candidate):  # a copy of it in another folder
            self._show_model(self._classifier)
            self.notifier.info(f"{path} holds the model already in use "
                               f"({said_line(self._classifier)})")
            return
        # both models on the test faces, off the GUI thread: the window and the video froze
        # while they were scored (the classifiers are safe to share: a lock in each)
        self._jobs.start(switch_question, self._classifier, candidate, path,
                         on_returned=functools.partial(self._on_question, request, candidate),
                         on_errored=functools.partial(self._on_model_error_for, request, path))

    def _on_question(self, request: int, candidate: Classifier, question: SwitchQuestion) -> None:
        if request != self._model_request or self._classifier is None or self._closing:
            return  # a newer request, or the window is closing
        accepted = self._confirm_switch(with_shown_names(question, self._classifier, candidate))
        if request != self._model_request or self._closing:
            return  # the dialog's own event loop let another request (or a close) in
        if accepted:
            self._on_model_loaded(candidate)
        else:
            self._show_model(self._classifier)
            self.notifier.info(f"Kept the model in use: {said_line(self._classifier)}")

    def _ask_switch(self, question: SwitchQuestion) -> bool:
        from fer_desktop.ui.model_switch import CompareDialog

        dialog = CompareDialog(question.comparison, question.candidate_name, question.faces,
                               question.labels, question.predicted, parent=self,
                               shipped=question.shipped, warnings=question.warnings,
                               apart=question.apart)
        return dialog.exec() == CompareDialog.DialogCode.Accepted

    def busy_workers(self) -> int:
        return len(self._jobs) + self.live_view.busy_workers()

    def _on_model_error_for(self, request: int, path: Path, exc: BaseException) -> None:
        if request == self._model_request:
            self._on_model_error(path, exc)

    def _on_model_loaded(self, classifier: Classifier) -> None:
        in_use = self.live_view.set_classifier(classifier)  # False: no detector loads yet
        self.live_view.face_panel.mark_model(classifier.name)  # a step there is the model's
        self._classifier = classifier
        line = model_line(classifier)
        self._show_model(classifier)
        folder = getattr(classifier, "model_dir", None)
        if folder is not None:  # remembered for the next launch ("" = the shipped model)
            shipped = is_shipped_model_dir(folder)
            self.settings.model_dir = "" if shipped else str(Path(folder).resolve())
        self.settings.model_sha256 = digest_to_remember(classifier)
        self.notifier.info(f"Now using the model {said_line(classifier)}" if in_use else (
            f"The model {said_line(classifier)} is chosen: it is used once a face detector "
            "loads (choose another Detector in Options)"))  # not "Now using" (review 57)
        self.model_changed.emit(line)

    def _on_model_error(self, path: Path, exc: BaseException) -> None:
        keep = (f"The current model {said_line(self._classifier)} stays in use."
                if self._classifier is not None else "No model is in use.")
        shipped = is_shipped_model_dir(getattr(self._classifier, "model_dir", None))
        where = "" if getattr(exc, "path", None) == Path(path) else f" in {path}"  # it names
        message = for_window(f"Could not use the model{where}: {exc}. {keep}",  # the folder
                             shipped_in_use=shipped)  # (said twice, trial 48)
        if self._classifier is not None:
            self._show_model(self._classifier)
        else:
            self.model_label.setText("Model: none loaded")
            self.model_label.setToolTip(MODEL_TIP)
        self.notifier.error(message, exc=exc, serious=True,  # a folder that holds no model:
                            expected=isinstance(exc, ModelError))  # no traceback (trial 37)
        self.model_failed.emit(message)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """A wide window shows the model's whole line, accuracy included (it used to be cut
        at 280 px at any size); a narrow one keeps the rest of the bar for the messages."""
        super().resizeEvent(event)
        self.model_label.setMaximumWidth(max(MODEL_LABEL_MAX_PX,
                                             self.width() // MODEL_LABEL_SHARE))

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts: every key, read from the menus (non-modal)."""
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_about(self) -> AboutDialog:
        classifier = self._classifier
        return show_about(self, "" if classifier is None else
                          about_model_line(classifier.name, classifier.accuracy_text()))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.live_view.analyses.confirm_close() or (
                self.train_tab is not None and not self.train_tab.confirm_close()):
            event.ignore()
            return
        self._closing = True  # no comparison dialog may open now
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.splitter_state = self.live_view.splitter.saveState()
        self.settings.tab = TABS[self.tabs.currentIndex()]
        self.settings.sync()
        self.live_view.shutdown()
        self.settings.sync()  # what stopping wrote (where the video was left) reaches the disk
        self._jobs.wait()
        if self.train_tab is not None:
            self.train_tab.shutdown()
        super().closeEvent(event)
