"""Stopping capture threads without freezing the window or leaking them (Qt-only glue).

A camera driver can hang in ``read()``: such a thread is retired, kept until it finishes
(destroying a running ``QThread`` aborts the process). A thread that has finished is released:
its connections dropped, so that it and its last frames are freed.
"""

from __future__ import annotations

import functools
import logging
import warnings

from PySide6.QtCore import QObject

from fer_desktop.ui.capture import CaptureThread

log = logging.getLogger("fer_desktop.ui")
STOP_TIMEOUT_MS = 5000  # a frame of a 50 MP photo took 1.8 s here: five is ample


def release(thread: CaptureThread) -> None:
    """Drop a finished thread's connections so that it can be freed. Each was made with the
    thread itself bound in (``functools.partial``), a cycle through Qt that Python's collector
    cannot see: every source left kept its thread and its last frames, 72 MB a phone photo,
    for the rest of the session (review 48). Late signals already queued still arrive, and
    are ignored as those of a thread left."""
    with warnings.catch_warnings():  # a signal with nothing connected warns, harmlessly
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in (*CaptureThread.SIGNAL_NAMES, "finished"):
            getattr(thread, name).disconnect()


class ThreadStopper(QObject):
    """Stops capture threads; keeps any that will not finish in time until they do.

    A camera driver can hang in ``read()``. Destroying a running ``QThread`` aborts the
    process, so such a thread is kept (``retired``) until its ``finished`` signal.
    """

    def __init__(self, timeout_ms: int = STOP_TIMEOUT_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.retired: list[CaptureThread] = []

    def stop(self, thread: CaptureThread) -> None:
        """Stop ``thread`` and wait up to the timeout; retire it when it still runs."""
        thread.set_recorder(None)
        if thread.stop_and_wait(self.timeout_ms):
            release(thread)
            return
        log.warning("capture thread for %s still running after %d ms; retiring it",
                    thread.describe, self.timeout_ms)
        self.retired.append(thread)
        thread.finished.connect(functools.partial(self._on_finished, thread))

    def _on_finished(self, thread: CaptureThread) -> None:
        if thread in self.retired:
            self.retired.remove(thread)
        release(thread)

    def shutdown(self) -> None:
        """Ask every retired thread to stop once more and wait for it (window closing)."""
        for thread in list(self.retired):
            thread.stop_and_wait(self.timeout_ms)
        self.retired = [t for t in self.retired if t.isRunning()]
