"""The side panel: seven probability bars for one face and that face's timeline.

The face shown is the one the user chose (clicked, or picked with Tab / its number key), or
else the largest, held until another face is clearly larger (``core/face_choice.py``: two
faces of the same size flipped many times a second). Every face keeps its own history
(:class:`~fer_desktop.core.face_timeline.FaceTimelines`): the timeline shows the followed
face's curves only, broken where it left the picture, and a dashed line marks the moment the
panel switched to another face (labelled "#4" where the label has room: ``spaced_labels``).
Files are plotted against video time, cameras against "seconds ago". Results come in at the
video's rate; the bars follow each one (cheap), while the seven curves are created once and
fed with ``setData`` by a 10 Hz timer, so a long session never slows the GUI down.
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
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.face_choice import ShownFace, pick_face
from fer_desktop.core.face_timeline import TIMELINE_S, FaceTimelines, spaced_labels
from fer_desktop.core.gui_wording import held_words
from fer_desktop.core.types import Face, FrameResult
from fer_desktop.ui.colours import BAR_TEXT, EMOTION_COLORS
from fer_desktop.ui.elided_label import ElidedLabel
from fer_desktop.ui.emotion_bars import BAR_STEPS, emotion_bar, show_probability
from fer_desktop.ui.time_direction import keep_time_left_to_right

REDRAW_MS = 100
FEW_POINTS = 3
MODEL_MARK = "model"  # the timeline's label where another model was put to use
SECONDS_AGO_RANGE = (-TIMELINE_S, 1.5)  # a camera's x axis; room for the newest point's dot


WIDGET_SIZE_MAX = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX (no limit), which PySide6 does not export


EXPLAIN_TIP = "Show which parts of this face made the model's answer (Ctrl+Shift+E)"
HELD_EXPLAIN_TIP = held_words("This face", then=" to see why")


class FacePanel(QWidget):
    """Probability bars for the selected (or largest) face and the emotion timeline.

    Signals:
        timeline_redrawn(int): the curves were redrawn with this many points.
        explain_available(bool): whether the face shown can be explained (Why this answer?
            enabled), at every change: a click, a digit or Tab on a paused frame too.
    """

    timeline_redrawn = Signal(int)
    explain_requested = Signal()
    explain_available = Signal(bool)

    def __init__(self, parent: QWidget | None = None, clock=time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self._selected: int | None = None
        self._auto = ShownFace()  # the face shown when none is chosen
        self._stretch: int | None = None  # the last result's FrameResult.stretch
        self._timelines = FaceTimelines()
        self._video_time = False
        self._dirty = False
        self._current: Face | None = None
        self._faces: tuple[Face, ...] = ()
        self._held: tuple[Face, ...] = ()  # drawn where they were: FrameResult.held
        self._min_face_px: int | None = None
        self._frame_shown = False  # "No face yet" until the first frame
        self._still = False
        self._switch_lines: list[pg.InfiniteLine] = []

        self._title = ElidedLabel("No face yet", mode=Qt.TextElideMode.ElideRight)
        title_font = QFont(self._title.font())
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._title.setToolTip("The face shown here: the one you chose (click it in the video, "
                               "or click the video and press Tab or the face's number), or "
                               "else the largest. Click the video off a face, or press 0, to "
                               "follow the largest again.")

        bars = self._build_bars()
        self._build_plot()
        self._timeline_title = QLabel("Last minute")
        self._timeline_title.setFont(title_font)
        # Two fixed lines, no word wrap: a wrapping label makes the scrolling side panel as
        # tall as the plot would like to be instead of the window's height.
        swatches = [f"<span style='color:{EMOTION_COLORS[e]}'>\u25a0</span>&nbsp;{e}"
                    for e in EMOTIONS]
        legend = QLabel(" ".join(swatches[:4]) + "<br>" + " ".join(swatches[4:]))
        legend.setAccessibleName("Timeline legend: " + ", ".join(EMOTIONS))
        self.legend = legend

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.explain_button = QPushButton("Why this answer?")
        self.explain_button.setToolTip(EXPLAIN_TIP)
        self.explain_button.clicked.connect(self.explain_requested)
        self.explain_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self._title, 1)
        top.addWidget(self.explain_button)
        layout.addLayout(top)
        # what to do when the minimum face hides every face: a line of its own (in the heading
        # it was cut after "No face of 300 px or more...", the advice only in the tooltip)
        # One line, shortened with "..." in a narrow panel (the whole text in its tooltip): a
        # wrapping label gave the scrolling panel a height-for-width layout, which squeezed
        # the timeline over its legend whenever the hint appeared.
        self.hint = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.hint.hide()
        layout.addWidget(self.hint)
        layout.addLayout(bars)
        # the timeline in a part of its own, which the Live tab moves below the answer so that
        # the heading and bars stay in view while the options under them scroll
        self.timeline = QWidget()
        timeline = QVBoxLayout(self.timeline)
        timeline.setContentsMargins(0, 6, 0, 0)
        timeline.addWidget(self._timeline_title)
        timeline.addWidget(self._plot, 1)
        timeline.addWidget(legend)
        layout.addWidget(self.timeline, 1)
        self._show_plot()  # hidden until the first picture

        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_timer)
        self._timer.start()

    def _build_bars(self) -> QGridLayout:
        """One labelled bar per emotion, in the emotion's colour."""
        bars = QGridLayout()
        bars.setHorizontalSpacing(8)
        bars.setVerticalSpacing(3)
        self._names: list[QLabel] = []
        self._bars: list[QProgressBar] = []
        self._values: list[QLabel] = []
        for row, emotion in enumerate(EMOTIONS):
            name = QLabel(emotion.capitalize())
            name.setMinimumWidth(64)
            bar, value = emotion_bar(emotion)
            bar.setToolTip(f"Probability of {emotion} for the face shown")
            bars.addWidget(name, row, 0)
            bars.addWidget(bar, row, 1)
            bars.addWidget(value, row, 2)
            self._names.append(name)
            self._bars.append(bar)
            self._values.append(value)
        return bars

    def _build_plot(self) -> None:
        """The timeline: one curve per emotion, created once and fed through ``setData``."""
        self._plot = pg.PlotWidget()
        self._plot.setMinimumHeight(160)
        keep_time_left_to_right(self._plot)
        # Ignored, not Expanding: the plot's own size hint (a QGraphicsView's, ~480 px) made the
        # scrolling side panel that tall, so on a 800-px screen the legend fell below the fold.
        # The plot now takes what is left once everything else has its size.
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self._plot.setAccessibleName("Timeline of the face shown")
        self._plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do with keys: no Tab stop
        self._plot.setToolTip("Probabilities of the face shown over the last minute (colours "
                              "as in the bars above). The lines break where that face left "
                              "the picture; a dashed line marks a switch to another face, a dotted "
                              "one labelled \"model\" a change of the model in use.")
        item = self._plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setLabel("bottom", "seconds ago")
        item.setLabel("left", "probability")
        item.getAxis("bottom").enableAutoSIPrefix(False)
        item.setXRange(*SECONDS_AGO_RANGE, padding=0)
        item.setYRange(-0.03, 1.04, padding=0)
        item.setDownsampling(mode="peak")
        item.setClipToView(True)
        self._curves = []
        for emotion in EMOTIONS:
            pen = pg.mkPen(QColor(EMOTION_COLORS[emotion]), width=2)
            self._curves.append(item.plot([], [], pen=pen, name=emotion, connect="finite"))

    def take_timeline(self) -> QWidget:
        """Remove the timeline part from this panel and return it, for the caller to place
        (the panel keeps updating it); the panel is then only the heading and the bars."""
        self.layout().removeWidget(self.timeline)
        self.timeline.setParent(None)
        self.timeline.setContentsMargins(8, 0, 8, 8)  # the panel's own side margins
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._show_plot()  # its height while the plot is hidden counts the new margins
        return self.timeline

    # input ------------------------------------------------------------------------------
    def select_track(self, track_id: int | None) -> None:
        """Follow this track id (None: the largest face); the bars change at once."""
        self._selected = track_id
        if track_id is None:  # "the largest again": the largest now, not the one held
            self._auto.reset()
        face = pick_face(self._faces, track_id, self._auto, held=self._held)
        self._show_face(face, len(self._faces))

    @property
    def selected_track(self) -> int | None:
        """The track id the user chose, or None (following the largest face)."""
        return self._selected

    @property
    def present_tracks(self) -> list[int]:
        """Track ids of the faces drawn on the newest frame (held ones too: a digit or Tab
        reaches every face a click does), in order."""
        return sorted(f.track_id for f in (*self._faces, *self._held) if f.track_id is not None)

    def set_video_time(self, video_time: bool) -> None:
        """Plot against the file's own time (True) or "seconds ago" (a camera)."""
        self._video_time = video_time
        self._plot.getPlotItem().setLabel("bottom", "video time (s)" if video_time
                                          else "seconds ago")
        self._dirty = True

    def set_still(self, still: bool) -> None:
        """A still picture has no timeline: its plot showed a dot per analysis against
        "seconds ago", under "Last minute of face #1". The plot and its legend make way for
        the options below (until :meth:`clear`, a new source)."""
        self._still = still
        self._show_plot()

    def _show_plot(self) -> None:
        """The plot and its legend are shown once a picture of a moving source is: before
        that (a source that failed to open, a camera starting) there is nothing to plot, and
        empty axes read "video time (s)" from 0.5 to 1.0 (trial 16)."""
        shown = self._frame_shown and not self._still
        self._plot.setVisible(shown)
        self.legend.setVisible(shown)
        # no taller than its line: the stretch meant for the plot left a gap of 280 px
        # around it in a full-screen window
        self.timeline.setMaximumHeight(WIDGET_SIZE_MAX if shown
                                       else self.timeline.sizeHint().height())
        self._show_timeline_title()
        self._dirty = True

    @property
    def timeline_title(self) -> str:
        return self._timeline_title.text()

    def show_result(self, result: FrameResult) -> None:
        """Show the chosen face of this frame in the bars and add the frame to the timeline."""
        if not self._frame_shown:
            self._frame_shown = True
            self._show_plot()
        t_s = result.timestamp_s if self._video_time else self._clock()
        self._faces, self._held = result.faces, result.held
        if result.stretch != self._stretch:  # numbers from #1 again: other people
            self._stretch = result.stretch
            self._auto.forget()
            self._selected = None  # the face chosen was followed as whoever became its #3
        self._timelines.add(t_s, result.faces, result.stretch)
        self._show_face(pick_face(result.faces, self._selected, self._auto, t_s, result.held),
                        len(result.faces))

    def _show_face(self, face: Face | None, n_faces: int) -> None:
        self._current = face
        # nothing to explain without a face, nor for one held (not found in this frame: its
        # place would be explained, with eyes not found, under an earlier frame's label)
        held = face is not None and face.held
        self.explain_button.setEnabled(face is not None and not held)
        self.explain_button.setToolTip(HELD_EXPLAIN_TIP if held else EXPLAIN_TIP)
        self.explain_available.emit(self.explain_button.isEnabled())
        self._set_bars(face, n_faces)
        if face is not None and self._timelines.newest_s is not None:
            self._timelines.follow(self._timelines.newest_s, face.track_id)
        self._show_timeline_title()  # with the heading: the 10 Hz redraw named the old face
        self._dirty = True

    def _timeline_track(self) -> int | None:
        """The face whose curve the timeline draws: the heading's, else (no face in view) the
        one shown last, whose minute stays (it went blank as the face left: trial 15)."""
        return self._current.track_id if self._current is not None \
            else self._timelines.followed

    def _show_timeline_title(self) -> None:
        """The timeline's title names the face of the heading (set together, never apart),
        or the face shown last when none is in view."""
        track = self._timeline_track()
        who = f" of face #{track}" if track is not None else ""
        if track is not None and self._current is None:
            who += " (not in view)"
        self._timeline_title.setText("No timeline for still pictures" if self._still
                                     else "No timeline yet: no picture" if not self._frame_shown
                                     else f"Last minute{who}")

    def clear(self) -> None:
        """Forget the timelines and the face (a new source)."""
        self._timelines.clear()
        self._selected = None
        self._auto.forget()
        self._current = None
        self._frame_shown = False
        self.explain_button.setEnabled(False)
        self.explain_available.emit(False)
        self._faces, self._held = (), ()
        self._set_bars(None, 0)
        self.set_still(False)

    # read back (tests, screenshots) -------------------------------------------------------
    @property
    def current_face(self) -> Face | None:
        return self._current

    @property
    def chosen_face(self) -> Face | None:
        """The face shown when the user chose it (a click, Tab, its number), else None."""
        face = self._current  # the choice itself, not the largest shown once it left or
        return face if face is not None and self._selected is not None \
            and face.track_id == self._selected else None  # got a new number (review 50)

    def heading_text(self) -> str:
        """The whole heading (its tooltip when it is cut)."""
        return self._title.text()

    def heading_shown(self) -> str:
        """The heading as it is drawn now (shortened with "..." when the panel is narrow)."""
        return self._title.elided_text()

    def bar_values(self) -> list[float]:
        """The seven bar values in [0, 1], in EMOTIONS order."""
        return [bar.value() / BAR_STEPS for bar in self._bars]

    def timeline_points(self) -> int:
        """Points (breaks included) in the followed face's curves."""
        track = self._current.track_id if self._current is not None else None
        return len(self._timelines.series(track)[0])

    def switch_marks(self) -> list[tuple[float, int]]:
        """(time, track id) of the switches marked on the plot."""
        return self._timelines.switches()

    def curve_data(self, emotion: str) -> tuple[np.ndarray, np.ndarray]:
        """The x and y drawn for ``emotion`` (tests)."""
        x, y = self._curves[EMOTIONS.index(emotion)].getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)

    def curve_count(self) -> int:
        return len(self._curves)

    # drawing ----------------------------------------------------------------------------
    def set_min_face(self, px: int | None) -> None:
        """The minimum face the user chose (None: Auto), named when no face is found: at 200 px
        a clearly visible 90 px face vanished with only "No face in view" to say why."""
        self._min_face_px = px
        if self._frame_shown and self._current is None:
            self._set_bars(None, len(self._faces))  # the heading follows at once

    def _set_bars(self, face: Face | None, n_faces: int) -> None:
        # only once a picture was shown: a file that could not be read blamed the minimum
        hidden_by_minimum = face is None and n_faces == 0 and bool(self._min_face_px) \
            and self._frame_shown
        self.hint.setVisible(hidden_by_minimum)
        if hidden_by_minimum:
            # true again since a minimum above Auto only hides (trial 28: the longer advice
            # was cut at 1280 px)
            self.hint.setText("Lower Minimum face (Options) to find smaller ones.")
        if face is None:
            none = "No picture yet" if not self._frame_shown \
                else f"No face found (minimum {self._min_face_px} px)" if self._min_face_px \
                else "No face in view"
            self._title.setText(none if n_faces == 0 else "No face selected")
            if hidden_by_minimum:  # the number kept when narrow: "(minimum 25..." read as
                self._title.set_short_text(f"No face \u2265 {self._min_face_px} px")  # 25
            for bar, name, value in zip(self._bars, self._names, self._values, strict=True):
                bar.setValue(0)
                bar.setFormat("")
                bar.setAccessibleDescription("")
                value.setText("")
                name.setStyleSheet("")
            return
        who = f"face #{face.track_id}" if face.track_id is not None else "face"
        how = "selected" if self._selected is not None and face.track_id == self._selected \
            else "largest"
        others = f" of {n_faces}" if n_faces > 1 else ""
        label = f"{face.label}? {face.confidence:.0%} (unsure)" if face.uncertain \
            else f"{face.label} {face.confidence:.0%}"
        # The answer first: a narrow panel cuts the end, which must not be the emotion.
        self._title.setText(f"{label} \u00b7 {who} ({how}{others})")
        if face.track_id is not None:  # a narrow panel keeps the number and whether the
            number = f"#{face.track_id}"  # face was chosen (at 1280 px it dropped both words)
            short = [f"{label} \u00b7 {number} ({how})"]
            if face.uncertain:  # "(unsure)" goes first (its "?" says it), then whether the
                plain = f"{face.label}? {face.confidence:.0%}"  # face was chosen: trial 28
                short += [f"{plain} \u00b7 {number} ({how})", f"{plain} \u00b7 {number}"]
            else:
                short.append(f"{label} \u00b7 {number}")
            self._title.set_short_text(*short)
        top = int(np.argmax(face.probabilities))
        for k, (bar, name) in enumerate(zip(self._bars, self._names, strict=True)):
            p = float(face.probabilities[k])
            p = 0.0 if math.isnan(p) else p
            show_probability(bar, self._values[k], p)
            bar.setAccessibleDescription(f"{EMOTIONS[k]} {p:.0%}")
            name.setStyleSheet("font-weight: bold;" if k == top else "")

    def _on_redraw_timer(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        times, probs = self._timelines.series(self._timeline_track())
        newest = self._timelines.newest_s
        item = self._plot.getPlotItem()
        if self._video_time:
            x = times
            end = newest if newest is not None else 0.0
            item.setXRange(max(0.0, end - TIMELINE_S), max(end, 1.0) + 0.5, padding=0)
        else:  # set each time: a video shown before left its own range behind
            x = times - newest if newest is not None else times
            item.setXRange(*SECONDS_AGO_RANGE, padding=0)
        # A still image gives one point: a line needs two, so show dots until there are a few.
        dots = len(x) <= FEW_POINTS
        for k, curve in enumerate(self._curves):
            color = QColor(EMOTION_COLORS[EMOTIONS[k]])
            curve.setData(x, probs[:, k], symbol="o" if dots else None, symbolSize=7,
                          symbolBrush=color, symbolPen=None, connect="finite")
        self._draw_switches(newest)
        self._show_timeline_title()
        self.timeline_redrawn.emit(len(x))

    def _draw_switches(self, newest: float | None) -> None:
        """A dashed vertical line labelled "#4" where the panel switched to face 4, a dotted
        one labelled "model" where another model was put to use (the lines are made once and
        moved; only a new mark adds one). A label too close to the next one is left off, the
        line kept: a burst of switches printed "#4#5#4#5..." over each other."""
        item = self._plot.getPlotItem()
        marks = sorted([(t_s, f"#{track}") for t_s, track in self._timelines.switches()]
                       + [(t_s, MODEL_MARK) for t_s, _name in self._timelines.model_marks()])
        positions = [t_s if self._video_time or newest is None else t_s - newest
                     for t_s, _text in marks]
        labelled = spaced_labels(positions, self._label_gap())
        while len(self._switch_lines) < len(marks):
            line = pg.InfiniteLine(angle=90, label="", movable=False,
                                   labelOpts={"position": 0.95, "color": BAR_TEXT})
            item.addItem(line)
            self._switch_lines.append(line)
        for k, line in enumerate(self._switch_lines):
            if k >= len(marks):
                line.hide()
                continue
            line.setPos(positions[k])
            style = Qt.PenStyle.DotLine if marks[k][1] == MODEL_MARK else Qt.PenStyle.DashLine
            line.setPen(pg.mkPen(BAR_TEXT, width=1, style=style))
            line.show()  # first: a hidden label ignores a new text (a reused line said "#12")
            line.label.setFormat(marks[k][1] if labelled[k] else "")

    def mark_model(self, name: str) -> None:
        """Another model is in use from now on: marked on the timeline."""
        self._timelines.mark_model(name)
        self._dirty = True

    def _label_gap(self) -> float:
        """The x distance (plot units) a switch label needs: "#000", a space and the label
        item's own margins (a character's width), in pixels turned into seconds at the plot's
        present scale ("#000 " alone let "#15" touch "#16": trial 15)."""
        view = self._plot.getPlotItem().getViewBox()
        low, high = view.viewRange()[0]
        pixels = max(self._plot.fontMetrics().horizontalAdvance(f"{text} ")
                     for text in ("#0000", MODEL_MARK))  # "model" is the wider
        return pixels * (high - low) / max(1.0, view.width())

    def labelled_switches(self) -> list[tuple[float, str]]:
        """(x, label) of the switch lines drawn with a label (tests)."""
        return [(float(line.value()), line.label.toPlainText()) for line in self._switch_lines
                if line.isVisible() and line.label.toPlainText()]
