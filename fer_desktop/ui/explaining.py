""""Why this answer?": explain the face shown, off the GUI thread, in the Explain window.

The computation (``core.explain``) runs on a private copy of the model in a background job,
so the live pipeline is never touched from two threads; the copy is kept for the next request
while the model stays the same. Only the latest request's answer is shown.
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from fer_desktop.core.explain import explain_face, private_classifier
from fer_desktop.core.gui_wording import for_window, held_words
from fer_desktop.core.pipeline import FacePipeline
from fer_desktop.core.sources import is_image_path
from fer_desktop.core.types import Face
from fer_desktop.ui.capture_types import CaptureOutput
from fer_desktop.ui.explain_view import ExplainDialog
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.model_names import record_provenance
from fer_desktop.ui.notifications import Notifier


def _explain_job(classifier: Any, copy: Any, frame: Any, face: Face,
                 crop_scale: float) -> tuple[Any, Any]:
    """Runs in a worker: (the private copy of the model, the Explanation)."""
    copy = copy if copy is not None else private_classifier(classifier)
    return copy, explain_face(copy, frame, face.box, crop_scale, face.eyes)


class FaceExplainer(QObject):
    """Runs explanations and shows them; ``dialog`` is the Explain window once opened.

    Signals:
        save_requested(object): the window's Save image was pressed (carries the window).
    """

    save_requested = Signal(object)

    def __init__(self, notifier: Notifier, jobs: BackgroundJobs, parent: QWidget) -> None:
        super().__init__(parent)
        self._notifier, self._jobs, self._parent = notifier, jobs, parent
        self.dialog: ExplainDialog | None = None
        self.closing = False
        self._request = 0
        self._copy: tuple[Any, Any] | None = None  # (the model, weakly; its private copy)

    def explain(self, pipeline: FacePipeline | None, output: CaptureOutput | None,
                face: Face | None) -> ExplainDialog | None:
        """Explain ``face`` of ``output``; returns the window, or None with no face."""
        if pipeline is None or output is None or face is None or output.frame is None:
            self._notifier.info("No face to explain: wait for a face in the picture")
            return None
        if face.held:
            # held: drawn where it was, not found in this frame (review 39)
            self._notifier.info(held_words(f"Face #{face.track_id}", then=" to see why"))
            return None
        if self.dialog is None:
            self.dialog = ExplainDialog(self._parent)
            self.dialog.save_requested.connect(lambda: self.save_requested.emit(self.dialog))
        name = f"face #{face.track_id}" if face.track_id is not None else "the face"
        self.dialog.panel_probabilities = face.probabilities
        self.dialog.show_busy(name)
        # where the face came from, for the saved picture's JSON (it named neither)
        # ...and the model that answers, as it is now: saved after a switch, the JSON named
        # the new model beside the old one's numbers (audit 51)
        self.dialog.context = {**record_provenance(pipeline.classifier),
                               "source": output.source, "frame": output.result.index,
                               "time_s": round(float(output.result.timestamp_s), 3),
                               # a folder's picture is a picture too: "From b.jpg at 0:03"
                               # gave the slideshow's clock as its time (trial 53)
                               "is_live": output.is_live, "still": output.still or (
                                   not output.is_live and is_image_path(output.source)),
                               # the face as the other records of it name it (their
                               # track_id, box and steady label: audit 54)
                               "track_id": face.track_id, "label": face.label,
                               "box": [int(round(float(v) * output.pixel_scale))  # the
                                       for v in face.box],  # photo's pixels (audit 58)
                               **({"clock": f"{dt.datetime.now():%H:%M:%S}"}  # a camera's
                                  if output.is_live else {})}
        # which picture (a slideshow goes on behind it) or video it explains
        where = Path(output.source).name if output.source and not output.is_live else ""
        self.dialog.setWindowTitle(f"Why this answer? \u2013 {where}" if where
                                   else "Why this answer?")
        self.dialog.show()
        self.dialog.raise_()
        classifier = pipeline.classifier
        # the classifier itself, not its id(): a model freed, another could get its address
        copy = self._copy[1] if self._copy is not None and self._copy[0]() is classifier \
            else None  # and run the freed one's copy under its name (review 48)
        self._request += 1
        self._jobs.start(_explain_job, classifier, copy, output.frame, face,
                         pipeline.options.resolved_crop_scale(),
                         on_returned=functools.partial(self._on_explained, self._request, name,
                                                       classifier),
                         on_errored=functools.partial(self._on_failed, self._request))
        return self.dialog

    def _on_explained(self, request: int, name: str, classifier: Any, answer: Any) -> None:
        copy, explanation = answer
        self._copy = (weakref.ref(classifier), copy)  # not keeping a replaced model alive
        if request == self._request and self.dialog is not None and not self.closing:
            self.dialog.show_result(name, explanation)

    def _on_failed(self, request: int, exc: BaseException) -> None:
        if request == self._request and self.dialog is not None and not self.closing:
            said = f"The explanation could not be computed: {exc}"
            self.dialog.show_error(for_window(said))  # the window's ways, not a command line
            self._notifier.error(said, exc=exc)  # (its advice differed from the bar's, audit 45)
