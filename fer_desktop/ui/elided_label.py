"""A one-line label that shortens its text with "..." when narrow, the full text as tooltip.

Used where a long text (a file path, the model's name) must not push other controls out of a
small window; the whole text stays readable in the tooltip and to screen readers.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def path_shortened(text: str, fits) -> str:
    """``text`` with whole folders of a path in it left out from the middle ("/home/ann/…/FER
    Desktop/collected faces"), the fewest that make it ``fits``; "" when none does (or it
    holds no path). A cut inside a name read "home/.... Desktop": the dots of ".local"
    after the "...", trial 31."""
    separator = "\\" if text.count("\\") > text.count("/") else "/"
    parts = text.split(separator)
    for drop in range(1, len(parts) - 1):
        kept = len(parts) - drop
        tail = max(1, kept // 2)  # the end says the most; the start keeps its first folder
        head = kept - tail  # (parts[0] is what comes before it: "" or "Faces in ")
        if head < 2:
            break
        shorter = separator.join([*parts[:head], "\u2026", *parts[len(parts) - tail:]])
        if fits(shorter):
            return shorter
    return ""


class ElidedLabel(QLabel):
    """A QLabel for plain one-line text, elided at ``mode`` (default: in the middle).

    Args:
        text: the full text.
        mode: where the "..." goes (``Qt.ElideMiddle`` keeps both ends of a path).
        min_chars: the narrowest it gets, in average characters.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
                 min_chars: int = 12) -> None:
        super().__init__(parent)
        self._mode = mode
        self._min_chars = min_chars
        self._tip = ""
        self._short: tuple[str, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        self._short = ()
        super().setText(text)
        self.setAccessibleName(text)
        self._update_tip()

    def set_short_text(self, *shorter: str) -> None:
        """What to show instead of the text when it does not fit (before any "..."), the
        first of ``shorter`` that fits: the heading "happy 89% · face #1 (largest)" becomes
        "happy 89% · #1 (largest)", then "happy 89% · #1", not "... #1 (lar…". Reset by
        :meth:`setText`."""
        self._short = tuple(shorter)
        self._update_tip()
        self.update()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt API)
        """An explanation shown under the full text (when it is cut) in the tooltip."""
        self._tip = tip
        self._update_tip()

    def _update_tip(self) -> None:
        text = self.text()
        shown = self.elided_text()
        tip = text if shown != text else ""
        if self._tip:
            tip = f"{tip}\n{self._tip}" if tip else self._tip
        super().setToolTip(tip)

    def elided_text(self) -> str:
        width, metrics, text = max(0, self.contentsRect().width()), self.fontMetrics(), self.text()
        for short in self._short:
            if metrics.horizontalAdvance(text) <= width:
                break
            text = short
        if self._mode == Qt.TextElideMode.ElideMiddle \
                and metrics.horizontalAdvance(text) > width:
            shorter = path_shortened(text, lambda t: metrics.horizontalAdvance(t) <= width)
            if shorter:
                return shorter
        return metrics.elidedText(text, self._mode, width)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        narrow = self.fontMetrics().averageCharWidth() * self._min_chars
        margins = self.contentsMargins()
        return QSize(min(hint.width(), narrow + margins.left() + margins.right()),
                     hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        flags = self.alignment() | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), flags, self.elided_text())
