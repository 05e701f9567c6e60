"""Finding controls a screen-reader or mouse user cannot make sense of (test helper)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QWidget,
)

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QAbstractSlider,
            QAbstractItemView)


def _labelled(widget: QWidget, root: QWidget) -> bool:
    """Named by a label beside it (a form row's label has it as buddy)."""
    return any(label.buddy() is widget for label in root.findChildren(QLabel))


def unnamed_controls(root: QWidget) -> list[str]:
    """Visible controls without a tooltip, or without a name (accessible name, own text or a
    label's buddy)."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root):
            continue
        if widget.objectName().startswith("qt_") or isinstance(widget.parentWidget(),
                                                                (QAbstractSpinBox, QComboBox,
                                                                 QTabBar)):
            continue  # Qt's own parts (a spin box's editor, a tab bar's scroll buttons)
        if isinstance(widget, (QScrollBar, QHeaderView)):
            continue  # parts of scroll areas and tables
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
        name = widget.accessibleName() or (text if isinstance(widget, QAbstractButton) else "")
        if not name and not _labelled(widget, root):
            problems.append(f"{type(widget).__name__} {text!r}: no accessible name")
        if not widget.toolTip():
            problems.append(f"{type(widget).__name__} {name or text!r}: no tooltip")
    return problems
