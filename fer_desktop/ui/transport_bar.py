"""The video transport bar under the Live tab's picture: play/pause, seek, time, speed, pacing.

Shown only for a video file. It holds no logic: it shows the position it is given and emits
what the user asks for; the Live tab passes that on to the capture thread. While the user
drags the seek bar, positions coming from the video do not move the handle. In a narrow
window the bar wraps into two rows (play, seek, time / speed, pacing, analyse) instead of
cutting its controls.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProxyStyle,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from fer_desktop.core.playback import PLAYBACK_SPEEDS, format_time
from fer_desktop.ui.time_direction import keep_time_left_to_right

PACING_LABELS = {False: "Real time (skip frames when behind)", True: "Every frame"}
# The seek bar's width below which the bar wraps into two rows: at 1024x700 it kept one row
# with a 90-px seek bar (a 10-minute video at about 7 s a pixel).
ONE_ROW_SEEK_PX = 240


class ClickToPositionStyle(QProxyStyle):
    """A left click on the seek bar moves to the place clicked, as in video players (Fusion
    and Windows styles page 5 s towards the pointer instead, so a click on a 3-s clip always
    landed at its start or its end), and shows when it has the keyboard."""

    def styleHint(self, hint, option=None, widget=None, returnData=None):  # noqa: N802, N803
        if hint == QStyle.StyleHint.SH_Slider_AbsoluteSetButtons:
            return Qt.MouseButton.LeftButton.value
        return super().styleHint(hint, option, widget, returnData)

    def drawComplexControl(self, control, option, painter, widget=None):  # noqa: N802
        """The bar, then, while it has the keyboard, a frame in the highlight colour round it,
        as the other controls show theirs (only its groove's shade changed: a keyboard user
        could not tell where Left, Right and Home would act, trial 31)."""
        super().drawComplexControl(control, option, painter, widget)
        if control == QStyle.ComplexControl.CC_Slider \
                and option.state & QStyle.StateFlag.State_HasFocus:
            painter.save()
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(option.rect).adjusted(1, 1, -1, -1), 3, 3)
            painter.restore()


def _name_for_screen_readers(layout: QHBoxLayout, *combos: QComboBox) -> None:
    """Qt on Linux gives a list's value as its name ("1x, combo box"): a label, not shown,
    tells a screen reader what each list is (trial 39)."""
    for combo in combos:
        label = QLabel(combo.accessibleName())
        label.setBuddy(combo)
        label.hide()
        layout.addWidget(label)


class TransportBar(QWidget):
    """Play/pause, a seek bar, "0:03 / 0:12", speed and pacing for a video file.

    Signals:
        play_toggled(bool): True to play, False to pause.
        seek_requested(int): the frame index the user moved to.
        speed_changed(float): the playback speed chosen (1.0 is real time).
        every_frame_changed(bool): True for "every frame", False for real time.
        analyse_requested(): "Analyse whole file..." was clicked.
    """

    play_toggled = Signal(bool)
    seek_requested = Signal(int)
    speed_changed = Signal(float)
    every_frame_changed = Signal(bool)
    analyse_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fps = 0.0
        self._count = 0
        self._pictures = False
        self._playing = True

        self.play_button = QToolButton()
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.setToolTip("Play or pause the video (Space)")
        self.play_button.clicked.connect(self._on_play_clicked)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Position in the video")
        self.slider.setToolTip("Click or drag to move through the video")
        self._slider_style = ClickToPositionStyle(self.slider.style().name())
        self._slider_style.setParent(self.slider)  # lives as long as the slider
        self.slider.setStyle(self._slider_style)
        self.slider.setMinimumWidth(80)
        keep_time_left_to_right(self.slider)  # Left is back in any layout (trial 44)
        self.slider.valueChanged.connect(self._on_slider_value)

        self.time_label = QLabel("-:-- / -:--")
        self.time_label.setAccessibleName("Position and length")
        self.time_label.setToolTip("Position in the video / its length")
        self.time_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.speed_combo = QComboBox()
        self.speed_combo.setAccessibleName("Playback speed")
        self.speed_combo.setToolTip("Playback speed")
        for speed in PLAYBACK_SPEEDS:
            self.speed_combo.addItem(f"{speed:g}x", speed)
        self.speed_combo.setCurrentIndex(PLAYBACK_SPEEDS.index(1.0))
        self.speed_combo.currentIndexChanged.connect(
            lambda i: self.speed_changed.emit(float(self.speed_combo.itemData(i))))

        self.pacing_combo = QComboBox()
        self.pacing_combo.setAccessibleName("When the computer is too slow")
        self.pacing_combo.setToolTip(
            "When the computer cannot analyse every frame in time:\n"
            "Real time: skip frames so the video keeps its own pace (default).\n"
            "Every frame: analyse every frame, and let the video play slower.")
        for every_frame, label in PACING_LABELS.items():
            self.pacing_combo.addItem(label, every_frame)
        self.pacing_combo.currentIndexChanged.connect(
            lambda i: self.every_frame_changed.emit(bool(self.pacing_combo.itemData(i))))

        self.analyse_button = QToolButton()
        self.analyse_button.setText("Analyse whole file...")
        self.analyse_button.setAccessibleName("Analyse whole file")
        self.analyse_button.setToolTip("Analyse every frame of this video in the background "
                                       "and show a chart of the emotions over time, with a "
                                       "CSV file of the results")
        self.analyse_button.clicked.connect(self.analyse_requested)

        self._seek_row = QWidget()
        seek_layout = QHBoxLayout(self._seek_row)
        seek_layout.setContentsMargins(0, 0, 0, 0)
        seek_layout.addWidget(self.play_button)
        seek_layout.addWidget(self.slider, 1)
        seek_layout.addWidget(self.time_label)
        self._choice_row = QWidget()
        choice_layout = QHBoxLayout(self._choice_row)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        choice_layout.addWidget(self.speed_combo)
        choice_layout.addWidget(self.pacing_combo)
        _name_for_screen_readers(choice_layout, self.speed_combo, self.pacing_combo)
        choice_layout.addWidget(self.analyse_button)
        self._grid = QGridLayout(self)
        self._grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # see minimumSizeHint
        self._grid.setContentsMargins(0, 2, 0, 2)
        self._grid.setVerticalSpacing(2)
        self._compact: bool | None = None
        self._set_compact(False)
        self._show_playing()

    # one row or two ---------------------------------------------------------------------
    @property
    def compact(self) -> bool:
        """True when the bar is wrapped into two rows."""
        return bool(self._compact)

    def _one_row_width(self) -> int:
        """One row while its seek bar gets ONE_ROW_SEEK_PX; narrower, two rows."""
        spacing = self._grid.horizontalSpacing()
        seek_row = (self._seek_row.minimumSizeHint().width()
                    + max(0, ONE_ROW_SEEK_PX - self.slider.minimumWidth()))
        return seek_row + max(0, spacing) + self._choice_row.minimumSizeHint().width()

    def _set_compact(self, compact: bool) -> None:
        if compact == self._compact:
            return
        self._compact = compact
        self._grid.removeWidget(self._seek_row)
        self._grid.removeWidget(self._choice_row)
        self._grid.addWidget(self._seek_row, 0, 0)
        if compact:
            self._grid.addWidget(self._choice_row, 1, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            self._grid.addWidget(self._choice_row, 0, 1)
        self._grid.setColumnStretch(0, 1)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """As narrow as the wider of the two rows: below one row's width the bar wraps."""
        width = max(self._seek_row.minimumSizeHint().width(),
                    self._choice_row.minimumSizeHint().width())
        rows = (self._seek_row.minimumSizeHint().height()
                + (self._choice_row.minimumSizeHint().height() + 2 if self._compact else 0))
        return QSize(width, rows + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self._set_compact(event.size().width() < self._one_row_width())
        super().resizeEvent(event)

    # read-back --------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def every_frame(self) -> bool:
        return bool(self.pacing_combo.currentData())

    @property
    def speed(self) -> float:
        return float(self.speed_combo.currentData())

    # shown state ------------------------------------------------------------------------
    def set_video(self, frame_count: int | None, fps: float | None,
                  pictures: bool = False) -> None:
        """A new video (or, ``pictures``, a folder's slideshow: counted in pictures, not
        seconds: "0:09 / 0:09" read as a video); the handle goes back to the start."""
        self._count = max(0, int(frame_count or 0))
        self._fps = float(fps or 0.0)
        self._pictures = pictures
        thing = "slideshow" if pictures else "video"
        self.play_button.setToolTip(f"Play or pause the {thing} (Space)")
        self.slider.setAccessibleName("Picture shown" if pictures else "Position in the video")
        self.slider.setToolTip(f"Click or drag to move through the {thing}")
        self.time_label.setAccessibleName("Picture and pictures" if pictures
                                          else "Position and length")
        self.time_label.setToolTip("The picture shown / pictures in the folder" if pictures
                                   else "Position in the video / its length")
        blocker = QSignalBlocker(self.slider)
        self.slider.setRange(0, max(0, self._count - 1))
        self.slider.setValue(0)
        self.slider.setEnabled(self._count > 1)
        self.slider.setPageStep(5 if pictures else max(1, int(self._fps * 5)))  # or 5 s
        self.slider.setSingleStep(1 if pictures else max(1, int(self._fps)))   # or 1 s
        del blocker
        self._show_time(0)

    def set_length(self, frame_count: int) -> None:
        """The video proved shorter than its header said: the slider and the length are
        what it plays (a cut file kept its header's 0:24 past its end at 0:11)."""
        self._count = max(0, int(frame_count))
        blocker = QSignalBlocker(self.slider)
        self.slider.setRange(0, max(0, self._count - 1))
        del blocker
        self._show_time(self.slider.value())

    @property
    def length(self) -> int:
        """Frames (or pictures) the bar counts."""
        return self._count

    def set_position(self, frame_index: int) -> None:
        """The frame now shown (ignored while the user drags the handle)."""
        if self.slider.isSliderDown():
            return
        blocker = QSignalBlocker(self.slider)
        self.slider.setValue(int(frame_index))
        del blocker
        self._show_time(int(frame_index))

    def set_playing(self, playing: bool) -> None:
        self._playing = bool(playing)
        self._show_playing()

    def set_pacing(self, every_frame: bool, speed: float = 1.0) -> None:
        """Show remembered choices without emitting."""
        blockers = (QSignalBlocker(self.pacing_combo), QSignalBlocker(self.speed_combo))
        self.pacing_combo.setCurrentIndex(1 if every_frame else 0)
        index = self.speed_combo.findData(speed)
        self.speed_combo.setCurrentIndex(index if index >= 0 else PLAYBACK_SPEEDS.index(1.0))
        del blockers

    # reactions --------------------------------------------------------------------------
    def toggle(self) -> None:
        """Play when paused, pause when playing (the Space shortcut)."""
        self._on_play_clicked()

    def _on_play_clicked(self) -> None:
        self.set_playing(not self._playing)
        self.play_toggled.emit(self._playing)

    def _on_slider_value(self, value: int) -> None:
        self._show_time(value)
        self.seek_requested.emit(int(value))

    def _show_playing(self) -> None:
        icon = (QStyle.StandardPixmap.SP_MediaPause if self._playing
                else QStyle.StandardPixmap.SP_MediaPlay)
        self.play_button.setIcon(self.style().standardIcon(icon))
        if self.play_button.minimumWidth() == 0:  # as wide as "Pause" for "Play" too: the
            self.play_button.setText("Pause")     # seek bar beside it jumped 10 px at each
            self.play_button.setMinimumWidth(self.play_button.sizeHint().width())  # click
        self.play_button.setText("Pause" if self._playing else "Play")

    def _show_time(self, frame_index: int) -> None:
        if self._pictures:
            self.time_label.setText(f"{frame_index + 1} / {self._count}")
            return
        if self._fps <= 0:
            self.time_label.setText(f"frame {frame_index + 1}")
            return
        length = self._count / self._fps if self._count else None
        # the last frame starts 1/fps before the end: "0:09 / 0:10" read as not finished
        at = length if self._count and frame_index >= self._count - 1 else frame_index / self._fps
        self.time_label.setText(f"{format_time(at)} / {format_time(length)}")

    def show_end(self) -> None:
        """The video ended: the handle at its last frame, even when real-time playback
        skipped the frames before the end to keep up. A slideshow's stays on the picture
        shown (its last pictures may be unreadable: "3 / 3" under picture 2)."""
        if self._count and not self._pictures:
            self.set_position(self._count - 1)
