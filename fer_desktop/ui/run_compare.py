"""Two runs' curves on the same axes: the run shown, and another one chosen from its menu
("Compare curves with"), dashed.

Choosing between two runs meant selecting one, then the other, each plotted on axes of its
own (trial 21: accuracy from 60-75% to 20-70%). The other run's held-out curves stay until
another run is selected.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from fer_desktop.ui.run_list import RunList, run_text
from fer_desktop.ui.run_menu import RunMenu
from fer_desktop.ui.training_curves import TrainingCurves
from trainer.runs import held_out_name, read_run_curves


class CurveComparer(QObject):
    """Draws the run chosen in ``menu`` over the run shown in ``curves``; a newly selected
    run in ``run_list`` is shown alone."""

    def __init__(self, menu: RunMenu, run_list: RunList, curves: TrainingCurves) -> None:
        super().__init__(run_list)
        self._run_list, self._curves = run_list, curves
        self.other: Path | None = None
        menu.compare.connect(self.compare)
        run_list.selection_changed.connect(self.stop)

    def compare(self, run: Path, other: Path) -> None:
        """Draw ``other``'s curves over ``run``'s (the run whose menu it was: selected)."""
        shown = self._run_list.selected_row()
        row = next((r for r in self._run_list.rows() if r.run_dir == other), None)
        if shown is None or shown.run_dir != run or row is None:
            return
        self.other = other
        self._curves.show_other(f"{run_text(row)} ({held_out_name(other)})",
                                read_run_curves(other))

    def stop(self) -> None:
        if self.other is not None:
            self.other = None
            self._curves.show_other("", None)
