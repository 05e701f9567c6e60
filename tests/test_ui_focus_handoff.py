"""The keyboard goes on to the next button to press when the one pressed goes grey (trial 39)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from fer_desktop.ui.focus_handoff import FocusHandoff


@pytest.fixture
def buttons(qtbot):
    """A window of Start, Stop, Resume and a field, shown and active; Stop disabled."""
    window = QWidget()
    qtbot.addWidget(window)
    start, stop, resume, field = (QPushButton("Start"), QPushButton("Stop"),
                                  QPushButton("Resume"), QLineEdit())
    column = QVBoxLayout(window)
    for widget in (field, start, stop, resume):
        column.addWidget(widget)
    FocusHandoff(window, {start: [stop], stop: [resume, start], resume: [stop]})
    stop.setEnabled(False)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    yield start, stop, resume, field
    window.close()  # held until then: the buttons are its children


def test_start_hands_the_keyboard_to_stop(qtbot, buttons):
    """After Start the keyboard was on the Results tab, out of sight: Stop had to be found."""
    start, stop, resume, field = buttons
    start.setFocus(Qt.FocusReason.TabFocusReason)
    start.setEnabled(False)  # as the Train tab's update does: Start grey, then Stop enabled
    stop.setEnabled(True)
    qtbot.waitUntil(stop.hasFocus, timeout=2_000)


def test_a_successor_enabled_later_still_takes_the_keyboard(qtbot, buttons):
    """Stop is enabled once the trainer has started, a moment after Start went grey."""
    start, stop, resume, field = buttons
    resume.setEnabled(False)
    start.setFocus(Qt.FocusReason.TabFocusReason)
    start.setEnabled(False)
    qtbot.wait(100)
    assert not stop.hasFocus()
    stop.setEnabled(True)
    qtbot.waitUntil(stop.hasFocus, timeout=2_000)


def test_a_user_who_moved_on_keeps_the_keyboard_where_they_put_it(qtbot, buttons):
    start, stop, resume, field = buttons
    start.setFocus(Qt.FocusReason.TabFocusReason)
    field.setFocus(Qt.FocusReason.TabFocusReason)  # tabbed away long before
    qtbot.wait(50)
    start.setEnabled(False)
    stop.setEnabled(True)
    qtbot.wait(100)
    assert field.hasFocus()
    stop.setEnabled(False)
    start.setEnabled(True)
    start.setFocus(Qt.FocusReason.TabFocusReason)
    start.setEnabled(False)  # Stop is not enabled yet: the keyboard waits for it...
    qtbot.wait(50)
    landed = stop.window().focusWidget()
    field.setFocus(Qt.FocusReason.MouseFocusReason)  # ...but the user clicked the field
    stop.setEnabled(False)
    stop.setEnabled(True)
    qtbot.wait(100)
    assert field.hasFocus() and landed is not field


def test_a_key_pressed_while_waiting_gives_the_handoff_up(qtbot, buttons):
    """Review 50: the handoff waited minutes for Use this model, then took the keyboard from
    a user who had been using the arrow keys where Qt had put it meanwhile."""
    start, stop, resume, field = buttons
    resume.setEnabled(False)
    start.setFocus(Qt.FocusReason.TabFocusReason)
    start.setEnabled(False)
    qtbot.wait(50)
    landed = start.window().focusWidget()
    qtbot.keyClick(landed, Qt.Key.Key_Down)  # at work where the keyboard landed
    stop.setEnabled(True)
    qtbot.wait(100)
    assert not stop.hasFocus() and start.window().focusWidget() is landed
