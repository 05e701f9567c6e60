"""The Train form's Start, Stop and Resume, and where the keyboard goes as they turn grey."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from fer_desktop.ui.focus_handoff import FocusHandoff
from trainer.runs import RESTART_HINT, STARTS_OVER_TOOLTIP, RunRow

RESUME_TOOLTIP = ("Continue the selected stopped run where it stopped, to its own number of "
                  "epochs and with its own settings (the form's are for new runs)")


def run_buttons(parent: QWidget) -> tuple[QHBoxLayout, QPushButton, QPushButton, QPushButton]:
    """The row of the three buttons, then Start, Stop and Resume. The keyboard on Start goes
    to Stop once the run starts; on Stop, to Resume (else Start); on Resume, to Stop."""
    start, stop, resume = QPushButton("Start"), QPushButton("Stop"), QPushButton("Resume")
    start.setToolTip("Check the CSV, then train a new run")
    stop.setToolTip("Stop after the current batch; the last completed epoch's checkpoint stays")
    resume.setToolTip(RESUME_TOOLTIP)
    row = QHBoxLayout()
    for button in (start, stop, resume):
        row.addWidget(button)
    FocusHandoff(parent, {start: [stop], stop: [resume, start], resume: [stop]})
    return row, start, stop, resume


def resume_tooltip(row: RunRow | None) -> str:
    """Resume's tooltip for the selected run: what pressing it would do."""
    if row is not None and row.must_restart:
        return RESTART_HINT[0].upper() + RESTART_HINT[1:]
    return STARTS_OVER_TOOLTIP if row is not None and row.starts_over else RESUME_TOOLTIP
