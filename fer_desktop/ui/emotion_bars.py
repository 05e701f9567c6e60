"""The seven probability bars of the side panel and of Why this answer?, built one way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar

from fer_desktop.ui.colours import BAR_BACKGROUND, BAR_BORDER, BAR_TEXT, EMOTION_COLORS

BAR_STEPS = 1000  # a bar's range: 0.1% steps


def emotion_bar(emotion: str) -> tuple[QProgressBar, QLabel]:
    """A bar in the emotion's colour and the label for its percentage beside it.

    The percentage sits beside the bar, in the window's text colour: written over the
    coloured part it fell below 4.5:1 contrast (white on yellow is 1.2:1).
    """
    bar = QProgressBar()
    bar.setRange(0, BAR_STEPS)
    bar.setValue(0)
    bar.setTextVisible(False)
    bar.setFormat("")
    bar.setFixedHeight(18)
    bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
    bar.setAccessibleName(f"Probability of {emotion}")
    bar.setStyleSheet(
        f"QProgressBar {{ border: 1px solid {BAR_BORDER}; border-radius: 3px;"
        f" background: {BAR_BACKGROUND}; color: {BAR_TEXT}; }}"
        f"QProgressBar::chunk {{ background: {EMOTION_COLORS[emotion]}; }}")
    value = QLabel("")
    value.setMinimumWidth(value.fontMetrics().horizontalAdvance("100%") + 4)
    value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return bar, value


def show_probability(bar: QProgressBar, value: QLabel, probability: float) -> None:
    """One bar and its label at ``probability`` (0..1)."""
    bar.setValue(round(probability * BAR_STEPS))
    bar.setFormat(f"{probability:.0%}")
    value.setText(f"{probability:.0%}")
