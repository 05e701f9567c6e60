"""The cycle collector runs on the GUI thread only (ui/main_thread_gc.py)."""

from __future__ import annotations

import gc
import threading

import pytest

from fer_desktop.ui.main_thread_gc import collect_on_this_thread, due_generation


def test_the_generation_due_is_the_oldest_past_its_threshold():
    assert due_generation((10, 0, 0), (700, 10, 10)) is None
    assert due_generation((701, 0, 0), (700, 10, 10)) == 0
    assert due_generation((701, 11, 0), (700, 10, 10)) == 1
    assert due_generation((701, 11, 11), (700, 10, 10)) == 2
    assert due_generation((10**6, 0, 0), (0, 10, 10)) is None  # gc.set_threshold(0): never


@pytest.fixture
def automatic_gc_back():
    yield
    gc.enable()


def test_cycles_made_in_another_thread_are_collected_on_this_one(qtbot, automatic_gc_back):
    """A cycle dropped by a worker thread is collected by the GUI thread's timer, never by
    the worker (automatic collection deleted Qt objects in the capture thread: a corrupted
    heap, an abort)."""
    from PySide6.QtCore import QObject

    collected_in: list[str] = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            collected_in.append(threading.current_thread().name)

    owner = QObject()
    timer = collect_on_this_thread(owner, check_ms=10)
    assert not gc.isenabled()

    def worker():
        for _ in range(20_000):  # far past the thresholds: automatic gc would run here
            Cycle()

    thread = threading.Thread(target=worker, name="capture")
    thread.start()
    thread.join()
    assert collected_in == []  # nothing collected in the worker
    qtbot.waitUntil(lambda: len(collected_in) > 1000, timeout=5000)
    assert set(collected_in) == {threading.main_thread().name}
    timer.stop()
