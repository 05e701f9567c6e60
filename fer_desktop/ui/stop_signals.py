"""SIGTERM and SIGHUP (a logout, a session manager, ``kill PID``, a closed terminal) close the
window as its close button does, without its questions: the recording's file is closed whole,
the settings are written, a training goes on in the background (as it does when the window is
killed), an export is stopped before it writes its model, and an analysis is stopped. Before,
the process died at once, as with ``kill -9``: the recording's last second and the settings
since the last write were lost, and an analysis's hidden file stayed (audit 57).

Python runs a signal's handler only when it runs Python code, and the window may sit in Qt's
event loop for long (a paused video): the signal's number is written to a socket Qt watches
(``signal.set_wakeup_fd``), which wakes the loop.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
from collections.abc import Callable, Iterator

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication, QWidget

SIGNALS = ("SIGTERM", "SIGHUP")


@contextlib.contextmanager
def leaving_on_stop_signals(leave: Callable[[], None]) -> Iterator[None]:
    """While the block runs, SIGTERM or SIGHUP calls ``leave()`` from Qt's event loop; the
    handlers before are put back after it. Nothing on Windows, which has neither signal."""
    if sys.platform.startswith("win"):
        yield
        return
    wake, woken = socket.socketpair()
    for end in (wake, woken):
        end.setblocking(False)
    notifier = QSocketNotifier(woken.fileno(), QSocketNotifier.Type.Read)

    numbers = [number for number in (getattr(signal, name) for name in SIGNALS)  # one
               if signal.getsignal(number) is not signal.SIG_IGN]  # ignored stays so: `nohup
    # fer-desktop &` then closing the terminal closed the window (review 60)

    def on_wake() -> None:
        """Every signal Python handles writes its number (Ctrl+C's too): only these leave."""
        received = b""
        with contextlib.suppress(OSError):
            received = woken.recv(64)
        if any(number in received for number in numbers):
            leave()

    notifier.activated.connect(on_wake)
    before = {number: signal.signal(number, lambda *_: None) for number in numbers}
    old_fd = signal.set_wakeup_fd(wake.fileno())
    try:
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        for number, handler in before.items():
            signal.signal(number, handler)
        notifier.setEnabled(False)
        wake.close()
        woken.close()


def leave_without_questions(window: QWidget) -> None:
    """Close ``window`` (the main window) with the answers a logout allows: its analyses
    stopped, a training left running, an export stopped; then leave Qt's event loops, a
    question left open included."""
    window.live_view.analyses.ask_close = lambda: "stop"
    if window.train_tab is not None:
        window.train_tab.ask_close_choice = lambda: "detach"
        window.train_tab.ask_export_close_choice = lambda: "stop"
    window.close()
    QApplication.quit()
