"""The keyboard follows the work: a button pressed that goes grey or away hands it on.

Qt moves the focus off a disabled or hidden widget to the next in the Tab chain, and shows
no frame there: after Start (disabled while a run trains) the keyboard landed on the Results
tab, out of sight, and a user who had started a run by mistake had to hunt for Stop; after
Stop, on the run list (trial 39). Here a button that loses the keyboard as it goes grey or
is hidden hands it to the first of its successors that can take it, now or, when none can
yet (Stop is enabled once the trainer has started), when one becomes able to, provided the
keyboard is still where Qt put it. The frame shows when the keyboard was in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

WAIT_MS = 15 * 60_000  # for a successor to become able: the trainer's start, an export
# (minutes: 10 s gave up long before an export ended, review 49); never past a user's move


class FocusHandoff(QObject):
    """``successors``: each button, and the buttons that take the keyboard from it, in order."""

    def __init__(self, parent: QObject, successors: Mapping[QWidget, Sequence[QWidget]]) -> None:
        super().__init__(parent)
        self._successors = {button: list(after) for button, after in successors.items()}
        self._left: QWidget | None = None  # the button that just lost the keyboard
        self._waiting: tuple[list[QWidget], QWidget | None] | None = None
        self._expire = QTimer(self, singleShot=True, interval=WAIT_MS)
        self._expire.timeout.connect(self._give_up)
        watched = set(self._successors)
        for after in self._successors.values():
            watched.update(after)
        for widget in watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._waiting is not None and kind in (QEvent.Type.KeyPress,
                                                   QEvent.Type.MouseButtonPress):
            self._give_up()  # the user is at work elsewhere (the arrows in the run list):
            return False  # the keyboard stays where they have it (review 50)
        if kind == QEvent.Type.FocusOut and watched in self._successors:
            self._left = watched  # Qt moves the keyboard on first, then says "disabled"
            QTimer.singleShot(0, self._forget_left)  # not a Tab away long before
        elif kind in (QEvent.Type.EnabledChange, QEvent.Type.Hide) \
                and watched in self._successors and not _able(watched) \
                and (watched is self._left or watched.hasFocus()):  # hidden: said first
            self._left = None  # after the rest of this update: a successor enabled in it
            QTimer.singleShot(0, lambda: self._hand_on(watched))
        elif kind in (QEvent.Type.EnabledChange, QEvent.Type.Show) and self._waiting \
                and watched in self._waiting[0]:
            QTimer.singleShot(0, self._try_waiting)
        return False

    def _forget_left(self) -> None:
        self._left = None

    def _hand_on(self, button: QWidget) -> None:
        if not shiboken6.isValid(button):
            return
        self._waiting = (self._successors[button], QApplication.focusWidget())
        self._expire.start()
        QApplication.instance().installEventFilter(self)  # any key or click: given up
        self._try_waiting()

    def _try_waiting(self) -> None:
        if self._waiting is None:
            return
        after, landed = self._waiting
        if QApplication.focusWidget() is not landed:  # the user moved on: leave it there
            self._give_up()
            return
        target = next((b for b in after if shiboken6.isValid(b) and _able(b)), None)
        if target is None:
            return
        self._give_up()
        keyboard = target.window().testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
        target.setFocus(Qt.FocusReason.TabFocusReason if keyboard
                        else Qt.FocusReason.OtherFocusReason)

    def _give_up(self) -> None:
        if self._waiting is not None:
            QApplication.instance().removeEventFilter(self)
        self._waiting = None
        self._expire.stop()


def _able(widget: QWidget) -> bool:
    return widget.isEnabled() and widget.isVisible()
