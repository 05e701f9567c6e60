"""The side panel: seven probability bars for one face and a timeline of the last minute.

The face shown is the one the user clicked (its track id), or else the largest. Results come in
at the video's rate; the bars follow each one (cheap), while the timeline's seven curves are
created once and fed with ``setData`` by a 10 Hz timer from a preallocated buffer, so a long
session never slows the GUI down.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.emotions import EMOTIONS, NUM_CLASSES
from fer_desktop.core.overlay import PALETTE
from fer_desktop.core.types import Face, FrameResult

TIMELINE_S = 60.0
REDRAW_MS = 100
BAR_STEPS = 1000
FEW_POINTS = 3

# The overlay's colour-blind-safe palette (BGR there), so bars, curves and boxes agree.
EMOTION_COLORS: dict[str, str] = {e: "#{2:02X}{1:02X}{0:02X}".format(*PALETTE[e]) for e in EMOTIONS}


def pick_face(result: FrameResult, track_id: int | None) -> Face | None:
    """The face with ``track_id`` if present in the frame, else the largest, else None."""
    if not result.faces:
        return None
    if track_id is not None:
        for face in result.faces:
            if face.track_id == track_id:
                return face
    return max(result.faces, key=lambda f: f.area)


class EmotionHistory:
    """Times and probabilities of the last ``window_s`` seconds, in preallocated arrays.

    A frame without a face is stored as NaN so the curves show a gap. When the buffer is full,
    points older than the window are dropped; only if that frees nothing does it double.
    """

    def __init__(self, window_s: float = TIMELINE_S, capacity: int = 2048) -> None:
        self.window_s = window_s
        self._times = np.empty(capacity, np.float64)
        self._probs = np.empty((capacity, NUM_CLASSES), np.float32)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def clear(self) -> None:
        self._n = 0

    def append(self, t_s: float, probabilities: np.ndarray | None) -> None:
        if self._n == len(self._times):
            self._compact(t_s)
        self._times[self._n] = t_s
        self._probs[self._n] = np.nan if probabilities is None else probabilities
        self._n += 1

    def _compact(self, now_s: float) -> None:
        keep = self._times[:self._n] >= now_s - self.window_s
        first = int(np.argmax(keep)) if keep.any() else self._n
        if first > 0:
            kept = self._n - first
            self._times[:kept] = self._times[first:self._n]
            self._probs[:kept] = self._probs[first:self._n]
            self._n = kept
        if self._n == len(self._times):  # everything is recent: grow
            self._times = np.concatenate([self._times, np.empty_like(self._times)])
            self._probs = np.concatenate([self._probs, np.empty_like(self._probs)])

    def window(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, probs): x in seconds relative to the newest point (<= 0), last window only."""
        if self._n == 0:
            return np.empty(0), np.empty((0, NUM_CLASSES), np.float32)
        times = self._times[:self._n]
        newest = times[-1]
        start = int(np.searchsorted(times, newest - self.window_s))
        return times[start:] - newest, self._probs[start:self._n]


class FacePanel(QWidget):
    """Probability bars for the selected (or largest) face and the emotion timeline.

    Signals:
        timeline_redrawn(int): the curves were redrawn with this many points.
    """

    timeline_redrawn = Signal(int)

    def __init__(self, parent: QWidget | None = None, clock=time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self._selected: int | None = None
        self._history = EmotionHistory()
        self._dirty = False
        self._current: Face | None = None

        self._title = QLabel("No face yet")
        title_font = QFont(self._title.font())
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._title.setToolTip("The face shown here: the one you clicked in the video, "
                               "or else the largest. Click the video off a face to reset.")

        bars = QGridLayout()
        bars.setHorizontalSpacing(8)
        bars.setVerticalSpacing(3)
        self._names: list[QLabel] = []
        self._bars: list[QProgressBar] = []
        for row, emotion in enumerate(EMOTIONS):
            name = QLabel(emotion.capitalize())
            name.setMinimumWidth(64)
            bar = QProgressBar()
            bar.setRange(0, BAR_STEPS)
            bar.setValue(0)
            bar.setTextVisible(True)
            bar.setFormat("")
            bar.setFixedHeight(18)
            bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
            bar.setStyleSheet(
                "QProgressBar { border: 1px solid #5a5a60; border-radius: 3px;"
                " background: #2a2a30; color: #f0f0f0; }"
                f"QProgressBar::chunk {{ background: {EMOTION_COLORS[emotion]}; }}")
            bar.setToolTip(f"Probability of {emotion} for the face shown")
            bars.addWidget(name, row, 0)
            bars.addWidget(bar, row, 1)
            self._names.append(name)
            self._bars.append(bar)

        self._plot = pg.PlotWidget()
        self._plot.setMinimumHeight(180)
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setToolTip("Probabilities of the face shown over the last minute "
                              "(colours as in the bars above)")
        item = self._plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setLabel("bottom", "seconds ago")
        item.setLabel("left", "probability")
        item.setXRange(-TIMELINE_S, 1.5, padding=0)  # room for the newest point's dot
        item.setYRange(-0.03, 1.04, padding=0)
        item.setDownsampling(mode="peak")
        item.setClipToView(True)
        self._curves = []
        for emotion in EMOTIONS:
            pen = pg.mkPen(QColor(EMOTION_COLORS[emotion]), width=2)
            self._curves.append(item.plot([], [], pen=pen, name=emotion, connect="finite"))

        timeline_title = QLabel("Last minute")
        timeline_title.setFont(title_font)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._title)
        layout.addLayout(bars)
        layout.addSpacing(6)
        layout.addWidget(timeline_title)
        layout.addWidget(self._plot, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_timer)
        self._timer.start()

    # input ------------------------------------------------------------------------------
    def select_track(self, track_id: int | None) -> None:
        """Follow this track id (None: the largest face)."""
        self._selected = track_id

    def show_result(self, result: FrameResult) -> None:
        """Show the chosen face of this frame in the bars and add it to the timeline."""
        face = pick_face(result, self._selected)
        self._current = face
        self._set_bars(face, len(result.faces))
        self._history.append(self._clock(), None if face is None else face.probabilities)
        self._dirty = True

    def clear(self) -> None:
        """Forget the timeline and the face (a new source)."""
        self._history.clear()
        self._selected = None
        self._current = None
        self._set_bars(None, 0)
        self._dirty = True

    # read back (tests, screenshots) -------------------------------------------------------
    @property
    def current_face(self) -> Face | None:
        return self._current

    def bar_values(self) -> list[float]:
        """The seven bar values in [0, 1], in EMOTIONS order."""
        return [bar.value() / BAR_STEPS for bar in self._bars]

    def timeline_points(self) -> int:
        return len(self._history)

    def curve_count(self) -> int:
        return len(self._curves)

    # drawing ----------------------------------------------------------------------------
    def _set_bars(self, face: Face | None, n_faces: int) -> None:
        if face is None:
            self._title.setText("No face in view" if n_faces == 0 else "No face selected")
            for bar, name in zip(self._bars, self._names, strict=True):
                bar.setValue(0)
                bar.setFormat("")
                name.setStyleSheet("")
            return
        who = f"Face #{face.track_id}" if face.track_id is not None else "Face"
        how = "selected" if self._selected is not None and face.track_id == self._selected \
            else "largest"
        others = f" of {n_faces}" if n_faces > 1 else ""
        label = f"{face.label}? {face.confidence:.0%} (unsure)" if face.uncertain \
            else f"{face.label} {face.confidence:.0%}"
        self._title.setText(f"{who} ({how}{others}): {label}")
        top = int(np.argmax(face.probabilities))
        for k, (bar, name) in enumerate(zip(self._bars, self._names, strict=True)):
            p = float(face.probabilities[k])
            p = 0.0 if math.isnan(p) else p
            bar.setValue(round(p * BAR_STEPS))
            bar.setFormat(f"{p:.0%}")
            name.setStyleSheet("font-weight: bold;" if k == top else "")

    def _on_redraw_timer(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        x, probs = self._history.window()
        # A still image gives one point: a line needs two, so show dots until there are a few.
        dots = len(x) <= FEW_POINTS
        for k, curve in enumerate(self._curves):
            color = QColor(EMOTION_COLORS[EMOTIONS[k]])
            curve.setData(x, probs[:, k], symbol="o" if dots else None, symbolSize=7,
                          symbolBrush=color, symbolPen=None)
        self.timeline_redrawn.emit(len(x))
