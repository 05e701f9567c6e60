"""Tab from outside a scrolled panel onto a control in it: the control is scrolled into view
(trial 19: the Train form's Data list and the side panel's Detector got the keyboard out of
sight)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget

from fer_desktop.ui.focus_in_view import keep_focus_in_view


def _panel(qtbot):
    """A window: a button outside, then a scroll area whose first field is at its top."""
    window = QWidget()
    qtbot.addWidget(window)
    outside = QPushButton("outside")
    inner = QWidget()
    column = QVBoxLayout(inner)
    first = QLineEdit()
    column.addWidget(first)
    column.addSpacing(2000)
    last = QLineEdit()
    column.addWidget(last)
    scroll = _shown(qtbot, window, inner, [outside, None])
    return window, outside, first, last, scroll


def _shown(qtbot, window: QWidget, inner: QWidget, column: list) -> QScrollArea:
    """``window`` shown and active, its ``column`` of widgets laid out top to bottom, None
    standing for a scroll area around ``inner``, which is returned."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(inner)
    layout = QVBoxLayout(window)
    for widget in column:
        layout.addWidget(scroll if widget is None else widget)
    window.resize(300, 300)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)  # focus events need an active one
    return scroll


def test_a_control_reached_from_outside_a_scroll_area_is_scrolled_into_view(qtbot):
    keep_focus_in_view()
    keep_focus_in_view()  # once per application, however many windows ask
    window, outside, first, last, scroll = _panel(qtbot)
    last.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().value() > 0, timeout=2_000)
    outside.setFocus(Qt.FocusReason.TabFocusReason)
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the panel left scrolled down (by the wheel)
    first.setFocus(Qt.FocusReason.TabFocusReason)  # Tab from outside onto its first field
    qtbot.waitUntil(lambda: bar.value() < 20, timeout=2_000)
    assert first.visibleRegion().boundingRect().height() == first.height()


def test_focus_moved_otherwise_leaves_the_panel_where_it_was_scrolled(qtbot):
    """A panel scrolled with the wheel jumped back to the control with the focus when the
    window was activated again or a dialog gave the focus back (a review of the above)."""
    keep_focus_in_view()
    window, outside, first, last, scroll = _panel(qtbot)
    bar = scroll.verticalScrollBar()
    for reason in (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.OtherFocusReason,
                   Qt.FocusReason.MouseFocusReason, Qt.FocusReason.PopupFocusReason):
        outside.setFocus(Qt.FocusReason.TabFocusReason)
        bar.setValue(bar.maximum() // 2)  # the wheel
        last.setFocus(reason)
        qtbot.wait(20)
        assert bar.value() == bar.maximum() // 2, reason


def test_a_panel_the_keyboard_scrolled_goes_back_when_the_keyboard_leaves_it(qtbot):
    """Tab into the side panel's Options scrolled the timeline out of view, and it stayed out
    of view after Tab went on to the video (trial 27). Scrolled by the wheel since, the
    panel stays where the user put it."""
    keep_focus_in_view()
    window, outside, first, last, scroll = _panel(qtbot)
    bar = scroll.verticalScrollBar()
    assert bar.value() == 0
    last.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2_000)
    outside.setFocus(Qt.FocusReason.TabFocusReason)
    assert bar.value() == 0  # back where it was before the keyboard came in
    last.setFocus(Qt.FocusReason.BacktabFocusReason)
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2_000)
    bar.setValue(bar.maximum() // 3)  # the wheel, after the keyboard
    outside.setFocus(Qt.FocusReason.TabFocusReason)
    assert bar.value() == bar.maximum() // 3


def test_the_wheel_between_two_keyboard_moves_and_a_click_away_are_kept(qtbot):
    """The panel went back to where the keyboard first found it though the wheel had moved
    it in between; and left by a click, a keyboard move elsewhere later still scrolled it
    back (review 39b)."""
    keep_focus_in_view()
    window, outside, first, last, scroll = _panel(qtbot)
    bar = scroll.verticalScrollBar()
    first.setFocus(Qt.FocusReason.TabFocusReason)  # in view: nothing scrolls
    bar.setValue(bar.maximum())  # the wheel
    last.setFocus(Qt.FocusReason.TabFocusReason)  # in view now
    outside.setFocus(Qt.FocusReason.TabFocusReason)
    assert bar.value() == bar.maximum()  # where the wheel put it, not where Tab found it
    bar.setValue(0)
    last.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2_000)
    scrolled = bar.value()
    outside.setFocus(Qt.FocusReason.MouseFocusReason)  # a click away
    first.window().setFocus(Qt.FocusReason.ShortcutFocusReason)  # keyboard elsewhere, later
    outside.setFocus(Qt.FocusReason.TabFocusReason)
    assert bar.value() == scrolled


def test_tab_forward_out_of_a_panel_puts_it_back_too(qtbot):
    """Leaving a panel forward (Tab from its last control, below the fold), Qt's scroll area
    scrolled back to that control after the panel was put back: the side panel stayed at its
    bottom, its timeline hidden (trial 29). Shift+Tab out at its top worked."""
    keep_focus_in_view()
    window = QWidget()
    qtbot.addWidget(window)
    inner = QWidget()
    column = QVBoxLayout(inner)
    column.addSpacing(600)  # the timeline's place, at the top
    buttons = [QPushButton(f"b{k}") for k in range(4)]
    for button in buttons:
        column.addWidget(button)
    after = QPushButton("after")
    scroll = _shown(qtbot, window, inner, [None, after])
    bar = scroll.verticalScrollBar()
    after.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(after, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert buttons[-1].hasFocus()
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2_000)  # scrolled to the last control
    qtbot.keyClick(buttons[-1], Qt.Key.Key_Tab)  # forward, out of the panel
    assert after.hasFocus()
    qtbot.waitUntil(lambda: bar.value() == 0, timeout=2_000)
    qtbot.wait(50)
    assert bar.value() == 0  # and stays there
