"""View > Messages: what the status bar said, kept after it is gone."""

from __future__ import annotations

import cv2
import test_ui_window
from PySide6.QtGui import QGuiApplication
from ui_helpers import SAMPLE

from fer_desktop.ui.messages_dialog import EMPTY_TEXT, MessagesDialog

WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window


def _open_messages(window) -> MessagesDialog:
    window.act_messages.trigger()
    dialogs = [d for d in window.findChildren(MessagesDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_every_skipped_picture_stays_listed_after_the_status_bar_moves_on(
        qtbot, main_window, tmp_path, monkeypatch):
    """A trial: a slideshow's skipped pictures were said in the status bar for a moment, and
    once the message went nothing in the window listed which files they were."""
    import fer_desktop.ui.live_view as live_view

    monkeypatch.setattr(live_view, "SLIDESHOW_SECONDS", 0.3)
    folder = tmp_path / "trip"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), cv2.imread(str(SAMPLE)))
    for name in ("b_notimage.jpg", "c_notimage.jpg"):
        (folder / name).write_text("this is not a picture")
    cv2.imwrite(str(folder / "d.png"), cv2.imread(str(SAMPLE)))
    window = main_window(source=None)
    live = window.live_view
    live.options_box.loop_check.setChecked(False)
    live.source_picker.ask_folder = lambda title: str(folder)
    live.act_open_folder.trigger()
    qtbot.waitUntil(lambda: window.notifier.last_info.startswith("End of"), timeout=WAIT_MS)
    window.statusBar().clearMessage()  # the bar has moved on
    text = _open_messages(window).text.toPlainText()
    assert "Skipped b_notimage.jpg: it is not an image this app can read" in text
    assert "Skipped c_notimage.jpg: it is not an image this app can read" in text
    assert text.splitlines()[-1].split("  ", 1)[1].startswith("End of")  # newest last
    said = [line.split("  ", 1)[1] for line in text.splitlines()]
    # the captions are not kept: one every 3 s in a looping slideshow drowned the rest
    assert not [line for line in said if line.startswith("Picture ")]


def test_the_list_grows_while_open_and_copies_and_clears(qtbot, main_window):
    window = main_window(source=None)
    window.notifier.history.clear()
    dialog = _open_messages(window)
    assert dialog.text.toPlainText() == EMPTY_TEXT
    assert not dialog.copy_button.isEnabled()
    window.notifier.error("Could not save shot.png: the folder is read-only")
    window.notifier.info("Saved shot-2.png")
    lines = dialog.text.toPlainText().splitlines()
    assert lines[0].endswith("Error: Could not save shot.png: the folder is read-only")
    assert lines[1].endswith("Saved shot-2.png")
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "\n".join(lines)
    dialog.clear_button.click()
    assert dialog.text.toPlainText() == EMPTY_TEXT and len(window.notifier.history) == 0
    assert _open_messages(window) is dialog  # one list, raised again


def test_news_of_a_hidden_tab_is_listed_though_the_bar_holds_it(qtbot, main_window):
    """The Live tab's news waits behind the Train tab (it showed there as if about the
    training); the list has it at once, and once only when the tab is shown again."""
    window = main_window(source=None)
    assert window.train_tab is not None
    window.tabs.setCurrentWidget(window.train_tab)
    window.notifier.history.clear()
    window.live_notifier.info("Picture 3 of 12: beach.jpg")
    assert window.statusBar().currentMessage() != "Picture 3 of 12: beach.jpg"
    assert [m.text for m in window.notifier.history.messages()] == [
        "Picture 3 of 12: beach.jpg"]
    window.tabs.setCurrentWidget(window.live_view)
    assert window.statusBar().currentMessage() == "Picture 3 of 12: beach.jpg"
    assert len(window.notifier.history) == 1


def test_hints_are_not_kept_and_a_reader_scrolled_up_stays_put(qtbot, main_window):
    """A review: "Press F11 or Esc to leave full screen" and "Release to open ..." were kept
    on every use, as if something had happened; and each new message scrolled the list to
    its end under a reader who had scrolled up."""
    from fer_desktop.ui.main_window import FULL_SCREEN_HINT

    window = main_window(source=None)
    window.notifier.history.clear()
    window.act_full_screen.setChecked(True)
    qtbot.waitUntil(lambda: window.notifier.last_info == FULL_SCREEN_HINT, timeout=WAIT_MS)
    window.act_full_screen.setChecked(False)
    assert len(window.notifier.history) == 0
    for number in range(80):
        window.notifier.info(f"message {number}")
    dialog = _open_messages(window)
    dialog.resize(500, 200)
    bar = dialog.text.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    bar.setValue(0)  # scrolled up to read the first ones
    window.notifier.info("message 80")
    assert bar.value() == 0 and dialog.text.toPlainText().endswith("message 80")
    bar.setValue(bar.maximum())  # at the end: it follows the newest
    window.notifier.info("message 81")
    assert bar.value() == bar.maximum()


def test_a_menus_status_tip_does_not_wipe_the_message_under_it(qtbot, main_window):
    """Trial 16: "Source problem: see the red box above" went for good once the pointer
    passed over a menu item (Qt shows the item's status tip, then clears the bar)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QStatusTipEvent

    window = main_window(source=None)
    bar = window.statusBar()
    window.notifier.error("Source problem: the file is gone")
    said = bar.currentMessage()
    assert said.startswith("Source problem")
    QCoreApplication.sendEvent(window, QStatusTipEvent("Open a video or picture file"))
    assert bar.currentMessage() == "Open a video or picture file"  # the tip, for a moment
    QCoreApplication.sendEvent(window, QStatusTipEvent(""))  # the pointer left the menu
    assert bar.currentMessage() == said
    # a message whose time is up is not brought back
    window.notifier.info("Saved", timeout_ms=1)
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=WAIT_MS)
    QCoreApplication.sendEvent(window, QStatusTipEvent("Quit"))
    QCoreApplication.sendEvent(window, QStatusTipEvent(""))
    assert bar.currentMessage() == ""
