"""Which face the Live tab's side panel follows: a click, Tab / Shift+Tab, a digit; and the
dashed box that marks it in the video."""

from __future__ import annotations

from typing import Any

from fer_desktop.core.face_timeline import next_track
from fer_desktop.ui.notifications import Notifier


class FaceSelection:
    """Chooses the followed face from the mouse and the keyboard.

    Args:
        view: the Live tab (``last_output``, ``face_panel``, ``video_view``).
        notifier: where "No face #9" goes.
    """

    def __init__(self, view: Any, notifier: Notifier) -> None:
        self._view = view
        self._notifier = notifier

    def on_video_clicked(self, x: float, y: float) -> None:
        output = self._view.last_output
        if output is None:
            return
        hit = [f for f in output.result.faces
               if f.box[0] <= x <= f.box[2] and f.box[1] <= y <= f.box[3]]
        track = min(hit, key=lambda f: f.area).track_id if hit else None
        self.select(track)

    def select(self, track: int | None) -> None:
        self._view.face_panel.select_track(track)
        if self._view.last_output is not None:
            self.show_highlight(self._view.last_output.result)

    def on_face_step(self, step: int) -> bool:
        """Tab / Shift+Tab on the video: the next face; False past the last (focus moves on)."""
        present = self._view.face_panel.present_tracks
        current = self._view.face_panel.current_face
        track = next_track(present, current.track_id if current is not None else None, step)
        if track is None:
            self.select(None)
            return False
        self.select(track)
        return True

    def on_face_number(self, number: int) -> None:
        """A digit on the video: follow that face (0: the largest again)."""
        if number == 0:
            self.select(None)
        elif number in self._view.face_panel.present_tracks:
            self.select(number)
        else:
            self._notifier.info(f"No face #{number} in the picture now")

    def show_highlight(self, result: Any) -> None:
        """Mark the followed face when there is a choice (several faces, or one chosen)."""
        face = self._view.face_panel.current_face
        if face is None or (len(result.faces) < 2 and self._view.face_panel.selected_track is None):
            self._view.video_view.set_highlight(None)
        else:
            self._view.video_view.set_highlight(tuple(float(v) for v in face.box))
