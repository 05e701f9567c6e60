"""Two runs' curves on the same axes: the run shown, and another one chosen from its menu
("Compare curves with"), dashed.

Choosing between two runs meant selecting one, then the other, each plotted on axes of its
own (trial 21: accuracy from 60-75% to 20-70%). The other run's held-out curves stay until
another run is selected.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from fer_desktop.ui.run_list import RunList, run_with_recipe
from fer_desktop.ui.run_menu import RunMenu
from fer_desktop.ui.training_curves import TrainingCurves
from trainer.runs import held_out_name, read_run_curves


class CurveComparer(QObject):
    """What the curves show: the run shown (:meth:`show_run`), and the run chosen in
    ``menu`` drawn over it; another run shown, or the other run moved to the trash, ends the
    comparison (so does a training started: ``TrainingCurves.clear``)."""

    def __init__(self, menu: RunMenu, run_list: RunList, curves: TrainingCurves) -> None:
        super().__init__(run_list)
        self._run_list, self._curves = run_list, curves
        self.run: Path | None = None  # the run shown
        self.other: Path | None = None
        menu.compare.connect(self.compare)
        menu.trashed.connect(lambda run: self.stop() if run == self.other else None)

    def show_run(self, run: Path | None) -> None:
        """``run``'s curves from its files (None: none); another run than the one shown is
        shown alone (the comparison outlived a run trashed or a folder changed, review)."""
        if run != self.run:
            self.stop()
        self.run = run
        if run is None:
            self._curves.clear()
        else:
            self._curves.set_held_out_name(held_out_name(run))
            self._curves.show_curves(read_run_curves(run))

    def compare(self, run: Path, other: Path) -> None:
        """Draw ``other``'s curves over ``run``'s (the run whose menu it was: the one shown;
        a menu opened for another row, or a run gone from the list meanwhile: nothing)."""
        row = next((r for r in self._run_list.rows() if r.run_dir == other), None)
        if run != self.run or row is None:
            return
        self.other = other
        self._curves.show_other(f"{run_with_recipe(row)} ({held_out_name(other)})",
                                read_run_curves(other))

    def stop(self) -> None:
        if self.other is not None:
            self.other = None
            self._curves.show_other("", None)
