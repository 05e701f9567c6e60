"""Test doubles for the window tests: a stub classifier, fake sources, a short video.

The stub classifier lets the window tests run the real detector, tracker, overlay and export
without a trained model in ``assets/``; one test uses the shipped model when it is there.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import SourceError
from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
from fer_desktop.core.sources import Frame
from fer_desktop.resources import resource_path
from fer_desktop.synthetic import drifting_face, write_video

SAMPLE = resource_path("sample.jpg")


class StubClassifier:
    """Answers ``probs`` for every face; quacks like EmotionClassifier."""

    def __init__(self, name: str = "stub", happy: float = 0.7) -> None:
        self.name = name
        self.model_dir = Path("stub")
        self.metadata = {"name": name}
        rest = (1.0 - happy) / (len(EMOTIONS) - 1)
        self.probs = np.full(len(EMOTIONS), rest, np.float32)
        self.probs[EMOTIONS.index("happy")] = happy

    def accuracy(self) -> float | None:
        return 0.5

    def accuracy_text(self) -> str:
        return "PrivateTest 50.0%"

    def predict(self, faces: np.ndarray) -> np.ndarray:
        return np.tile(self.probs, (len(faces), 1))


def stub_pipeline(model_dir=None, options: PipelineOptions = PipelineOptions()) -> FacePipeline:
    """Same signature as FacePipeline.create, with the stub classifier and the real detector."""
    return FacePipeline.from_classifier(StubClassifier(), options)


def no_cameras() -> list[int]:
    return []


def make_video(path: Path, frames: int = 20, fps: float = 20.0) -> Path:
    """A short MJPG AVI of the sample image drifting right (a face that moves)."""
    return write_video(path, drifting_face(cv2.imread(str(SAMPLE)), frames, size=(400, 320),
                                           face_px=320, step_px=1, top_px=0, left_px=0), fps)


class VanishingCamera:
    """A live source that gives ``good_frames`` frames and then fails like a lost camera."""

    is_live = True
    fps = 30.0
    frame_count = None

    def __init__(self, good_frames: int = 2) -> None:
        self.description = "camera 7"
        self._image = cv2.resize(cv2.imread(str(SAMPLE)), (320, 320))
        self._left = good_frames
        self._index = 0
        self.closed = False

    def read(self) -> Frame | None:
        if self._left <= 0:
            raise SourceError(self.description, "stopped delivering frames; reconnect it")
        self._left -= 1
        self._index += 1
        return Frame(self._index - 1, self._index / 30.0, self._image)

    def close(self) -> None:
        self.closed = True


class EndlessCamera(VanishingCamera):
    """A live source that never ends (for closing the window mid-stream)."""

    def __init__(self) -> None:
        super().__init__(good_frames=1)

    def read(self) -> Frame | None:
        self._index += 1
        return Frame(self._index - 1, self._index / 30.0, self._image)


def send_wheel(widget, steps: int = -3) -> None:
    """A real wheel event on ``widget`` (negative: scroll down)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def recording_a_still(qtbot, main_window, wait_ms: int, picture: Path = SAMPLE):
    """A window on ``picture``, its first frame shown, recording a CSV: its LiveView."""
    window = main_window(source=str(picture))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=wait_ms):
        pass
    with qtbot.waitSignal(live.recording_changed, timeout=wait_ms):
        live.act_record.trigger()
    return live


def settled(qtbot, read, quiet_reads: int = 3, step_ms: int = 20, limit_ms: int = 3000):
    """``read()`` once the layout has stopped changing: the same value ``quiet_reads`` times
    in a row, posted events (layout requests, however nested) delivered between reads. One
    ``qtbot.wait(50)`` could be a single event pass on a loaded machine, and a place was read
    before the layout had run (a CI failure; review 52)."""
    from PySide6.QtWidgets import QApplication

    last, same, waited = read(), 0, 0
    while same < quiet_reads and waited < limit_ms:
        QApplication.sendPostedEvents()
        qtbot.wait(step_ms)
        waited += step_ms
        now = read()
        same, last = (same + 1 if now == last else 0), now
    return last


def settings_holding(path: Path, stored: dict[str, str]):
    """An AppSettings over a settings file of ``path`` holding ``stored`` (key: value as
    written by hand), for the tests of what a remembered value is read as."""
    from PySide6.QtCore import QSettings

    from fer_desktop.ui.settings import AppSettings

    raw = QSettings(str(path), QSettings.Format.IniFormat)
    for key, value in stored.items():
        raw.setValue(key, value)
    raw.sync()
    return AppSettings.from_file(path)

