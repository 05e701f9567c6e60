"""Which face the Live tab follows: chosen by a click, Tab / Shift+Tab or a digit on the video.

The face panel holds the followed track; the video marks it (only when there is a choice:
several faces, or one chosen), around the face's label rather than across it. The ordering
of tracks is Qt-free (``core.face_timeline``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractButton

from fer_desktop.core.face_timeline import (
    Box,
    face_at,
    more_digits_may_come,
    next_track,
    typed_number,
)
from fer_desktop.core.overlay import OverlayPainter
from fer_desktop.core.types import Face, FrameResult
from fer_desktop.ui.face_panel import FacePanel
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.video_view import VideoView

LabelBox = Callable[[Face, tuple[int, int], Sequence[Face]], tuple[int, int, int, int]]


class FaceSelection(QObject):
    """Wires the video's clicks and keys to the face panel's followed track.

    Args:
        latest: the result on screen (None before the first frame).
        label_box: where the overlay drew a face's label on a frame of (height, width) among
            the frame's faces, in frame pixels (``OverlayPainter.label_box``: a label makes
            way for its neighbours'): the dashed box leaves it clear.
            Default: the Live tab's painter's (its labels are the same with or without bars).
        collect_box: the Collect checkbox (None: never collecting): while it is ticked, Tab
            goes round the faces instead of leaving the video, where the digits that save
            faces would type into an option box.
        panel_boxes: where the frame on screen has each face's bars (``CaptureOutput``'s,
            in the order of its ``drawn_faces``): a click on them picks their face.
        label_boxes: where it has each face's label, the same way; laid out again by
            ``label_box`` where it has none (a crowd laid out again for each face took
            seconds a click at Largest: review 66).
    """

    def __init__(self, video_view: VideoView, face_panel: FacePanel, notifier: Notifier,
                 latest: Callable[[], FrameResult | None], parent: QObject | None = None,
                 label_box: LabelBox | None = None,
                 collect_box: QAbstractButton | None = None,
                 panel_boxes: Callable[[], Sequence[Box | None]] = tuple,
                 label_boxes: Callable[[], Sequence[Box]] = tuple) -> None:
        super().__init__(parent)
        self._video, self._panel, self._notifier, self._latest = (
            video_view, face_panel, notifier, latest)
        # at the video's zoom, as drawn (at 150 % the dashed box crossed the larger label)
        self._label_box = label_box or OverlayPainter(zoom=video_view.zoom).label_box
        self._panel_boxes, self._label_boxes = panel_boxes, label_boxes
        video_view.clicked_at.connect(self._on_clicked)
        video_view.tab_handler = self._on_step
        video_view.number_pressed.connect(self._on_number)
        video_view.tabbed_in.connect(self._on_tabbed_in)
        self._from_chosen = True  # Tab steps on from the face chosen (False: from the ends)
        self._clock = time.monotonic
        self._typed = (0, 0.0)  # the face number typed so far, and when its last digit was
        self._collecting = collect_box.isChecked if collect_box is not None else lambda: False
        self._round_said = False  # "Tab goes round the faces": said once a Collect
        if collect_box is not None:
            collect_box.toggled.connect(self._collecting_changed)

    def select(self, track: int | None) -> None:
        """Follow ``track`` (None: the largest face)."""
        self._from_chosen = True
        self._panel.select_track(track)
        result = self._latest()
        if result is not None:
            self.show_highlight(result)

    def show_highlight(self, result: FrameResult) -> None:
        """Mark the followed face when there is a choice (several faces, or one chosen)."""
        face = self._panel.current_face
        drawn = result.drawn_faces  # laid out as the overlay draws them, held ones too
        if face is None or (len(drawn) < 2 and self._panel.selected_track is None):
            self._video.set_highlight(None)
        else:
            labels = self._labels(drawn)
            index = next((i for i, f in enumerate(drawn) if f is face), None)
            if index is None and face.track_id is not None:
                index = next((i for i, f in enumerate(drawn) if f.track_id == face.track_id),
                             None)
            frame = self._video.frame()
            label = labels[index] if index is not None and labels else (
                self._label_box(face, frame.shape[:2], drawn) if frame is not None else None)
            self._video.set_highlight(tuple(float(v) for v in face.box),
                                      None if label is None else tuple(float(v) for v in label))

    def _on_clicked(self, x: float, y: float) -> None:
        result = self._latest()
        if result is None:
            return
        drawn = result.drawn_faces
        face = face_at(x, y, drawn, self._labels(drawn), self._panel_boxes())
        self.select(face.track_id if face is not None else None)

    def _labels(self, drawn: Sequence[Face]) -> list[Box]:
        """Where each of ``drawn``'s labels is on screen: as drawn, else laid out again."""
        boxes = list(self._label_boxes())
        if len(boxes) == len(drawn):
            return boxes
        frame = self._video.frame()
        return [] if frame is None else [self._label_box(face, frame.shape[:2], drawn)
                                         for face in drawn]

    def _collecting_changed(self) -> None:
        """Collect turned on or off: the next Tab round the faces says so again."""
        self._round_said = False

    def _on_tabbed_in(self) -> None:
        self._from_chosen = False

    def _on_step(self, step: int) -> bool:
        """Tab / Shift+Tab on the video: the next face; False (the focus moves on) past the
        last one, or with fewer than two faces (nothing to choose between), except while
        collecting: then round to the first (or last) face, the keyboard kept on the video.

        Tab steps on from the face chosen (a click, a digit, the last step); once the video
        got the keyboard by Tab, from the first face (Shift+Tab: the last). Past the end the
        face chosen stays chosen: it went back to the largest face there, so a keyboard user
        who chose #5 and tabbed on to "Why this answer?" had #3 explained; and Tab started
        from the largest face, so it never reached the faces numbered before it (trial 13).
        """
        present = self._panel.present_tracks
        start = self._panel.selected_track if self._from_chosen else None
        track = next_track(present, start, step) if len(present) > 1 else None
        self._from_chosen = True
        if track is None and self._collecting():
            # round again: past the last face the keyboard left the video, and the next
            # digit went into Minimum face (4 px, remembered) instead of saving (trial 31)
            track = (present[0] if step > 0 else present[-1]) if present else None
            if not self._round_said or len(present) < 2:  # (with one face or none, Tab
                self._round_said = True                     # has no other answer: said)
                self._notifier.info("While collecting, Tab goes round the faces; "
                                    "Ctrl+Shift+C stops collecting (then Tab leaves the video)")
            if track is not None:
                self.select(track)
            return True
        if track is not None:
            self.select(track)
        return track is not None

    def _on_number(self, digit: int) -> None:
        """A digit on the video: follow the face with the number typed, digits typed quickly
        making one number (#17); a 0 on its own: the largest again."""
        now = self._clock()
        present = self._panel.present_tracks
        typed = typed_number(self._typed[0], digit, now - self._typed[1], present)
        self._typed = (typed, now)
        if typed == 0 or typed in present:
            self.select(typed or None)
        elif not more_digits_may_come(typed, present):
            self._notifier.info(f"No face #{typed} in the picture now")
