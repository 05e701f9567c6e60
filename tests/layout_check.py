"""Finding what a small window clips: a helper for the 800x600 layout test.

A widget counts as clipped when it is shown smaller than its minimum size hint (text or
controls cut or overlapping), or when it reaches outside the visible part of its parent and
no scroll bar leads to it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHeaderView,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

TOLERANCE_PX = 1


def _name(widget: QWidget) -> str:
    text = ""
    for attr in ("text", "title", "accessibleName"):
        getter = getattr(widget, attr, None)
        if callable(getter):
            try:
                value = getter()
            except TypeError:
                continue
            if value:
                text = str(value)[:40]
                break
    return f"{type(widget).__name__}({widget.objectName() or text!r})"


def _in_scroll_content(widget: QWidget) -> QScrollArea | None:
    """The scroll area whose content holds ``widget``, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        grand = parent.parentWidget()
        if grand is not None and isinstance(grand.parentWidget(), QScrollArea) \
                and grand.parentWidget().widget() is parent:
            return grand.parentWidget()
        parent = grand
    return None


def clipped_widgets(root: QWidget) -> list[str]:
    """Descriptions of the visible widgets under ``root`` that are clipped (see module doc)."""
    problems: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not widget.isVisible() or widget.isWindow():
            continue
        if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
            continue  # Qt's own parts (spin-box editors, tab bars, headers) manage themselves
        hint = widget.minimumSizeHint()
        policy = widget.sizePolicy()
        size = widget.size()
        minimum = widget.minimumSize()
        need_w = max(hint.width(), minimum.width()) if hint.isValid() else minimum.width()
        need_h = max(hint.height(), minimum.height()) if hint.isValid() else minimum.height()
        if policy.horizontalPolicy() == QSizePolicy.Policy.Ignored:
            need_w = minimum.width()
        if policy.verticalPolicy() == QSizePolicy.Policy.Ignored:
            need_h = minimum.height()
        if size.width() + TOLERANCE_PX < need_w or size.height() + TOLERANCE_PX < need_h:
            problems.append(f"{_name(widget)} is {size.width()}x{size.height()}, needs "
                            f"{need_w}x{need_h}")
            continue
        parent = widget.parentWidget()
        if parent is None or isinstance(parent.parentWidget(), QAbstractScrollArea):
            continue  # a scroll area's content and viewport are checked below
        inside = parent.rect().adjusted(-TOLERANCE_PX, -TOLERANCE_PX, TOLERANCE_PX,
                                        TOLERANCE_PX)
        if not inside.contains(QRect(widget.pos(), widget.size())):
            problems.append(f"{_name(widget)} at {widget.geometry().getRect()} reaches outside "
                            f"{_name(parent)} {parent.size().toTuple()}")
    for area in root.findChildren(QScrollArea):
        content = area.widget()
        if content is None or not area.isVisible():
            continue
        view = area.viewport().size()
        if content.width() > view.width() + TOLERANCE_PX and \
                not area.horizontalScrollBar().isVisible():
            problems.append(f"{_name(area)}: content {content.width()} px wide in "
                            f"{view.width()} px, with no scroll bar")
        if content.height() > view.height() + TOLERANCE_PX and \
                not area.verticalScrollBar().isVisible():
            problems.append(f"{_name(area)}: content {content.height()} px high in "
                            f"{view.height()} px, with no scroll bar")
    return problems
