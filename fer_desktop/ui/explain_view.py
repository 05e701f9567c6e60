"""The "Why this answer?" window: an occlusion-sensitivity map over the face, beside its bars.

It shows an :class:`~fer_desktop.core.explain.Explanation` computed off the GUI thread (the
Live tab starts the job): the face crop the model saw, tinted red where covering the face
lowered the answer (those parts carried it) and blue where it raised it, and the seven
probabilities of that crop as bars. The map is computed with the model in use.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.explain import SMALLEST_CHANGE, Explanation, explained_moment
from fer_desktop.core.privacy import pixelate
from fer_desktop.core.tracking import UNCERTAIN_BELOW
from fer_desktop.ui.colours import HINT_TEXT_COLOUR
from fer_desktop.ui.emotion_bars import emotion_bar, show_probability

IMAGE_PX = 240
# A saved explanation is drawn at least this wide, whatever the window's size: its picture
# was a grab of the window, 560x382 with 11-px text as it opened, too small for a
# worksheet, and larger only once the window had been made larger (trial 53).
SAVED_MIN_WIDTH = 1200


def heat_overlay(face: np.ndarray, heat: np.ndarray, alpha: float = 0.55) -> np.ndarray:
    """(h, w) face in [0, 1] and heat in [-1, 1] (48x48 from the model) -> (h, w, 3) uint8
    RGB, C-contiguous: grey face, red where the heat is positive, blue where negative."""
    grey = np.clip(face, 0.0, 1.0)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    pos = np.clip(heat, 0.0, 1.0)[:, :, None] * alpha
    neg = np.clip(-heat, 0.0, 1.0)[:, :, None] * alpha
    red, blue = np.array([1.0, 0.1, 0.1]), np.array([0.1, 0.4, 1.0])
    rgb = rgb * (1 - pos - neg) + red * pos + blue * neg
    return np.ascontiguousarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))


class ScaledPicture(QLabel):
    """A square picture as large as its room allows, at least IMAGE_PX: the face stayed
    240 px in a window made larger to see it better (trial 24)."""

    def __init__(self) -> None:
        super().__init__()
        self._source = QPixmap()
        self.setMinimumSize(IMAGE_PX, IMAGE_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def setPixmap(self, pixmap: QPixmap) -> None:  # noqa: N802 (Qt API)
        self._source = pixmap
        self._fit()

    def pixmap(self) -> QPixmap:
        return self._source

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(IMAGE_PX, IMAGE_PX)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._source.isNull():
            super().setPixmap(self._source)
            return
        side = min(self.width(), self.height())
        super().setPixmap(self._source.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))


class ExplainDialog(QDialog):
    """"Why this answer?" for one face; ``show_busy`` while computing, then ``show_result``.

    Signals:
        save_requested(): Save image (or Ctrl+S here): the window had no way to keep it.
    """

    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why this answer?")
        self.explanation: Explanation | None = None
        self.face_name = ""
        self.context: dict = {}  # the source, frame and time of the face (set by its caller)
        self.panel_probabilities: np.ndarray | None = None  # the side panel's, for the face
        self.title = QLabel("Computing...")
        self.title.setWordWrap(True)
        # which moment it explains: the window stays as it is while the video goes on
        self.where = QLabel("")
        self.where.setWordWrap(True)
        self.where.setStyleSheet(f"color: {HINT_TEXT_COLOUR};")
        self.image = ScaledPicture()
        self.image.setAccessibleName("The face with the parts that carried the answer in red")
        self.image.setToolTip("Red: covering this part of the face lowered the answer's "
                              "probability (it carried the answer). Blue: covering it raised "
                              "the probability (it spoke against the answer).")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        bars = QGridLayout()
        self.bars: list[QProgressBar] = []
        self.values: list[QLabel] = []
        for row, emotion in enumerate(EMOTIONS):
            bar, value = emotion_bar(emotion)
            bars.addWidget(QLabel(emotion.capitalize()), row, 0)
            bars.addWidget(bar, row, 1)
            bars.addWidget(value, row, 2)
            self.bars.append(bar)
            self.values.append(value)
        self.note = QLabel("Red: the parts of the face that carried the answer (covering them "
                           "lowers it). Blue: parts that spoke against it. Computed by covering "
                           "the face patch by patch and asking the same model again.")
        self.note.setWordWrap(True)
        right = QVBoxLayout()
        right.addLayout(bars)
        right.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.image, 3)
        row.addLayout(right, 2)
        layout = QVBoxLayout()
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addWidget(self.busy)
        layout.addLayout(row, 1)
        layout.addWidget(self.note)
        self.content = QWidget()  # what Save writes: the answer, without the buttons
        self.content.setLayout(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.addButton("Save image",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Save this picture and its numbers (PNG + JSON) in the "
                                    "output folder, beside the screenshots; with File > "
                                    "Privacy > Blur faces, the face is pixelated in it ("
                                    + self.save_button.shortcut().toString(
                                        QKeySequence.SequenceFormat.NativeText) + ")")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_requested)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 8)
        outer.addWidget(self.content)
        outer.addWidget(buttons)
        buttons.setContentsMargins(9, 0, 9, 0)
        self.resize(560, 420)

    def show_busy(self, face_name: str) -> None:
        """Working on ``face_name``: the last answer's face, bars and picture go (they stood
        under the new heading until the new ones came, "From portrait.png" over another
        picture's face: trial 37)."""
        self.explanation = None
        self.save_button.setEnabled(False)
        self.title.setText(f"Finding what made the answer for {face_name}...")
        self.image.setPixmap(QPixmap())
        self.where.setText("")
        for bar, value in zip(self.bars, self.values, strict=True):
            bar.setValue(0)
            bar.setFormat("")
            value.setText("")
        self.busy.show()

    def show_result(self, face_name: str, explanation: Explanation) -> None:
        self.explanation, self.face_name = explanation, face_name
        self.busy.hide()
        self.save_button.setEnabled(True)
        p = explanation.probabilities
        answer, drop = float(p[explanation.target]), float(explanation.largest_drop)
        # "by up to 14%" read as a share of 92%: say points, and where it goes; an answer the
        # side panel calls unsure is said so here too (trial 17: "disgust 16%" beside the
        # panel's "disgust? 16% (unsure)")
        said = f"{explanation.emotion}? {answer:.0%} (unsure)" if answer < UNCERTAIN_BELOW \
            else f"{explanation.emotion} {answer:.0%}"
        self.title.setText(f"{face_name[:1].upper()}{face_name[1:]}: {said}. " + (
            f"Covering any part of the face changes it by less than "
            f"{100 * SMALLEST_CHANGE:.0f} point: no part of the "
            "face made this answer (the model answers much the same for any face)."
            if explanation.flat else
            f"Covering the red parts lowers it by up to {100 * drop:.0f} points (to "
            f"{max(0.0, answer - drop):.0%})."))
        self.where.setText(self._where_text())
        self.image.setPixmap(self._face_pixmap(explanation.face))
        for k, bar in enumerate(self.bars):
            show_probability(bar, self.values[k], float(p[k]))

    def show_error(self, message: str) -> None:
        self.busy.hide()
        self.title.setText(message)

    def _face_pixmap(self, face: np.ndarray) -> QPixmap:
        """The face ((h, w) in [0, 1], 48x48 from the model) with the map over it, at its own
        size: ScaledPicture fits it."""
        assert self.explanation is not None
        rgb = heat_overlay(face, self.explanation.heat)  # (h, w, 3) uint8, C-contiguous
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, rgb.strides[0],
                       QImage.Format.Format_RGB888).copy()
        return QPixmap.fromImage(image)

    def _where_text(self, named: bool = True, hint: bool = True) -> str:
        """The line under the face: which picture it is of (its file named or not)."""
        moment = explained_moment(self.context, named=named, hint=hint,
                                  panel_differs=self._panel_differs())
        return (moment + " " if moment else "") + \
            "The face as the model sees it: 48x48 pixels, grey."

    def _panel_differs(self) -> bool:
        """The side panel shows other whole percents for this face than the explanation's
        (averaged by Smoothing). Compared as shown: 90.6% beside 90.4% read "91%" here and
        "90%" there with no word, the difference under the point that was the test (trial 45).
        """
        panel, e = self.panel_probabilities, self.explanation
        return panel is not None and e is not None and \
            [f"{p:.0%}" for p in np.asarray(panel)] != [f"{p:.0%}" for p in e.probabilities]

    def png_bytes(self, blur_face: bool = False, named: bool = True) -> bytes:
        """The window's answer (face, map, bars, sentences) as PNG bytes; with ``blur_face``
        (File > Privacy > Blur faces) the face is pixelated as in screenshots, the map over
        it kept: a user who asked for blurred faces got the clear face in this file. Not
        ``named`` (No file paths in saved files): its line says "the video", not the file."""
        shown, said = self.image.pixmap(), self.where.text()
        if blur_face and self.explanation is not None:
            self.image.setPixmap(self._face_pixmap(pixelate(self.explanation.face)))
        # the picture has no button: no "Why this answer? again explains..." (trial 17)
        self.where.setText(self._where_text(named=named, hint=False))
        try:
            buffer = QBuffer()
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            print_sized(self.content).save(buffer, "PNG")
            return bytes(buffer.data())
        finally:
            self.image.setPixmap(shown)  # on screen the face stays clear, as the video does
            self.where.setText(said)

    def details(self) -> dict:
        """The numbers behind the picture, for its JSON file."""
        e = self.explanation
        if e is None:
            return {}
        return {**self.context, "face": self.face_name, "emotion": e.emotion,
                # the model's answer for this frame's face alone: a CSV's row for the frame
                # is smoothed over time (0.8866 beside 0.8919 here, unexplained: audit 54)
                "probabilities_of": "this frame alone, not smoothed over time",
                "probabilities": {k: round(float(v), 4)
                                  for k, v in zip(EMOTIONS, e.probabilities, strict=True)},
                "largest_drop": round(float(e.largest_drop), 4),
                "method": "occlusion sensitivity: the face covered patch by patch"}


def print_sized(widget: QWidget, min_width: int = SAVED_MIN_WIDTH) -> QPixmap:
    """``widget`` drawn into a picture at least ``min_width`` pixels wide: its text and
    bars drawn at that size (not a small grab enlarged), the face scaled up with them."""
    scale = max(1.0, widget.devicePixelRatioF(), min_width / max(1, widget.width()))
    pixmap = QPixmap(QSize(round(widget.width() * scale), round(widget.height() * scale)))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(widget.palette().window().color())
    widget.render(pixmap)
    return pixmap
