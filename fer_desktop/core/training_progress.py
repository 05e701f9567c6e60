"""Where a training run stands, from its events alone: epoch, step, speed and time left.

Qt-free so that the ETA is tested without a window. The Train tab feeds every parsed trainer
event to :meth:`TrainingProgress.update` and redraws its labels from the texts below ten times
a second; a burst of events costs only these few assignments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fer_desktop.core.trainer_events import TrainerEvent


def format_duration(seconds: float | None) -> str:
    """``75`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``; ``"-"`` when unknown or negative."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "-"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


FER2013_TRAINING_ROWS = 28_709  # the rows a preset's minutes_per_epoch was measured on
# What an epoch costs whatever its rows (scoring the held-out rows, writing the checkpoint and
# the run's state) and what a run costs before its first epoch (TensorFlow, reading the CSV):
# a run on 30 rows did 77 epochs in 50 s, 0.65 s an epoch, while the form, scaling by rows
# alone, said "about 1 minute" for 40 epochs and for 300 alike (trial 12, 2 cores).
EPOCH_OVERHEAD_S = 0.6
RUN_START_S = 20.0
# Until a second epoch is measured, an epoch is taken to cost at most its steps at the batches'
# speed, a quarter more (scoring the held-out rows) and EPOCH_OVERHEAD_S: the first epoch also
# traces the graphs, once.
FIRST_EPOCH_SHARE = 1.25


def estimated_minutes(epochs: int, minutes_per_epoch: float, limit_per_split: int = 0,
                      full_rows: int = FER2013_TRAINING_ROWS,
                      csv_rows: int | None = None, epoch_overhead_s: float = 0.0,
                      start_s: float = 0.0) -> float:
    """Minutes for ``epochs`` epochs before Start, scaled to the rows that will be trained.

    A preset's ``minutes_per_epoch`` is for all of FER-2013's training rows; "Rows per split"
    = 300 trains on 1% of them, and the form still said "about 2 hours"; a CSV of 30
    Training rows said "about 6 minutes" for 3 epochs that took 20 s. An epoch's time grows
    with its rows, so the estimate takes the share trained: the CSV's Training rows
    (``csv_rows``; None while not counted: FER-2013's), at most ``limit_per_split`` of them
    (0 means all rows). ``epoch_overhead_s`` and ``start_s`` add what an epoch and the run
    cost whatever the rows (the form passes EPOCH_OVERHEAD_S and RUN_START_S): on a small CSV
    they are most of the time.

    Example:
        estimated_minutes(60, 1.9)                       # 114.0: the full data
        estimated_minutes(60, 1.9, limit_per_split=300)  # about 1.2
        estimated_minutes(3, 1.9, csv_rows=30)           # about 0.006
    """
    rows = full_rows if csv_rows is None else csv_rows
    if limit_per_split > 0:
        rows = min(rows, limit_per_split)
    return (epochs * (minutes_per_epoch * rows / full_rows + epoch_overhead_s / 60)
            + start_s / 60)


def gaps_between_epochs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batch curve with a NaN point between epochs, so that a plot breaks the line there.

    The curve is a running mean that restarts every epoch; a line from the end of one epoch
    (the mean of all its batches) to the first batch of the next drew a false cliff. Batch x
    is ``epoch - 1 + step / steps``, so epoch e covers (e-1, e]. A NaN point, unlike a
    per-segment mask, survives a plot's clipping and downsampling.

    Returns:
        (x, y) with one extra point (x of the new epoch's first batch, NaN) per boundary.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    starts = np.flatnonzero(np.ceil(x[1:]) != np.ceil(x[:-1])) + 1
    return np.insert(x, starts, x[starts]), np.insert(y, starts, np.nan)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def export_headline(epochs: int | None, finetune: bool) -> str:
    """What a run does once every epoch is done: the one wording, for the window's own run
    and for a run it follows in the background (that one said "8 of 8 epochs done. Stop asks
    it to stop." while it scored and saved its model, trial 57).

    Example:
        >>> export_headline(8, finetune=True)[:25]
        'Scoring the final model o'
    """
    done = "1 epoch" if epochs == 1 else f"all {epochs} epochs"
    if finetune:  # most of its time, and unsaid: 162 s under a busy bar that read like a
        # hang beside "about a minute" (trial 32)
        return (f"Scoring the final model on your test faces and FER-2013's, then "
                f"saving it ({done} done; the longest part on a busy computer)...")
    return f"Evaluating and exporting the best model ({done} done)..."


def export_stop_words(finetune: bool, again: bool) -> str:
    """What a Stop asked for once every epoch is done does: the model is finished first.

    Args:
        finetune: a fine-tune, which keeps no checkpoint (a second Stop loses it).
        again: a second Stop ends it now (the window's own trainer, which it can kill); a
            run followed in the background only gets the request, which waits for the model.
    """
    what = "the scoring and saving" if finetune else "the export"
    model = "fine-tuned model" if finetune else "model"
    text = f"Every epoch is done: finishing {what} first, so that the {model} is kept"
    if not again:
        return text + "."
    if finetune:
        return text + (" (Stop again ends it now, and the fine-tune is lost: it keeps no "
                       "checkpoint, so Start runs it again).")
    return text + " (Stop again ends it now; Resume would write the model later)."


def export_stop_hint() -> str:
    """What a Stop would do once every epoch is done, said before it is asked (beside
    :func:`export_headline`, for a run followed in the background): the model is finished
    first, as :func:`export_stop_words` says once it is asked."""
    return "A Stop lets this finish, so that the model is kept."


@dataclass
class TrainingProgress:
    """The progress of one trainer process.

    epochs: total epochs (None until the ``started`` event). epoch: the 1-based epoch in
    progress (or last finished). steps / step: batches per epoch and done in this epoch.
    batch_size: from the run's config (None: unknown). images_per_s: the latest speed.
    epoch_seconds: how long the last finished epoch took (a better per-epoch estimate than
    steps x step time, because it includes validation). last_val_accuracy: of the last epoch.
    exporting: every epoch is done; the trainer evaluates and exports (no steps to report).
    finetune: the run is a fine-tune (its ``started`` event names ``started_from``): it keeps
    its final weights on purpose, not the best epoch's (docs/own-faces.md).

    Example:
        progress = TrainingProgress()
        for event in events:          # parsed trainer events, in order
            progress.update(event)
        progress.eta_s()              # seconds left, or None while the speed is unknown
    """

    epochs: int | None = None
    epoch: int = 0
    epochs_timed: int = 0  # epochs whose seconds this process measured
    steps: int = 0
    step: int = 0
    batch_size: int | None = None
    images_per_s: float | None = None
    epoch_seconds: float | None = None
    last_val_accuracy: float | None = None
    exporting: bool = False
    finetune: bool = False

    @property
    def started(self) -> bool:
        """The trainer has said how many epochs it runs."""
        return self.epochs is not None

    def stop_in_export_words(self) -> str:
        """What a Stop during the export does: a fine-tune keeps no checkpoint, so a second
        Stop loses it (it said "Resume would write the model later", trial 51)."""
        return export_stop_words(self.finetune, again=True)

    def ended_in_export_words(self) -> str:
        """What a second Stop during the export left."""
        if self.finetune:
            return ("Ended during the export: a fine-tune keeps no checkpoint, so no model "
                    "was made; press Start to fine-tune again.")
        return "Ended during the export: Resume writes the model of the finished epochs."

    def update(self, event: TrainerEvent) -> None:
        """Take in one event; events that say nothing about progress are ignored."""
        name = event.name
        if name == "started":
            config = event.get("config")
            batch = config.get("batch_size") if isinstance(config, dict) else None
            self.epochs, self.epoch = event["epochs"], event["initial_epoch"]
            self.epochs_timed = 0
            self.steps, self.step = event["steps_per_epoch"], 0
            self.batch_size = int(batch) if isinstance(batch, int) else None
            self.finetune = event.get("started_from") is not None
        elif name == "batch":
            self.epoch, self.epochs = event["epoch"], event["epochs"]
            self.step, self.steps = event["step"], event["steps"]
            self.images_per_s = _number(event["images_per_s"])
        elif name == "epoch":
            self.epoch, self.epochs = event["epoch"], event["epochs"]
            self.step = self.steps
            self.last_val_accuracy = _number(event["val_accuracy"])
            seconds = _number(event.get("seconds"))
            if seconds is not None:
                self.epoch_seconds = seconds
                self.epochs_timed += 1
            if self.epoch >= self.epochs:
                self.exporting = True

    def eta_s(self, batch_size: int | None = None) -> float | None:
        """Seconds until the last epoch ends (export not included); None while unknown.

        Args:
            batch_size: used when the ``started`` event did not carry the run's batch size.
        """
        batch = self.batch_size or batch_size
        rate = self.images_per_s
        if not self.started or not batch or rate is None or rate <= 0:
            return None
        epoch, epochs = max(1, self.epoch), int(self.epochs or 0)
        steps = max(1, self.steps)
        step_s = batch / rate
        per_epoch = self.epoch_seconds or steps * step_s
        if self.epoch_seconds and self.epochs_timed <= 1:
            # the first epoch also traced the graphs, once: a 450-row run said "ETA 27:52"
            # after it and 4:33 by its fourth (trial 17); its steps, with a share for the
            # scoring and the checkpoint, until a second epoch is measured
            per_epoch = min(per_epoch, FIRST_EPOCH_SHARE * steps * step_s + EPOCH_OVERHEAD_S)
        return (steps - self.step) * step_s + max(0, epochs - epoch) * per_epoch

    def headline(self) -> str:
        """"Epoch 2 of 10", or what the trainer is doing before or after the epochs."""
        if not self.started:
            return "Starting the trainer (loading data and TensorFlow)..."
        if self.exporting:
            return export_headline(self.epochs, self.finetune)
        return self.position().capitalize()

    def position(self) -> str:
        """"epoch 2 of 10" (the epoch :meth:`headline` shows), or "" before ``started``: the
        one wording of where the run is, for the Progress box and the question asked on
        closing (it said "epoch 14" while the box beside it said "Epoch 17")."""
        return f"epoch {max(1, self.epoch)} of {self.epochs}" if self.started else ""

    def speed_line(self, elapsed_s: float, batch_size: int | None = None) -> str:
        """"1,234 images/s   elapsed 1:05   ETA 12:00" (only the elapsed time when no steps)."""
        if not self.started or self.exporting:
            return f"elapsed {format_duration(elapsed_s)}"
        rate = self.images_per_s
        speed = f"{rate:,.0f} images/s" if rate is not None else "- images/s"
        return (f"{speed}   elapsed {format_duration(elapsed_s)}   "
                f"ETA {format_duration(self.eta_s(batch_size))}")
