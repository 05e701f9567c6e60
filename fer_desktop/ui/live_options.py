"""The Live tab's options: the :class:`LiveOptions` value and the box of widgets that edits it.

The box holds no logic: it shows a ``LiveOptions`` (without echoing a signal back) and emits
a new one whenever the user changes a widget. The Live tab applies and remembers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QSizePolicy, QSpinBox

DETECTOR_LABELS = {"blazeface": "BlazeFace (fast, finds small faces)",
                   "haar": "Haar cascade (classic fallback)"}


@dataclass(frozen=True)
class LiveOptions:
    """The options of the Live tab.

    detector: "blazeface" or "haar". show_bars: per-emotion bars drawn next to each face.
    smoothing: per-track smoothing of the probabilities. mirror: flip camera frames left-right.
    min_face_px: smallest face side in pixels the detector reports. loop_video: restart a video
    file at its end.
    """

    detector: str = "blazeface"
    show_bars: bool = True
    smoothing: bool = True
    mirror: bool = True
    min_face_px: int = 40
    loop_video: bool = True


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
        # A narrow side panel shows the start of the name rather than clipping the box.
        self.detector_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.detector_combo.setMinimumContentsLength(12)
        self.detector_combo.setToolTip("Face detector: BlazeFace is faster and finds small or "
                                       "turned faces; Haar is OpenCV's classic")
        self.bars_check = QCheckBox("Show bars next to faces")
        self.bars_check.setToolTip("Draw the seven probabilities beside each face in the video")
        self.smoothing_check = QCheckBox("Smooth over frames")
        self.smoothing_check.setToolTip("Average each face's probabilities over a few frames so "
                                        "labels do not flicker")
        self.mirror_check = QCheckBox("Mirror the camera")
        self.mirror_check.setToolTip("Flip camera frames left-right, like a mirror (files are "
                                     "shown as they are)")
        self.loop_check = QCheckBox("Loop videos")
        self.loop_check.setToolTip("Start a video again when it ends")
        self.min_face_spin = QSpinBox()
        self.min_face_spin.setRange(16, 480)
        self.min_face_spin.setSingleStep(8)
        self.min_face_spin.setSuffix(" px")
        self.min_face_spin.setToolTip("Ignore faces smaller than this (side of the box)")
        form = QFormLayout(self)
        form.addRow("Detector:", self.detector_combo)
        form.addRow("Minimum face:", self.min_face_spin)
        for check in self._checks():
            form.addRow(check)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_options(options)
        self.detector_combo.currentIndexChanged.connect(self._on_widget_changed)
        self.min_face_spin.valueChanged.connect(self._on_widget_changed)
        for check in self._checks():
            check.toggled.connect(self._on_widget_changed)

    def _checks(self) -> tuple[QCheckBox, ...]:
        return self.bars_check, self.smoothing_check, self.mirror_check, self.loop_check

    def options(self) -> LiveOptions:
        """What the widgets show."""
        return LiveOptions(detector=str(self.detector_combo.currentData()),
                           show_bars=self.bars_check.isChecked(),
                           smoothing=self.smoothing_check.isChecked(),
                           mirror=self.mirror_check.isChecked(),
                           min_face_px=self.min_face_spin.value(),
                           loop_video=self.loop_check.isChecked())

    def set_options(self, options: LiveOptions) -> None:
        """Show ``options`` without emitting ``changed``."""
        blockers = [QSignalBlocker(w) for w in (self.detector_combo, self.min_face_spin,
                                                *self._checks())]
        self.detector_combo.setCurrentIndex(max(0, self.detector_combo.findData(options.detector)))
        self.min_face_spin.setValue(options.min_face_px)
        self.bars_check.setChecked(options.show_bars)
        self.smoothing_check.setChecked(options.smoothing)
        self.mirror_check.setChecked(options.mirror)
        self.loop_check.setChecked(options.loop_video)
        del blockers

    def _on_widget_changed(self, *_args: Any) -> None:
        self.changed.emit(self.options())
