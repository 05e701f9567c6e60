"""Screenshots and the CSV recording of the Live tab, and the folder they go to.

:class:`OutputControls` owns the output folder (asked again when it cannot be written, so
nothing is lost), the :class:`~fer_desktop.core.export.CsvRecorder` of a recording and the red
"REC 01:23" label, and the Record and Screenshot actions. It hands the recorder to whoever
writes the frames (the Live tab's capture thread) through ``recorder_changed``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from fer_desktop.core.export import CsvRecorder, ExportError, ScreenshotWriter, file_prefix
from fer_desktop.core.messages import about
from fer_desktop.core.model import Classifier
from fer_desktop.core.overlay import OverlayPainter
from fer_desktop.core.plain_words import counted
from fer_desktop.core.privacy import blur_faces
from fer_desktop.core.safe_write import check_writable_folder, unused_path
from fer_desktop.core.saved_names import stamp
from fer_desktop.core.sources import is_image_path
from fer_desktop.ui.actions import make_action
from fer_desktop.ui.capture_types import CaptureOutput
from fer_desktop.ui.colours import REC_COLOUR
from fer_desktop.ui.elided_label import ElidedLabel
from fer_desktop.ui.model_names import record_provenance
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.saved_banner import SavedBanner, cannot_open, open_in_file_manager
from fer_desktop.ui.settings import AppSettings

T = TypeVar("T")
LABEL_REFRESH_MS = 500


def existing_folder(folder: Path | str) -> Path:
    """``folder``, or the nearest folder above it that exists (the home folder at worst)."""
    path = Path(folder).expanduser()
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return Path.home()


def new_recording_path(folder: Path, now: dt.datetime | None = None, source: str = "") -> Path:
    """``folder/fer-clip-20260101-120000.csv`` (the source's name, as screenshots have it),
    with ``-2``, ``-3``... when that name is taken."""
    return unused_path(folder, f"{file_prefix(source)}-{stamp(now)}", ".csv")


def refused_title(exc: ExportError) -> str:
    """The folder chooser's title after a folder was refused: the question first, then the
    name and why ("Choose another folder: /tmp/trial59/ro c...rmission denied); choose
    another folder", its whole path and the reason's own advice cut in the middle: trial 59;
    the status bar and Messages have the whole sentence)."""
    why = re.split(r"[;:] choose another", exc.reason)[0]
    return f"Choose another folder: {about(exc.path.name or exc.path, why)}"


def kind_of(is_live: bool, still: bool, source: str = "") -> str:
    """A source's kind: "camera", "image" or "file" (what File > Privacy > No file paths
    writes instead of its name, and the status bar's "Showing image ..."). A slideshow's
    picture is an image too (it was written "file", as a video is)."""
    image = still or (bool(source) and is_image_path(source))
    return "camera" if is_live else ("image" if image else "file")


class OutputControls(QObject):
    """Saves screenshots and runs the recording; see the module docstring.

    Args:
        settings: where the output folder is remembered.
        notifier: where messages go.
        dialog_parent: the parent of the folder dialog; its window gets the actions.
        frame: returns the frame on screen (None before the first), for screenshots.

    Signals:
        recording_changed(bool): recording started or stopped.
        recorder_changed(object): the CsvRecorder to write frames to, or None; emitted with
            None before the file is closed, so the writer lets go first.
        screenshot_saved(object): the Path of the PNG written.
    """

    recording_changed = Signal(bool)
    recorder_changed = Signal(object)
    screenshot_saved = Signal(object)

    def __init__(self, settings: AppSettings, notifier: Notifier, dialog_parent: QWidget,
                 frame: Callable[[], CaptureOutput | None]) -> None:
        super().__init__(dialog_parent)
        self._frame = frame
        self._settings = settings
        self._notifier = notifier
        self._dialog_parent = dialog_parent
        self._recorder: CsvRecorder | None = None
        self._made_folder: Path | None = None  # the output folder a save had to make again
        self._started = 0.0
        # What the Live tab knows (see bind): the model in use, its painter, whether it plays.
        self._classifier: Callable[[], Classifier | None] = lambda: None
        self._provenance_cache: tuple[object, float, dict[str, str]] | None = None
        self._painter: Callable[[], OverlayPainter] = OverlayPainter
        self._playing: Callable[[], bool] = lambda: True
        self._paused: Callable[[], bool] = lambda: False
        self._source_name: Callable[[], str] = str  # "": no name
        # "● REC 00:05" where there is room, "● 00:05" where there is not: at 800 px the
        # Source box shrank to three letters beside it and Collect (trial 30)
        self.label = ElidedLabel("", mode=Qt.TextElideMode.ElideRight)
        bold = self.label.font()
        bold.setBold(True)
        self.label.setFont(bold)
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("\u25cf 00:00 "))
        self.label.setToolTip("Time recorded so far")
        self.label.setVisible(False)  # shown while recording (empty, it took room at 800 px)
        self._timer = QTimer(self)
        self._timer.setInterval(LABEL_REFRESH_MS)
        self._timer.timeout.connect(self._update_label)
        self.act_screenshot = make_action(dialog_parent, "&Screenshot", "Ctrl+S",
                                          "Save the annotated frame as PNG with a JSON file "
                                          "of the faces", lambda: self.save_screenshot())
        self.act_record = make_action(dialog_parent, "&Record CSV", "Ctrl+R",
                                      "Record every face of every frame analysed to a CSV "
                                      "file (in Real time the frames skipped to keep up are "
                                      "not; choose Every frame under a video for all of them)",
                                      self._on_record_toggled, checkable=True)
        self.act_record.setProperty("texts", ["&Record CSV", "Stop &recording"])  # one width
        self.act_output_folder = make_action(dialog_parent, "Choose output &folder...", None,
                                             "Choose where screenshots and recordings go",
                                             self.choose_output_folder)
        self.act_blur_faces = make_action(
            dialog_parent, "&Blur faces in screenshots", None,
            "Privacy: pixelate every face found (with a box) in saved screenshots and \"Why "
            "this answer?\" pictures (the labels and the map stay); a face not found stays "
            "clear",
            self._on_blur_faces_toggled, checkable=True)
        self.act_numbers_only = make_action(
            dialog_parent, "&No file paths in saved files", None,
            "Privacy: CSVs and screenshot JSON say \"source 1\", \"file\"... instead of the "
            "file's path; the numbers are kept", self._on_numbers_only_toggled, checkable=True)
        for action, on in ((self.act_blur_faces, settings.blur_faces),
                           (self.act_numbers_only, settings.numbers_only)):
            blocker = QSignalBlocker(action)
            action.setChecked(on)
            del blocker
        self.act_open_output_folder = make_action(
            dialog_parent, "&Open output folder", None,
            "Show the folder with the screenshots, recordings and analyses",
            self.open_output_folder)
        self.saved_banner = SavedBanner()
        self.saved_banner.open_folder_requested.connect(self._open_folder)
        self.recording_changed.connect(lambda _on: self.set_available())

    def set_available(self, playing: bool | None = None) -> None:
        """Grey out what cannot be done now: a screenshot needs a frame on screen, a recording
        a source playing (or a recording to stop). Called on every frame shown; ``playing``
        False when the source has just failed (its thread may not have ended yet)."""
        playing = self._playing() if playing is None else playing
        self.act_screenshot.setEnabled(self._frame() is not None)
        self.act_record.setEnabled(self._recorder is not None or playing)

    def source_lost(self) -> None:
        """The source failed or its processing stopped: nothing can be recorded now, so a
        recording stops and says so (its clock went on counting while no row came, audit 38)."""
        self.set_available(playing=False)
        if self._recorder is not None:
            self.stop(why="it stopped with the source")

    @property
    def recorder(self) -> CsvRecorder | None:
        """The recorder while recording, else None."""
        return self._recorder

    # folder -----------------------------------------------------------------------------
    def ask_folder(self, title: str) -> str:
        """A folder dialog, in the output folder, or the nearest folder above it that exists
        (the default one is made at the first save: the dialog opened in the folder the app
        was started from, trial 21) (tests replace this method)."""
        # over the window asking (Why this answer?'s Save): over the main window, the keyboard
        # went there after it closed, Esc no longer closed Why and Ctrl+S took a screenshot
        parent = QApplication.activeWindow() or self._dialog_parent  # (trial 59)
        return QFileDialog.getExistingDirectory(parent, title,
                                                str(existing_folder(self._settings.output_folder)))

    def choose_output_folder(self) -> None:
        """Ask for the folder, checked at once: a folder that cannot be written was accepted
        and failed only at the next screenshot."""
        # the question alone: a title with the whole path was cut in its middle, the question
        # lost (trial 58); the dialog opens in the folder used now
        title = "Where should screenshots and recordings go?"
        refused = False
        while folder := self.ask_folder(title):
            try:
                check_writable_folder(Path(folder))
            except ExportError as exc:  # why, in the chooser's title too: the status bar
                self._notifier.error(str(exc), exc=exc)  # alone went unseen (trial 21)
                title, refused = refused_title(exc), True
                continue
            self._settings.output_folder = self._settings.output_folder_seen = folder
            self._notifier.info(f"Screenshots and recordings go to {folder}")
            return
        if refused:  # then cancelled: the bar still said "... cannot be written" (trial 13)
            self._notifier.info("Screenshots and recordings still go to "
                                f"{self._settings.output_folder}")

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
        """Open a folder in the file manager (tests replace ``folder_opener``)."""
        if not self.folder_opener(folder):
            self._notifier.error(cannot_open(folder))

    folder_opener = staticmethod(open_in_file_manager)

    def bind(self, classifier: Callable[[], Classifier | None],
             painter: Callable[[], OverlayPainter], playing: Callable[[], bool],
             source_name: Callable[[], str] = str,
             paused: Callable[[], bool] = lambda: False) -> None:
        """Tell the controls the model in use (written into every record), the overlay
        painter (to draw labels again over pixelated faces), whether a source plays, its
        name (a recording's file name) and whether it is paused (nothing recorded then)."""
        self._classifier, self._painter, self._playing = classifier, painter, playing
        self._source_name, self._paused = source_name, paused

    def picture_record(self) -> dict:
        """A saved picture's JSON entries beyond its faces: the model, and whether its faces
        were blurred (an explanation's said so, a screenshot's did not: trial 52)."""
        return {**self.provenance(), "blurred": bool(self._settings.blur_faces)}

    def provenance(self) -> dict[str, str]:
        """The model in use (name, file, SHA-256) and the app version, for every record; the
        name with the one the user gave its run first ("Anna calibration (fast
        20261207-063554-fast)": records named only the run's folder, trial 40). Asked for
        every frame recorded, on the capture thread: read again once a second at most, or
        for another model (its name.txt read every frame, review 50)."""
        classifier, now = self._classifier(), time.monotonic()
        known = self._provenance_cache
        if known is None or known[0] is not classifier or now - known[1] > 1.0:
            known = self._provenance_cache = (classifier, now, record_provenance(classifier))
        return dict(known[2])

    def as_saved(self, output: CaptureOutput) -> CaptureOutput:
        """``output`` as a screenshot (or ``--snapshot``, which saved faces and paths with
        the privacy options on) saves it: the overlay drawn again at the frame's own sizes,
        whatever the screen's zoom (the same picture gave two files at 200% and 150%, trial
        38); its faces pixelated under it with Blur faces, its source a kind with No file
        paths."""
        picture, source = output.annotated, output.source
        if output.frame is not None:
            faces = output.result.drawn_faces  # held ones too: each face drawn is hidden
            picture = self._painter().for_files().draw(
                blur_faces(output.frame, faces) if self._settings.blur_faces else output.frame,
                faces, memory=output.overlay_memory)
        if self._settings.numbers_only:
            source = kind_of(output.is_live, output.still, output.source)
        return dataclasses.replace(output, annotated=picture, source=source)

    # privacy ----------------------------------------------------------------------------
    def _on_blur_faces_toggled(self, on: bool) -> None:
        self._settings.blur_faces = on

    def _on_numbers_only_toggled(self, on: bool) -> None:
        self._settings.numbers_only = on
        if self._recorder is not None:
            self._notifier.info("No file paths applies to the next recording")

    def show_saved(self, what: str, path: Path, after: str = "") -> None:
        """"Screenshot saved: PATH [Open folder]" above the video, ``after`` after the path;
        "... (its folder was missing: made again)" where the save made its folder (a drive
        unplugged: the files went to a folder made again under its old path without a word,
        trial 23)."""
        made, self._made_folder = self._made_folder, None
        if made is not None and path.parent == made:
            what = f"{what} (its folder was missing: made again)"
        self.saved_banner.show_saved(what, path, after)

    def _in_writable_folder(self, make: Callable[[Path], T], what: str) -> T | None:
        """Call ``make(folder)``; when the folder cannot be written, say so and ask for another.

        Returns make's result, or None when the user gives up.
        """
        folder = self._settings.output_folder
        while True:
            try:  # a name too long for the file system: is_dir raised (audit 40)
                gone = not folder.is_dir() and str(folder) == self._settings.output_folder_seen
            except OSError:
                gone = False
            try:
                made = make(folder)
                self._made_folder = folder if gone else None
                self._settings.output_folder_seen = folder
                if gone:
                    self._notifier.keep(f"The output folder {folder} was missing: it was made "
                                        f"again for this {what}")
                return made
            except ExportError as exc:
                # the status bar and the chooser's title say why; a dialog as well stayed
                # behind the chooser and asked again for what a Cancel had just declined.
                # The last save's green bar goes: it read as this save's success.
                self.saved_banner.hide()
                self._notifier.error(f"Cannot save the {what}: {exc}", exc=exc)
                chosen = self.ask_folder(refused_title(exc))
                if not chosen:
                    return None
                folder = Path(chosen)
                self._settings.output_folder = folder

    # screenshot -------------------------------------------------------------------------
    def save_screenshot(self, output: CaptureOutput | None = None) -> Path | None:
        """Save ``output`` (default: the frame on screen) as PNG + JSON sidecar; returns the
        PNG path or None."""
        output = output if output is not None else self._frame()
        if output is None:
            self._notifier.info("Nothing to save yet: no frame has been shown", asked=True)
            return None

        def save(folder: Path) -> Path:
            saved = self.as_saved(output)
            return ScreenshotWriter(folder).save(saved.annotated, saved.result, saved.source,
                                                 provenance=self.picture_record(),
                                                 pixel_scale=saved.pixel_scale)

        path = self._in_writable_folder(save, "screenshot")
        if path is not None:
            # with Blur faces, how many were blurred: a face the detector missed stays clear
            # and the bar said only "Screenshot saved" (trial 14)
            blurred = f" ({counted(len(output.result.drawn_faces), 'face')} blurred)" \
                if self._settings.blur_faces and output.frame is not None else ""
            self._notifier.info(f"Screenshot saved{blurred} to {path}{_with_json(path)}",
                                timeout_ms=10000,
                                bar_text=f"Screenshot saved{blurred} to {path}{BESIDE_SHORT}",
                                asked=True)
            self.show_saved(f"Screenshot saved{blurred}", path, BESIDE_SHORT)
            self.screenshot_saved.emit(path)
        return path

    def save_explanation(self, picture: Callable[[bool, bool], bytes], details: dict
                         ) -> Path | None:
        """Save a "Why this answer?" window as PNG (+ JSON: the face, its probabilities, the
        model) in the output folder, as a screenshot is; returns the PNG path or None.
        ``picture(blur_face, named)`` gives the PNG, its face pixelated when Blur faces is on,
        its source's file not named when No file paths is."""
        png = picture(self._settings.blur_faces, not self._settings.numbers_only)
        details = dict(details, blurred=bool(self._settings.blur_faces))  # said in the JSON
        is_live, still = details.pop("is_live", False), details.pop("still", False)
        if self._settings.numbers_only and "source" in details:  # as for screenshots
            details["source"] = kind_of(is_live, still, str(details["source"]))
        path = self._in_writable_folder(
            lambda folder: ScreenshotWriter(folder).save_png(
                png, file_prefix(str(details.get("source", "")), "why"),
                {**self.provenance(), **details}), "explanation")  # the model explained
        if path is not None:  # the face blurred: said, as a screenshot's blurred faces are
            blurred = " (face blurred)" if self._settings.blur_faces else ""  # (trial 29)
            beside = _with_json(path, "the face's numbers and the model")
            self._notifier.info(f"Explanation saved{blurred} to {path}{beside}",
                                timeout_ms=10000,
                                bar_text=f"Explanation saved{blurred} to {path}{BESIDE_SHORT}")
            self.show_saved(f"Explanation saved{blurred}", path, BESIDE_SHORT)
        return path

    # recording --------------------------------------------------------------------------
    def start(self) -> CsvRecorder | None:
        """Open a new CSV file in the output folder; None when the user gave up."""
        if self._recorder is not None:
            return self._recorder
        if not self._playing():
            self._notifier.info("Choose a camera, a video or an image first: a recording "
                                "writes the faces of what is on screen", asked=True)
            self.set_record_checked(False)
            return None

        on_screen = self._frame()
        name = self._source_name()  # the folder of a slideshow, not its first picture
        if self._settings.numbers_only:
            name = kind_of(on_screen.is_live, on_screen.still, on_screen.source) \
                if on_screen is not None else ""

        def make(folder: Path) -> CsvRecorder:
            ScreenshotWriter(folder)  # the same folder check, before creating a file
            while True:  # created, never opened over: another window recording into the
                try:  # folder could take the same name in the same second (audit 50)
                    return CsvRecorder(new_recording_path(folder, source=name),
                                       with_source=True, no_face_rows=True,
                                       provenance=self.provenance,
                                       numbers_only=self._settings.numbers_only,
                                       exclusive=True)
                except FileExistsError:
                    continue

        recorder = self._in_writable_folder(make, "recording")
        if recorder is None:
            self.set_record_checked(False)
            return None
        if on_screen is not None:
            # The frame on screen opens the file: a still image or a paused video sends no
            # more frames, and its recording was an empty CSV. (The capture thread gets the
            # recorder only below, so nothing writes at the same time.)
            try:
                recorder.write(on_screen.result, on_screen.source,  # in the source's own
                               on_screen.pixel_scale)  # pixels, as the next rows (audit 54)
            except (OSError, ExportError) as exc:
                recorder.close()
                recorder.path.unlink(missing_ok=True)  # a header alone is no recording
                self._notifier.error(f"Could not write the recording {recorder.path}: {exc}")
                self.set_record_checked(False)
                return None
        self._recorder = recorder
        self.recorder_changed.emit(recorder)
        self.saved_banner.hide()  # "Screenshot saved" of before stood over the recording
        self._started = time.monotonic()
        self._timer.start()
        self._update_label()
        self._notifier.info(f"Recording to {recorder.path}", asked=True)
        self.set_record_checked(True)
        self.recording_changed.emit(True)
        return recorder

    def stop(self, failure: str = "", why: str = "") -> Path | None:
        """Finish the CSV file; returns its path (None when not recording, or when its last
        rows could not be written: the error says so, and the button is Record again).

        Args:
            failure: why the recording stopped on its own (shown as an error), or "".
            why: why it stopped where that is no error ("it stopped with the source").
        """
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        self.recorder_changed.emit(None)  # the writer lets go before the file closes
        try:
            recorder.close()  # a full disk failed here, and the button stayed Stop (trial 23)
        except ExportError as exc:
            failure = failure or f"Recording stopped: {exc}"
        self._timer.stop()
        self.label.setText("")
        self.label.hide()
        if failure:
            self._notifier.error(failure, serious=True)
        else:
            self._notifier.info(f"Recording saved to {recorder.path} "
                                f"({counted(recorder.rows, 'row')})" + (f": {why}" if why else ""),
                                timeout_ms=10000, asked=not why)  # Ctrl+R: said at once
        self.set_record_checked(False)
        self.recording_changed.emit(False)
        return None if failure else recorder.path

    def _on_record_toggled(self, checked: bool) -> None:
        if checked and self._recorder is None:
            self.start()
        elif not checked and self._recorder is not None:
            path = self.stop()  # the button: the banner names the file, as for a screenshot
            if path is not None:
                self.show_saved("Recording saved", path)

    def set_record_checked(self, checked: bool) -> None:
        blocker = QSignalBlocker(self.act_record)
        self.act_record.setChecked(checked)
        self.act_record.setText("Stop &recording" if checked else "&Record CSV")
        del blocker

    def _update_label(self, *_args: Any) -> None:
        if self._recorder is None:
            return
        seconds = int(time.monotonic() - self._started)
        elapsed = f"{seconds // 60:02d}:{seconds % 60:02d}"
        if self._paused():  # the clock ran on a paused video, which wrote one row (trial 33)
            rows = counted(self._recorder.rows, "row")
            self.label.setText(f"\u25cf REC paused ({rows}): Space plays")
            self.label.set_short_text(f"\u25cf paused ({rows})")
        else:
            self.label.setText(f"\u25cf REC {elapsed}")
            self.label.set_short_text(f"\u25cf {elapsed}")
        self.label.setStyleSheet(f"color: {REC_COLOUR};")
        self.label.show()


BESIDE_SHORT = " (+ .json)"  # the bar's: a long suffix was what its eliding kept (trial 29)


def _with_json(png: Path, holds: str = "each face's box and numbers") -> str:
    """What a screenshot or an explanation saves beside its picture, in a few words: the bar
    named only the PNG, and its JSON had to be found in the folder (trial 27)."""
    return f" (and {png.with_suffix('.json').name}: {holds})"
