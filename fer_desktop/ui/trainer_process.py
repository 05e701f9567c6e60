"""Run ``python -m trainer`` as a separate, lower-priority process and relay what it says.

Why not a plain ``QProcess`` with pipes: the Train tab must be able to leave a run training
when the window closes. A ``QProcess`` kills its child when it is destroyed, and a child
writing its events into a closed pipe dies of ``BrokenPipeError`` at the next batch. So the
trainer is started with ``subprocess.Popen`` in its own session, its stdout and stderr go to
two files in a log folder, and a ``QTimer`` (10 Hz) reads whatever the files gained, splits it
into lines (:class:`~fer_desktop.core.trainer_events.LineBuffer`) and parses every stdout
line (:func:`~fer_desktop.core.trainer_events.parse_event`), trusting none of them. While the
window lives, ``Popen.poll()`` gives the real exit code; :meth:`TrainerProcess.detach` simply
stops watching, and the trainer keeps running on its own (its events also go to
``events.jsonl`` in the run folder, which the tab reads after a restart).

The child gets ``nice -n 10`` on POSIX (``BELOW_NORMAL_PRIORITY_CLASS`` on Windows) and its
thread pools capped (``--threads`` plus ``OMP_NUM_THREADS`` / ``TF_NUM_INTRAOP_THREADS``), so
the live view keeps its frame rate on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from fer_desktop import TRAINER_FLAG  # the packaged app's trainer switch
from fer_desktop.core.trainer_events import PROTOCOL_VERSION, LineBuffer, TrainerEvent, parse_event
from fer_desktop.resources import is_frozen
from trainer.config import TrainConfig
from trainer.process_outcome import ProcessEnd, TrainerOutcome, outcome_of
from trainer.rundir import (
    DETACHED,
    FINISHED,
    IDLE,
    RUNNING,
    STOPPED,
    STOPPING,
    TRAINED,
    RunDirError,
    RunState,
)

NICE_LEVEL = 10
# After its ``finished`` event the trainer has saved everything; what is left is the
# interpreter's exit (TensorFlow's threads), which took over 20 s on a busy 2-core machine.
EXIT_GRACE_S = 60.0

ACTIVE_STATES = (RUNNING, STOPPING)


def trainer_command(config: TrainConfig | Sequence[str],
                    frozen: bool | None = None) -> tuple[str, list[str]]:
    """The one place that knows how to start the trainer: ``(program, arguments)``.

    Args:
        config: a :class:`TrainConfig` to train, or the trainer's own arguments (for
            ``--resume RUN`` or ``inspect --csv PATH``).
        frozen: override :func:`is_frozen` (tests).

    Returns:
        ``(sys.executable, ["--trainer", ...])`` in the packaged app, otherwise
        ``(sys.executable, ["-m", "trainer", ...])``.
    """
    args = config.to_argv() if isinstance(config, TrainConfig) else [str(a) for a in config]
    frozen = is_frozen() if frozen is None else frozen
    prefix = [TRAINER_FLAG] if frozen else ["-m", "trainer"]
    return sys.executable, [*prefix, *args]


def lower_priority(program: str, args: Sequence[str]) -> tuple[str, list[str]]:
    """Wrap a command in ``nice -n 10`` where POSIX ``nice`` exists (it execs: same pid)."""
    nice = shutil.which("nice") if os.name == "posix" else None
    if nice:
        return nice, ["-n", str(NICE_LEVEL), program, *args]
    return program, list(args)


def trainer_environment(threads: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: thread caps, quiet TensorFlow, the checkout on the path."""
    env = dict(os.environ if base is None else base)
    if threads > 0:
        env["OMP_NUM_THREADS"] = str(threads)
        env["TF_NUM_INTRAOP_THREADS"] = str(threads)
        env["TF_NUM_INTEROP_THREADS"] = str(max(1, min(2, threads)))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    if not is_frozen():  # so that ``-m trainer`` imports this checkout from any working dir
        root = str(Path(__file__).resolve().parents[2])
        parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join([root, *[p for p in parts if p != root]])
    return env


def default_log_dir() -> Path:
    return Path(tempfile.gettempdir()) / "fer-desktop-trainer"


class _Tail:
    """New bytes of a growing file, read without blocking."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = None

    def read(self) -> bytes:
        if self._fh is None:
            try:
                self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open across reads
            except OSError:
                return b""
        return self._fh.read()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class TrainerProcess(QObject):
    """One trainer child process: start, watch, stop (terminate, wait, kill), or detach.

    Signals:
        event_received(TrainerEvent): a usable event from stdout (``event.ok`` is True).
        log_line(str): a stderr line, or a note about stdout output that was skipped.
        state_changed(str): IDLE, RUNNING, STOPPING, STOPPED, FINISHED, FAILED, DETACHED.
        finished(TrainerOutcome): the process ended (not emitted after :meth:`detach`).

    Args:
        poll_ms: how often the output files and the process are checked.
        stop_grace_s: how long :meth:`stop` waits after terminating before it kills.
        exit_grace_s: how long a stopping trainer may take to exit once its ``finished`` event
            came (it has saved all it keeps: it is then ended quietly, and said "stopped").
        log_dir: where the stdout/stderr files go (default: a folder in the temp dir).
    """

    event_received = Signal(object)
    log_line = Signal(str)
    state_changed = Signal(str)
    finished = Signal(object)

    def __init__(self, parent: QObject | None = None, *, poll_ms: int = 100,
                 stop_grace_s: float = 20.0, exit_grace_s: float = EXIT_GRACE_S,
                 log_dir: Path | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._poll)
        self._stop_grace_s = stop_grace_s
        self._exit_grace_s = exit_grace_s
        self._log_dir = Path(log_dir) if log_dir else default_log_dir()
        self._popen: subprocess.Popen | None = None
        self._state = IDLE
        self._reset_run()

    def _reset_run(self) -> None:
        self._out = self._err = None
        self._out_lines, self._err_lines = LineBuffer(), LineBuffer()
        self._stop_requested_at: float | None = None
        self._killed = False
        self._exporting = False  # every epoch done: a stop request does not cut it short
        self._finished_event: TrainerEvent | None = None
        self._finished_at: float | None = None  # when the finished event was read
        self._error_event: TrainerEvent | None = None
        self._run_dir: str | None = None
        self._warned_newer = False
        self._last_stderr: list[str] = []
        self.started_at = time.monotonic()

    # ------------------------------------------------------------------ public
    @property
    def state(self) -> str:
        return self._state

    @property
    def is_active(self) -> bool:
        return self._state in ACTIVE_STATES

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    @property
    def run_dir(self) -> str | None:
        """The run folder named by the ``started`` event, once it came."""
        return self._run_dir

    @property
    def log_paths(self) -> tuple[Path, Path] | None:
        """The (stdout, stderr) files of the current or last process."""
        return (self._out.path, self._err.path) if self._out and self._err else None

    def start(self, config: TrainConfig) -> None:
        """Train ``config`` (its ``events`` is forced to ``json``)."""
        config = TrainConfig.from_dict(config.to_dict() | {"events": "json"})
        self.start_command(*trainer_command(config), threads=config.threads)

    def resume(self, run_dir: str | os.PathLike, threads: int = 1) -> None:
        """Continue the run in ``run_dir`` from its last checkpoint."""
        self.start_command(*trainer_command(["--resume", str(run_dir), "--events", "json"]),
                           threads=threads)

    def start_command(self, program: str, args: Sequence[str], threads: int = 1) -> None:
        """Start any trainer-like command (lower priority, capped threads, output to files).

        Raises:
            RuntimeError: a process is already running.
            OSError: the program cannot be started or the log folder cannot be written; the
                message names which.
        """
        if self.is_active:
            raise RuntimeError("a trainer process is already running; stop it first")
        self._reset_run()
        self._log_dir.mkdir(parents=True, exist_ok=True)
        stem = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{id(self) % 10000}"
        out_path = self._log_dir / f"{stem}.stdout.jsonl"
        err_path = self._log_dir / f"{stem}.stderr.log"
        program, args = lower_priority(program, args)
        options: dict = {}
        if os.name == "posix":
            options["start_new_session"] = True  # survives the window; no terminal SIGINT
        else:
            options["creationflags"] = (subprocess.BELOW_NORMAL_PRIORITY_CLASS
                                        | subprocess.CREATE_NEW_PROCESS_GROUP
                                        | subprocess.CREATE_NO_WINDOW)
        with open(out_path, "wb") as out_fh, open(err_path, "wb") as err_fh:
            try:
                self._popen = subprocess.Popen(
                    [program, *args], stdin=subprocess.DEVNULL, stdout=out_fh, stderr=err_fh,
                    env=trainer_environment(threads), close_fds=True, **options)
            except OSError as exc:
                raise OSError(f"cannot start the trainer ({program}): {exc.strerror or exc}") \
                    from exc
        self._out, self._err = _Tail(out_path), _Tail(err_path)
        self.started_at = time.monotonic()
        self._set_state(RUNNING)
        self._timer.start()

    def stop(self) -> None:
        """Ask the trainer to stop (SIGTERM: it ends the current batch and exits cleanly,
        keeping the last epoch's checkpoint); kill it if it has not said it stopped (its
        ``finished`` event) ``stop_grace_s`` later, or has not exited ``exit_grace_s`` after
        saying so. On Windows the terminate is already a hard stop."""
        if not self.is_active or self._popen is None:
            return
        if self._stop_requested_at is None:
            self._stop_requested_at = time.monotonic()
            self._set_state(STOPPING)
            self._popen.terminate()

    def let_export_finish(self) -> None:
        """Every epoch is done and the trainer evaluates and exports, which a stop request
        does not cut short: no kill after the grace period (on a busy machine the export
        outlasted it, and the killed run lost its model); the trainer exits by itself once
        the model is written. :meth:`kill` still ends it at once."""
        self._exporting = True

    @property
    def exporting(self) -> bool:
        """Every epoch is done and the trainer is writing the model (:meth:`let_export_finish`)."""
        return self._exporting and self.is_active

    def kill(self) -> None:
        """Stop at once (SIGKILL). The last completed epoch's checkpoint stays on disk."""
        if self._popen is not None and self.is_active:
            self._killed = True
            if self._stop_requested_at is None:
                self._stop_requested_at = time.monotonic()
            self._popen.kill()

    def wait(self, timeout_s: float) -> bool:
        """Block until the process ends (used when the window closes); True if it ended."""
        if self._popen is None or not self.is_active:
            return True
        try:
            self._popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        self._poll()
        return True

    def stop_and_wait(self, timeout_s: float | None = None) -> None:
        """Terminate, wait up to ``timeout_s`` (default: the grace period), then kill."""
        self.stop()
        if not self.wait(self._stop_grace_s if timeout_s is None else timeout_s):
            self.kill()
            self.wait(10.0)

    def detach(self) -> None:
        """Stop watching and leave the trainer running on its own."""
        if not self.is_active:
            return
        self._timer.stop()
        self._drain()
        self._close_files()
        self._popen = None
        self._set_state(DETACHED)

    # ---------------------------------------------------------------- internals
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _close_files(self) -> None:
        for tail in (self._out, self._err):
            if tail is not None:
                tail.close()

    def _poll(self) -> None:
        if self._popen is None:
            self._timer.stop()
            return
        code = self._popen.poll()
        self._drain()
        if code is None:
            self._end_if_stuck()
            return
        self._timer.stop()
        self._drain(final=True)
        self._close_files()
        outcome = self._outcome(code)
        self._popen = None
        if self._killed and outcome.state == STOPPED:
            mark_stopped(self._run_dir)
        if outcome.state in (FINISHED, STOPPED) and self.log_paths:
            for path in self.log_paths:
                path.unlink(missing_ok=True)
        self._set_state(outcome.state)
        self.finished.emit(outcome)

    def _end_if_stuck(self) -> None:
        """Kill a trainer that was asked to stop and has not exited in time. One that already
        said it finished (its run saved) gets ``exit_grace_s`` from then to exit: it was
        killed 20 s after Stop while its interpreter shut down, and the user was told
        "killed" (walk-through 12)."""
        if self._stop_requested_at is None or self._killed:
            return
        now = time.monotonic()
        if self._finished_at is not None:
            if now - self._finished_at > self._exit_grace_s:
                self.log_line.emit("the trainer had stopped and saved its run, but its process "
                                   f"had not exited {self._exit_grace_s:.0f} s later: ended it")
                self.kill()
        elif self._exporting:
            return
        elif now - self._stop_requested_at > self._stop_grace_s:
            self.log_line.emit(f"the trainer did not stop within {self._stop_grace_s:.0f} s "
                               "of the terminate request: killing it")
            self.kill()

    def _drain(self, final: bool = False) -> None:
        if self._err is not None:
            lines = self._err_lines.feed(self._err.read())
            if final:
                lines += self._err_lines.flush()
            for text in lines:
                self._last_stderr = (self._last_stderr + [text])[-20:]
                self.log_line.emit(text)
        if self._out is not None:
            lines = self._out_lines.feed(self._out.read())
            if final:
                lines += self._out_lines.flush()
            for text in lines:
                self._handle_stdout(text)

    def _handle_stdout(self, text: str) -> None:
        event = parse_event(text)
        if event.is_newer and not self._warned_newer:
            self._warned_newer = True
            self.log_line.emit(f"note: the trainer speaks event protocol v{event.version}; this "
                               f"app understands v{PROTOCOL_VERSION}. Update the app if "
                               "progress looks incomplete.")
        if event.is_garbage:
            if text.strip():  # TensorFlow prints to stdout now and then: keep it as a log line
                self.log_line.emit(f"[stdout] {text}")
            return
        if not event.ok:
            self.log_line.emit(f"skipped trainer output: {event.problem}")
            return
        if event.name == "started":
            self._run_dir = event["run_dir"]
        elif event.name == "finished":
            self._finished_event = event
            self._finished_at = time.monotonic()
            self._run_dir = event["run_dir"]
        elif event.name == "error":
            self._error_event = event
        self.event_received.emit(event)

    def _outcome(self, code: int) -> TrainerOutcome:
        return outcome_of(ProcessEnd(
            code, self._run_dir, self._finished_event, self._error_event,
            stop_requested=self._stop_requested_at is not None, killed=self._killed,
            exporting=self._exporting, stderr=tuple(self._last_stderr)))


def mark_stopped(run_dir: str | os.PathLike | None) -> None:
    """Write "stopped" into the state of a run this window's Stop killed (a second Stop, or a
    trainer that did not stop in time): its state.json still said "running", so the run read
    "stopped" in its session and "interrupted" after a restart (trial 61), and a trainer
    that died unasked cannot be told from it (review 67). A run that wrote its own end, or
    whose state cannot be read, is left alone."""
    if run_dir is None:
        return
    with contextlib.suppress(OSError, RunDirError, TypeError, ValueError):
        state = RunState.load(Path(run_dir))
        if state.status in (RUNNING, TRAINED):
            state.status = STOPPED
            state.save(Path(run_dir))
