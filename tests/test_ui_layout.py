"""Every tab works in a 800x600 window: nothing clipped, cut or overlapping (offscreen).

``layout_check.clipped_widgets`` lists any visible widget shown smaller than its minimum size
hint, or reaching outside its parent with no scroll bar to it; each tab is checked at 800x600
in the states a user meets (a video with its transport bar, the empty state, the Train tab
with Advanced open and a run's confusion matrix, the saved banner with a long path).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import test_ui_window
from layout_check import clipped_widgets
from PySide6.QtWidgets import QLabel, QWidget
from ui_helpers import SAMPLE, make_video, recording_a_still, settled

ROOT = Path(__file__).resolve().parent.parent
WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window


def settle(qtbot, window, width=800, height=600) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().toTuple() == (width, height), timeout=WAIT_MS)
    settled(qtbot, lambda: [w.geometry().getRect() for w in window.findChildren(QWidget)
                            if w.isVisible()])  # every layout run, not one pass (review 52)


def test_the_checker_finds_a_squeezed_label(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    label = QLabel("a label with a long text that cannot be cut", parent)
    parent.resize(300, 100)
    parent.show()
    assert clipped_widgets(parent) == []
    label.resize(40, 10)  # forced below its size: cut
    assert any("QLabel" in p for p in clipped_widgets(parent))
    child = QLabel("x", parent)
    child.move(290, 95)
    child.show()
    assert any("reaches outside" in p for p in clipped_widgets(parent))


def test_live_tab_with_a_video_fits_800x600(qtbot, main_window, tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=60)
    window = main_window(source=str(video))
    live = window.live_view
    qtbot.waitUntil(lambda: live.transport.isVisible(), timeout=WAIT_MS)
    settle(qtbot, window)
    assert live.transport.compact  # wrapped into two rows rather than cut
    long_path = tmp_path / ("a-very-long-folder-name-" * 6) / "fer-20260101-120000.png"
    live.outputs.saved_banner.show_saved("Screenshot saved", long_path)
    # once the layouts have run: 50 ms was too short in a full run (the side panel's scroll
    # bar not shown yet, its content read as cut), and the test failed there alone
    qtbot.waitUntil(lambda: clipped_widgets(window) == [], timeout=WAIT_MS)
    assert str(long_path) in live.outputs.saved_banner.label.toolTip()  # cut on screen, whole here
    assert window.model_label.width() <= 280
    settle(qtbot, window, 1280, 800)
    assert not live.transport.compact
    qtbot.waitUntil(lambda: clipped_widgets(window) == [], timeout=WAIT_MS)


def test_recording_and_collecting_leave_the_source_box_readable_at_800(qtbot, main_window):
    """REC and Collect beside it left the Source box three letters wide at 800 px (trial 30):
    they shorten to "● 00:05" and "Collect" first, and the box keeps about ten letters."""
    live = recording_a_still(qtbot, main_window, WAIT_MS)
    window = live.window()
    live.collect_panel.act_collect.trigger()
    combo, rec, collect = live.source_picker.combo, live.outputs.label, live.collect_panel.indicator
    qtbot.waitUntil(lambda: rec.isVisible() and collect.isVisible(), timeout=WAIT_MS)
    settle(qtbot, window)
    narrow = combo.fontMetrics().averageCharWidth() * 10
    qtbot.waitUntil(lambda: combo.width() >= narrow, timeout=WAIT_MS)
    assert rec.elided_text().startswith("\u25cf ") and "\u2026" not in rec.elided_text()
    assert collect.elided_text() in ("Collect", "Collect 1-7")
    settle(qtbot, window, 1280, 800)
    qtbot.waitUntil(lambda: rec.elided_text().startswith("\u25cf REC "), timeout=WAIT_MS)
    assert collect.elided_text() == "Collect 1-7"
    live.act_record.trigger()


def test_collect_from_the_keyboard_scrolls_the_panel_to_its_counts(qtbot, main_window,
                                                                    settings, tmp_path):
    """Ctrl+Shift+C showed "Collect 1-7" at the top, but the counts, Review and Undo stayed
    below the fold (trial 31)."""
    window = main_window(source=str(make_video(tmp_path / "clip.avi", frames=60)))
    live = window.live_view
    qtbot.waitUntil(lambda: live.transport.isVisible(), timeout=WAIT_MS)
    settle(qtbot, window)
    scroll, panel = live.side_scroll, live.collect_panel
    scroll.verticalScrollBar().setValue(0)
    qtbot.wait(50)

    def in_view() -> bool:
        top = panel.mapTo(scroll.widget(), panel.rect().topLeft()).y()
        shown = scroll.verticalScrollBar().value()
        return shown <= top and top + 150 <= shown + scroll.viewport().height()

    assert not in_view()  # at 800x600 it is below the Options
    panel.act_collect.trigger()
    qtbot.waitUntil(in_view, timeout=WAIT_MS)
    panel.act_collect.trigger()


def test_empty_state_fits_800x600(qtbot, main_window):
    window = main_window()
    live = window.live_view
    qtbot.waitUntil(lambda: live.stack.currentWidget() is live.empty_state, timeout=WAIT_MS)
    settle(qtbot, window)
    assert clipped_widgets(window) == []


def test_train_tab_with_advanced_and_results_fits_800x600(qtbot, main_window):
    window = main_window()
    window.tabs.setCurrentWidget(window.train_tab)
    tab = window.train_tab
    tab.form.advanced_button.setChecked(True)
    tab.results.show_run(ROOT / "assets")  # the shipped model's confusion matrix
    settle(qtbot, window)
    assert tab.results.table.rowCount() == 7
    assert clipped_widgets(window) == []
    tab.bottom_tabs.setCurrentIndex(1)
    assert clipped_widgets(window) == []


@pytest.mark.parametrize("size", [(800, 600), (1024, 700), (1920, 1080)])
def test_side_panel_never_scrolls_sideways(qtbot, main_window, size):
    """The side panel is given the width its content needs: at 1024x700 it used to be 9 px
    short, so a horizontal scroll bar appeared and the Detector box was cut at the edge."""
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    qtbot.waitUntil(lambda: live.stack.currentWidget() is live.video_view, timeout=WAIT_MS)
    settle(qtbot, window, *size)
    scroll = live.side_scroll  # beside the video, under the answer
    content = scroll.widget()
    assert content.width() <= scroll.viewport().width()
    assert not scroll.horizontalScrollBar().isVisible()
    assert content.minimumSizeHint().width() <= scroll.viewport().width()
    combo = live.options_box.detector_combo
    right = combo.mapTo(scroll.viewport(), combo.rect().topRight()).x()
    assert right < scroll.viewport().width()  # the Detector box is whole, not cut
    panel = live.face_panel  # above the scroll area: the heading and "Why this answer?"
    assert panel.width() >= panel.minimumSizeHint().width()


def test_a_wide_window_shows_the_models_whole_line(qtbot, main_window):
    """The model's line (its accuracy at the end) was cut at 280 px even at 1920x1080."""
    window = main_window()
    # the model loads in the background and writes its own line: let it, then set ours
    qtbot.waitUntil(lambda: window.live_view.pipeline is not None, timeout=WAIT_MS)
    line = "Model: default ensemble of 3 (PrivateTest 66.3%)"
    label = window.model_label
    assert label.fontMetrics().horizontalAdvance(line) > 280  # too long for the old limit
    settle(qtbot, window, 1920, 1080)
    label.setText(line)
    qtbot.wait(50)
    assert label.elided_text() == line
    settle(qtbot, window)  # 800x600: the messages keep their room
    assert label.width() <= 280 and clipped_widgets(window) == []


def test_the_shipped_models_whole_line_shows_at_1024_px(qtbot, main_window):
    """At 1024x700 it read "Model: default 20261204-095120-default · 71.7%", without its
    "PrivateTest" (docs/ui.md said the whole line shows from about 1024 px): the run's
    preset is now said once in the bar, and the whole name is in the tooltip."""
    import json

    from ui_helpers import StubClassifier

    from fer_desktop.core.gui_wording import status_bar_name
    from fer_desktop.core.model import default_model_dir

    name = json.loads((ROOT / "assets" / "model.json").read_text())["name"]
    window = main_window()
    qtbot.waitUntil(lambda: window.live_view.pipeline is not None, timeout=WAIT_MS)
    settle(qtbot, window, 1024, 700)
    shipped = StubClassifier(name)
    shipped.model_dir = default_model_dir()  # said to be the shipped one (trial 13)
    window._show_model(shipped)
    qtbot.wait(50)
    label = window.model_label
    said = status_bar_name(name)  # "default 20261204-095120"
    shown = f"Model: {said} (shipped, 50.0%)"  # "PrivateTest" in the tooltip
    assert label.text() == f"Model: {said} (shipped, PrivateTest 50.0%)"
    assert label.elided_text() == shown and name not in shown  # shorter: not cut
    assert f"{name} (PrivateTest 50.0%)" in label.toolTip()  # the whole name
    settle(qtbot, window, 1280, 700)
    assert label.elided_text() == label.text()  # whole, "PrivateTest" and all
    window._show_model(StubClassifier("stub"))  # a name said whole: no name in the tip
    assert name not in label.toolTip()


def test_a_fine_tuned_models_name_and_accuracy_survive_the_cut(qtbot, main_window):
    """"Model: default ensemble of 3 fine-tuned on collected faces (PrivateTest 63.7%)" was
    cut to "...(Privat..." in a 1280-px window: the accuracy went, and at 800 px the name's
    end too. A shorter line now, cut in the middle, the whole line in the tooltip."""
    from ui_helpers import StubClassifier

    window = main_window()
    qtbot.waitUntil(lambda: window.live_view.pipeline is not None, timeout=WAIT_MS)
    label = window.model_label
    settle(qtbot, window, 1280, 800)
    window._show_model(StubClassifier("default ensemble of 3 fine-tuned on collected faces"))
    qtbot.wait(50)
    whole = "Model: default ensemble of 3 fine-tuned on collected faces (PrivateTest 50.0%)"
    assert label.text() == whole and whole in label.toolTip()
    shown = label.elided_text()
    assert shown != whole  # too long for the room: the short line
    assert "fine-tuned on collected faces" in shown and shown.endswith("50.0%")
    settle(qtbot, window)  # 800x600: cut, but in the middle
    shown = label.elided_text()
    assert shown.startswith("Model: default") and shown.endswith("50.0%")
    assert label.width() <= 280 and clipped_widgets(window) == []


@pytest.mark.parametrize("size", [(800, 600), (1280, 800)])
def test_every_detector_name_shows_whole(qtbot, main_window, size):
    """"YuNet (small faces, close-ups)" was cut to "YuNet (small faces, cl" in the side panel
    (BlazeFace's name even at 1280x800); the names are short now, the rest in tooltips."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    window = main_window(source=str(SAMPLE))
    settle(qtbot, window, *size)
    combo = window.live_view.options_box.detector_combo
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    for i in range(combo.count()):
        assert combo.fontMetrics().horizontalAdvance(combo.itemText(i)) <= field.width()
        assert combo.itemData(i, Qt.ItemDataRole.ToolTipRole)


def test_the_panel_heading_keeps_the_answer_when_cut(qtbot, main_window):
    """At 1024x700 "Face #1 (largest): happy 70%" was cut to "Face #1 (largest)...": the
    emotion comes first now, so what is cut is the face's number."""
    window = main_window(source=str(SAMPLE))
    panel = window.live_view.face_panel
    qtbot.waitUntil(lambda: panel.current_face is not None, timeout=WAIT_MS)
    settle(qtbot, window, 1024, 700)
    label = panel.current_face.label
    assert panel.heading_shown().startswith(f"{label} ")
    settle(qtbot, window, 1920, 1080)
    assert panel.heading_shown().endswith("face #1 (largest)")


def test_a_long_status_message_is_shortened_in_the_middle_not_cut(qtbot, main_window):
    """At 1024 px a saved file's message lost its end (the file name) under the bar's
    permanent labels; now its middle gives way and the tooltip has all of it."""
    window = main_window()
    qtbot.waitUntil(lambda: window.live_view.pipeline is not None, timeout=WAIT_MS)
    settle(qtbot, window, 1024, 700)
    bar = window.statusBar()
    message = ("Screenshot saved to /home/someone/Pictures/FER Desktop/screenshots/"
               "2026-12-02/a-rather-long-folder-name/fer-20261202-011500-123.png")
    window.notifier.info(message)
    shown = bar.currentMessage()
    room = window.notifier.message_room_px()
    assert 0 < room < bar.fontMetrics().horizontalAdvance(message)  # it does not fit whole
    assert bar.fontMetrics().horizontalAdvance(shown) <= room
    assert shown.startswith("Screenshot saved") and shown.endswith("-123.png")
    assert bar.toolTip() == message and window.notifier.last_info == message
    bar.clearMessage()
    assert bar.toolTip() == ""
    window.notifier.info("Short and whole")
    assert bar.currentMessage() == "Short and whole" and bar.toolTip() == ""


def test_a_message_shown_before_the_window_fits_once_it_is_shown(qtbot):
    """A message from start-up (the bar not shown yet) was squeezed into Qt's unshown 100 px,
    and a shortened message stayed short when the window was widened."""
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.notifications import Notifier

    bar = QStatusBar()
    qtbot.addWidget(bar)
    bar.addPermanentWidget(QLabel("Model: default ensemble of 3"))
    notifier = Notifier(bar)
    message = "The model chosen earlier cannot be used (its folder is gone); " \
              "using the shipped model instead of /home/someone/models/my-model"
    notifier.info(message)
    assert bar.currentMessage() == message  # nothing known about the room yet: whole
    bar.resize(500, 30)
    bar.show()
    qtbot.waitUntil(lambda: bar.currentMessage() != message, timeout=WAIT_MS)
    room = notifier.message_room_px()
    assert bar.fontMetrics().horizontalAdvance(bar.currentMessage()) <= room
    assert bar.currentMessage().startswith("The model") and bar.toolTip() == message
    bar.resize(1600, 30)
    qtbot.waitUntil(lambda: bar.currentMessage() == message, timeout=WAIT_MS)
    assert bar.toolTip() == ""


def test_right_to_left_a_long_message_is_shortened_in_the_middle_too(qtbot):
    """Trial 44: under Qt's -reverse the bar's labels are on the left; the room was taken as
    0, nothing was shortened, and messages lost their first words ("es were checked in
    Review...")."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.notifications import Notifier

    bar = QStatusBar()
    bar.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.addWidget(bar)
    bar.addPermanentWidget(QLabel("Model: default 20261204-095120 (PrivateTest 71.7%)"))
    bar.resize(700, 30)
    bar.show()
    qtbot.waitExposed(bar)
    notifier = Notifier(bar)
    message = ("Saved face #1 as angry: /tmp/t44/home/.local/share/FER Desktop/collected "
               "faces/angry/20261207-094041-852.png")
    notifier.info(message)
    room = notifier.message_room_px()
    assert 0 < room < bar.fontMetrics().horizontalAdvance(message)
    shown = bar.currentMessage()
    assert shown.startswith("Saved face #1") and shown.endswith("852.png")
    assert bar.fontMetrics().horizontalAdvance(shown) <= room


def test_a_message_is_refitted_when_a_permanent_label_grows(qtbot):
    """The model's line grows once the model has loaded; the message fitted before ran under
    it ("...(PrivateTest 6" over "FPS")."""
    bar, model, notifier = _status_bar(qtbot, "Model: loading...", 700)
    qtbot.wait(50)
    notifier.info("Screenshot saved to /home/someone/Pictures/FER Desktop/screenshots/"
                  "2026-12-02/fer-20261202-011500-123.png")
    model.setText("Model: default ensemble of 3, distilled, mixed labels (PrivateTest 69.5%)")

    def fits() -> bool:
        shown = bar.currentMessage()
        return shown.startswith("Screenshot") and model.geometry().x() < 500 \
            and bar.fontMetrics().horizontalAdvance(shown) <= notifier.message_room_px()

    qtbot.waitUntil(fits, timeout=3000)  # well before the message's own 6 s timeout


def test_a_message_still_times_out_while_the_labels_keep_changing(qtbot):
    """The FPS label changes every second; refitting on each change restarted the message's
    timeout, and every message stayed up until the next one."""
    from PySide6.QtCore import QTimer

    bar, fps, notifier = _status_bar(qtbot, "FPS 30.0", 600)
    ticks = QTimer()
    texts = iter(["FPS 9.0", "FPS 30.0", "FPS 112.0"] * 30)  # widths change: layout requests
    ticks.timeout.connect(lambda: fps.setText(next(texts)))
    ticks.start(100)
    notifier.info("Screenshot saved to /home/someone/Pictures/FER Desktop/fer-1.png",
                  timeout_ms=600)
    assert bar.currentMessage()
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=3000)
    ticks.stop()


def _status_bar(qtbot, label_text: str, width: int):
    """A shown status bar with one permanent label and a Notifier, as the window has."""
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.notifications import Notifier

    bar = QStatusBar()
    qtbot.addWidget(bar)
    label = QLabel(label_text)
    bar.addPermanentWidget(label)
    bar.resize(width, 30)
    bar.show()
    return bar, label, Notifier(bar)


def test_a_narrow_heading_keeps_the_face_number(qtbot):
    """At 1024 and 800 px the heading read "happy 89% · face #…": the number was cut."""
    from PySide6.QtCore import Qt

    from fer_desktop.ui.elided_label import ElidedLabel

    label = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
    qtbot.addWidget(label)
    label.show()  # (a hidden label gets no resize events, so no tooltip update)
    label.setText("happy 89% \u00b7 face #12 (largest of 3)")
    label.set_short_text("happy 89% \u00b7 #12")
    metrics = label.fontMetrics()
    label.resize(metrics.horizontalAdvance("happy 89% \u00b7 #12") + 4, 20)
    assert label.elided_text() == "happy 89% \u00b7 #12"
    assert "face #12 (largest of 3)" in label.toolTip()  # the whole text when cut
    label.resize(metrics.horizontalAdvance(label.text()) + 10, 20)
    assert label.elided_text() == label.text()  # room: the whole heading
    # two shorter forms, the first that fits: "#1 (lar..." cut the word (walk-through 13)
    label.set_short_text("happy 89% \u00b7 #12 (largest)", "happy 89% \u00b7 #12")
    label.resize(metrics.horizontalAdvance("happy 89% \u00b7 #12 (largest)") + 4, 20)
    assert label.elided_text() == "happy 89% \u00b7 #12 (largest)"
    label.resize(metrics.horizontalAdvance("happy 89% \u00b7 #12 (larg") + 4, 20)
    assert label.elided_text() == "happy 89% \u00b7 #12"
    label.setText("No face in view")  # another text forgets the short form
    label.resize(40, 20)
    assert label.elided_text().startswith("No")


def test_a_long_message_gets_the_room_of_the_live_figures_until_it_goes(qtbot):
    """At 800 px the FPS, ms/frame and faces labels left a message 220 px: "Same face ... a
    little." (a new user's trial). They step aside for it and come back after."""
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.notifications import Notifier

    bar = QStatusBar()
    qtbot.addWidget(bar)
    figures = [QLabel("FPS 15.0"), QLabel("15 ms/frame, every 67 ms"), QLabel("1 face")]
    for label in [*figures, QLabel("Model: default 20261204-095120-default")]:
        bar.addPermanentWidget(label)
    bar.resize(800, 30)
    bar.show()
    notifier = Notifier(bar)
    asked = []

    def make_room(needed: bool) -> None:
        asked.append(needed)
        for label in figures:
            label.setVisible(not needed)

    notifier.yield_room(make_room)
    qtbot.wait(50)
    notifier.info("Short.", timeout_ms=300)
    assert all(label.isVisible() for label in figures)  # it fits: nobody moves
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=3000)
    room_before = notifier.message_room_px()
    message = "Same face as the last one saved: not saved again; change your expression."
    assert bar.fontMetrics().horizontalAdvance(message) > room_before
    notifier.info(message, timeout_ms=600)
    assert not any(label.isVisible() for label in figures)
    assert notifier.message_room_px() > room_before + 200
    assert bar.currentMessage() == message  # whole, in the room they left
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=3000)
    assert all(label.isVisible() for label in figures) and asked == [True, False]


def test_the_live_figures_stay_hidden_on_the_train_tab_after_a_long_message(qtbot, settings):
    """They describe the Live tab; a long message that ended there must not bring them back
    on the Train tab."""
    from ui_helpers import no_cameras, stub_pipeline

    from fer_desktop.ui.main_window import MainWindow

    window = MainWindow(settings, start=False, pipeline_factory=stub_pipeline,
                        camera_lister=no_cameras)
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    window.notifier.info("A long message " * 12, timeout_ms=1500)
    qtbot.waitUntil(lambda: not window.fps_label.isVisible(), timeout=1000)
    window.tabs.setCurrentIndex(1)  # Train, while the message is up
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=3000)
    assert not window.fps_label.isVisible() and window.model_label.isVisible()
    window.tabs.setCurrentIndex(0)
    assert window.fps_label.isVisible() and window.faces_label.isVisible()
    window.close()


def test_a_path_is_shortened_by_whole_folders(qtbot):
    """The collect folder read "/tmp/trial31/home/.... Desktop/collected faces": cut inside
    ".local", its dots ran into the "..." (trial 31). Whole folders go from the middle."""
    from fer_desktop.ui.elided_label import ElidedLabel

    path = "/tmp/trial31/home/.local/share/FER Desktop/collected faces"
    label = ElidedLabel(f"Faces in {path}")
    qtbot.addWidget(label)
    label.resize(label.fontMetrics().horizontalAdvance("Faces in /tmp/…/FER Desktop/collected "
                                                      "faces") + 4, 20)
    label.show()
    shown = label.elided_text()
    assert shown == "Faces in /tmp/…/FER Desktop/collected faces", shown
    assert path in label.toolTip()  # the whole of it
    label.resize(30, 20)  # no whole folder fits: cut in the middle as before
    assert "\u2026" in label.elided_text() and "/" not in label.elided_text()[3:-3]
