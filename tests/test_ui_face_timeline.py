"""The side panel follows one face at a time: its own curve, a marked switch, keyboard choice,
the followed face marked in the video, video time for files (offscreen, stub model)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import test_ui_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPalette
from ui_helpers import SAMPLE, make_video

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.overlay import OverlayPainter, OverlayStyle
from fer_desktop.core.sources import Frame
from fer_desktop.core.types import Face

WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window


class TwoThenOneCamera:
    """A live source: two faces side by side for ``two`` frames, then only the left one."""

    is_live = True
    fps = 30.0
    frame_count = None

    def __init__(self, two: int = 10_000) -> None:
        self.description = "camera 5"
        face = cv2.resize(cv2.imread(str(SAMPLE)), (320, 320))
        self._both = np.hstack([face, face])
        self._left = np.hstack([face, np.full_like(face, 90)])
        self._two = two
        self._index = 0

    def read(self) -> Frame:
        image = self._both if self._index < self._two else self._left
        self._index += 1
        return Frame(self._index - 1, self._index / 30.0, image)

    def close(self) -> None:
        pass


def _corner(view) -> int:
    """The colour of the video's top edge, half-way along, as painted now."""
    return view.grab().toImage().pixelColor(view.width() // 2, 0).rgb()


def test_while_collecting_tab_goes_round_the_faces(qtbot, main_window, settings, tmp_path):
    """Past the last face Tab left the video while Collect was on, and the next digit went
    into Minimum face (4 px, remembered) instead of saving the face (trial 31)."""
    settings.collect_folder = tmp_path / "faces"
    window = main_window(source=0, source_opener=lambda spec, **kw: TwoThenOneCamera())
    live = window.live_view
    panel = live.face_panel
    qtbot.waitUntil(lambda: len(panel.present_tracks) == 2, timeout=WAIT_MS)
    first, second = panel.present_tracks
    live.collect_panel.active.setChecked(True)
    live.face_selection.select(second)
    live.video_view.setFocus()
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)  # past the last: round to the first
    assert panel.selected_track == first and live.video_view.hasFocus()
    assert "Tab goes round the faces" in window.notifier.last_info
    qtbot.keyClick(live.video_view, Qt.Key.Key_Backtab)  # and back round to the last
    assert panel.selected_track == second and live.video_view.hasFocus()
    live.collect_panel.active.setChecked(False)
    live.collect_panel.active.setChecked(True)  # a new Collect: said again (review 40)
    window.notifier.info("something else")
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)
    assert "Tab goes round the faces" in window.notifier.last_info
    live.collect_panel.active.setChecked(False)
    live.face_selection.select(second)
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)  # not collecting: it leaves, as before
    assert not live.video_view.hasFocus()


def test_keyboard_chooses_the_face_and_the_video_marks_it(qtbot, main_window):
    window = main_window(source=0, source_opener=lambda spec, **kw: TwoThenOneCamera())
    live = window.live_view
    panel = live.face_panel
    qtbot.waitUntil(lambda: len(panel.present_tracks) == 2, timeout=WAIT_MS)
    first, second = panel.present_tracks
    assert live.video_view.highlight is not None  # two faces: the followed one is marked
    live.face_selection.select(first)
    live.video_view.setFocus()
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)  # from the face shown to the next
    assert panel.selected_track == second and live.video_view.hasFocus()
    assert _corner(live.video_view) == live.video_view.palette().color(
        QPalette.ColorRole.Highlight).rgb()  # the video shows that it has the keyboard
    assert live.video_view.highlight == tuple(float(v) for v in panel.current_face.box)
    # the dashed box leaves the face's label clear: where the overlay drew it on this frame
    drawn = OverlayPainter().label_box(panel.current_face, live.video_view.frame().shape[:2],
                                       live._last_output.result.faces)
    assert live.video_view.keep_clear == tuple(float(v) for v in drawn)
    qtbot.keyClick(live.video_view, Qt.Key.Key_Backtab)
    assert panel.selected_track == first
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)  # past the last face: the focus moves on
    # ... and the face chosen stays chosen: "Why this answer?", next in the Tab order,
    # explains it (it went back to the largest face: trial 13)
    assert panel.selected_track == second and not live.video_view.hasFocus()
    assert _corner(live.video_view) != live.video_view.palette().color(
        QPalette.ColorRole.Highlight).rgb()
    live.video_view.setFocus(Qt.FocusReason.TabFocusReason)  # back by Tab: from the first
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)          # face, not from the one chosen
    assert panel.selected_track == first and live.video_view.hasFocus()  # (it left at once)
    live.face_selection.select(None)  # none chosen: Tab starts at the first face, not after
    live.video_view.setFocus()        # the largest (the faces before it were never reached)
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)
    assert panel.selected_track == first and live.video_view.hasFocus()
    live.face_selection.select(first)  # chosen by a click or a digit: Tab goes on from it
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)
    assert panel.selected_track == second
    now = [100.0]
    live.face_selection._clock = lambda: now[0]
    qtbot.keyClick(live.video_view, str(first))
    assert panel.selected_track == first
    now[0] += 2.0  # a second digit later is a number of its own
    qtbot.keyClick(live.video_view, "0")
    assert panel.selected_track is None
    now[0] += 2.0
    qtbot.keyClick(live.video_view, "9")
    assert "No face #9" in window.notifier.last_info
    now[0] += 2.0  # two digits typed quickly make one number: "1", "2" is #12 (trial 15)...
    qtbot.keyClick(live.video_view, str(first))
    now[0] += 0.3
    qtbot.keyClick(live.video_view, str(second))  # ...where a face has it: here #2 (trial 17)
    assert panel.selected_track == second
    now[0] += 0.7
    qtbot.keyClick(live.video_view, "0")  # no #20 either: "0", the largest again
    assert panel.selected_track is None


def test_with_one_face_tab_passes_the_video_without_choosing_it(qtbot, main_window):
    """Tabbing through the window chose a lone face: a dashed box round it, "(selected)",
    and the panel no longer moved to a larger face arriving later (review of trial 13's fix)."""
    window = main_window(source=0, source_opener=lambda spec, **kw: TwoThenOneCamera(two=0))
    live = window.live_view
    panel = live.face_panel
    qtbot.waitUntil(lambda: len(panel.present_tracks) == 1, timeout=WAIT_MS)
    live.video_view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)
    assert not live.video_view.hasFocus() and panel.selected_track is None


def test_when_the_followed_face_leaves_its_line_breaks_and_the_switch_is_marked(
        qtbot, main_window):
    camera = TwoThenOneCamera()
    window = main_window(source=0, source_opener=lambda spec, **kw: camera)
    live = window.live_view
    panel = live.face_panel
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS,
                          check_params_cb=lambda o: len(o.result.faces) == 2) as blocker:
        pass
    # the camera is mirrored on screen: its right-hand face is drawn on the left
    right = min(blocker.args[0].result.faces, key=lambda f: f.box[0]).track_id
    live.face_selection.select(right)
    qtbot.waitUntil(lambda: panel.current_face.track_id == right, timeout=WAIT_MS)
    camera._two = 0  # the followed (right) face leaves the picture
    qtbot.waitUntil(lambda: len(panel.present_tracks) == 1, timeout=WAIT_MS)
    # the panel shows the remaining face: its own history, with the switch marked
    qtbot.waitUntil(lambda: panel.current_face.track_id != right, timeout=WAIT_MS)
    left = panel.current_face.track_id
    with qtbot.waitSignal(panel.timeline_redrawn, timeout=WAIT_MS):
        pass
    assert [track for _t, track in panel.switch_marks()] == [left]
    assert "#" + str(left) in panel._timeline_title.text()
    x, y = panel.curve_data("happy")
    assert len(x) >= 2 and not np.isnan(y).any()  # the left face never left: no break
    live.face_selection.select(right)  # the right face's own series ends with a break
    with qtbot.waitSignal(panel.timeline_redrawn, timeout=WAIT_MS):
        pass
    times, probs = panel._timelines.series(right)
    assert np.isnan(probs[-1]).all() and not np.isnan(probs[0]).any()


def test_a_file_is_plotted_against_video_time(qtbot, main_window, tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=40, fps=20.0)
    window = main_window(source=str(video))
    live = window.live_view
    panel = live.face_panel
    with qtbot.waitSignal(panel.timeline_redrawn, timeout=WAIT_MS,
                          check_params_cb=lambda n: n >= 4):
        pass
    x, _y = panel.curve_data("happy")
    assert x[0] >= 0 and np.all(np.diff(x) > 0)
    assert x[-1] <= 2.0  # video seconds, not wall-clock "seconds ago" (<= 0)
    assert panel._plot.getPlotItem().getAxis("bottom").labelText == "video time (s)"


def _frame(t_s: float, track: int):
    from fer_desktop.core.types import Face, FrameResult

    probabilities = np.full(7, 1 / 7, dtype=np.float32)
    face = Face(box=np.array([0, 0, 100, 100], np.float32), probabilities=probabilities,
                track_id=track)
    return FrameResult(index=round(t_s * 10), timestamp_s=t_s, faces=(face,))


def _switch(panel, start_s: float, first: int, second: int) -> None:
    for k in range(5):
        panel.show_result(_frame(start_s + 0.1 * k, first))
    for k in range(5, 10):
        panel.show_result(_frame(start_s + 0.1 * k, second))
    panel._on_redraw_timer()


def test_a_reused_switch_line_names_the_new_face(qtbot):
    """A switch line hidden by a source change kept its old text when reused: "#12" drawn
    where the panel switched to #2."""
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_video_time(True)
    _switch(panel, 0.0, 11, 12)
    assert [track for _t, track in panel.switch_marks()] == [12]
    panel.clear()  # a new source: the line is hidden, kept for reuse
    panel._on_redraw_timer()
    _switch(panel, 0.0, 1, 2)
    labels = [line.label.toPlainText() for line in panel._switch_lines if line.isVisible()]
    assert labels == ["#2"]


def test_an_image_after_a_video_is_plotted_in_seconds_ago(qtbot):
    """After a video, an image's chart kept the video's 0-10 s axis under "seconds ago"."""
    from fer_desktop.ui.face_panel import TIMELINE_S, FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_video_time(True)
    _switch(panel, 9.0, 1, 1)
    panel.clear()
    panel.set_video_time(False)
    panel.show_result(_frame(0.0, 1))
    panel._on_redraw_timer()
    low, high = panel._plot.getPlotItem().viewRange()[0]
    assert low == pytest.approx(-TIMELINE_S) and 0.0 < high < 2.0


def test_a_still_picture_has_no_timeline_and_a_video_after_it_has_one(qtbot, main_window,
                                                                       tmp_path):
    """A photo's plot showed one dot per analysis under "Last minute of face #1 / seconds
    ago"; it makes way for the options, and the next video has its timeline back."""
    window = main_window(source=str(SAMPLE))
    window.resize(1200, 800)
    window.show()
    live = window.live_view
    panel = live.face_panel
    qtbot.waitUntil(lambda: panel.timeline_title == "No timeline for still pictures",
                    timeout=WAIT_MS)
    assert not panel._plot.isVisible() and not panel.legend.isVisible()
    window.resize(1900, 1060)  # full screen: its line only, not a 280-px gap around it
    qtbot.waitUntil(lambda: panel.timeline.height() < 60, timeout=WAIT_MS)
    live.set_source(str(make_video(tmp_path / "clip.avi", frames=40)))
    qtbot.waitUntil(lambda: panel.timeline_title.startswith("Last minute"), timeout=WAIT_MS)
    assert panel._plot.isVisible() and panel.legend.isVisible()


def _as_held(faces):
    """Faces as the pipeline gives those it holds (not found in this frame)."""
    import dataclasses

    return tuple(dataclasses.replace(face, held=True) for face in faces)


def _faces(t_s: float, *sides: tuple[int, float]):
    """A frame with faces (track, side in px) side by side."""
    from fer_desktop.core.types import Face, FrameResult

    faces = tuple(Face(box=np.array([200 * k, 0, 200 * k + side, side], np.float32),
                       probabilities=np.full(7, 1 / 7, dtype=np.float32), track_id=track)
                  for k, (track, side) in enumerate(sides))
    return FrameResult(index=round(t_s * 10), timestamp_s=t_s, faces=faces)


def test_the_last_faces_minute_stays_when_no_face_is_in_view(qtbot):
    """Trial 15: in a video where the face left for a few seconds the timeline went blank but
    for its switch lines; the minute of the face just seen now stays, said not in view."""
    from fer_desktop.core.types import FrameResult
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.set_video_time(True)
    for k in range(10):
        panel.show_result(_faces(0.1 * k, (3, 100)))
    panel.show_result(FrameResult(index=20, timestamp_s=2.0, faces=()))
    panel._on_redraw_timer()
    assert panel.current_face is None
    assert panel.timeline_title == "Last minute of face #3 (not in view)"
    assert len(panel.curve_data("happy")[0]) >= 10
    panel.show_result(_faces(3.0, (3, 100)))  # back: named as the heading names it
    assert panel.timeline_title == "Last minute of face #3"


def test_two_faces_of_a_size_do_not_flip_and_heading_and_timeline_agree(qtbot):
    """Walk 12: "#4#5#4#5..." as two faces of about the same size took turns as the largest,
    and the heading named #5 while the timeline said "Last minute of face #4"."""
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.set_video_time(True)
    for k in range(20):  # the two boxes jitter by a few pixels, in turn the larger
        panel.show_result(_faces(0.1 * k, (4, 100 + 3 * (k % 2)), (5, 102 - 3 * (k % 2))))
        shown = panel.current_face.track_id
        # no redraw in between: the title follows the heading at once
        assert f"#{shown}" in panel.heading_text()
        assert panel.timeline_title == f"Last minute of face #{shown}"
    assert panel.switch_marks() == []
    panel.show_result(_faces(2.0, (4, 130), (5, 100)))  # clearly larger: shown at once
    assert panel.current_face.track_id == 4 and panel.timeline_title.endswith("#4")
    panel.select_track(5)
    assert panel.timeline_title.endswith("#5") and "#5" in panel.heading_text()


def test_the_panel_keeps_the_face_shown_while_the_detector_misses_it_a_moment(qtbot):
    """A face drawn as held (missed in this frame, found moments ago) stayed on the video but
    left the panel for the largest face, whose switch mark then stayed on the timeline."""
    import dataclasses

    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.set_video_time(True)
    for k in range(10):
        panel.show_result(_faces(0.1 * k, (4, 60), (5, 100)))
    panel.select_track(4)
    both = _faces(1.0, (4, 60), (5, 100))
    panel.show_result(dataclasses.replace(both, faces=both.faces[1:],
                                          held=_as_held(both.faces[:1])))
    assert panel.current_face.track_id == 4 and "#4" in panel.heading_text()
    panel.select_track(None)  # the largest: #5, then missed a moment
    panel.show_result(dataclasses.replace(both, timestamp_s=1.1))
    assert panel.current_face.track_id == 5
    panel.show_result(dataclasses.replace(both, timestamp_s=1.2, faces=both.faces[:1],
                                          held=_as_held(both.faces[1:])))
    assert panel.current_face.track_id == 5


def test_a_narrow_heading_still_says_whether_the_face_was_chosen(qtbot):
    """At 1280 px the panel was too narrow for "face #2 (selected of 2)": the short heading
    "happy 90% · #2" never said whether it followed the face clicked (walk-through 13)."""
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.show_result(_faces(0.0, (4, 130), (5, 100)))
    panel.select_track(5)
    panel.show_result(_faces(0.1, (4, 130), (5, 100)))
    whole = panel.heading_text()
    assert whole.endswith("face #5 (selected of 2)")
    short = whole.split(" \u00b7 ")[0] + " \u00b7 #5 (selected)"
    metrics = panel._title.fontMetrics()
    panel._title.resize(metrics.horizontalAdvance(short) + 6, 20)  # room for the short form
    assert panel.heading_shown() == short


def test_a_narrow_heading_of_an_unsure_face_keeps_the_number(qtbot):
    """At about 1024 px "sad? 48% (unsure) · #3" was cut to "sad? 48% (unsure) · #…": the
    number went before "(unsure)", which the "?" already says (user trial)."""
    from fer_desktop.core.types import Face, FrameResult
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    p = np.full(7, 0.08, np.float32)
    p[EMOTIONS.index("sad")] = 0.48
    unsure = Face(box=np.array([0, 0, 100, 100], np.float32), probabilities=p, label="sad",
                  confidence=0.48, track_id=3, uncertain=True)
    panel.show_result(FrameResult(index=0, timestamp_s=0.0, faces=(unsure,)))
    assert "(unsure)" in panel.heading_text()
    short = "sad? 48% \u00b7 #3"
    metrics = panel._title.fontMetrics()
    panel._title.resize(metrics.horizontalAdvance(short) + 6, 20)
    assert panel.heading_shown() == short
    # a little wider: "(unsure)" goes before whether the face was chosen (trial 28: in a
    # busy video, where most answers are unsure, "(selected)" was never seen)
    panel.select_track(3)
    chosen = "sad? 48% \u00b7 #3 (selected)"
    panel._title.resize(metrics.horizontalAdvance(chosen) + 6, 20)
    assert panel.heading_shown() == chosen


def _video_panel(qtbot):
    """A side panel shown, on video time."""
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.resize(400, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_video_time(True)
    return panel


def _switching_panel(qtbot, first: int):
    """A side panel on a video where faces ``first`` and ``first + 1`` take turns (a switch
    every 1.2 s, each its own marker: closer ones are merged) for 36 s, then ``first`` alone
    at 40 s, drawn."""
    panel = _video_panel(qtbot)
    for k in range(30):
        panel.show_result(_faces(1.2 * k, (first + k % 2, 100)))
    panel.show_result(_faces(40.0, (first, 100)))
    panel._on_redraw_timer()
    return panel


def test_switch_labels_close_together_are_not_printed_over_each_other(qtbot):
    panel = _switching_panel(qtbot, 4)
    assert len(panel.switch_marks()) == 30
    labelled = [(line.value(), line.label.toPlainText()) for line in panel._switch_lines
                if line.isVisible() and line.label.toPlainText()]
    assert 2 <= len(labelled) < 30 and labelled == panel.labelled_switches()
    assert labelled[-1] == (pytest.approx(40.0), "#4")  # the newest always named
    gap = panel._label_gap()  # "#000 " in plot seconds
    assert 1.2 < gap < 20.0  # (markers 1.2 s apart would overprint)
    assert all(b[0] - a[0] >= gap for a, b in zip(labelled, labelled[1:], strict=False))


@pytest.mark.parametrize("first", [14, 104])
def test_the_gap_between_switch_labels_holds_a_whole_label(qtbot, first):
    """Trial 15: "#15" was drawn touching "#16": the gap held "#000 " in the widget's font,
    not the label as drawn with its margins."""
    panel = _switching_panel(qtbot, first)
    view = panel._plot.getPlotItem().getViewBox()
    low, high = view.viewRange()[0]
    drawn_px = max(line.label.boundingRect().width() for line in panel._switch_lines
                   if line.isVisible() and line.label.toPlainText())
    assert panel._label_gap() >= drawn_px * (high - low) / view.width()


def test_the_dashed_box_does_not_cross_the_followed_face_s_label(qtbot):
    """The followed face's dashed box (5 px outside the face) was drawn over the label's text,
    which sits right above the face (user trial); it now runs just inside the face's box
    (outside, it ran through the first letters of the face's bars, trial 19)."""
    from fer_desktop.ui.video_view import VideoView

    p = np.full(7, 0.05, np.float32)
    p[EMOTIONS.index("happy")] = 0.7
    face = Face(box=np.array([100, 80, 180, 170], np.float32), probabilities=p, label="happy",
                confidence=0.7, track_id=2)
    painter = OverlayPainter(OverlayStyle(show_bars=False))
    annotated = painter.draw(np.full((240, 320, 3), 90, np.uint8), [face])
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(320, 240)  # the frame's own size: one frame pixel to one widget pixel
    view.set_frame(annotated, 0)
    x1, y1, x2, y2 = painter.label_box(face, (240, 320))
    assert y2 <= 80 + 1 and y1 < 80 - 5  # above the face, where the dashed box's top runs
    view.set_highlight(tuple(float(v) for v in face.box), (x1, y1, x2, y2))
    shot = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    shown = np.frombuffer(shot.constBits(), np.uint8).reshape(
        shot.height(), shot.bytesPerLine())[:, :shot.width() * 3].reshape(
        shot.height(), shot.width(), 3)[..., ::-1]  # as BGR
    assert (shown[y1:y2, x1:x2] == annotated[y1:y2, x1:x2]).all()  # the label as drawn
    assert (shown[100:150, 105] != annotated[100:150, 105]).any()  # the box, inside the face's
    outside = np.r_[0:98, 183:320]  # beyond the face's box (its line 2-3 px): as drawn
    assert (shown[:, outside] == annotated[:, outside]).all()
    view.resize(960, 720)  # the picture shown three times its size: the coloured stroke too
    shot = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    big = np.frombuffer(shot.constBits(), np.uint8).reshape(
        shot.height(), shot.bytesPerLine())[:, :shot.width() * 3].reshape(
        shot.height(), shot.width(), 3)[..., ::-1]
    stroke = cv2.resize(annotated, (960, 720), interpolation=cv2.INTER_NEAREST)
    # the face's left edge, x 100 at three times, within its outer pixels (smoothed there
    # against the nearest-pixel copy: the box's dark casing makes a sharp edge)
    column = big[300:450, 298:305].astype(int)
    assert np.abs(column - stroke[300:450, 298:305]).max() < 40  # the coloured box uncovered


def test_a_source_that_shows_no_picture_does_not_blame_the_minimum_face(qtbot):
    """Trial 11: with Minimum face at 60 px, opening broken.jpg (nothing decoded) said "No face
    of 60 px or more / Lower Minimum face (Options) to find smaller ones." beside the red
    "is damaged or incomplete"."""
    from fer_desktop.core.types import FrameResult
    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_min_face(60)
    panel.clear()  # a new source, before (or without) its first picture
    assert "60 px" not in panel.heading_text() and panel.hint.isHidden()
    assert panel.heading_text() == "No picture yet"
    panel.show_result(FrameResult(0, 0.0))  # a picture without a face
    assert "No face found (minimum 60 px)" in panel.heading_text() and not panel.hint.isHidden()
    # narrow, the number stays whole: "No face found (minimum 25..." read as 25 for 250
    panel.set_min_face(250)
    short = "No face \u2265 250 px"
    panel._title.resize(panel._title.fontMetrics().horizontalAdvance(short) + 6, 20)
    assert panel.heading_shown() == short


def test_the_dashed_box_leaves_clear_the_label_where_it_made_way(qtbot):
    """Two faces at the top edge, close together: the second one's label is drawn below the
    first one's, not where it would go alone; the dashed box must leave that place clear."""
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.core.types import FrameResult
    from fer_desktop.ui.face_panel import FacePanel
    from fer_desktop.ui.face_selection import FaceSelection
    from fer_desktop.ui.notifications import Notifier
    from fer_desktop.ui.video_view import VideoView

    def face(box, label, track_id):
        p = np.full(7, 0.05, np.float32)
        p[EMOTIONS.index(label)] = 0.7
        return Face(box=np.array(box, np.float32), probabilities=p, label=label,
                    confidence=0.7, track_id=track_id)

    faces = (face([200, 0, 260, 60], "happy", 1), face([264, 0, 324, 60], "sad", 2))
    result = FrameResult(index=0, timestamp_s=0.0, faces=faces)
    painter = OverlayPainter()
    view, panel, bar = VideoView(), FacePanel(), QStatusBar()
    for widget in (view, panel, bar):
        qtbot.addWidget(widget)
    view.set_frame(painter.draw(np.full((480, 640, 3), 90, np.uint8), faces), 0)
    panel.show_result(result)
    selection = FaceSelection(view, panel, Notifier(bar), lambda: result)
    selection.select(2)
    laid_out = painter.label_boxes(faces, (480, 640))[1]
    assert laid_out != painter.label_box(faces[1], (480, 640))  # it made way
    assert view.keep_clear == tuple(float(v) for v in laid_out)


def test_the_panel_does_not_hand_its_face_to_a_passer_by(qtbot):
    """Trial 15: each newcomer a fifth larger took the panel from its first frame, and the
    timeline was mostly switch markers: a passer-by seen for half a second is not followed."""
    from fer_desktop.core.types import Face, FrameResult
    from fer_desktop.ui.face_panel import FacePanel

    def frame(t_s, *sides):
        faces = tuple(Face(box=np.array([0, 0, side, side], np.float32),
                           probabilities=np.full(7, 1 / 7, np.float32), track_id=track)
                      for track, side in sides)
        return FrameResult(index=round(t_s * 15), timestamp_s=t_s, faces=faces)

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_video_time(True)
    for k in range(30):  # #1 alone for 2 s
        panel.show_result(frame(k / 15, (1, 100)))
    for k in range(30, 38):  # #2, 1.3 times as wide, passes for half a second
        panel.show_result(frame(k / 15, (1, 100), (2, 130)))
    for k in range(38, 45):
        panel.show_result(frame(k / 15, (1, 100)))
    panel._on_redraw_timer()
    assert panel.switch_marks() == [] and panel.timeline_title.endswith("#1")
    # the next picture of a slideshow (a new stretch): its #1 is someone else, not a face
    # seen for three seconds, and the larger #3 is shown (#1 was held against it)
    for k in range(3):
        result = frame(6.0 + k / 15, (1, 100), (3, 130))
        panel.show_result(FrameResult(index=90 + k, timestamp_s=result.timestamp_s,
                                      faces=result.faces, stretch=1))
    assert panel.timeline_title.endswith("#3")


def test_no_empty_axes_before_a_picture_or_under_a_file_that_failed(qtbot, main_window,
                                                                     tmp_path):
    """Trial 16: a video that could not be opened left an empty chart, its axis "video time
    (s)" running from 0.5 to 1.0."""
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    window = main_window(source=str(broken))
    live = window.live_view
    panel = live.face_panel
    qtbot.waitUntil(lambda: live.stack.currentWidget() is live.empty_state, timeout=WAIT_MS)
    assert not panel._plot.isVisibleTo(window) and not panel.legend.isVisibleTo(window)
    assert panel.timeline_title == "No timeline yet: no picture"
    live.set_source(str(make_video(tmp_path / "clip.avi", frames=30)))
    qtbot.waitUntil(lambda: panel._plot.isVisibleTo(window), timeout=WAIT_MS)
    assert panel.legend.isVisibleTo(window) and panel.timeline_title.startswith("Last minute")


def test_a_change_of_model_is_marked_on_the_timeline(qtbot):
    """Trial 18: the curves stepped (happy 0.9 to 0.68) where another model was put to use,
    with nothing to say so: it read as the person's expression changing."""
    from fer_desktop.core.face_timeline import FaceTimelines
    from fer_desktop.ui.face_panel import MODEL_MARK

    timelines = FaceTimelines(window_s=10.0)
    timelines.mark_model("before any frame")  # no curve yet: nothing to mark
    timelines.add(1.0, _faces(1.0, (1, 100)).faces)
    timelines.mark_model("tuned")
    assert timelines.model_marks() == [(1.0, "tuned")]
    timelines.add(12.0, _faces(12.0, (1, 100)).faces)
    assert timelines.model_marks() == []  # out of the window, as the switches
    panel = _video_panel(qtbot)
    panel.show_result(_faces(1.0, (1, 100)))
    panel.mark_model("tuned")
    panel.show_result(_faces(5.0, (2, 100), (1, 90)))
    panel.select_track(2)
    panel.show_result(_faces(8.0, (2, 100), (1, 90)))
    panel._on_redraw_timer()
    assert panel.labelled_switches() == [(pytest.approx(1.0), MODEL_MARK),
                                         (pytest.approx(5.0), "#2")]
    styles = [line.pen.style() for line in panel._switch_lines if line.isVisible()]
    assert styles == [Qt.PenStyle.DotLine, Qt.PenStyle.DashLine]


def test_a_click_on_a_face_drawn_as_held_follows_it(qtbot):
    """A face drawn where it was last seen (missed in this frame) is on the video like any
    other: a click on it chose nothing (the largest face) where it should choose it."""
    import dataclasses

    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.face_panel import FacePanel
    from fer_desktop.ui.face_selection import FaceSelection
    from fer_desktop.ui.notifications import Notifier
    from fer_desktop.ui.video_view import VideoView

    panel, video, bar = FacePanel(), VideoView(), QStatusBar()
    for widget in (panel, video, bar):
        qtbot.addWidget(widget)
    both = _faces(0.0, (4, 60), (5, 100))
    shown = dataclasses.replace(both, faces=both.faces[1:], held=_as_held(both.faces[:1]))
    selection = FaceSelection(video, panel, Notifier(bar), lambda: shown,
                              label_box=lambda face, hw, faces: (0, 0, 1, 1))
    panel.show_result(shown)
    video.clicked_at.emit(30.0, 30.0)  # inside #4's box, held
    assert panel.selected_track == 4
    # shown at once, paused too (it showed the largest until the next frame: review 39)
    assert panel.current_face.track_id == 4 and "#4" in panel.heading_text()
    assert panel.present_tracks == [4, 5]  # a digit or Tab reaches it as a click does
    assert not panel.explain_button.isEnabled()  # not found in this frame: nothing to explain
    assert "not found in this frame" in panel.explain_button.toolTip()
    panel.select_track(5)
    assert panel.explain_button.isEnabled()
    assert selection is not None


def test_the_face_chosen_is_forgotten_when_the_numbers_start_again(qtbot):
    """A seek numbers the faces from #1 again: the chosen #3 was then followed as whoever
    became the new #3, "(selected)" (review 39)."""
    import dataclasses

    from fer_desktop.ui.face_panel import FacePanel

    panel = FacePanel()
    qtbot.addWidget(panel)
    panel.set_video_time(True)
    panel.show_result(_faces(0.0, (1, 100), (2, 60), (3, 60)))
    panel.select_track(3)
    assert panel.current_face.track_id == 3
    after = dataclasses.replace(_faces(5.0, (1, 60), (2, 60), (3, 100)), stretch=1)
    panel.show_result(after)  # other people, numbered from #1
    assert panel.selected_track is None and "(largest" in panel.heading_text()


def test_a_click_in_the_bands_beside_the_picture_goes_back_to_the_largest_face(qtbot):
    """Trial 45: "click beside the faces to go back to the largest one" did nothing in the
    dark bands around a wide picture; in Collect mode a key then saved the face still chosen."""
    import numpy as np
    from PySide6.QtCore import QPoint, Qt

    from fer_desktop.ui.video_view import VideoView

    video = VideoView()
    qtbot.addWidget(video)
    video.resize(400, 400)
    video.show()
    qtbot.waitExposed(video)
    video.set_frame(np.zeros((100, 400, 3), np.uint8), 1)  # a wide picture: bands above, below
    assert video.image_rect().top() > 50
    with qtbot.waitSignal(video.clicked_at) as clicked:
        qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=QPoint(200, 20))
    assert clicked.args == [-1.0, -1.0]  # beside every face


def test_a_click_on_a_face_s_label_or_its_bars_follows_that_face(qtbot, main_window, tmp_path):
    """Trial 52: only a click inside a face's box chose it; one on its label or on the bars
    drawn beside it (visibly that face's) dropped the face chosen for the largest."""
    sample = cv2.imread(str(SAMPLE))
    picture = np.full((760, 1600, 3), 90, np.uint8)
    picture[80:680, 20:620] = cv2.resize(sample, (600, 600))  # the largest face
    picture[120:600, 900:1380] = cv2.resize(sample, (480, 480))
    path = tmp_path / "two.png"
    cv2.imwrite(str(path), picture)
    window = main_window(source=str(path))
    live = window.live_view
    qtbot.waitUntil(lambda: live._last_output is not None
                    and len(live._last_output.result.drawn_faces) == 2, timeout=WAIT_MS)
    output = live._last_output
    drawn = output.result.drawn_faces
    small = min(range(2), key=lambda i: drawn[i].area)
    track = drawn[small].track_id
    bars = output.panel_boxes[small]
    assert bars is not None and bars[0] >= drawn[small].box[2]  # beside the face, not on it
    label = OverlayPainter(zoom=live.video_view.zoom).label_boxes(drawn, output.frame.shape[:2])
    x1, y1, x2, y2 = label[small]
    assert y2 <= drawn[small].box[1] + 2  # above the face: outside its box

    panel = live.face_panel
    live.video_view.clicked_at.emit((bars[0] + bars[2]) / 2, (bars[1] + bars[3]) / 2)
    assert panel.selected_track == track
    live.video_view.clicked_at.emit(1560.0, 740.0)  # beside every face
    assert panel.selected_track is None
    live.video_view.clicked_at.emit((x1 + x2) / 2, (y1 + y2) / 2)
    assert panel.selected_track == track
    # where the labels were drawn comes with the frame: a crowd laid out again for each
    # face at every click took seconds at Largest (review 66)
    assert list(output.label_boxes) == live._painter().label_boxes(drawn,
                                                                   output.frame.shape[:2])
    live.face_selection._label_box = None  # would raise if a click laid them out again
    live.video_view.clicked_at.emit((x1 + x2) / 2, (y1 + y2) / 2)
    assert panel.selected_track == track
