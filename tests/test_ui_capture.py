"""The capture thread on its own: latest frame wins, pacing, stills, errors, clean stop.

A fake pipeline and painter stand in for the core, so these tests check only the threading.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from fer_desktop.core.errors import SourceError
from fer_desktop.core.export import ExportError
from fer_desktop.core.sources import Frame
from fer_desktop.core.types import FrameResult
from fer_desktop.ui.capture import CaptureThread
from fer_desktop.ui.capture_types import LatestSlot

IMAGE = np.zeros((24, 32, 3), np.uint8)
IMAGE[:, :8] = 255  # left stripe: shows whether a frame was mirrored


class FakePipeline:
    def __init__(self, fail_at: int | None = None) -> None:
        self.processed: list[int] = []
        self.first_pixels: list[int] = []
        self.options = None
        self.classifier = "old"
        self.resets = 0
        self.fail_at = fail_at

    def process(self, frame, index=0, timestamp_s=0.0) -> FrameResult:
        if self.fail_at is not None and len(self.processed) == self.fail_at:
            raise RuntimeError("model exploded")
        self.processed.append(index)
        self.first_pixels.append(int(frame[0, 0, 0]))
        return FrameResult(index=index, timestamp_s=timestamp_s)

    def set_options(self, options) -> None:
        self.options = options

    def set_classifier(self, classifier) -> None:
        self.classifier = classifier

    def reset(self, restart_ids: bool = False) -> None:
        self.resets += 1
        self.restarted_ids = restart_ids

    def restart_smoothing(self) -> None:
        self.smoothing_restarts = getattr(self, "smoothing_restarts", 0) + 1


class FakePainter:
    memory: dict = {}  # OverlayPainter's: what the next draw remembers
    panel_boxes_drawn: list = []  # ... and where the last draw put each face's bars
    label_boxes_drawn: list = []  # ... and its labels

    def __init__(self) -> None:
        self.resets = 0

    def draw(self, frame, faces):
        return np.array(frame, copy=True)

    def reset(self) -> None:
        self.resets += 1


class ListSource:
    """``n`` frames, then None; is_live / fps / frame_count as given."""

    def __init__(self, n: int, is_live: bool = True, fps: float | None = None,
                 frame_count: int | None = None) -> None:
        self.description = "fake"
        self.is_live = is_live
        self.fps = fps
        self.frame_count = frame_count
        self._n = n
        self._i = 0
        self.closed = False

    def read(self) -> Frame | None:
        if self._i >= self._n:
            return None
        self._i += 1
        return Frame(self._i - 1, (self._i - 1) / self.fps if self.fps else 0.0, IMAGE)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def threads():
    """Threads made by a test; the fixture checks each one stopped."""
    made: list[CaptureThread] = []
    yield made
    for thread in made:
        assert thread.stop_and_wait(5000), "capture thread did not stop"
        assert not thread.isRunning()


def make_thread(threads, source, pipeline=None, painter=None, **kwargs) -> CaptureThread:
    thread = CaptureThread(lambda: source, pipeline or FakePipeline(), painter or FakePainter(),
                           **kwargs)
    threads.append(thread)
    return thread


def test_latest_slot_overwrites_and_empties():
    slot = LatestSlot()
    assert slot.take() is None
    assert slot.put(1) is False
    assert slot.put(2) is True  # 1 was never taken: dropped
    assert slot.take() == 2
    assert slot.take() is None


def test_latest_frame_wins_when_nobody_paints(qtbot, threads):
    source = ListSource(30)
    thread = make_thread(threads, source)
    with qtbot.waitSignal(thread.ended, timeout=5000) as blocker:
        thread.start()
    assert blocker.args == [30]
    latest = thread.take_latest()
    assert latest.frame_id == 29 and latest.result.index == 29
    assert thread.take_latest() is None  # the slot holds one item, taken once
    assert thread.dropped == 29  # never queued: 29 frames replaced before anyone took them


def test_video_file_plays_at_its_own_rate_not_faster(qtbot, threads):
    source = ListSource(11, is_live=False, fps=50.0, frame_count=11)
    thread = make_thread(threads, source)
    start = time.monotonic()
    with qtbot.waitSignal(thread.ended, timeout=5000):
        thread.start()
    elapsed = time.monotonic() - start
    assert elapsed >= 10 / 50.0 * 0.9, f"11 frames at 50 fps took only {elapsed:.3f} s"


def test_stop_is_prompt_while_waiting_for_the_next_video_frame(qtbot, threads):
    source = ListSource(100, is_live=False, fps=0.5, frame_count=100)  # one frame every 2 s
    thread = make_thread(threads, source)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.start()
    start = time.monotonic()
    assert thread.stop_and_wait(2000)
    assert time.monotonic() - start < 1.0
    assert source.closed


def test_still_image_is_processed_once_then_again_on_new_options(qtbot, threads):
    pipeline = FakePipeline()
    source = ListSource(1, is_live=False, frame_count=1)
    thread = make_thread(threads, source, pipeline)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.start()
    with qtbot.assertNotEmitted(thread.frame_ready, wait=300):
        pass  # idle: a still image is not processed again and again
    assert pipeline.processed == [0]
    with qtbot.waitSignal(thread.frame_ready, timeout=5000) as blocker:
        thread.request_options(options="new options")
    assert blocker.args == [1]
    assert pipeline.options == "new options"
    assert pipeline.processed == [0, 0]
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.request_classifier("new model")
    assert pipeline.classifier == "new model"


def test_mirror_flips_camera_frames_only(qtbot, threads):
    camera = make_thread(threads, ListSource(1), FakePipeline(), mirror=True)
    with qtbot.waitSignal(camera.ended, timeout=5000):
        camera.start()
    assert camera._pipeline.first_pixels == [0]  # the white stripe moved to the right
    video = make_thread(threads, ListSource(1, is_live=False, fps=30.0, frame_count=1),
                        FakePipeline(), mirror=True)
    with qtbot.waitSignal(video.frame_ready, timeout=5000):
        video.start()
    assert video._pipeline.first_pixels == [255]


def test_source_that_cannot_open_is_reported(qtbot, threads):
    def opener():
        raise SourceError("camera 3", "cannot be opened: check that it is connected")

    thread = CaptureThread(opener, FakePipeline(), FakePainter())
    threads.append(thread)
    with qtbot.waitSignal(thread.source_failed, timeout=5000) as blocker:
        thread.start()
    assert "camera 3" in blocker.args[0] and "connected" in blocker.args[0]
    qtbot.waitUntil(thread.isFinished, timeout=5000)


def test_vanishing_source_is_reported_and_closed(qtbot, threads):
    class Vanishing(ListSource):
        def read(self):
            frame = super().read()
            if frame is None:
                raise SourceError("camera 0", "stopped delivering frames")
            return frame

    source = Vanishing(3)
    thread = make_thread(threads, source)
    with qtbot.waitSignal(thread.source_failed, timeout=5000) as blocker:
        thread.start()
    assert blocker.args == ["camera 0 stopped delivering frames", True]  # may come back
    qtbot.waitUntil(thread.isFinished, timeout=5000)
    assert source.closed


def test_unexpected_error_becomes_a_signal_with_traceback(qtbot, threads):
    source = ListSource(10)
    thread = make_thread(threads, source, FakePipeline(fail_at=2))
    with qtbot.waitSignal(thread.errored, timeout=5000) as blocker:
        thread.start()
    message, tb = blocker.args
    assert "model exploded" in message
    assert "RuntimeError" in tb and "Traceback" in tb
    qtbot.waitUntil(thread.isFinished, timeout=5000)
    assert source.closed


def test_recorder_failure_stops_recording_not_the_video(qtbot, threads):
    class FullDisk:
        def write(self, result, source=None, pixel_scale=1.0):
            raise ExportError("/full/rec.csv", "cannot be written (No space left on device)")

    source = ListSource(5)
    thread = make_thread(threads, source)
    thread.set_recorder(FullDisk())
    with qtbot.waitSignal(thread.recording_failed, timeout=5000) as failed, \
            qtbot.waitSignal(thread.ended, timeout=5000) as ended:
        thread.start()
    assert "No space left" in failed.args[0]
    assert ended.args == [5]
    assert thread.set_recorder(None) is None  # the thread dropped the failing recorder


def test_recorder_gets_every_processed_frame(qtbot, threads):
    class Recorder:
        def __init__(self):
            self.frames = []
            self.flushed_after = -1

        def write(self, result, source=None, pixel_scale=1.0):
            self.frames.append((result.index, source))

        def flush(self):
            self.flushed_after = len(self.frames)

    recorder = Recorder()
    thread = make_thread(threads, ListSource(12))
    thread.set_recorder(recorder)
    with qtbot.waitSignal(thread.ended, timeout=5000):
        thread.start()
    assert recorder.frames == [(i, "fake") for i in range(12)]
    # With no more frames coming (a still, an ended video) the rows must not sit in a buffer.
    qtbot.waitUntil(lambda: recorder.flushed_after == 12, timeout=5000)


def test_options_changed_while_a_still_is_being_read_are_not_lost(qtbot, threads):
    # A request that lands between the first frame and the end of the stream must still
    # produce a re-processed frame (it used to be consumed before the end was seen).
    for _ in range(5):
        pipeline = FakePipeline()
        thread = make_thread(threads, ListSource(1, is_live=False, frame_count=1), pipeline)
        with qtbot.waitSignal(thread.frame_ready, timeout=5000):
            thread.start()
        with qtbot.waitSignal(thread.frame_ready, timeout=5000,
                              check_params_cb=lambda frame_id: frame_id == 1):
            thread.request_options(options="new")
        assert pipeline.options == "new"


class SeekableSource(ListSource):
    """A file-like source that can seek and skip (and counts the frames it skipped)."""

    def __init__(self, n: int, fps: float) -> None:
        super().__init__(n, is_live=False, fps=fps, frame_count=n)
        self.skipped = 0

    def seek(self, index: int) -> int:
        self._i = min(max(0, index), self._n - 1)
        return self._i

    def skip(self, frames: int) -> int:
        done = min(frames, self._n - self._i)
        self._i += done
        self.skipped += done
        return done


class SlowPipeline(FakePipeline):
    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def process(self, frame, index=0, timestamp_s=0.0):
        time.sleep(self.seconds)  # the slow machine being simulated, not a test wait
        return super().process(frame, index, timestamp_s)


def test_real_time_skips_frames_when_the_pipeline_is_slow(qtbot, threads):
    source = SeekableSource(40, fps=40.0)  # 1 s of video
    pipeline = SlowPipeline(0.1)  # 10 frames a second at best
    thread = make_thread(threads, source, pipeline)
    start = time.monotonic()
    with qtbot.waitSignal(thread.ended, timeout=10000):
        thread.start()
    elapsed = time.monotonic() - start
    assert elapsed < 2.0, f"1 s of video took {elapsed:.2f} s in real-time mode"
    assert len(pipeline.processed) < 25
    assert thread.skipped > 10 and source.skipped > 0
    assert pipeline.processed == sorted(pipeline.processed)


def test_every_frame_processes_all_frames_slowly(qtbot, threads):
    pipeline = SlowPipeline(0.03)
    thread = make_thread(threads, SeekableSource(20, fps=100.0), pipeline, every_frame=True)
    with qtbot.waitSignal(thread.ended, timeout=10000):
        thread.start()
    assert pipeline.processed == list(range(20))
    assert thread.skipped == 0


def test_pause_holds_the_frame_and_seek_shows_one_frame_while_paused(qtbot, threads):
    pipeline = FakePipeline()
    thread = make_thread(threads, SeekableSource(100, fps=20.0), pipeline)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.start()
    assert thread.seekable and thread.frame_count == 100 and thread.fps == 20.0
    thread.set_paused(True)
    qtbot.wait(100)  # let a frame already under way finish
    count = len(pipeline.processed)
    with qtbot.assertNotEmitted(thread.frame_ready, wait=300):
        pass  # paused: nothing new
    assert len(pipeline.processed) == count
    resets = pipeline.resets
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.request_seek(70)
    assert pipeline.processed[-1] == 70 and pipeline.resets == resets + 1
    with qtbot.assertNotEmitted(thread.frame_ready, wait=300):
        pass  # still paused after the seek
    seek = len(pipeline.processed) - 1
    thread.set_paused(False)  # on from the frame sought (the list read after the fact: read
    qtbot.waitUntil(lambda: len(pipeline.processed) > seek + 1, timeout=5000)  # as a signal
    assert pipeline.processed[seek + 1] == 71  # came, playback had gone on, review 52)


class _NullRecorder:
    """A recording that runs, writing nowhere."""

    def write(self, result, source=None, pixel_scale=1.0):
        pass

    def flush(self):
        pass


def test_a_seek_numbers_the_faces_from_one_unless_a_recording_runs(qtbot, threads):
    """Seven jumps made the faces #32-#35, and a digit could no longer pick one (trial 27);
    while a recording runs the numbers go on, so that its rows never give one to two people."""
    pipeline = FakePipeline()
    thread = make_thread(threads, SeekableSource(100, fps=20.0), pipeline)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.start()
    thread.set_paused(True)
    qtbot.wait(100)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000,  # the seek's frame, not playback's
                          check_params_cb=lambda _id: pipeline.processed[-1] == 70):
        thread.request_seek(70)
    assert pipeline.restarted_ids is True
    thread.set_recorder(_NullRecorder())  # a recording runs
    with qtbot.waitSignal(thread.frame_ready, timeout=5000,
                          check_params_cb=lambda _id: pipeline.processed[-1] == 20):
        thread.request_seek(20)
    assert pipeline.restarted_ids is False
    thread.set_recorder(None)


def test_a_loop_numbers_from_one_again_unless_a_recording_runs(threads):
    """Audit 54: while recording, a loop numbered the faces from #1 again and a seek after it
    handed out #2 again: one number for two stretches of the recording's rows."""
    pipeline = FakePipeline()
    thread = make_thread(threads, SeekableSource(100, fps=20.0), pipeline)
    image = np.zeros((8, 8, 3), np.uint8)
    last, again = Frame(99, 4.95, image), Frame(0, 0.0, image)  # the video starting again
    thread._restart_numbers_at_a_loop(again, last, after_a_seek=False)
    assert pipeline.restarted_ids is True  # as when it was opened

    thread.set_recorder(_NullRecorder())  # a recording runs
    thread._restart_numbers_at_a_loop(again, last, after_a_seek=False)
    assert pipeline.restarted_ids is False  # its numbers go on
    thread.set_recorder(None)


def test_seek_after_the_end_plays_again(qtbot, threads):
    pipeline = FakePipeline()
    thread = make_thread(threads, SeekableSource(5, fps=200.0), pipeline,
                         every_frame=True)  # a busy machine must not skip any here
    with qtbot.waitSignal(thread.ended, timeout=5000):
        thread.start()
    with qtbot.waitSignal(thread.ended, timeout=5000):
        thread.request_seek(0)
    assert pipeline.processed == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]


def test_a_camera_ignores_pause_and_is_not_seekable(qtbot, threads):
    thread = make_thread(threads, ListSource(5), FakePipeline(), paused=True)
    with qtbot.waitSignal(thread.ended, timeout=5000) as blocker:
        thread.start()
    assert blocker.args == [5] and not thread.seekable


def test_each_source_numbers_its_faces_from_one(qtbot, threads):
    pipeline, painter = FakePipeline(), FakePainter()
    thread = make_thread(threads, ListSource(2), pipeline, painter)
    with qtbot.waitSignal(thread.opened, timeout=5000):
        thread.start()
    assert pipeline.resets == 1 and pipeline.restarted_ids is True
    # the painter forgets the faces of the source before too (whose bars it showed): their
    # numbers now name other faces
    assert painter.resets == 1


def _slideshow(tmp_path, n: int = 3, seconds: float = 0.3, broken: tuple[str, ...] = ()):
    """A folder of ``n`` pictures (pixel k*40 tells them apart) as the window opens it."""
    import cv2

    from fer_desktop.core.sources import open_source

    folder = tmp_path / "photos"
    folder.mkdir()
    for k in range(n):
        cv2.imwrite(str(folder / f"{k}.png"), np.full((24, 32, 3), 40 * k, np.uint8))
    for name in broken:
        (folder / name).write_text("not a picture")
    return open_source(folder, loop=True, seconds_per_image=seconds)


def _shown(qtbot, thread, count: int) -> list[tuple[float, int]]:
    """(time, picture) of the first ``count`` outputs of ``thread``, started now, each timed
    in the thread that shows it: timed where the window heard of it, a loaded machine read
    two pictures a few ms apart, and lost one of two heard at once (review 52)."""
    shown: list[tuple[float, int]] = []

    def heard(_id) -> None:
        output = thread.take_latest()
        if output is not None:
            shown.append((time.monotonic(), int(output.frame[0, 0, 0]) // 40))

    thread.frame_ready.connect(heard, Qt.ConnectionType.DirectConnection)
    thread.start()
    qtbot.waitUntil(lambda: len(shown) >= count, timeout=10_000)
    return shown


def test_a_looping_slideshow_shows_every_picture_a_whole_turn(qtbot, threads, tmp_path):
    """Looping back, the first picture was shown at once over the last (never seen), and a
    pause showed the next picture early, and Play the one after."""
    thread = make_thread(threads, _slideshow(tmp_path))
    shown = _shown(qtbot, thread, 5)
    pictures = [p for _t, p in shown]
    assert pictures[:5] == [0, 1, 2, 0, 1], pictures  # the last one too, then around again
    gaps = [b[0] - a[0] for a, b in zip(shown, shown[1:], strict=False)]
    assert min(gaps) > 0.25, gaps  # each a whole turn
    assert thread.slideshow and thread.seekable and thread.fps == pytest.approx(1 / 0.3)


def test_a_paused_slideshow_keeps_its_picture_and_options_show_on_it_at_once(
        qtbot, threads, tmp_path):
    pipeline = FakePipeline()
    # a turn of 1.5 s: the pause lands in picture 0's turn on a loaded machine (review 52)
    thread = make_thread(threads, _slideshow(tmp_path, seconds=1.5), pipeline)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.start()
    thread.take_latest()
    thread.set_paused(True)
    with qtbot.assertNotEmitted(thread.frame_ready, wait=1800):  # not the next picture early
        pass
    with qtbot.waitSignal(thread.frame_ready, timeout=3000):
        thread.request_options(None)  # new options: the picture on screen again, at once
    assert int(thread.take_latest().frame[0, 0, 0]) == 0
    start = time.monotonic()
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.set_paused(False)  # Play: the picture on screen gets a whole turn
    assert time.monotonic() - start > 1.0
    assert int(thread.take_latest().frame[0, 0, 0]) == 40


def test_a_slideshow_names_the_pictures_it_skips_and_fails_when_none_can_be_read(
        qtbot, threads, tmp_path):
    thread = make_thread(threads, _slideshow(tmp_path, n=1, broken=("bad.jpg",)))
    with qtbot.waitSignal(thread.note, timeout=5000) as noted:
        thread.start()
    assert noted.args[0].startswith("Skipped bad.jpg: ") and "not an image" in noted.args[0]
    assert noted.args[0] == "Skipped bad.jpg: it is not an image this app can read"  # short
    empty = tmp_path / "none"
    empty.mkdir()
    for name in ("a.jpg", "b.png"):
        (empty / name).write_text("text")
    from fer_desktop.core.sources import open_source

    broken = make_thread(threads, open_source(empty, loop=True, seconds_per_image=0.3))
    with qtbot.waitSignal(broken.source_failed, timeout=5000) as failed:
        broken.start()
    assert "none of its 2 pictures could be read (a.jpg is not an image" in failed.args[0]
    assert "; b.png is not an image" in failed.args[0]  # every reason, not the first one's


@pytest.mark.parametrize("loop", [False, True])
def test_a_video_cut_short_is_said_once_looping_or_not(qtbot, threads, tmp_path, loop):
    """A damaged clip looped its first frames silently (analyze called it "incomplete")."""
    from fer_desktop.core.sources import VideoFileSource
    from fer_desktop.synthetic import write_video

    path = write_video(tmp_path / "clip.avi", (IMAGE for _ in range(40)), fps=200.0)
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    notes: list[str] = []
    thread = make_thread(threads, VideoFileSource(path, loop=loop), describe="clip.avi",
                         every_frame=True)
    thread.note.connect(notes.append)
    if loop:
        with qtbot.waitSignal(thread.note, timeout=5000):
            thread.start()
        qtbot.wait(300)  # more passes over the short file: still one note
    else:
        with qtbot.waitSignal(thread.ended, timeout=5000):
            thread.start()
    assert len(notes) == 1 and notes[0] == thread.cut_short
    assert notes[0].startswith("clip.avi stops after ") and "of its 40 frames" in notes[0]


def test_the_painter_draws_the_faces_held_as_well_as_the_faces_found(qtbot, threads):
    """A face the detector missed this frame is drawn where it was (trial 26: it blinked)."""
    from fer_desktop.core.types import Face

    found = Face(box=[0, 0, 8, 8], probabilities=np.full(7, 1 / 7), track_id=1)
    held = Face(box=[16, 0, 24, 8], probabilities=np.full(7, 1 / 7), track_id=2)

    class HoldingPipeline(FakePipeline):
        def process(self, frame, index=0, timestamp_s=0.0) -> FrameResult:
            super().process(frame, index, timestamp_s)
            return FrameResult(index=index, timestamp_s=timestamp_s, faces=(found,),
                               held=(held,))

    class RecordingPainter(FakePainter):
        drawn: list = []

        def draw(self, frame, faces):
            self.drawn.append([f.track_id for f in faces])
            return super().draw(frame, faces)

    painter = RecordingPainter()
    thread = make_thread(threads, ListSource(1), HoldingPipeline(), painter)
    with qtbot.waitSignal(thread.frame_ready, timeout=5000):
        thread.start()
    assert painter.drawn[0] == [1, 2]


def test_an_idle_camera_is_read_but_not_analysed_unless_it_records(qtbot, threads):
    """Trial 46: the window minimised, or the Train tab in front, the live view still took a
    whole core; a camera nobody sees is read (its driver's buffer kept fresh), not analysed."""
    pipeline = FakePipeline()
    thread = make_thread(threads, ListSource(5), pipeline)
    thread.idle = True
    with qtbot.waitSignal(thread.ended, timeout=5000) as blocker:
        thread.start()
    assert blocker.args == [5] and pipeline.processed == []
    recorded = FakePipeline()
    again = make_thread(threads, ListSource(3), recorded)
    again.idle = True
    again.set_recorder(_NullRecorder())  # a recording needs every frame, seen or not
    with qtbot.waitSignal(again.ended, timeout=5000):
        again.start()
    assert recorded.processed == [0, 1, 2]
    again.set_recorder(None)
