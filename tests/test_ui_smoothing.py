"""The Live tab's Smoothing slider: Off to 1 s with the default marked, remembered, and applied
through the same PipelineOptions.smoothing_s as ``analyze --smoothing``."""

from __future__ import annotations

import pytest
from ui_helpers import settings_holding

from fer_desktop.core.pipeline import PipelineOptions
from fer_desktop.core.tracking import DEFAULT_SMOOTHING_S
from fer_desktop.ui.live_options import LiveOptions, OptionsBox, smoothing_text
from fer_desktop.ui.settings import AppSettings


@pytest.fixture
def box(qtbot) -> OptionsBox:
    widget = OptionsBox()
    qtbot.addWidget(widget)
    return widget


def test_slider_runs_from_off_to_one_second_and_starts_at_the_default(box):
    slider = box.smoothing_slider
    assert box.smoothing_s() == DEFAULT_SMOOTHING_S
    assert "(default)" in box.smoothing_value.text()
    slider.setValue(slider.minimum())
    assert (box.smoothing_s(), box.smoothing_value.text()) == (0.0, "Off")
    slider.setValue(slider.maximum())
    assert box.smoothing_s() == 1.0 and box.smoothing_value.text() == "1.00 s"
    # The first tick after Off is the default.
    assert slider.tickInterval() * 0.05 == pytest.approx(DEFAULT_SMOOTHING_S)


def test_moving_the_slider_emits_the_seconds(qtbot, box):
    with qtbot.waitSignal(box.changed, timeout=1000) as blocker:
        box.smoothing_slider.setValue(12)
    assert blocker.args[0].smoothing_s == pytest.approx(0.6)
    assert box.smoothing_value.text() == "0.60 s"


def test_showing_options_does_not_echo(qtbot, box):
    with qtbot.assertNotEmitted(box.changed):
        box.set_options(LiveOptions(smoothing_s=0.7))
    assert box.smoothing_slider.value() == 14 and box.smoothing_value.text() == "0.70 s"


@pytest.mark.parametrize("seconds, text", [
    (0.0, "Off"), (DEFAULT_SMOOTHING_S, f"{DEFAULT_SMOOTHING_S:.2f} s (default)"),
    (0.45, "0.45 s"),
])
def test_smoothing_text(seconds, text):
    assert smoothing_text(seconds) == text


@pytest.mark.parametrize("stored, expected", [
    ({}, DEFAULT_SMOOTHING_S),                                  # nothing remembered
    ({"live/smoothing": "false"}, 0.0),                         # the old on/off box, off
    ({"live/smoothing": "true"}, DEFAULT_SMOOTHING_S),          # ... and on
    ({"live/smoothing_s": "0.65"}, 0.65),
    ({"live/smoothing_s": "7"}, 1.0),                           # beyond the slider: its end
    ({"live/smoothing_s": "-1"}, 0.0),
    ({"live/smoothing_s": "nan"}, DEFAULT_SMOOTHING_S),         # damaged: the default
    ({"live/smoothing_s": "abc"}, DEFAULT_SMOOTHING_S),
])
def test_remembered_smoothing(tmp_path, stored, expected):
    path = tmp_path / "settings.ini"
    settings = settings_holding(path, stored)
    assert settings.options.smoothing_s == pytest.approx(expected)
    settings.options = LiveOptions(smoothing_s=0.4)
    assert AppSettings.from_file(path).options.smoothing_s == pytest.approx(0.4)


def test_the_window_applies_the_slider_to_the_pipeline(qtbot, tmp_path):
    from ui_helpers import no_cameras, stub_pipeline

    from fer_desktop.ui.main_window import MainWindow

    window = MainWindow(AppSettings.from_file(tmp_path / "s.ini"), start=False,
                        pipeline_factory=stub_pipeline, camera_lister=no_cameras)
    qtbot.addWidget(window)
    live = window.live_view
    live.options_box.smoothing_slider.setValue(0)
    assert live.options.smoothing_s == 0.0
    assert live._pipeline_options(PipelineOptions()).effective_smoothing_s() == 0.0
    live.options_box.smoothing_slider.setValue(16)
    assert live._pipeline_options(PipelineOptions()).effective_smoothing_s() == \
        pytest.approx(0.8)
    window.close()


@pytest.mark.parametrize("typed", ["auto", "AUTO", "Auto", "0"])
def test_typing_auto_in_minimum_face_chooses_auto(qtbot, box, typed):
    """"auto" typed was refused while the box itself read "Auto" (trial 29)."""
    from PySide6.QtCore import Qt

    spin = box.min_face_spin
    spin.setValue(64)
    box.show()
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), typed)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == 0 and spin.text().startswith("Auto")
    spin.setValue(64)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "aux")  # a word that is not auto stays refused
    assert "aux" not in spin.lineEdit().text()


def test_the_window_s_keys_reach_the_window_from_the_minimum_face_box(qtbot):
    """Trial 45: typed "auto" in Minimum face as the guide says, Ctrl+E (the sample image)
    and Ctrl+Z (undo the face saved) did nothing: the box's text field took them."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

    from fer_desktop.ui.live_options import AutoSpinBox

    window = QMainWindow()
    qtbot.addWidget(window)
    box = AutoSpinBox()
    central = QWidget()
    QVBoxLayout(central).addWidget(box)
    window.setCentralWidget(central)
    pressed = []
    for keys in ("Ctrl+E", "Ctrl+Z"):
        action = QAction(keys, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False, k=keys: pressed.append(k))
        window.addAction(action)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    qtbot.keyClick(box, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pressed == ["Ctrl+E", "Ctrl+Z"]
