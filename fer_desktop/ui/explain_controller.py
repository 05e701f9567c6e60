"""Runs "Why this answer?" for the Live tab: the job off the GUI thread, the window, the cache.

The map is computed by :func:`fer_desktop.core.explain.explain_face` on a private copy of the
classifier (kept for the next request with the same model); only the latest request's answer
is shown.
"""

from __future__ import annotations

import functools
from typing import Any

from fer_desktop.core.explain import explain_face, private_classifier
from fer_desktop.ui.explain_view import ExplainDialog
from fer_desktop.ui.notifications import Notifier


def _explain_job(classifier: Any, copy: Any, frame: Any, box: Any,
                 crop_scale: float) -> tuple[Any, Any]:
    """Runs in a worker: (the private copy of the model, the Explanation)."""
    copy = copy if copy is not None else private_classifier(classifier)
    return copy, explain_face(copy, frame, box, crop_scale)


class ExplainController:
    """"Why this answer?" for the face the Live tab's panel shows.

    Args:
        view: the Live tab (``pipeline``, ``last_output``, ``face_panel``, ``jobs``,
            ``closing``).
        notifier: where errors go.
    """

    def __init__(self, view: Any, notifier: Notifier) -> None:
        self._view = view
        self._notifier = notifier
        self.dialog: ExplainDialog | None = None
        self._request = 0
        self._copy: tuple[int, Any] | None = None  # (id of the model, private copy)

    def explain(self) -> ExplainDialog | None:
        """Compute, off the GUI thread, which parts of the face shown made the answer, and
        show it (the Explain window). Returns the window, or None with no face to explain."""
        output, face = self._view.last_output, self._view.face_panel.current_face
        if self._view.pipeline is None or output is None or face is None or output.frame is None:
            self._notifier.info("No face to explain: wait for a face in the picture")
            return None
        if self.dialog is None:
            self.dialog = ExplainDialog(self._view)
        name = f"face #{face.track_id}" if face.track_id is not None else "the face"
        self.dialog.show_busy(name)
        self.dialog.show()
        self.dialog.raise_()
        classifier = self._view.pipeline.classifier
        cached = self._copy
        copy = cached[1] if cached is not None and cached[0] == id(classifier) else None
        self._request += 1
        request = self._request
        self._view.jobs.start(_explain_job, classifier, copy, output.frame, face.box,
                         self._view.pipeline.options.resolved_crop_scale(),
                         on_returned=functools.partial(self._on_explained, request, name,
                                                       id(classifier)),
                         on_errored=functools.partial(self._on_explain_failed, request))
        return self.dialog

    def _on_explained(self, request: int, name: str, model_id: int, answer: Any) -> None:
        copy, explanation = answer
        self._copy = (model_id, copy)
        if request == self._request and self.dialog is not None \
                and not self._view.closing:
            self.dialog.show_result(name, explanation)

    def _on_explain_failed(self, request: int, exc: BaseException) -> None:
        if request == self._request and self.dialog is not None \
                and not self._view.closing:
            self.dialog.show_error(f"The explanation could not be computed: {exc}")
            self._notifier.error(f"The explanation could not be computed: {exc}", exc=exc)
