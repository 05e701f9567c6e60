"""Screenshots and the CSV recording of the Live tab, and the folder they go to.

:class:`OutputControls` owns the output folder (asked again when it cannot be written, so
nothing is lost), the :class:`~fer_desktop.core.export.CsvRecorder` of a recording and the red
"REC 01:23" label. The Live tab hands the recorder to the capture thread and back.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from fer_desktop.core.export import CsvRecorder, ExportError, ScreenshotWriter
from fer_desktop.ui.capture import CaptureOutput
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.settings import AppSettings

T = TypeVar("T")
LABEL_REFRESH_MS = 500
REC_COLOUR = "#b3261e"  # a red with 5.9:1 contrast on the window's light grey


def new_recording_path(folder: Path, now: dt.datetime | None = None) -> Path:
    """``folder/fer-20260101-120000.csv``, with ``-2``, ``-3``... when that name is taken."""
    stem = (now or dt.datetime.now()).strftime("fer-%Y%m%d-%H%M%S")
    path = folder / f"{stem}.csv"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.csv"
        n += 1
    return path


class OutputControls(QObject):
    """Saves screenshots and runs the recording; see the module docstring.

    Args:
        settings: where the output folder is remembered.
        notifier: where messages go.
        dialog_parent: the parent of the folder dialog.

    Signals:
        recording_changed(bool): recording started or stopped.
        screenshot_saved(object): the Path of the PNG written.
    """

    recording_changed = Signal(bool)
    screenshot_saved = Signal(object)

    def __init__(self, settings: AppSettings, notifier: Notifier,
                 dialog_parent: QWidget | None = None) -> None:
        super().__init__(dialog_parent)
        self._settings = settings
        self._notifier = notifier
        self._dialog_parent = dialog_parent
        self._recorder: CsvRecorder | None = None
        self._started = 0.0
        # The model and app version written into every record; the Live tab sets it.
        self.provenance: Callable[[], dict[str, str]] = dict
        # The picture a screenshot saves (the Live tab blurs faces there when asked to).
        self.picture: Callable[[CaptureOutput], Any] = lambda output: output.annotated
        self.label = QLabel("")
        self.label.setToolTip("Time recorded so far")
        self._timer = QTimer(self)
        self._timer.setInterval(LABEL_REFRESH_MS)
        self._timer.timeout.connect(self._update_label)

    @property
    def recorder(self) -> CsvRecorder | None:
        """The recorder while recording, else None."""
        return self._recorder

    # folder -----------------------------------------------------------------------------
    def ask_folder(self, title: str) -> str:
        """A folder dialog (tests replace this method)."""
        return QFileDialog.getExistingDirectory(self._dialog_parent, title,
                                                str(self._settings.output_folder))

    def choose_output_folder(self) -> None:
        folder = self.ask_folder("Where should screenshots and recordings go?")
        if folder:
            self._settings.output_folder = folder
            self._notifier.info(f"Screenshots and recordings go to {folder}")

    def _in_writable_folder(self, make: Callable[[Path], T], what: str) -> T | None:
        """Call ``make(folder)``; when the folder cannot be written, say so and ask for another.

        Returns make's result, or None when the user gives up.
        """
        folder = self._settings.output_folder
        while True:
            try:
                return make(folder)
            except ExportError as exc:
                self._notifier.error(f"Cannot save the {what}: {exc}", exc=exc, serious=True)
                chosen = self.ask_folder(f"{folder} cannot be written: choose another folder")
                if not chosen:
                    return None
                folder = Path(chosen)
                self._settings.output_folder = folder

    # screenshot -------------------------------------------------------------------------
    def save_screenshot(self, output: CaptureOutput | None) -> Path | None:
        """Save this frame (PNG + JSON sidecar); returns the PNG path or None."""
        if output is None:
            self._notifier.info("Nothing to save yet: no frame has been shown")
            return None

        def save(folder: Path) -> Path:
            source = output.source
            if self._settings.numbers_only:
                source = "camera" if output.is_live else ("image" if output.still else "file")
            return ScreenshotWriter(folder).save(self.picture(output), output.result, source,
                                                 provenance=self.provenance())

        path = self._in_writable_folder(save, "screenshot")
        if path is not None:
            self._notifier.info(f"Screenshot saved to {path}", timeout_ms=10000)
            self.screenshot_saved.emit(path)
        return path

    # recording --------------------------------------------------------------------------
    def start(self) -> CsvRecorder | None:
        """Open a new CSV file in the output folder; None when the user gave up."""
        if self._recorder is not None:
            return self._recorder

        def make(folder: Path) -> CsvRecorder:
            ScreenshotWriter(folder)  # the same folder check, before creating a file
            return CsvRecorder(new_recording_path(folder), with_source=True, no_face_rows=True,
                               provenance=self.provenance,
                               numbers_only=self._settings.numbers_only)

        recorder = self._in_writable_folder(make, "recording")
        if recorder is None:
            return None
        self._recorder = recorder
        self._started = time.monotonic()
        self._timer.start()
        self._update_label()
        self._notifier.info(f"Recording to {recorder.path}")
        self.recording_changed.emit(True)
        return recorder

    def stop(self, failure: str = "") -> Path | None:
        """Finish the CSV file; returns its path (None when not recording).

        Args:
            failure: why the recording stopped on its own (shown as an error), or "".
        """
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        recorder.close()
        self._timer.stop()
        self.label.setText("")
        if failure:
            self._notifier.error(failure, serious=True)
        else:
            self._notifier.info(f"Recording saved to {recorder.path} ({recorder.rows} rows)",
                                timeout_ms=10000)
        self.recording_changed.emit(False)
        return recorder.path

    def _update_label(self, *_args: Any) -> None:
        if self._recorder is None:
            return
        seconds = int(time.monotonic() - self._started)
        self.label.setText(f"\u25cf REC {seconds // 60:02d}:{seconds % 60:02d}")
        self.label.setStyleSheet(f"color: {REC_COLOUR}; font-weight: bold;")
