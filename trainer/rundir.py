"""A run folder and its files, written so that ``kill -9`` never leaves a half-written one.

``runs/<date-time>-<preset>/`` holds ``config.json``, ``state.json`` (epochs done, the
checkpoint to resume from, best score, history), ``history.csv``, ``events.jsonl``,
``ckpt-NNNN.keras`` (the last :data:`KEEP_CHECKPOINTS`, or ``--keep-checkpoints N``),
``best.keras``, after export the runtime files and, once the user names the run in the Train
tab, ``name.txt`` (written by the app, never by the trainer: see ``trainer.runs``).
Every file is written to a temporary name in the same folder and renamed into place.

A finished epoch is committed in this order, so a kill at any moment costs at most that epoch
and never leaves ``best.keras`` describing an epoch the state does not know:

1. ``ckpt-NNNN.keras`` (written beside, renamed);
2. ``state.json``: **the commit point**; before it the epoch does not exist and resume redoes it;
3. ``best.keras`` as a hard link to that checkpoint (a copy where links are not supported),
   only when the epoch improved; a kill between 2 and 3 is undone by :func:`repair_best`,
   which resume and export run first;
4. ``history.csv``, then older checkpoints are removed, then the ``epoch`` event (a kill before
   it is made good by :func:`epochs_without_event` on resume).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import filecmp
import io
import json
import math
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from fer_desktop.core.messages import about, quote
from fer_desktop.core.model import MAX_MODEL_JSON_BYTES, MODEL_JSON
from fer_desktop.core.safe_write import OUT_ADVICE, file_in_the_way, not_a_file, not_a_folder
from fer_desktop.core.trainer_events import MAX_INT

# The files of a run folder.
STATE = "state.json"
CONFIG = "config.json"
HISTORY = "history.csv"
EVENTS = "events.jsonl"
BEST = "best.keras"
MODEL = MODEL_JSON  # written by export; the app loads a folder through it
NAME = "name.txt"  # the name the user gave the run in the Train tab (none: the folder's name)
KEEP_CHECKPOINTS = 2  # the last checkpoints a run keeps unless told (--keep-checkpoints)

# Where a run stands: one vocabulary for state.json, the Train tab's trainer process and the
# run list. state.json uses RUNNING, TRAINED (every epoch done, export not finished), STOPPED
# and FINISHED, and FAILED for a fine-tune that failed (it keeps nothing to resume: trial 60);
# the process adds IDLE, STOPPING, FAILED and DETACHED (left training on its own); the run
# list adds INTERRUPTED (killed without a word: its files went stale).
IDLE, RUNNING, STOPPING, STOPPED = "idle", "running", "stopping", "stopped"
TRAINED, FINISHED, FAILED = "trained", "finished", "failed"
DETACHED, INTERRUPTED = "detached", "interrupted"
RESUMABLE = (STOPPED, FAILED, INTERRUPTED)


class RunDirError(Exception):
    """The output or run folder cannot be used; ``path`` names it."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(about(self.path, reason))


@dataclass
class RunState:
    """``state.json``: where a run stands, rewritten at each commit point (module docstring).

    epochs: the run's length. epoch: epochs done (committed). checkpoint: file name of the
    last epoch's checkpoint (None before the first). best_val_accuracy, best_epoch: the best
    PublicTest accuracy so far and its epoch. history: one row per epoch (the ``epoch`` event's
    fields). status: RUNNING, TRAINED, STOPPED, FINISHED (FAILED: a fine-tune).
    dataset_sha256: of the CSV the run started with. votes_sha256: of the FER+ votes it
    read (trained on or scored with; None without, or in a state written before they were
    kept). precision: float32 or bfloat16.
    owner: the process training it now
    (:func:`this_process`), so that a reader on the same machine sees at once that a killed
    trainer is gone (None in a state written before it was kept). extra: keys this trainer
    does not know (a newer one wrote them), kept as they were. time_budget_reached:
    ``--max-minutes`` ran out in this process (not saved).
    """

    epochs: int
    epoch: int = 0
    checkpoint: str | None = None
    best_val_accuracy: float | None = None
    best_epoch: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    status: str = RUNNING
    dataset_sha256: str | None = None
    votes_sha256: str | None = None
    precision: str | None = None
    owner: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    time_budget_reached: bool = field(default=False, metadata={"saved": False})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        known = {f.name for f in fields(cls) if f.metadata.get("saved", True)} - {"extra"}
        values = {k: v for k, v in data.items() if k in known}
        values.setdefault("epochs", 0)
        values.setdefault("status", "")  # an unknown status is not "running"
        return cls(**values, extra={k: v for k, v in data.items()
                                    if k not in known and k != "time_budget_reached"})

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)
                if f.metadata.get("saved", True) and f.name != "extra"}
        return {**self.extra, **data}

    @classmethod
    def load(cls, run: Path) -> RunState:
        """Read ``run/state.json``; raises RunDirError naming the file when it cannot."""
        data = read_json(run / STATE)
        if not isinstance(data, dict) or not isinstance(data.get("epoch", 0), int):
            raise RunDirError(run / STATE, "is not a trainer's state (a JSON object with "
                              "\"epoch\", \"epochs\", \"history\"...)")
        return cls.from_dict(data)

    @classmethod
    def peek(cls, run: Path) -> RunState | None:
        """Like :meth:`load`, for readers that show runs: None instead of an error."""
        return cls.peek_why(run)[0]

    @classmethod
    def peek_why(cls, run: Path) -> tuple[RunState | None, str]:
        """:meth:`peek`, and why a ``state.json`` that is there could not be read ("" when
        it was, or is not there: a run not started)."""
        try:
            return cls.load(run), ""
        except RunDirError as exc:
            there = (run / STATE).exists() or (run / STATE).is_symlink()
            return None, (exc.reason if there else "")
        except (TypeError, ValueError, RecursionError) as exc:
            return None, (f"cannot be read ({exc})" if (run / STATE).exists() else "")
        except OSError:  # a passing refusal (the trainer replacing it on Windows): not
            return None, ""  # proof of damage (review 47)

    def save(self, run: Path) -> None:
        """Write ``run/state.json`` atomically (the commit point of an epoch)."""
        atomic_write_json(run / STATE, self.to_dict())

    @property
    def seconds(self) -> float:
        """Training time of the committed epochs."""
        return sum(float(row.get("seconds", 0) or 0) for row in self.history)


def faces_folder_name(images: object, otherwise: str = "an image folder") -> str:
    """The name a run trained on an image folder is known by: the folder's last part, on
    any system's separators, on one line ("finetune on class_photos"); ``otherwise`` for a
    folder with no name of its own ("." or "/" left "finetune on ", review 65)."""
    parts = [part for part in re.split(r"[\\/]+", str(images or "").strip())
             if part not in ("", ".")]
    name = " ".join(parts[-1].split()) if parts else ""
    return name or otherwise


def this_process() -> dict[str, Any]:
    """The process writing a run: its machine, pid and start time (the time tells a pid the
    system gave to another program since from the trainer's own)."""
    import socket

    import psutil

    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": psutil.Process().create_time()}


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it into place. A failure leaves no temporary
    file and names ``path`` (a full disk named no file, audit 41: :func:`naming`)."""
    with naming(path):
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:  # closed first: Windows cannot remove an open file
            Path(temporary).unlink(missing_ok=True)  # a failed rename left it (review 39)
            raise


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """An ``OSError`` of the block that names no file (a write to an open file on a full disk)
    raised again naming ``path``: the message then says which file did not fit."""
    try:
        yield
    except OSError as exc:
        if exc.filename is not None or exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def check_writable(folder: Path, make: bool = True, option: str = "--out") -> None:
    """Create ``folder`` if needed and prove we can write there, before any work starts.
    Not ``make``: try the folder, or the nearest folder above it that exists, and create
    nothing (a command that fails later leaves no empty folder behind). ``option`` is the
    one the user gave it with, named in the advice."""
    advice = OUT_ADVICE if option == "--out" else f"choose another with {option}"
    blocker = file_in_the_way(folder)
    if blocker == folder:  # said "cannot write to the output folder (File exists)" (trial 60)
        raise RunDirError(folder, f"{not_a_folder(folder)}; {advice}")
    if blocker is not None:
        raise RunDirError(folder, f"cannot write to the output folder: {blocker} "
                          f"{not_a_folder(blocker)}; {advice}")
    try:
        if make:
            folder.mkdir(parents=True, exist_ok=True)
        tried = next((p for p in (folder, *folder.parents) if p.is_dir()), Path("."))
        with tempfile.NamedTemporaryFile(dir=tried, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise RunDirError(folder, f"cannot write to the output folder ({exc.strerror or exc}); "
                          f"{advice}") from exc


STALE_EMPTY_RUN_S = 3600
CLAIM = ".trainer-claim.json"  # the trainer of a run, claimed before its slow start (runs.py)
_RUN_NAME = re.compile(r"^\d{8}-\d{6}-")


def remove_empty_runs(out: Path, older_than_s: float = STALE_EMPTY_RUN_S) -> list[str]:
    """Delete run folders a kill left empty (killed before config.json); return their names.

    Only folders named like runs, empty, and untouched for ``older_than_s`` (a run starting
    right now in the same folder is never taken: it writes config.json within seconds).
    """
    removed = []
    now = time.time()
    for path in out.iterdir():
        try:
            if _RUN_NAME.match(path.name) and path.is_dir() \
                    and not any(p.name != CLAIM for p in path.iterdir()) \
                    and now - path.stat().st_mtime > older_than_s:
                (path / CLAIM).unlink(missing_ok=True)  # its trainer's, killed at its start
                path.rmdir()  # fails, harmlessly, if a file appeared meanwhile
                removed.append(path.name)
        except OSError:
            continue
    return sorted(removed)


def new_run_dir(out: Path, preset: str) -> Path:
    check_writable(out)
    remove_empty_runs(out)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        run = out / (f"{stamp}-{preset}" + (f"-{n}" if n else ""))
        try:
            run.mkdir()
            return run
        except FileExistsError:
            continue
    raise RunDirError(out, "could not create a new run folder")


MAX_JSON_BYTES = 16_000_000  # a run's JSON files (state.json holds ~200 bytes an epoch), but
#                               model.json: the app's MAX_MODEL_JSON_BYTES (review 55)


def numbers_in_range(value: Any) -> Any:
    """``value`` (parsed JSON) with every number that is not a finite float or an integer
    below :data:`MAX_INT` as None, the trainer's own spelling of a missing number
    (``events._clean``). A loss may be NaN, and a hand-edited file may hold ``Infinity`` or a
    400-digit integer: each reader's ``float()`` and ``int()`` then raised OverflowError,
    and one such run took the whole Train tab away at every launch (audit 48)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < MAX_INT else None
    if isinstance(value, dict):
        return {key: numbers_in_range(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numbers_in_range(item) for item in value]
    return value


def read_json(path: Path) -> dict:
    """``path`` parsed; a pipe is refused without opening it (reading one waits for ever: a
    run folder holding one kept the window from opening at every launch, audit 43).

    Raises:
        RunDirError: missing, not a file, not JSON, or JSON that is no object (every file
            the trainer writes holds one: a config.json of ``[]`` ended export, ensemble
            and average in "'list' object has no attribute 'get'", audit 44), naming the
            file.
    """
    if kind := not_a_file(path):
        raise RunDirError(path, f"is {kind}, not a file")
    try:  # the run list reads each run's every few seconds, on the window's thread: a 300 MB
        size = path.stat().st_size  # state.json took 1.7 s of every 10 there (audit 47)
    except OSError:
        size = 0  # said by the read below
    # a model.json is held to the app's own limit: one the trainer read was refused by Use
    if size > (MAX_MODEL_JSON_BYTES if path.name == MODEL_JSON else MAX_JSON_BYTES):
        raise RunDirError(path, f"is {size / 1e6:.0f} MB, far more than the trainer writes "
                                "there: was it replaced?")
    try:
        data = numbers_in_range(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise RunDirError(path, "not found: is this a run folder made by the trainer?") from exc
    except (ValueError, RecursionError) as exc:  # nested too deep, a 5,000-digit number
        raise RunDirError(path, f"is not valid JSON ({quote(exc, 160)})") from exc
    if not isinstance(data, dict):
        raise RunDirError(path, f"holds {type(data).__name__ if data is not None else 'null'}"
                                ", not the JSON object the trainer writes there: was it "
                                "edited by hand?")
    return data


def read_model_json(path: Path) -> dict:
    """A model folder's ``model.json``, checked as the app checks it (types, file names that
    stay in the folder, the temperature) before any value is used: the trainer's commands
    followed ``"../../etc/hostname"`` and ended in tracebacks on a list of files (audit 42).

    Raises:
        RunDirError: unreadable, or a value the app would refuse, naming the file and key.
    """
    from fer_desktop.core.errors import ModelError
    from fer_desktop.core.model_schema import temperature, validate

    meta = read_json(path)
    try:  # the keys present: a folder gpu-import wrote has files, not classes (review 40)
        temperature(validate(meta, path, required=("files",)), path)
    except ModelError as exc:
        raise RunDirError(path, exc.reason) from exc
    return meta


def check_model_file(path: Path, meta: dict) -> None:
    """``path`` is the file its export wrote, by the SHA-256 ``meta`` (its model.json)
    records: the app's own check (``fer_desktop.core.model.check_recorded_file``), so that
    the trainer never scores or fine-tunes a file the app refuses (trial 60).

    Raises:
        RunDirError: in the app's words.
    """
    from fer_desktop.core.errors import ModelError
    from fer_desktop.core.model import check_recorded_file

    try:
        check_recorded_file(path, meta)
    except ModelError as exc:
        raise RunDirError(path, exc.reason) from exc


def write_history(run: Path, history: list[dict]) -> None:
    if not history:
        return
    keys = list(history[0])
    for row in history[1:]:
        keys += [k for k in row if k not in keys]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=keys)
    writer.writeheader()
    writer.writerows(history)
    atomic_write_text(run / HISTORY, buffer.getvalue())


def save_keras_atomic(model, path: Path) -> None:
    """``model.save`` to a temporary ``.keras`` name beside ``path``, then rename; a full
    disk names ``path`` (audit 44: no file was named)."""
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        with naming(path):
            model.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def checkpoint_name(epoch: int) -> str:
    return f"ckpt-{epoch:04d}.keras"


def link_best(run: Path, checkpoint: Path) -> None:
    """Make ``best.keras`` the same file as ``checkpoint`` (step 3 of the commit order).

    A hard link costs no space and cannot differ from the checkpoint; where the file system
    has no links, a copy. Either is made under a temporary name and renamed over best.keras.
    """
    tmp = run / f".tmp-{os.getpid()}-{BEST}"
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(checkpoint, tmp)
        except OSError:
            shutil.copyfile(checkpoint, tmp)
        os.replace(tmp, run / BEST)
    finally:
        tmp.unlink(missing_ok=True)


def _unlinked_best(run: Path, state: RunState) -> Path | None:
    """The checkpoint best.keras should be but is not (a kill between steps 2 and 3), else None.

    That gap exists only while the last committed epoch is the best one, and its checkpoint
    is then still there (checkpoints are removed only after a later epoch commits).
    """
    best = state.best_epoch
    if not isinstance(best, int) or best < 1 or best != state.epoch:
        return None
    checkpoint = run / checkpoint_name(best)
    target = run / BEST
    if not checkpoint.is_file():
        return None
    if target.is_file() and (os.path.samefile(checkpoint, target)
                             or filecmp.cmp(checkpoint, target, shallow=False)):
        return None
    # the checkpoint's CRCs first: best.keras is read only where the checkpoint is damaged
    if not _whole_zip(checkpoint) and target.is_file() and _whole_zip(target):
        # never linked over a whole best.keras (audit 36), nor passed over in silence: the
        # older best.keras would be exported under the best epoch's name (review 36)
        raise RunDirError(checkpoint, f"is damaged or incomplete (not a whole .keras archive) "
                                      f"and holds the best epoch, {best}; {BEST} holds an "
                                      "earlier one and is left as it is: restore the "
                                      "checkpoint from a copy of the run")
    return checkpoint


def _whole_zip(path: Path) -> bool:
    """Whether a ``.keras`` file (a zip) is whole: its directory reads and its members' CRCs
    hold. The trainer writes checkpoints atomically, so one that is not was damaged since."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError):
        return False


def best_file(run: Path, state: RunState) -> Path:
    """The file holding the best epoch's model, without writing anything: ``best.keras``, or
    the best epoch's checkpoint when a kill left best.keras behind (for readers of a run
    that is not theirs, such as an ensemble's members)."""
    return _unlinked_best(run, state) or run / BEST


def repair_best(run: Path, state: RunState) -> bool:
    """Make ``best.keras`` hold ``state.best_epoch``'s model again after a kill between
    the state write and the best link; return whether it had to (resume and export call it).
    """
    checkpoint = _unlinked_best(run, state)
    if checkpoint is None:
        return False
    link_best(run, checkpoint)
    return True


def remove_leftovers(run: Path) -> list[str]:
    """Delete the temporary files a killed trainer left in ``run``; return their names.

    Only this trainer's own temporary names are touched: ``.tmp-*`` (models, links),
    ``.<file>.*.tmp`` (:func:`atomic_write_text`) and ``.write-test-*`` (:func:`check_writable`).
    Call it only while no other trainer writes to the run (resume holds the run).
    """
    removed = []
    for path in run.iterdir():
        name = path.name
        if path.is_file() and (name.startswith((".tmp-", ".write-test-"))
                               or (name.startswith(".") and name.endswith(".tmp"))):
            path.unlink(missing_ok=True)
            removed.append(name)
    return sorted(removed)


def epochs_without_event(run: Path, state: RunState) -> list[dict]:
    """History rows whose ``epoch`` event never reached ``events.jsonl`` (a kill right after
    the state was committed), so resume can emit them and the curves have no gap."""
    logged: set[int] = set()
    try:
        with open(run / EVENTS, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if '"event":"epoch"' not in line:
                    continue
                try:
                    logged.add(int(json.loads(line)["epoch"]))
                except (ValueError, RecursionError, KeyError, TypeError):
                    continue  # a line cut by the kill
    except OSError:
        pass
    return [row for row in state.history if row.get("epoch") not in logged]
