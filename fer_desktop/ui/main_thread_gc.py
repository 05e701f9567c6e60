"""Python's cycle collector run on the GUI thread only.

Left automatic, a collection runs in whichever thread allocates when a threshold is crossed:
the capture thread or a background job. A cycle holding a Qt object (a finished trainer's
QProcess, a closed dialog) was then deleted away from its own thread, "QSocketNotifier:
Socket notifiers cannot be enabled or disabled from another thread", and the heap was
corrupted ("corrupted size vs. prev_size", an abort in the test suite's order). The same
thresholds are kept; the timer only moves each collection onto the GUI thread. Reference
counting still frees everything that is not a cycle at once.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 250  # how often the thresholds are looked at (a look costs microseconds)


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, int, int]
                   ) -> int | None:
    """The generation automatic collection would collect at these counts, or None."""
    for generation in reversed(range(len(thresholds))):  # the oldest first
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            return generation
    return None


def collect_on_this_thread(parent: QObject, check_ms: int = CHECK_MS) -> QTimer:
    """Turn automatic collection off and collect from a timer of ``parent``'s thread (the
    GUI's) as the thresholds ask; returns the timer (stopping it leaves cycles uncollected)."""
    gc.disable()
    timer = QTimer(parent)
    timer.setInterval(check_ms)

    def collect_if_due() -> None:
        generation = due_generation(gc.get_count(), gc.get_threshold())
        if generation is not None:
            gc.collect(generation)

    timer.timeout.connect(collect_if_due)
    timer.start()
    return timer
