"""Export a stopped run's best epoch so far from the Train tab (``python -m trainer export``).

A run stopped before its last epoch kept its checkpoints but had no model: it could not be used
in the live view until it was resumed to its very end. The trainer's ``export`` command already
makes a model of any run's best epoch; this runs it as a child process like training (lower
priority, capped threads, see :class:`TrainerProcess`) and says how it ended in one sentence.
The export writes ``model.json`` last, so a stopped or failed export leaves no half model.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from fer_desktop.ui.trainer_process import TrainerProcess, trainer_command
from trainer.process_outcome import TrainerOutcome
from trainer.rundir import FAILED, FINISHED
from trainer.runs import RunRow


class RunExporter(QObject):
    """One export at a time.

    Signals:
        ended(Path, bool, str): the run, whether its model was written, and what to say.
        log_line(str): the trainer's stderr, for the Log tab.
    """

    ended = Signal(object, bool, str)
    log_line = Signal(str)

    def __init__(self, parent: QObject | None = None,
                 process: TrainerProcess | None = None) -> None:
        super().__init__(parent)
        self.process = process if process is not None else TrainerProcess(self)
        self.process.log_line.connect(self.log_line)
        self.process.finished.connect(self._on_finished)
        self.run_dir: Path | None = None
        self._epoch: int | None = None

    @property
    def is_active(self) -> bool:
        return self.process.is_active

    def start(self, row: RunRow, threads: int) -> str:
        """Export ``row``'s best epoch; returns what to say while it runs.

        Raises:
            OSError, RuntimeError: the trainer cannot be started (the message says why).
        """
        self.process.start_command(
            *trainer_command(["export", str(row.run_dir), "--events", "json"]), threads=threads)
        self.run_dir, self._epoch = row.run_dir, row.best_epoch
        return (f"Exporting epoch {row.best_epoch} of {row.run_dir.name}: evaluating it on the "
                "test faces, then writing the model (a minute or two)...")

    def describe(self) -> str:
        """What is exported ("epoch 16 of 20261206-032146-default"), or "" when nothing."""
        if self.run_dir is None or not self.is_active:
            return ""
        return f"epoch {self._epoch} of {self.run_dir.name}"

    def stop(self) -> None:
        """End the export now: the run keeps its checkpoints and any model it had."""
        self.process.kill()

    def _on_finished(self, outcome: TrainerOutcome) -> None:
        run, epoch = self.run_dir, self._epoch
        if run is None:
            return
        name = run.name
        if outcome.state == FINISHED:
            self.ended.emit(run, True, f"Exported epoch {epoch} of {name}: see its evaluation "
                            "below; Use this model puts it in the live view.")
        elif outcome.state == FAILED:
            self.ended.emit(run, False, f"Could not export {name}: {outcome.message}")
        else:
            # STOPPED: our own kill (Stop, or the window closing)
            self.ended.emit(run, False, f"Export of {name} stopped; the run is as it was.")

