"""Background jobs: results wanted only until detach(), workers freed when done (review 48)."""

from __future__ import annotations

import gc
import time
import weakref

from fer_desktop.ui.jobs import BackgroundJobs


def test_a_result_queued_before_detach_is_dropped(qtbot):
    """A result already on its way when the window closed was still delivered: the camera
    list, arriving so, opened camera 0 after the window had closed."""
    jobs, got = BackgroundJobs(), []
    jobs.start(lambda: 7, on_returned=got.append, on_errored=got.append)
    time.sleep(0.3)  # the job has returned; no events processed: its result waits queued
    jobs.detach()
    qtbot.waitUntil(lambda: len(jobs) == 0, timeout=10000)
    qtbot.wait(50)
    assert got == []


class _Big:
    """Stands in for what a callback binds (a capture thread and its frames)."""


def test_a_finished_job_frees_its_worker_and_what_its_callbacks_bind(qtbot):
    jobs, got = BackgroundJobs(), []
    big = _Big()
    ref = weakref.ref(big)
    jobs.start(lambda: 7, on_returned=lambda value, b=big: got.append(value),
               on_errored=got.append)
    del big
    qtbot.waitUntil(lambda: got == [7] and len(jobs) == 0, timeout=10000)
    qtbot.wait(50)
    gc.collect()
    assert ref() is None
