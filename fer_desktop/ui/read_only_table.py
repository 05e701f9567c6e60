"""A table the user reads, never edits: one Tab stop, named for a screen reader.

Qt's tables take Tab to move from cell to cell and wrap round inside, so a keyboard user
who tabbed into the Train tab's confusion matrix could not leave it (trial 39); here Tab
goes on to the next control and the arrow keys still move between the cells.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


def read_only_table(rows: int, columns: int, name: str) -> QTableWidget:
    """A ``rows`` x ``columns`` table, not editable, nothing selected, one Tab stop,
    ``name`` its accessible name."""
    table = QTableWidget(rows, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setTabKeyNavigation(False)
    table.setAccessibleName(name)
    return table
