"""The Live tab's options: the :class:`LiveOptions` value and the box of widgets that edits it.

The box holds no logic: it shows a ``LiveOptions`` (without echoing a signal back) and emits
a new one whenever the user changes a widget. The Live tab applies and remembers it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QWidget,
)

from fer_desktop.core.detectors import DEFAULT_DETECTOR, DETECTOR_FINDS
from fer_desktop.core.overlay import LABEL_SCALES
from fer_desktop.core.pipeline import PipelineOptions
from fer_desktop.core.source_defaults import (
    WINDOW_MIN_FACE_LIMIT_PX,
    auto_min_face_words,
    options_for,
)
from fer_desktop.core.tracking import DEFAULT_SMOOTHING_S

# The Smoothing slider: Off to 1 s in steps of 0.05 s (the command line allows more).
SMOOTHING_STEP_S = 0.05
SMOOTHING_MAX_S = 1.0
# The Label size choices: a classroom projector's back row read 14-px labels (trial 53)
LABEL_SIZES = dict(zip(LABEL_SCALES, ("Normal", "Large", "Largest"), strict=True))

# Short enough to show whole in the side panel at its narrowest (the longer names were cut
# at 800 to 1280 px wide); each item's tooltip says the rest.
DETECTOR_LABELS = {name: label + (" (default)" if name == DEFAULT_DETECTOR else "")
                   for name, label in (("yunet", "YuNet"), ("blazeface", "BlazeFace (big faces)"),
                                       ("haar", "Haar (classic)"))}
DETECTOR_TIPS = {"yunet": "Finds faces from the minimum size up to close-ups",
                 "blazeface": f"The previous default: finds {DETECTOR_FINDS['blazeface']}",
                 "haar": "OpenCV's classic Haar cascade, a fallback: slow on a large video "
                         "at a small minimum face (1-4 frames a second at 1280x720 on Auto: "
                         "raise Minimum face), and it takes some textures for faces"}
AUTO_MIN_FACE = 0  # the spin box's "Auto": the source kind's default (core/source_defaults.py)
AUTO_TEXT = "Auto (by source)"  # before a source is open; then "Auto: 16 px" and so on


class AutoSpinBox(QSpinBox):
    """A spin box whose lowest value reads "Auto ...": typing "auto" (any case) chooses it, as
    typing 0 does ("auto" typed was refused while the box itself said Auto, trial 29)."""

    WORD = "auto"

    def _typed(self, text: str) -> str:
        text = text.strip()
        if self.suffix().strip() and text.endswith(self.suffix().strip()):
            text = text[: -len(self.suffix().strip())]
        return text.strip().lower()

    def validate(self, text: str, pos: int):
        typed = self._typed(text)
        if typed and self.WORD.startswith(typed):
            state = QValidator.State.Acceptable if typed == self.WORD \
                else QValidator.State.Intermediate
            return state, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> int:
        return self.minimum() if self._typed(text) == self.WORD else super().valueFromText(text)

    # the window's keys the box's text field would take for itself: Ctrl+E (the end of the
    # line, on X11) and Ctrl+Z (undo what was typed) did nothing there, where the guide sends
    # the user to type "auto" (trial 45: the sample image; a face saved by mistake)
    WINDOW_KEYS = (QKeySequence("Ctrl+E"), QKeySequence.StandardKey.Undo)

    def event(self, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.ShortcutOverride and any(
                event.matches(key) if isinstance(key, QKeySequence.StandardKey)
                else QKeySequence(event.keyCombination()) == key for key in self.WINDOW_KEYS):
            event.ignore()  # not taken here: the window's shortcut runs
            return True
        return super().event(event)


@dataclass(frozen=True)
class LiveOptions:
    """The options of the Live tab.

    detector: "yunet", "blazeface" or "haar". show_bars: per-emotion bars drawn next to each face.
    smoothing_s: time constant of each face's smoothing in seconds, 0 = off (see
    docs/labels.md). mirror: flip camera frames left-right.
    min_face_px: smallest face width in frame pixels that is found, or AUTO_MIN_FACE for the
    source kind's default (``SOURCE_DEFAULTS``). loop_video: restart a video file
    at its end. label_scale: the Label size, one of LABEL_SIZES (labels and bars drawn that
    much larger, on screen and in screenshots).
    """

    detector: str = DEFAULT_DETECTOR
    show_bars: bool = True
    smoothing_s: float = DEFAULT_SMOOTHING_S
    mirror: bool = True
    min_face_px: int = AUTO_MIN_FACE
    loop_video: bool = True
    label_scale: float = 1.0

    def pipeline_options(self, base: PipelineOptions, kind: str) -> PipelineOptions:
        """``base`` with these choices, for a source of ``kind`` ("camera", "video",
        "image"...): Auto takes that kind's minimum face (``core/source_defaults.py``)."""
        chosen = dataclasses.replace(base, detector=self.detector, smoothing=True,
                                     smoothing_s=self.smoothing_s)
        return options_for(kind, chosen, min_face_px=self.min_face_px or None)


def smoothing_text(seconds: float) -> str:
    """What the slider's label says: "Off", "0.50 s", "0.30 s (default)"."""
    if seconds <= 0:
        return "Off"
    default = " (default)" if abs(seconds - DEFAULT_SMOOTHING_S) < SMOOTHING_STEP_S / 2 else ""
    return f"{seconds:.2f} s{default}"


class OptionsBox(QGroupBox):
    """The "Options" group of the Live tab.

    Signals:
        changed(object): the user changed a widget; carries the new LiveOptions.
    """

    changed = Signal(object)

    def __init__(self, options: LiveOptions = LiveOptions(), parent=None) -> None:
        super().__init__("Options", parent)
        self.detector_combo = QComboBox()
        for name, label in DETECTOR_LABELS.items():
            self.detector_combo.addItem(label, name)
            self.detector_combo.setItemData(self.detector_combo.count() - 1,
                                            DETECTOR_TIPS[name], Qt.ItemDataRole.ToolTipRole)
        # A narrow side panel shows the start of the name rather than clipping the box.
        self.detector_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.detector_combo.setMinimumContentsLength(12)
        self.detector_combo.setToolTip("Face detector: YuNet finds faces from the minimum size "
                                       "up to close-ups; BlazeFace misses faces under about "
                                       "a tenth of the frame's width; Haar is OpenCV's "
                                       "classic")
        self.label_size_combo = QComboBox()
        for scale, name in LABEL_SIZES.items():
            self.label_size_combo.addItem(name, scale)
        self.label_size_combo.setToolTip("How large the labels and bars on the video are drawn "
                                          "(and in screenshots): Large or Largest to read them "
                                          "from across a room, on a projector")
        self.bars_check = QCheckBox("Show bars next to faces")
        self.bars_check.setToolTip("Draw the seven probabilities beside each face in the video")
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, round(SMOOTHING_MAX_S / SMOOTHING_STEP_S))
        self.smoothing_slider.setPageStep(2)
        # Ticks at multiples of the default: the first one after Off marks it.
        self.smoothing_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.smoothing_slider.setTickInterval(round(DEFAULT_SMOOTHING_S / SMOOTHING_STEP_S))
        self.smoothing_slider.setAccessibleName("Smoothing")
        self.smoothing_slider.setToolTip(
            "How long each face's probabilities are averaged, so labels do not flicker: longer "
            "is steadier, shorter follows a new expression sooner. Off shows each frame's raw "
            f"answer. Default {DEFAULT_SMOOTHING_S:g} s (the first tick after Off): steady labels "
            "that still follow a change within half a second")
        self.smoothing_value = QLabel()
        self.smoothing_value.setMinimumWidth(self.smoothing_value.fontMetrics()
                                             .horizontalAdvance("0.00 s (default)"))
        smoothing_row = QWidget()
        row = QHBoxLayout(smoothing_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.smoothing_slider, 1)
        row.addWidget(self.smoothing_value)
        self.mirror_check = QCheckBox("Mirror the camera")
        self.mirror_check.setToolTip("Flip camera frames left-right, like a mirror (files are "
                                     "shown as they are)")
        self.loop_check = QCheckBox("Loop videos")
        self.loop_check.setToolTip("Start a video again when it ends")
        self.min_face_spin = AutoSpinBox()
        self.min_face_spin.setRange(AUTO_MIN_FACE, WINDOW_MIN_FACE_LIMIT_PX)
        self.min_face_spin.setSingleStep(8)
        self.min_face_spin.setSuffix(" px")
        self.min_face_spin.setSpecialValueText(AUTO_TEXT)
        self.min_face_spin.setToolTip(
            "Find faces at least this wide, in frame pixels. Smaller finds smaller faces and "
            "takes longer (YuNet looks at the frame in more detail); with YuNet, larger than "
            "Auto only hides the smaller faces (the frame is searched as at Auto; BlazeFace and "
            f"Haar search at the size given, faster). {auto_min_face_words()}: the "
            "box says what it is for the picture shown. Under 32 px a camera searches one part of "
            "the frame per frame for the smaller faces: found within about half a second. Type "
            "auto (or 0) for Auto")
        form = QFormLayout(self)
        form.addRow("Detector:", self.detector_combo)
        form.addRow("Minimum face:", self.min_face_spin)
        form.addRow("Smoothing:", smoothing_row)
        form.addRow("Label size:", self.label_size_combo)
        for check in self._checks():
            form.addRow(check)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_options(options)
        self.detector_combo.currentIndexChanged.connect(self._on_widget_changed)
        self.min_face_spin.valueChanged.connect(self._on_widget_changed)
        self.smoothing_slider.valueChanged.connect(self._on_widget_changed)
        self.label_size_combo.currentIndexChanged.connect(self._on_widget_changed)
        for check in self._checks():
            check.toggled.connect(self._on_widget_changed)

    def _checks(self) -> tuple[QCheckBox, ...]:
        return self.bars_check, self.mirror_check, self.loop_check

    def smoothing_s(self) -> float:
        """The slider's position in seconds."""
        return round(self.smoothing_slider.value() * SMOOTHING_STEP_S, 3)

    def options(self) -> LiveOptions:
        """What the widgets show."""
        return LiveOptions(detector=str(self.detector_combo.currentData()),
                           show_bars=self.bars_check.isChecked(),
                           smoothing_s=self.smoothing_s(),
                           mirror=self.mirror_check.isChecked(),
                           min_face_px=self.min_face_spin.value(),
                           loop_video=self.loop_check.isChecked(),
                           label_scale=float(self.label_size_combo.currentData()))

    def show_auto_min_face(self, px: int | None) -> None:
        """Say which size "Auto" stands for with the source open ("Auto: 16 px" for photos;
        then, with each picture shown, what it is for that picture's width: "Auto: 8 px" for
        a 160x120 video, 64 px for a 1280x720 camera); None: not known yet."""
        text = f"Auto: {px} px" if px else AUTO_TEXT
        if text != self.min_face_spin.specialValueText():  # said with every frame
            self.min_face_spin.setSpecialValueText(text)

    def set_options(self, options: LiveOptions) -> None:
        """Show ``options`` without emitting ``changed``."""
        blockers = [QSignalBlocker(w) for w in (self.detector_combo, self.min_face_spin,
                                                self.smoothing_slider, self.label_size_combo,
                                                *self._checks())]
        self.detector_combo.setCurrentIndex(max(0, self.detector_combo.findData(options.detector)))
        self.min_face_spin.setValue(options.min_face_px)
        self.bars_check.setChecked(options.show_bars)
        self.smoothing_slider.setValue(round(options.smoothing_s / SMOOTHING_STEP_S))
        self.smoothing_value.setText(smoothing_text(self.smoothing_s()))
        self.mirror_check.setChecked(options.mirror)
        self.loop_check.setChecked(options.loop_video)
        self.label_size_combo.setCurrentIndex(
            max(0, self.label_size_combo.findData(options.label_scale)))
        del blockers

    def _on_widget_changed(self, *_args: Any) -> None:
        self.smoothing_value.setText(smoothing_text(self.smoothing_s()))
        self.changed.emit(self.options())
