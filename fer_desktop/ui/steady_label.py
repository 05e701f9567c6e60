"""A wrapped label as tall as the tallest of the texts it may show, so that what is under it
stays put when its text changes.

The Train tab's preset line read in 3 or 4 lines depending on the choice (a preset, "Not used
with a folder...", "Not used: a fine-tune..."): ticking Fine-tune moved Start up by a line,
under the pointer. Reserving the height of the longest text at the current width keeps Start
where it is; the label still wraps and grows with the window's width.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget


class SteadyLabel(QLabel):
    """A word-wrapped QLabel whose height is that of the tallest of ``reserve`` (and of its
    own text) at the width it is given.

    Example:
        label = SteadyLabel()
        label.set_reserve(["A short line.", "A much longer line that wraps twice ..."])
        label.setText("A short line.")  # as tall as the longer one: nothing below moves
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self._reserve: tuple[str, ...] = ()

    def set_reserve(self, texts: Iterable[str]) -> None:
        """The texts it may show: its height is the tallest one's."""
        reserve = tuple(text for text in texts if text)
        if reserve != self._reserve:
            self._reserve = reserve
            self.updateGeometry()

    def _text_height(self, text: str, width: int) -> int:
        """The height ``text`` takes wrapped at ``width`` (QLabel's own sum: the text's
        bounding box inside the contents margins)."""
        margins = self.contentsMargins()
        inner = width - margins.left() - margins.right() - 2 * self.margin()
        return self._wrapped_height(text, inner) + margins.top() + margins.bottom() \
            + 2 * self.margin()

    def _wrapped_height(self, text: str, inner_width: int) -> int:
        """The height of ``text``'s bounding box wrapped at ``inner_width`` (the room inside
        the margins), in this label's font and alignment."""
        return self.fontMetrics().boundingRect(
            QRect(0, 0, max(1, inner_width), 1_000_000),
            int(Qt.TextFlag.TextWordWrap | self.alignment()), text).height()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """QLabel's width, and one line's height: QFormLayout takes the larger of a row's
        height for its width and its size hint's height, and QLabel's hint is the text
        wrapped narrower than it is shown (a long refusal grew the line under Epochs by a line
        its reserve did not hold, and Start moved, trial 20). The height that counts is
        :meth:`heightForWidth`'s."""
        hint = super().sizeHint()
        margins = self.contentsMargins()
        return QSize(hint.width(), self.fontMetrics().height() + margins.top()
                     + margins.bottom() + 2 * self.margin())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """At most twelve letters wide: a long unbreakable word in its text
        ('image_id;emotion_label;pixel_values;spli...' in a refusal) widened the whole form
        column, and Start moved (review). Such a word runs past the label's edge instead
        (the line under Epochs lets it break after its semicolons: ``epochs_line``)."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("W" * 12)),
                     hint.height())

    def has_reserve(self) -> bool:
        return bool(self._reserve)

    def reserved_height(self, width: int) -> int:
        """The height of the tallest text of the reserve at ``width`` (0 without one)."""
        return max((self._text_height(text, width) for text in self._reserve), default=0)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return max(super().heightForWidth(width), self.reserved_height(width))
