"""One channel for messages to the user: the status bar, a dialog for serious errors, the log.

Workers and widgets never open message boxes themselves; they call :class:`Notifier`, which
shows one sentence (naming the file, source or setting and what to do) and writes any
traceback to the log at INFO level: in the terminal only with ``--verbose``, where a bug
report can pick it up; the dialog's "Show Details..." always has it.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from fer_desktop.core.gui_wording import for_window
from fer_desktop.core.message_log import LoggedMessage, MessageLog

log = logging.getLogger("fer_desktop.ui")

INFO_TIMEOUT_MS = 6000
ERROR_TIMEOUT_MS = 12000
MESSAGE_MARGIN_PX = 16  # the bar's own padding around a message


class Notifier(QObject):
    """Shows messages in a status bar and, for serious errors, in a non-blocking dialog,
    and keeps each of them whole in :attr:`history` (View > Messages lists it).

    Signals:
        logged(LoggedMessage): a message was kept (or the last one counted again).
    """

    logged = Signal(object)

    def __init__(self, status_bar: QStatusBar, dialog_parent: QWidget | None = None) -> None:
        super().__init__(status_bar)
        self._status_bar = status_bar
        self._dialog_parent = dialog_parent
        self.last_error: str = ""
        self.last_info: str = ""
        self._box: QMessageBox | None = None
        # (whole, shown, timeout ms, shown at): refitted when the bar or its labels change
        self._message: tuple[str, str, int, float] = ("", "", 0, 0.0)
        self._make_room: Callable[[bool], None] | None = None
        self._room_taken = False
        self.history = MessageLog()
        status_bar.messageChanged.connect(self._on_message_changed)
        status_bar.installEventFilter(self)
        if dialog_parent is not None:  # its menus' status tips: see eventFilter
            dialog_parent.installEventFilter(self)

    def info(self, message: str, timeout_ms: int = INFO_TIMEOUT_MS, keep: bool = True,
             bar_text: str = "", asked: bool = False) -> None:
        """A short, transient message in the status bar, kept in the history unless ``keep``
        is False (a slideshow's caption every 3 s drowned the rest; a hidden tab's news was
        kept when it came). ``bar_text``: a shorter form for the bar, the whole message in
        the history (a long one, cut in its middle, lost the words that mattered: trial 36).
        ``asked``: the answer to what the user just did (see :class:`TabNotifier`)."""
        message = for_window(message)
        self.last_info = message
        log.info(message)
        if keep:
            self.keep(message)
        self._show_in_bar(for_window(bar_text) if bar_text else message, timeout_ms)

    def withdraw(self, message: str) -> None:
        """Take ``message`` off the status bar if it is still there (a hint that no longer
        applies, such as how to leave full screen once the window has left it)."""
        whole, shown = self._message[:2]
        if whole == for_window(message) and self._status_bar.currentMessage() == shown:
            self._status_bar.clearMessage()
            self._message = ("", "", 0, 0.0)

    def reword(self, message: str, new: str) -> None:
        """Show ``new`` instead of ``message`` if the bar still shows it, for the time it had
        left (a pointer to "the red box above" when its tab is left for one without it)."""
        whole, shown, _timeout_ms, since = self._message
        if whole != for_window(message) or self._status_bar.currentMessage() != shown:
            return
        left_ms = self._time_left_ms()
        if left_ms is None:
            return
        self._show_in_bar(for_window(new), left_ms)
        self._message = (*self._message[:3], since)  # the time left counts on, not anew

    def error(self, message: str, exc: BaseException | None = None, serious: bool = False,
              details: str = "", bar_text: str = "", expected: bool = False) -> None:
        """An error: status bar always; a dialog too when ``serious``; traceback to the log.

        Args:
            message: one sentence for the user (what failed, naming its subject, what to do).
            exc: the exception behind it, logged with its traceback.
            serious: also show a dialog (the user must notice, e.g. a model that failed).
            details: extra text for the dialog's "Show Details..." (e.g. a worker's traceback).
            bar_text: a short line for the status bar instead of ``message``, where the
                window shows the whole message elsewhere (the red source banner: the bar
                repeated it, cut in the middle).
            expected: a refusal the message says all of (a folder that holds no model): the
                traceback goes to the log only, not to the dialog's Show Details...
        """
        message = for_window(message)
        self.last_error = message
        if exc is not None:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            details = details or tb
        log.error(message)
        self.keep(message, error=True)
        if details:  # tracebacks reach the terminal only with --verbose (INFO)
            log.info("details of the error above:\n%s", details)
        self._show_in_bar(for_window(bar_text) if bar_text else message, ERROR_TIMEOUT_MS)
        if serious:
            self._show_dialog(message, "" if expected else details)

    def keep(self, message: str, error: bool = False) -> None:
        """Put ``message`` in the history without showing it (a hidden tab's news)."""
        kept: LoggedMessage = self.history.add(for_window(message), error)
        self.logged.emit(kept)

    def message_room_px(self) -> int:
        """The width the status bar leaves its messages: up to its first permanent widget
        (0 while the bar is not shown: its size means nothing yet). Right to left (Qt's
        ``-reverse``) those widgets are on the left: the room was taken as 0 there, and a
        long message lost its first words, never shortened (trial 44)."""
        bar = self._status_bar
        if not bar.isVisible():
            return 0
        shown = [child.geometry() for child in
                 bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                 if child.isVisible()]
        if bar.isRightToLeft():
            room = bar.width() - max((g.x() + g.width() for g in shown), default=0)
        else:
            room = min((g.x() for g in shown), default=bar.width())
        return max(0, room - MESSAGE_MARGIN_PX)

    def yield_room(self, make_room: Callable[[bool], None]) -> None:
        """``make_room(True)`` is called when a message too long for the bar is shown, to
        hide labels it may have (at 800 px the live figures, FPS, ms/frame and faces, left a
        message 220 px: "Same face ... a little."), and ``make_room(False)`` when it goes.
        The window decides what to hide: it also hides those figures on the Train tab."""
        self._make_room = make_room

    def _show_in_bar(self, message: str, timeout_ms: int) -> None:
        """A message too long for the bar is shortened in the middle (the start says what
        happened, the end names the file) with the whole of it in the tooltip; Qt would cut
        it mid-word. Before that, :meth:`yield_room`'s callback makes room for it."""
        self._give_back_room()
        shown = self._fitted_making_room(message)
        self._status_bar.setToolTip(message if shown != message else "")
        self._message = (message, shown, timeout_ms, time.monotonic())
        self._status_bar.showMessage(shown, timeout_ms)

    def _fitted_making_room(self, message: str) -> str:
        """:meth:`_fitted`, after asking for room when the message does not fit."""
        shown = self._fitted(message)
        if (shown != message and not self._room_taken and self._make_room is not None
                and self.message_room_px() > 0):
            self._room_taken = True
            self._make_room(True)
            layout = self._status_bar.layout()
            if layout is not None:
                layout.activate()  # the labels left move now, so the room is measured
            shown = self._fitted(message)
        return shown

    def _fitted(self, message: str) -> str:
        bar, room = self._status_bar, self.message_room_px()
        if room > 0 and bar.fontMetrics().horizontalAdvance(message) > room:
            return bar.fontMetrics().elidedText(message, Qt.TextElideMode.ElideMiddle, room)
        return message

    def _on_message_changed(self, text: str) -> None:
        if not text:  # the message timed out or was cleared: so is its tooltip
            self._status_bar.setToolTip("")
            self._give_back_room()

    def _give_back_room(self) -> None:
        """The labels hidden for a long message may show again."""
        if self._room_taken and self._make_room is not None:
            self._room_taken = False
            self._make_room(False)
            layout = self._status_bar.layout()
            if layout is not None:
                layout.activate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Fit the message on screen to the bar again when the window is shown or resized,
        or a permanent label grows (the model's name once it has loaded). A menu's status
        tip shows over the message; when the pointer leaves the menu, Qt clears the bar, and
        the message comes back instead for the time it had left ("Source problem: see the red
        box above" was gone after a glance at the File menu; trial 16)."""
        if (watched is self._dialog_parent and event.type() == QEvent.Type.StatusTip
                and isinstance(event, QStatusTipEvent) and not event.tip()):
            return self._show_again()
        if watched is self._status_bar and event.type() in (
                QEvent.Type.Show, QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            # after the layout has placed the labels; never after this notifier is gone
            QTimer.singleShot(0, self, self._refit)
        return False

    def _show_again(self) -> bool:
        """The message shown last, shown again for the time it has left; False where it has
        none left (or there was none, or it was withdrawn): then the bar is cleared."""
        whole, shown = self._message[:2]
        left_ms = self._time_left_ms()
        if not whole or left_ms is None:
            return False
        self._status_bar.showMessage(shown, left_ms)
        return True

    def _time_left_ms(self) -> int | None:
        """The time the message shown last has left (0: it stays), None once it is up."""
        _whole, _shown, timeout_ms, since = self._message
        if not timeout_ms:
            return 0
        left_ms = timeout_ms - int(1000 * (time.monotonic() - since))
        return left_ms if left_ms > 0 else None

    def _refit(self) -> None:
        """Shown again only when the fit changed, for the time it had left: the FPS label
        changes every second, and restarting the timeout kept every message up for good."""
        whole, shown, timeout_ms, since = self._message
        if not whole or self._status_bar.currentMessage() != shown:
            return  # gone, or replaced by a message of Qt's own
        fitted = self._fitted_making_room(whole)
        if fitted == shown:
            return
        left_ms = self._time_left_ms()
        if left_ms is None:
            return
        self._status_bar.setToolTip(whole if fitted != whole else "")
        self._message = (whole, fitted, timeout_ms, since)
        self._status_bar.showMessage(fitted, left_ms)

    def _show_dialog(self, message: str, details: str) -> None:
        # open(), not exec(): the dialog must not block the capture thread's signals or tests.
        if self._box is not None:
            self._box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "FER Desktop", message,
                          QMessageBox.StandardButton.Ok, self._dialog_parent)
        if details:
            box.setDetailedText(details)
        box.setObjectName("errorDialog")
        box.finished.connect(self._on_box_finished)
        self._box = box
        box.open()

    def _on_box_finished(self, _result: int) -> None:
        if self._box is not None:
            self._box.deleteLater()
            self._box = None

    @property
    def dialog(self) -> QMessageBox | None:
        """The error dialog now open, if any (tests read its text)."""
        return self._box


class TabNotifier:
    """The :class:`Notifier` as one tab's parts use it: their passing news (``info``) is said
    while their tab is the one shown; behind another tab the latest is held and said when the
    tab is shown again. Errors, and everything else, go straight through.

    A slideshow's "Picture 3 of 12: beach.jpg" every few seconds, or "End of clip.mp4", showed
    in the status bar of the Train tab, as if about the training.
    """

    def __init__(self, notifier: Notifier, is_shown: Callable[[], bool]) -> None:
        self._notifier = notifier
        self._is_shown = is_shown
        self._held: tuple[str, int, str] | None = None

    def info(self, message: str, timeout_ms: int = INFO_TIMEOUT_MS, keep: bool = True,
             bar_text: str = "", asked: bool = False) -> None:
        """``asked``: said now whatever tab is shown, as the answer to a key the user pressed
        there (Ctrl+S from the Train tab saved a screenshot with not a word, trial 41)."""
        if self._is_shown() or asked:
            self._held = None
            self._notifier.info(message, timeout_ms, keep, bar_text)
        else:
            self._held = (message, timeout_ms, bar_text)
            if keep:
                self._notifier.keep(message)  # listed in View > Messages now, said later

    def withdraw(self, message: str) -> None:
        if self._held is not None and self._held[0] == message:
            self._held = None
        self._notifier.withdraw(message)

    def tab_shown(self) -> None:
        """The tab is shown again: say what was held."""
        held, self._held = self._held, None
        if held is not None:
            message, timeout_ms, bar_text = held
            self._notifier.info(message, timeout_ms, keep=False,  # kept when it came
                                bar_text=bar_text)

    def __getattr__(self, name: str):
        return getattr(self._notifier, name)  # error, reword, last_info, dialog...
