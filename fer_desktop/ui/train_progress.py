"""The Train tab's "Progress" box: a headline, a progress bar of the epoch's steps, and a line
with speed, elapsed time and ETA. It only shows a Qt-free
:class:`~fer_desktop.core.training_progress.TrainingProgress`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from fer_desktop.core.training_progress import TrainingProgress


class ProgressBox(QGroupBox):
    """The labels and bar; :meth:`show_progress` is called about ten times a second.

    Signals:
        grew(): a job started: the bar and the speed line are shown (the Train tab scrolls
            them into view).
    """

    grew = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Progress", parent)
        self.epoch_label = QLabel("Not training.")
        self.progress_bar = QProgressBar()
        self.speed_label = QLabel(" ")
        # Long lines wrap: unwrapped, "... is training in the background (left running, or
        # started from a terminal) ..." widened the form column past the window, which then
        # scrolled sideways and cut Browse... and Resume (trial C).
        for label in (self.epoch_label, self.speed_label):
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.epoch_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.speed_label)
        self.reset()

    def reset(self) -> None:
        """Idle: the headline alone. An empty bar and a blank line under "Not training."
        took two lines of a column that, at 800x600, already hid the run list (trial 12)."""
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        self.speed_label.setText(" ")
        self._working(False)

    def idle(self) -> None:
        """Nothing runs: "Not training." alone."""
        self.reset()
        self.say("Not training.")

    def _working(self, working: bool) -> None:
        """The bar and the speed line are there only while a job runs."""
        grows = working and self.progress_bar.isHidden()
        self.progress_bar.setVisible(working)
        self.speed_label.setVisible(working)
        if grows:
            self.grew.emit()

    def say(self, text: str) -> None:
        """Replace the headline (a CSV check, the trainer starting or ending)."""
        self.epoch_label.setText(text)

    def show_busy(self, text: str) -> None:
        """A job that reports no steps (a stopped run's export): the headline and a moving
        bar, so that it does not look stuck for its minute or two."""
        self.reset()
        self.say(text)
        self.progress_bar.setRange(0, 0)
        self._working(True)

    def show_progress(self, progress: TrainingProgress, elapsed_s: float,
                      batch_size: int | None) -> None:
        """Show a running trainer's progress.

        Args:
            progress: what its events said so far.
            elapsed_s: since the trainer started.
            batch_size: the form's, for the ETA when the run's own is unknown.
        """
        self.speed_label.setText(progress.speed_line(elapsed_s, batch_size))
        self._working(True)
        if not progress.started:
            return  # the headline still says what the trainer is doing
        self.epoch_label.setText(progress.headline())
        if progress.exporting:
            self.progress_bar.setRange(0, 0)  # busy: the export reports no steps
            return
        steps = max(1, progress.steps)
        if self.progress_bar.maximum() != steps or not self.progress_bar.format():
            self.progress_bar.setRange(0, steps)
            self.progress_bar.setFormat("step %v of %m")
        self.progress_bar.setValue(min(progress.step, steps))

    def show_end(self, state: str, finished: bool, refused: bool = False) -> None:
        """The trainer ended in ``state``; a full bar only when it finished; "Not training."
        where it refused its input before a run began."""
        self.epoch_label.setText("Not training." if refused else f"Trainer {state}.")
        self.speed_label.setText(" ")  # no speed or ETA for a trainer that is not running
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1 if finished else 0)  # stays shown: full when finished
        self.progress_bar.setFormat("")                    # (the list below stays put)


