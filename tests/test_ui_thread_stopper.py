"""Capture threads left behind: freed once they finish, with their last frames (review 48)."""

from __future__ import annotations

import gc
import threading
import weakref

import cv2
from ui_helpers import SAMPLE, EndlessCamera, no_cameras, stub_pipeline

from fer_desktop.core.overlay import OverlayPainter, OverlayStyle
from fer_desktop.ui.capture import CaptureThread
from fer_desktop.ui.live_view import LiveView
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.thread_stopper import ThreadStopper

WAIT_MS = 30000


def test_a_source_left_frees_its_thread_and_frames(qtbot, settings, tmp_path):
    """Every source the Live tab left kept its capture thread, and with it the last frame
    and its annotated copy, for the rest of the session: the connections held the thread
    in a cycle through Qt (72 MB a phone photo, a 1080p video 12 MB a switch)."""
    from PySide6.QtWidgets import QStatusBar

    pictures = []
    for i in range(3):
        path = tmp_path / f"p{i}.png"
        cv2.imwrite(str(path), cv2.imread(str(SAMPLE)))
        pictures.append(path)
    view = LiveView(settings, Notifier(QStatusBar()), source=str(pictures[0]),
                    pipeline_factory=stub_pipeline, camera_lister=no_cameras)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.frame_shown, timeout=WAIT_MS):
        view.start()
    left = []
    for path in pictures[1:]:
        left.append(weakref.ref(view.capture))
        with qtbot.waitSignal(view.frame_shown, timeout=WAIT_MS):
            view.set_source(str(path))
    qtbot.wait(100)  # the late signals already queued arrive, and are ignored
    gc.collect()
    assert [ref() for ref in left] == [None, None]
    assert view.capture is not None  # the one on screen is kept, of course
    view.shutdown()


def _stuck_camera():
    """A camera whose driver answers only once ``answer`` is set, and the Event set when
    a read has begun (each test its own: a class-wide one stayed set for the next run, and a
    fixed 200 ms wait for the read was too short on a loaded machine, review 52)."""
    entered, answer = threading.Event(), threading.Event()

    class Stuck(EndlessCamera):
        def read(self):
            entered.set()
            answer.wait()
            return None

    return Stuck, entered, answer


def test_a_retired_thread_is_freed_when_it_finally_ends(qtbot):
    stuck, entered, answer = _stuck_camera()
    thread = CaptureThread(stuck, stub_pipeline(), OverlayPainter(OverlayStyle()),
                           describe="camera 0")
    thread.frame_ready.connect(lambda _id, t=thread: t)  # holds it, as the Live tab's do
    thread.start()
    qtbot.waitUntil(entered.is_set, timeout=WAIT_MS)
    stopper = ThreadStopper(100)
    stopper.stop(thread)
    assert stopper.retired == [thread]
    ref = weakref.ref(thread)
    with qtbot.waitSignal(thread.finished, timeout=WAIT_MS):
        answer.set()
    del thread
    qtbot.wait(50)
    gc.collect()
    assert stopper.retired == [] and ref() is None


def test_a_source_after_a_retired_thread_gets_a_pipeline_of_its_own(qtbot, settings, tmp_path):
    """Review 48: a thread retired inside pipeline.process() (a frame slower than the
    stopper's wait) went on using the pipeline, detector and tracker, beside the next
    source's thread: two threads in one interpreter that allows one."""
    from PySide6.QtWidgets import QStatusBar

    release, inside = threading.Event(), threading.Event()

    def slow_factory(model_dir=None, options=None):
        pipeline = stub_pipeline(model_dir) if options is None else stub_pipeline(model_dir,
                                                                                  options)
        real = pipeline.process

        def process(*args, **kwargs):
            inside.set()
            release.wait(20)  # a 50 MP picture on a slow laptop
            return real(*args, **kwargs)
        pipeline.process = process
        return pipeline

    other = tmp_path / "other.png"
    cv2.imwrite(str(other), cv2.imread(str(SAMPLE)))
    view = LiveView(settings, Notifier(QStatusBar()), source=str(SAMPLE),
                    pipeline_factory=slow_factory, camera_lister=no_cameras)
    qtbot.addWidget(view)
    view._stopper.timeout_ms = 200
    view.show()
    view.start()
    qtbot.waitUntil(lambda: view.capture is not None and view.capture.isRunning(),
                    timeout=WAIT_MS)
    qtbot.waitUntil(inside.is_set, timeout=WAIT_MS)  # inside process() now
    first = view.pipeline
    try:
        view.set_source(str(other))
        assert view._stopper.retired  # still inside: set aside
        assert view.pipeline is not first and view.pipeline.classifier is first.classifier
        with qtbot.waitSignal(view.frame_shown, timeout=WAIT_MS):
            pass  # the next source's thread, on its own pipeline, is not held up
    finally:
        release.set()
    view.shutdown()
