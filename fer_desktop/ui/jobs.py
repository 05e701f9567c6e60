"""One-off background jobs (load a model, list cameras) on superqt workers.

A worker must stay referenced until it finishes, or Qt may destroy its thread while it runs;
``BackgroundJobs`` holds them, forgets each when done, and says how many are still busy
(tests and the window's close wait on that).
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThreadPool
from superqt.utils import create_worker

CLOSE_WAIT_MS = 15000


class BackgroundJobs:
    """Start functions in worker threads; results and errors come back as Qt signals."""

    def __init__(self) -> None:
        self._workers: list[Any] = []
        self._detached: set[Any] = set()  # running, their results no longer wanted

    def start(self, func: Callable[..., Any], *args: Any,
              on_returned: Callable[[Any], None],
              on_errored: Callable[[BaseException], None]) -> None:
        worker = create_worker(func, *args, _start_thread=False,
                               _ignore_errors=True)  # errored is connected below
        worker.returned.connect(functools.partial(self._deliver, worker, on_returned))
        worker.errored.connect(functools.partial(self._deliver, worker, on_errored))
        worker.finished.connect(functools.partial(self._forget, worker))
        self._workers.append(worker)
        worker.start()

    def _deliver(self, worker: Any, callback: Callable[[Any], None], value: Any) -> None:
        if worker not in self._detached:  # a result queued before detach() came after it:
            callback(value)  # the camera list opened a camera after the window closed

    def _forget(self, worker: Any) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        self._detached.discard(worker)
        _disconnect(worker.returned, worker.errored, worker.finished)  # its results are in:
        # the connections held the worker and what its callbacks bind (a capture thread and
        # its frames) in a cycle through Qt that Python's collector cannot see (review 48)

    def __len__(self) -> int:
        return len(self._workers)

    def wait(self, timeout_ms: int = CLOSE_WAIT_MS) -> bool:
        """Wait for the jobs to finish (the window is closing): a job that finishes after its
        receivers are gone would print "Signal source has been deleted" tracebacks. Their
        results are dropped. True when none is left."""
        if not self._workers:
            return True
        self.detach()
        return QThreadPool.globalInstance().waitForDone(timeout_ms)

    def detach(self) -> None:
        """Drop the results of the jobs still running, without waiting for them (their
        receivers are going away: a closed dialog); the jobs stay referenced until done."""
        self._detached.update(self._workers)
        for worker in self._workers:
            _disconnect(worker.returned, worker.errored)


def _disconnect(*signals: Any) -> None:
    """Everything connected to ``signals``, disconnected."""
    with warnings.catch_warnings():  # PySide warns, or raises, when nothing is connected
        warnings.simplefilter("ignore", RuntimeWarning)  # any more (a job that has just
        for signal in signals:                           # returned)
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect()
