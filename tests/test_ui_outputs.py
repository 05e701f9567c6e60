"""Where saved files went: the saved banner with Open folder, and File > Open output folder."""

from __future__ import annotations

import csv
from pathlib import Path

import test_ui_window
from ui_helpers import SAMPLE, recording_a_still, settled

from fer_desktop.core.export import CSV_COLUMNS

WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window


def test_screenshot_and_recording_say_where_with_open_folder(qtbot, main_window, settings,
                                                             monkeypatch):
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    opened = []
    monkeypatch.setattr(live.outputs, "folder_opener", lambda folder: opened.append(folder) or True)
    png = live.take_screenshot()
    banner = live.outputs.saved_banner
    assert banner.isVisible() and banner.path == png
    assert "Screenshot saved" in banner.label.text() and str(png) in banner.label.text()
    banner.open_button.click()
    assert opened == [png.parent]
    live.start_recording()
    csv_path = live.stop_recording()
    assert banner.path == csv_path and "Recording saved" in banner.label.text()
    assert window.notifier.last_info.endswith("(1 row)")  # the still image's face: "1 rows"
    banner.close_button.click()
    assert not banner.isVisible()


def test_file_menu_opens_the_output_folder_creating_it(qtbot, main_window, settings,
                                                       monkeypatch, tmp_path):
    settings.output_folder = tmp_path / "new" / "out"
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    opened = []
    monkeypatch.setattr(live.outputs, "folder_opener", lambda folder: opened.append(folder) or True)
    file_menu = window.menuBar().actions()[0].menu()
    assert live.act_open_output_folder in file_menu.actions()
    live.act_open_output_folder.trigger()
    assert opened == [tmp_path / "new" / "out"] and Path(opened[0]).is_dir()
    monkeypatch.setattr(live.outputs, "folder_opener", lambda folder: False)
    live.act_open_output_folder.trigger()
    assert "No application could be started to open" in window.notifier.last_error


def test_recording_needs_a_source(qtbot, main_window, settings):
    window = main_window()  # no camera, no source: the empty state
    live = window.live_view
    qtbot.waitUntil(lambda: live.stack.currentWidget() is live.empty_state, timeout=WAIT_MS)
    # nothing to save, record or explain: the actions are greyed out, not merely refused
    assert not live.act_record.isEnabled() and not live.act_screenshot.isEnabled()
    assert not live.act_explain.isEnabled() and not live.face_panel.explain_button.isEnabled()
    assert live.start_recording() is None  # a script calling it directly is told why
    assert not live.is_recording and not live.act_record.isChecked()
    assert "Choose a camera, a video or an image first" in window.notifier.last_info
    assert not Path(settings.output_folder).exists() or not list(
        Path(settings.output_folder).glob("*.csv"))


def test_frame_actions_wake_up_with_the_first_frame_with_a_face(qtbot, main_window):
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    assert live.act_screenshot.isEnabled() and live.act_record.isEnabled()
    assert live.act_explain.isEnabled() and live.face_panel.explain_button.isEnabled()


def test_screenshot_json_names_the_model(qtbot, main_window):
    import json

    from fer_desktop import __version__

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    png = live.take_screenshot()
    sidecar = json.loads(png.with_suffix(".json").read_text())
    assert sidecar["model"] == "stub" and sidecar["app_version"] == __version__
    assert sidecar["settings"]["smoothing_s"] == 0  # a picture: unsmoothed, as analyze says


def test_recording_a_still_image_writes_its_faces(qtbot, main_window):
    """A still image sends no more frames: its recording was a CSV with a header only."""
    live = recording_a_still(qtbot, main_window, WAIT_MS)
    path = live.recorder.path
    with qtbot.waitSignal(live.recording_changed, timeout=WAIT_MS):
        live.act_record.trigger()  # the button, not LiveView.stop_recording
    rows = list(csv.reader(path.open()))
    assert len(rows) >= 2 and rows[1][CSV_COLUMNS.index("label") + 1] == "happy"
    # a picture is never smoothed, and its rows say so as analyze's do (they said 0.5: audit 54)
    assert dict(zip(rows[0], rows[1], strict=True))["smoothing_s"] == "0"
    # stopped with the button, the banner names the CSV (it kept showing the last screenshot)
    banner = live.outputs.saved_banner
    assert banner.path == path and "Recording saved" in banner.label.text()


def test_a_recording_whose_first_row_fails_leaves_no_file(qtbot, main_window, monkeypatch):
    from fer_desktop.core import export

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass

    def disk_full(self, result, source=None, pixel_scale=1.0):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.CsvRecorder, "write", disk_full)
    assert live.start_recording() is None and not live.is_recording
    assert "No space left" in window.notifier.last_error
    assert not list(Path(window.settings.output_folder).glob("*.csv"))


def test_the_saved_banner_goes_when_another_source_opens(qtbot, main_window, tmp_path):
    """"Analysis saved: fer-clip-emotions-....csv" stayed above the next video and the sample."""
    from ui_helpers import make_video

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    live.take_screenshot()
    assert live.outputs.saved_banner.isVisible()
    live.set_source(str(make_video(tmp_path / "clip.avi", frames=5)))
    assert not live.outputs.saved_banner.isVisible()


def test_the_saved_banner_lies_over_the_video_and_goes_by_itself(qtbot, main_window):
    """It pushed the video down 33 px (and rescaled it) at every screenshot, and stayed."""
    window = main_window(source=str(SAMPLE))
    window.resize(1200, 800)
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    qtbot.wait(50)
    video_size = live.video_view.size()
    live.take_screenshot()
    banner = live.outputs.saved_banner
    qtbot.wait(50)
    assert banner.isVisible() and live.video_view.size() == video_size
    assert banner.parent() is live.stack
    assert banner.geometry().bottom() < live.stack.height()  # over its bottom, in view
    assert banner.geometry().top() > live.stack.height() // 2
    banner.timer.setInterval(50)
    banner.show_saved("Screenshot saved", banner.path)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=WAIT_MS)


def test_the_top_buttons_stay_put_when_recording_or_collecting_starts(qtbot, main_window,
                                                                      settings, tmp_path):
    """Record CSV became "Stop recording" and "REC 00:03" took its place: a second click
    on the same spot hit the label and the recording went on (walk-through 13)."""
    from PySide6.QtWidgets import QToolButton

    settings.collect_folder = tmp_path / "collected"
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    buttons = [b for b in live.findChildren(QToolButton)
               if b.defaultAction() in (live.act_screenshot, live.act_record)]
    assert len(buttons) == 2

    def places():  # once the layout has run (review 52)
        return settled(qtbot, lambda: [b.mapTo(window, b.rect().topLeft()).x() for b in buttons]
                       + [b.width() for b in buttons])

    before = places()
    live.start_recording()
    qtbot.waitUntil(lambda: "REC" in live.outputs.label.text(), timeout=WAIT_MS)
    assert live.act_record.text() != "&Record CSV"
    assert places() == before
    live.collect_panel.active.setChecked(True)
    assert places() == before
    live.stop_recording()
    assert places() == before


def test_a_screenshot_is_the_same_file_whatever_the_screen_s_zoom(qtbot, main_window):
    """Trial 38: the same photo saved at 200% and at 150% gave two different files (larger
    labels, bars for other faces): the overlay was drawn at the screen's zoom."""
    import cv2

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    view = live.video_view
    saved = []
    for zoom in (1.0, 2.0):
        view.text_zoom = zoom  # as a display at 100% and one at 200% set it
        live.capture.request_options(None)  # the frame on screen drawn again at that zoom
        with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
            pass
        saved.append(cv2.imread(str(live.take_screenshot())))
    assert saved[0].shape == saved[1].shape and (saved[0] == saved[1]).all()


def test_a_recording_of_a_photo_decoded_at_half_size_is_in_its_own_pixels(
        qtbot, main_window, tmp_path, monkeypatch):
    """Audit 54: a 50-200 MP JPEG is shown decoded at half size; the recording's first row,
    written from the frame on screen, had its box and minimum face in the half picture's
    pixels (the analyze CSV, in the photo's). The limit is lowered here so that the 512 x 512
    sample is such a photo."""
    import cv2

    from fer_desktop.core import image_size, sources

    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), cv2.imread(str(SAMPLE)))
    for module in (sources, image_size):
        monkeypatch.setattr(module, "MAX_IMAGE_PIXELS", 100_000)  # 262,144: at half size
    live = recording_a_still(qtbot, main_window, WAIT_MS, photo)
    path = live.recorder.path
    with qtbot.waitSignal(live.recording_changed, timeout=WAIT_MS):
        live.act_record.trigger()
    header, first = list(csv.reader(path.open()))[:2]
    row = dict(zip(header, first, strict=False))
    assert int(row["w"]) > 70  # the face's 94 px in the photo's pixels, not half of them


def test_record_csv_says_which_frames_it_records(qtbot, main_window):
    """Trial 48: its hint said "every face of every frame" while Real time recorded 351 of
    1,436 frames (those it analysed)."""
    window = main_window(source=str(SAMPLE))
    hint = window.live_view.act_record.toolTip()
    assert "every frame analysed" in hint and "Every frame" in hint


def test_a_recording_is_seen_in_the_window_title_from_any_tab(qtbot, main_window):
    """Trial 48: nothing outside the Live tab said a CSV was being recorded: not the Train
    tab's status bar, not the title (the taskbar's, minimised)."""
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    live.start_recording()
    assert window.windowTitle().startswith("\u25cf REC \u2013 Sample image")
    live.stop_recording()
    assert not window.windowTitle().startswith("\u25cf REC")
