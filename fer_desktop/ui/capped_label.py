"""A wrapped label whose height never depends on the text it shows: a longer text is cut
with "…" and a Details link, the whole text in its tooltip, its accessible description and,
on Details, a message box of its own.

The Train tab's data source help held the height of its longest text (``SteadyLabel``), but an
image folder's refusal is open-ended: "sad has only 3 image(s)" took it from 4 lines to 6, and
a misspelt emotion folder's list of the accepted names to 14, so Start moved down under the
pointer and a click at its old place opened Advanced (trial 57). Only the texts it reserves
room for count here; what does not fit is cut, so no text moves what is under it.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from fer_desktop.ui.steady_label import SteadyLabel

DETAILS = "Details"
DETAILS_TIP = "Read the whole text in a window of its own (it is longer than the room here)"
ELLIPSIS = "\u2026"


def wrapped_lines(layout: QTextLayout, widths: list[int]) -> list[tuple[int, int, float]]:
    """Lay ``layout``'s text out, line ``i`` ``widths[i]`` wide (the last width for the rest):
    (first character, characters, width drawn) per line."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    lines = []
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(max(1, widths[min(len(lines), len(widths) - 1)]))
        lines.append((line.textStart(), line.textLength(), line.naturalTextWidth()))
    layout.endLayout()
    return lines


class DetailsLink(QLabel):
    """The "Details" link: a Tab stop that Enter (or a click) activates. A QLabel's link is
    only selected at the second Tab into it (the first focused the label, showing nothing,
    and Enter did nothing): selected at once here."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(f'<a href="details">{DETAILS}</a>', parent)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(DETAILS)
        self.setToolTip(DETAILS_TIP)

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            # the link itself, as a second Tab did (the next Tab leaves the label)
            self.focusNextPrevChild(event.reason() == Qt.FocusReason.TabFocusReason)


class CappedLabel(SteadyLabel):
    """A word-wrapped label as tall as the tallest of its reserve (``set_reserve``) at its
    width, whatever its own text: a text that needs more room is cut after a word with "…",
    followed by a Details link (a Tab stop: Enter or a click shows the whole text). With no
    reserve it is as tall as its text, as a QLabel.

    ``text()`` is always the whole text; :meth:`shown_text` is what is drawn.

    Example:
        help = CappedLabel("Image folder")
        help.set_reserve(["In this folder: 12 images ... sad has only 3 image(s) ..."])
        help.setText(refusal_listing_every_accepted_name)  # cut: nothing below moves
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a folder's name is never markup
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._title = title  # the Details box's title
        self._shown = ""  # the text as cut; "" while the whole text fits
        self.details = DetailsLink(self)
        self.details.linkActivated.connect(self.show_details)
        self.details.hide()
        self.details_box: QMessageBox | None = None

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        super().setText(text)
        self._recut()

    def set_reserve(self, texts) -> None:
        super().set_reserve(texts)
        self._recut()

    def shown_text(self) -> str:
        """The text as drawn: the whole text, or its start cut with "…" (Details follows)."""
        return self._shown or self.text()

    def is_cut(self) -> bool:
        return bool(self._shown)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        """The reserve's height alone, so that no text moves what is under the label."""
        return self.reserved_height(width) or super().heightForWidth(width)

    def _text_rect(self) -> QRect:
        margin = self.margin()
        return self.contentsRect().adjusted(margin, margin, -margin, -margin)

    def _fits(self, text: str, rect: QRect) -> bool:
        return self._wrapped_height(text, rect.width()) <= rect.height()

    def _cut(self, rect: QRect) -> str:
        """"" when the whole text fits ``rect`` (or no reserve holds the height); else the
        longest start of it, cut after a word, that leaves "…" and Details room on its last
        line."""
        text = self.text()
        if not text or not self.has_reserve() or self._fits(text, rect):
            return ""
        metrics = self.fontMetrics()
        room = metrics.horizontalAdvance(f"{ELLIPSIS} ") + self.details.sizeHint().width()
        lines = max(1, (rect.height() + metrics.leading()) // max(1, metrics.lineSpacing()))
        for count in range(lines, 0, -1):  # one line fewer where the estimate was generous
            widths = [rect.width()] * (count - 1) + [rect.width() - room]
            start, length, _ = wrapped_lines(QTextLayout(text, self.font()), widths)[count - 1]
            shown = text[:start + length].rstrip() + ELLIPSIS
            if self._fits(shown, rect):
                return shown
        return ELLIPSIS

    def _recut(self) -> None:
        """Cut the text for the room the label has now; the Details link after the "…", the
        whole text in the tooltip and the accessible description."""
        rect = self._text_rect()
        self._shown = self._cut(rect)
        whole = self.text() if self._shown else ""
        self.setToolTip(whole)
        self.setAccessibleDescription(whole)
        self.details.setAccessibleDescription(whole)
        self.details.setVisible(bool(self._shown))
        if self._shown:
            hint = self.details.sizeHint()
            lines = wrapped_lines(QTextLayout(self._shown, self.font()), [rect.width()])
            top = self._wrapped_height(self._shown, rect.width()) - self.fontMetrics().height()
            left = rect.left() + round(lines[-1][2]) + self.fontMetrics().horizontalAdvance(" ")
            self.details.setGeometry(min(left, rect.right() + 1 - hint.width()),
                                     rect.top() + max(0, top), hint.width(),
                                     self.fontMetrics().height())
        self.update()

    def show_details(self, *_) -> QMessageBox:
        """The whole text in a message box of its own, its words selectable (to copy the
        accepted folder names, say); not modal: nothing waits on it."""
        if self.details_box is not None and shiboken6.isValid(self.details_box):
            self.details_box.close()  # one at a time
        box = QMessageBox(QMessageBox.Icon.Information, self._title, self.text(),
                          QMessageBox.StandardButton.Ok, self.window())  # not the label's
        # style sheet: its red coloured the box's OK button
        box.setObjectName("help_details")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_box = box
        box.open()
        return box

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._recut()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._recut()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if not self._shown:
            super().paintEvent(event)
            return
        painter = QPainter(self)  # as QLabel draws plain text, with the cut text
        self.style().drawItemText(painter, self._text_rect(),
                                  int(self.alignment() | Qt.TextFlag.TextWordWrap),
                                  self.palette(), self.isEnabled(), self._shown,
                                  self.foregroundRole())
