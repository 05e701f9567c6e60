"""One way to make a window action: shortcut, tooltip naming the keys, status tip, slot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

#: an action's own line in Help > Keyboard shortcuts, where its menu text changes with what
#: was done last (Edit > Undo reads "Undo save as happy"): ``action.setProperty(LIST_TEXT, ...)``
LIST_TEXT = "shortcut_list_text"


def make_action(widget: QWidget, text: str, shortcut: str | QKeySequence.StandardKey | None,
                tip: str, slot: Callable[..., Any], checkable: bool = False) -> QAction:
    """A QAction added to ``widget`` whose shortcut works anywhere in the window.

    The tooltip shows the keys ("Save the frame (Ctrl+S)"); a checkable action calls ``slot``
    with its new state, another with nothing.
    """
    action = QAction(text, widget)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    (action.toggled if checkable else action.triggered).connect(slot)
    widget.addAction(action)
    return action
