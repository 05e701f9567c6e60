"""Check a FER-2013 CSV once before the first run on it (``python -m trainer inspect``).

Every row is validated in a child process (the same :class:`TrainerProcess` as training), so a
malformed CSV is refused with its row named before a run folder is made; the Train tab
remembers the file's path, size and time once it passed (:func:`csv_key`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from fer_desktop.core.trainer_events import TrainerEvent
from fer_desktop.ui.trainer_process import TrainerProcess, trainer_command
from trainer.config import TrainConfig
from trainer.process_outcome import TrainerOutcome
from trainer.rundir import FAILED, FINISHED


def csv_key(path: Path) -> str:
    """"path|size|mtime": a CSV that changed since it was checked is checked again."""
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


class CsvCheck(QObject):
    """One check at a time, for the run waiting on it.

    Signals:
        ended(TrainConfig | None, str, str): the config that waited (None: nothing waited), the
            check's state (FINISHED: passed; FAILED: refused; else cancelled) and what to say.
        log_line(str): the check's stderr and the data warnings, for the Log tab.
    """

    ended = Signal(object, str, str)
    log_line = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process = TrainerProcess(self)
        self.process.event_received.connect(self._on_event)
        self.process.log_line.connect(self.log_line)
        self.process.finished.connect(self._on_finished)
        self._pending: TrainConfig | None = None
        self._rows = ""
        self._key = ""  # the file as the check began to read it

    def start(self, config: TrainConfig) -> str:
        """Check ``config.csv``; returns what to say while it runs."""
        self._pending, self._rows = config, ""
        try:
            self._key = csv_key(Path(config.csv))
        except OSError:  # gone since the form looked: the check itself says so
            self._key = ""
        self.process.start_command(
            *trainer_command(["inspect", "--csv", config.csv, "--events", "json"]), threads=1)
        return f"Checking {Path(config.csv).name} (every row is validated once)..."

    def key_if_unchanged(self, path: Path) -> str:
        """The key to remember as checked: the file's as the check began, "" where it has
        changed since (an edit during the check was remembered as checked, audit 47)."""
        try:
            return self._key if csv_key(path) == self._key else ""
        except OSError:  # moved or deleted meanwhile: Start went on saying "Checking..."
            return ""

    def _on_event(self, event: TrainerEvent) -> None:
        if event.name == "data_report":
            splits = event["splits"]
            self._rows = ", ".join(f"{name} {info.get('rows', '?'):,}"
                                   for name, info in splits.items() if isinstance(info, dict))
            for warning in event.get("warnings") or []:
                self.log_line.emit(f"data warning: {warning}")

    def _on_finished(self, outcome: TrainerOutcome) -> None:
        config, self._pending = self._pending, None
        if outcome.state == FINISHED:
            text = f"CSV checked: {self._rows or 'ok'}."
        else:
            reason = outcome.message if outcome.state == FAILED else "check cancelled"
            text = f"The CSV cannot be used: {reason}"
        self.ended.emit(config, outcome.state, text)
