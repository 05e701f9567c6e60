"""How a trainer process ended, in one sentence for the window (Qt-free, TF-free).

The Train tab watches the trainer as a separate process; when it exits, what the user is told
depends on several things at once: the trainer's own ``finished`` event (its word that all
was saved), the exit code or the signal that killed it, whether the user asked it to stop and
whether it had to be killed after that, whether it was exporting, an ``error`` event, and the
last line it wrote to stderr. Deciding that here, from plain values, lets every case be tested
without a window or a process.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trainer.rundir import FAILED, FINISHED, STOPPED
from trainer.runs import RESUME_HINT, resume_hint

#: a trainer stopped by SIGTERM or Ctrl+C (its run kept, to resume), as a shell reports Ctrl+C
EXIT_STOPPED = 130


@dataclass(frozen=True)
class TrainerOutcome:
    """How a trainer process ended.

    state: FINISHED, STOPPED or FAILED. exit_code: the process's code (negative: killed by
    that signal; None when it was detached). message: one sentence for the user.
    run_dir: the run folder from the ``started`` event, if one came. refused: the trainer
    refused its input before a run began (a votes file that does not line up): "Training
    failed" and "Trainer failed." were said of a training that never started (trial 49).
    """

    state: str
    exit_code: int | None
    message: str
    run_dir: str | None = None
    refused: bool = False


@dataclass(frozen=True)
class ProcessEnd:
    """What the watcher saw of a trainer process by the time it exited.

    finished / error: the trainer's ``finished`` and ``error`` events (None when none came).
    stop_requested: the user pressed Stop. killed: the watcher killed it (it did not stop in
    time). exporting: it was writing its model. stderr: its last stderr lines, oldest first.
    """

    code: int
    run_dir: str | None = None
    finished: Mapping | None = None
    error: Mapping | None = None
    stop_requested: bool = False
    killed: bool = False
    exporting: bool = False
    stderr: Sequence[str] = ()


def outcome_of(end: ProcessEnd) -> TrainerOutcome:
    """The state and the sentence the Train tab shows for ``end``."""
    code, run, done = end.code, end.run_dir, end.finished
    if done is not None and (code in (0, EXIT_STOPPED) or end.killed):  # its word: all
        # was saved (a stopped run exits 130, as a Ctrl+C: audit 57)
        if done["stopped"]:
            epochs_done = done.get("epochs_done")
            where = " in its first epoch" if epochs_done == 0 else ""
            hint = resume_hint(run, epochs_done if isinstance(epochs_done, int) else None)
            # not this window's Stop: another window's, or a signal (it read as this one's,
            # audit 53)
            who = "" if end.stop_requested else \
                " from outside this window (another window's Stop, or a signal)"
            return TrainerOutcome(STOPPED, code, f"stopped{where}{who}; {hint}", run)
        return TrainerOutcome(FINISHED, code, "finished", run)
    if end.stop_requested:
        hint = resume_hint(run)
        if end.killed and end.exporting:
            if hint == RESUME_HINT:  # every epoch is kept: only the model is missing
                hint = "Resume writes the model of the finished epochs"
            return TrainerOutcome(STOPPED, code, f"ended during its export, as asked; {hint}",
                                  run)
        how = "killed after it did not stop in time" if end.killed else "stopped"
        return TrainerOutcome(STOPPED, code, f"{how}; {hint}", run)
    if end.error is not None:
        return TrainerOutcome(FAILED, code, end.error["message"], run,
                              refused=end.error.get("kind") == "user" and run is None)
    if code == 0:
        return TrainerOutcome(FINISHED, code, "finished", run)
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        reason = f"the trainer was killed ({name})"
    else:
        reason = f"the trainer exited with code {code}"
    tail = next((line for line in reversed(end.stderr) if line.strip()), "")
    detail = f"; last message: {tail}" if tail else ""
    return TrainerOutcome(FAILED, code, f"{reason}{detail}", run)
