"""Reading run folders without Qt or TensorFlow: the run list's rows and a run's curves.

The trainer writes a run folder (``trainer.rundir``); the Train tab, ``inspect`` and tests read
it through here. A run started from the command line, or left training when the window closed,
reads the same as one started from the tab.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import json
import math
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from fer_desktop.core.model_schema import is_share
from fer_desktop.core.shown_names import clean_name
from fer_desktop.core.trainer_events import MAX_INT, parse_event
from fer_desktop.core.training_progress import (
    export_headline,
    export_stop_hint,
    export_stop_words,
)
from trainer import rundir
from trainer.config import zoom_range
from trainer.finetune_config import PRESET as FINETUNE_PRESET  # its runs keep no checkpoint
from trainer.rundir import (
    FAILED,
    FINISHED,
    INTERRUPTED,
    RESUMABLE,
    RUNNING,
    STOPPED,
    STOPPING,
    TRAINED,
)

STALE_RUN_S = 180         # a "running" run with no writes for this long is not running
RESUME_HINT = "Resume continues from the last completed epoch"
RESTART_HINT = ("a fine-tuning run keeps no checkpoint and cannot be resumed: press Start to "
                "fine-tune again from the beginning (it takes a few minutes)")
# Stopped in its first epoch: a stop keeps completed epochs only, and the trainer's --resume
# of such a run starts it afresh (trainer/train.py, _restored_model), so say that, not "continues".
NOTHING_KEPT_HINT = ("no epoch was completed, so nothing was kept: Start begins again (Resume "
                     "starts this run again from epoch 1)")
NAME_MAX_CHARS = 60  # a run's name (name.txt) is cut to this
_NAME_READ_BYTES = 4096  # name.txt is read no further (a tampered file may be huge)
STARTS_OVER_TOOLTIP = ("No epoch of the selected run was completed, so nothing of it was kept: "
                       "Resume starts it again from epoch 1, with its own settings")


@dataclass(frozen=True)
class RunRow:
    """One line of the run list. state: RUNNING, STOPPED, FINISHED, FAILED or INTERRUPTED
    (``trainer.rundir``'s vocabulary)."""

    run_dir: Path
    started: str
    preset: str
    epochs_done: int
    epochs: int | None
    best_val_accuracy: float | None
    state: str
    has_model: bool
    recipe: str = ""  # what tells runs of one preset apart: see recipe_text
    own_faces: bool = False  # trained on an image folder: its "PublicTest" is its test faces
    best_epoch: int | None = None  # the epoch best.keras holds (state.json)
    model_epoch: int | None = None  # the epoch its model.json was exported from
    # a fine-tune's held-out faces its accuracy is measured on (model.json's, else as many as
    # config.json says it set aside: a run stopped before its export)
    test_faces: int | None = None
    name: str = ""  # the name the user gave it (name.txt, see read_run_name), "" for none
    damaged: str = ""  # why its state.json or config.json cannot be read ("": they can)
    trained: bool = False  # state.json says TRAINED: every epoch done, the export under way

    @property
    def saving(self) -> bool:
        """Training, every epoch done: it scores and saves its model (a fine-tune's state
        says RUNNING then, a training run's TRAINED, or RUNNING until its export begins)."""
        return self.state == RUNNING and (self.trained or bool(
            self.epochs and self.epochs_done >= self.epochs))

    @property
    def title(self) -> str:
        """What names the run to the user: its name, else its folder's name."""
        return self.name or self.run_dir.name

    @property
    def exportable(self) -> bool:
        """Stopped, failed or interrupted with an epoch kept whose model is not exported yet:
        ``export`` makes a model of its best epoch so far, usable without resuming the run
        (a fine-tune keeps no checkpoint)."""
        return self.state in RESUMABLE and bool(self.best_epoch) and not self.damaged \
            and self.preset != FINETUNE_PRESET \
            and (not self.has_model or self.model_epoch != self.best_epoch)

    @property
    def resumable(self) -> bool:
        """Stopped, failed or interrupted before its model.json, and not a fine-tune."""
        # All epochs done but no model.json: stopped during export; resuming finishes it.
        unfinished = self.epochs is None or self.epochs_done < self.epochs or not self.has_model
        # a damaged state.json: Resume only failed, after starting (audit 47)
        return self.state in RESUMABLE and unfinished and self.preset != FINETUNE_PRESET \
            and not self.damaged

    @property
    def starts_over(self) -> bool:
        """Resumable, but no epoch was completed: Resume starts it again from epoch 1."""
        return self.resumable and self.epochs_done == 0

    @property
    def must_restart(self) -> bool:
        """A fine-tune that ended early: it cannot be resumed, only started again."""
        return self.preset == FINETUNE_PRESET and self.state in RESUMABLE \
            and not self.has_model


def is_finetune_run(run: Path | str) -> bool:
    """Whether ``run`` is a fine-tune's folder (its config's preset: it keeps no checkpoint,
    so it can be neither resumed nor exported once stopped); False where its config.json is
    missing or cannot be read."""
    try:
        return rundir.read_json(Path(run) / rundir.CONFIG).get("preset") == FINETUNE_PRESET
    except (rundir.RunDirError, OSError):
        return False


def resume_hint(run: Path | str | None, epochs_done: int | None = None) -> str:
    """What to do after ``run`` was stopped: Resume, or (a fine-tune, or a run stopped before
    its first epoch ended: nothing was kept) Start again.

    Args:
        epochs_done: the epochs completed, as the trainer's ``finished`` event said (None:
            read from the run's ``state.json``).
    """
    preset = _read_config(Path(run)).get("preset") if run else None
    if preset == FINETUNE_PRESET:
        return RESTART_HINT
    if epochs_done is None and run:
        state = rundir.RunState.peek(Path(run))
        epochs_done = state.epoch if state is not None else None
    return NOTHING_KEPT_HINT if epochs_done == 0 else RESUME_HINT


def _started_text(run: Path, seconds: bool = False) -> str:
    try:
        stamp = dt.datetime.strptime("-".join(run.name.split("-")[:2]), "%Y%m%d-%H%M%S")
    except ValueError:
        stamp = dt.datetime.fromtimestamp(run.stat().st_mtime)
    return stamp.strftime("%d %b %H:%M:%S" if seconds else "%d %b %H:%M")


def _last_write(run: Path) -> float:
    times = [p.stat().st_mtime for p in (run / rundir.EVENTS, run / rundir.STATE) if p.exists()]
    return max(times, default=0.0)


def _owner_here(owner: object) -> tuple[int, float] | None:
    """The pid and start time of a run's trainer when it ran on this machine."""
    import socket

    if not isinstance(owner, dict) or owner.get("host") != socket.gethostname():
        return None
    pid, started = owner.get("pid"), owner.get("started")
    if not isinstance(pid, int) or not isinstance(started, int | float):
        return None
    return pid, float(started)


CLAIM = rundir.CLAIM


def claim_run(run: Path, doing: str = "trained") -> None:
    """Claim ``run`` for this process before its data and model load: a second ``--resume``
    in those seconds read the run as stopped (its state names its trainer only once it
    starts) and two trainers trained one run, writing its files in turn (audit 50).

    ``doing``: "trained", or "exported" (what a refused resume is told: it was told an
    export was a training, and to stop it, audit 53).

    The claim is an operating-system lock on the run's claim file, held while this process
    lives (the system lets it go when the process ends, killed too: no claim is ever stale,
    and no two processes can take over a stale one at once, review 50); the file names the
    holder, for the message.

    Raises:
        rundir.RunDirError: another live process holds it.
    """
    key = _key(run)
    if key in _HELD:
        held = _HELD[key]
        try:  # still the claim file there (a folder removed and made again: claimed anew)
            if os.path.samestat(os.fstat(held), os.stat(run / CLAIM)):
                return  # this process's already (a resume after a run, in one process)
        except OSError:
            pass
        release_run(run)
    path = run / CLAIM
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError:
        return  # a folder gone or not writable: what reads or writes it next says so
    if not _lock(fd) and not (time.sleep(0.1) or _lock(fd)):  # (a run list's look at the
        os.close(fd)  # claim holds it for an instant: a resume then was refused, review 53)
        owner = _claim_owner(path) or {}
        raise rundir.RunDirError(run, busy_words(owner.get("pid", "?"), owner.get("doing"),
                                                 then="export it" if doing == "exported"
                                                 else "resume it"))
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps({**rundir.this_process(), "doing": doing}).encode("utf-8"))
    _HELD[key] = fd


def busy_words(pid: object, doing: object = "trained", then: str = "resume it") -> str:
    """Why a run cannot be resumed or exported now: another process on this machine trains
    or exports it (one sentence for the three refusals; an export was called a training,
    to be stopped, audit 53)."""
    if doing == "exported":
        return (f"is being exported now by process {pid} on this machine: wait for the export "
                f"to end (a minute at most), then {then}")
    return (f"is being trained now by process {pid} on this machine; stop it first (Stop in "
            f"the Train tab, or Ctrl+C where it runs), then {then}")


# the runs this process holds (by real path): their claim files kept open, and so locked,
# while it lives
_HELD: dict[str, int] = {}
_LOCKED_BYTE = 1 << 20  # Windows locks a byte range, enforced on reads: one far past the JSON
_HELD_ERRORS = (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, errno.EDEADLK)


def _unlock(fd: int) -> None:
    """Give back the lock :func:`_lock` took, before the file is closed: Windows asks for it
    (a region left locked at close is let go "at the system's convenience", and a trainer
    starting at once could read the run as claimed still, review 51). POSIX's flock goes
    with the close."""
    if os.name != "nt":
        return
    import msvcrt

    try:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    except OSError:
        pass  # not held: nothing to give back
    finally:
        os.lseek(fd, 0, os.SEEK_SET)


def _key(run: Path) -> str:
    return os.path.realpath(run)  # one run under two spellings is one claim (review 51)


def _lock(fd: int) -> bool:
    """Lock ``fd`` for this process, without waiting; False when another process holds it.
    A file system that cannot lock (ENOLCK on some network shares) goes without: every run
    was refused as "being trained by process ?" there (review 51)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            return exc.errno not in _HELD_ERRORS
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno not in _HELD_ERRORS
    return True


def claimed_by(run: Path) -> dict | None:
    """The live process, other than this one, that holds ``run``'s claim (its pid and start,
    as the claim file names them), else None."""
    path = run / CLAIM
    if _key(run) in _HELD or not path.is_file():
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _lock(fd):  # nobody holds it: a claim file left by a trainer that ended
            _unlock(fd)
            return None
    finally:
        os.close(fd)
    return _claim_owner(path) or {"pid": "?"}


def _claim_owner(path: Path) -> dict | None:
    try:
        owner = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # half written, or gone meanwhile: no owner to name
    return owner if isinstance(owner, dict) else None


def release_run(run: Path) -> None:
    """Give up this process's claim of ``run`` (a resume refused: the folder as it was)."""
    fd = _HELD.pop(_key(run), None)
    if fd is None:
        return
    if os.name == "nt":  # an open file cannot be removed there
        _unlock(fd)
        os.close(fd)
    with contextlib.suppress(OSError):
        (run / CLAIM).unlink()  # (on POSIX before the lock goes: no one holds it then)
    if os.name != "nt":
        os.close(fd)


def owner_gone(owner: object) -> bool:
    """True when the run's trainer ran on this machine and its process is gone (killed, or
    the machine restarted): the run list says "interrupted" at once and offers Resume, where
    it showed "running" until the files had gone unwritten for ``STALE_RUN_S``. False when
    alive or unknown (another machine, a state from before the owner was kept)."""
    import psutil

    here = _owner_here(owner)
    if here is None:
        return False
    pid, started = here
    try:
        return abs(psutil.Process(pid).create_time() - started) > 1.0  # the pid reused
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # not ours to look at: cannot tell
        return False


def trainer_running_here(run: Path):
    """The live trainer process of ``run`` on this machine (a psutil.Process), or None.

    A run left training when the window closed, or started in a terminal, is not the Train
    tab's child: through this, Stop reaches it and the tab can say it is training.
    """
    import psutil

    state = rundir.RunState.peek(run)
    here = _owner_here(state.owner if state is not None else None)
    if here is None or state.status not in (RUNNING, TRAINED):
        return None
    pid, started = here
    try:
        process = psutil.Process(pid)
        return process if abs(process.create_time() - started) <= 1.0 else None
    except psutil.Error:
        return None


def stop_trainer_here(run: Path) -> bool:
    """Ask ``run``'s trainer on this machine to stop after its current batch, as the Stop
    button does for its own child (SIGTERM: the completed epochs are kept and Resume goes
    on; on Windows the process ends at once, losing at most the epoch in progress).
    False when it is not running here (ended meanwhile, another machine, not ours)."""
    import psutil

    process = trainer_running_here(run)
    if process is None:
        return False
    try:
        process.terminate()
    except psutil.Error:
        return False
    return True


def training_here(rows: list[RunRow], skip: Path | None = None) -> RunRow | None:
    """The first of ``rows`` (but ``skip``, the window's own run) whose trainer runs on this
    machine now: while one does, the Train tab is locked as for its own run (a second run
    on a 2-core machine halves both), and its Stop reaches that trainer."""
    for row in rows:
        if row.state == RUNNING and row.run_dir != skip \
                and trainer_running_here(row.run_dir) is not None:
            return row
    return None


def background_line(row: RunRow) -> str:
    """The Progress box's line for a run training outside this window; once every epoch is
    done, what it does then in the words the window's own run uses (it said "8 of 8 epochs
    done. Stop asks it to stop." while the model was scored and saved, trial 57)."""
    where = (f"{row.run_dir.name} is training outside this window (in another window, one "
             "closed with Keep training, or a terminal)")
    finetune = row.preset == FINETUNE_PRESET
    if row.saving:
        return f"{where}. {export_headline(row.epochs, finetune)} {export_stop_hint()}"
    of = f" of {row.epochs}" if row.epochs else ""
    return f"{where}: {row.epochs_done}{of} epochs done. Stop asks it to stop."


def stop_asked_line(row: RunRow) -> str:
    """What the form says once Stop has asked ``row``'s trainer, outside this window, to
    stop: after its current batch, or, every epoch done, once its model is saved."""
    if row.saving:
        return export_stop_words(row.preset == FINETUNE_PRESET, again=False)
    return f"Asked {row.run_dir.name} to stop after its current batch..."


def ended_line(row: RunRow) -> str:
    """The form's line when a run followed in the background has ended (it replaces "Asked
    ... to stop after its current batch...", which stayed beside "Trainer stopped.")."""
    if row.state == FINISHED:
        return f"{row.run_dir.name} finished: its results are below."
    return f"{row.run_dir.name} {row.state}; {resume_hint(row.run_dir, row.epochs_done)}."


def _last_event_is_error(run: Path) -> bool:
    path = run / rundir.EVENTS
    if not path.is_file():  # a pipe: read for ever (audit 43)
        return False
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 4096))
            tail = fh.read().splitlines()
    except OSError:
        return False
    return bool(tail) and parse_event(tail[-1]).name == "error"


def read_run_row(run: Path, now: float | None = None) -> RunRow:
    """The run list's view of a run folder, from its files (a command-line run works too)."""
    state, state_damage = rundir.RunState.peek_why(run)  # each file read once a refresh
    config, config_damage = _read_object_why(run / rundir.CONFIG)
    damaged = f"{rundir.STATE} {state_damage}" if state_damage else config_damage
    now = time.time() if now is None else now
    status = state.status if state is not None else ""
    if status in (RUNNING, TRAINED):
        if now - _last_write(run) > STALE_RUN_S or owner_gone(state.owner):  # killed
            status = FAILED if _last_event_is_error(run) else INTERRUPTED
        else:
            status = RUNNING
    elif status not in (STOPPED, FINISHED, FAILED):  # FAILED: a fine-tune's (trial 60)
        status = FAILED if _last_event_is_error(run) else INTERRUPTED
    if status == INTERRUPTED and config.get("preset") == FINETUNE_PRESET:
        # a fine-tune that ended without a word (a crash, a power cut) keeps nothing to
        # resume: "interrupted" is the word of runs Resume continues (trial 61). One the
        # window's Stop ended is marked stopped in its files (review 67: mark_stopped)
        status = FAILED
    epochs = (state.epochs if state is not None and state.epochs else None) \
        or config.get("epochs")
    meta = _read_model_json(run)  # once a row: the exported epoch and the held-out faces
    best = state.best_val_accuracy if state is not None else None
    if config.get("preset") == FINETUNE_PRESET and (exported := _final_score(meta)) is not None:
        best = exported
    return RunRow(run, _started_text(run), str(config.get("preset", "?")),
                  state.epoch if state is not None else 0,
                  int(epochs) if isinstance(epochs, int | float) and epochs else None,
                  best, status,
                  (run / rundir.MODEL).is_file(), recipe_text(config),
                  own_faces=bool(config.get("images")),
                  best_epoch=state.best_epoch if state is not None else None,
                  model_epoch=_exported_epoch(meta), name=read_run_name(run),
                  test_faces=(_held_out_count(meta) or _whole_number(config, "resolved",
                                                                     "test_faces") or None)
                  if config.get("images") else None,
                  damaged=damaged, trained=status == RUNNING and state.status == TRAINED)


def clean_run_name(text: str) -> str:
    """A run's name as it is kept (:func:`~fer_desktop.core.shown_names.clean_name`), cut to
    :data:`NAME_MAX_CHARS`.

    Example:
        >>> clean_run_name("  my\\nbest   run ")
        'my best run'
    """
    return clean_name(text, NAME_MAX_CHARS)


def read_run_name(run: Path) -> str:
    """The name the user gave ``run`` (its ``name.txt``), cleaned as :func:`clean_run_name`
    does; "" when it has none, or when the file cannot be read or is not UTF-8 text (a
    tampered file never breaks the run list: the folder's name is shown instead)."""
    if not (run / rundir.NAME).is_file():  # none, or a pipe (read for ever, audit 43)
        return ""
    try:
        with open(run / rundir.NAME, "rb") as fh:
            return clean_run_name(fh.read(_NAME_READ_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""


def write_run_name(run: Path, name: str) -> str:
    """Give ``run`` the name ``name`` (cleaned, cut to :data:`NAME_MAX_CHARS`), written
    atomically to its ``name.txt``; a name empty once cleaned removes the file, so the run is
    named by its folder again. Returns the name kept ("" for none).

    Raises:
        OSError: the file cannot be written or removed (the run folder is gone, read-only...).
    """
    name = clean_run_name(name)
    if name:
        rundir.atomic_write_text(run / rundir.NAME, name + "\n")
    else:
        (run / rundir.NAME).unlink(missing_ok=True)
    return name


#: What keeps a run from the trash, in the few words its greyed menu item adds (the item was
#: greyed with no reason shown: trial 17).
TRASH_BLOCKS = {"training": "training now", "busy": "busy in this window",
                "claimed": "busy in another program", "in use": "its model is in use",
                "remembered": "its model is in use"}


def trash_block(row: RunRow, model_in_use: Path | None = None,
                busy: tuple[Path, ...] | list[Path] = (), remembered: Path | None = None) -> str:
    """What keeps ``row``'s folder from the trash now (a key of TRASH_BLOCKS), or "": a run
    training now (its state, or its trainer alive on this machine), a run this window works
    on (``busy``: its trainer, its export), a run another process has claimed (a resume in
    its slow start, before its state says "running", or an export: the run list let such a
    folder go to the trash under them, review 50), and the run whose model the live view uses
    (``model_in_use``, that folder or one inside it), or the one the settings remember
    (``remembered``: another window's, or the next launch's: a second window moved it to the
    trash from under the first, audit 53)."""
    run = row.run_dir
    if row.state in (RUNNING, STOPPING) or trainer_running_here(run) is not None:
        return "training"
    if any(_resolved(b) == _resolved(run) for b in busy):
        return "busy"
    if claimed_by(run) is not None:
        return "claimed"
    if model_in_use is not None and _resolved(model_in_use).is_relative_to(_resolved(run)):
        return "in use"
    if remembered is not None and _resolved(remembered).is_relative_to(_resolved(run)):
        return "remembered"
    return ""


def trash_refusal(row: RunRow, model_in_use: Path | None = None,
                  busy: tuple[Path, ...] | list[Path] = (), remembered: Path | None = None) -> str:
    """Why ``row``'s folder must not be moved to the trash now, in a sentence naming the run;
    "" when it may (:func:`trash_block`)."""
    return refusal_sentence(row, trash_block(row, model_in_use, busy, remembered))


def refusal_sentence(row: RunRow, block: str) -> str:
    """:func:`trash_block`'s ``block`` in a sentence naming the run ("" for none)."""
    return {"training": f"\"{row.title}\" is training now: stop it first (Stop, then wait for "
                        "it to end) before moving it to the trash.",
            "busy": f"\"{row.title}\" is being trained or exported in this window: wait for "
                    "it to end before moving it to the trash.",
            "claimed": f"\"{row.title}\" is being trained or exported by another program on "
                       "this machine (a terminal's trainer): wait for it to end, or stop it "
                       "(Ctrl+C where it runs), before moving it to the trash.",
            "in use": f"\"{row.title}\" holds the model the live view uses: use another "
                      "model first (File > Use the shipped model), then move the run to the "
                      "trash.",
            "remembered": f"\"{row.title}\" holds the model in use in another window of "
                          "the app (and the one it opens with next): use another model "
                          "there first (File > Use the shipped model), then move the run "
                          "to the trash."}.get(block, "")


def _resolved(path: Path | str) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a link loop: compare the paths as written
        return Path(path).absolute()


def _read_model_json(run: Path) -> dict:
    """A run's model.json, or {} where there is none readable."""
    return _read_object(run / rundir.MODEL)


def _whole_number(meta: dict, *keys: str) -> int | None:
    """``meta[keys[0]][keys[1]]...`` where that is a whole number, else None."""
    value: object = meta
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _exported_epoch(meta: dict) -> int | None:
    return _whole_number(meta, "training", "best_epoch")


def _final_score(meta: dict) -> float | None:
    """A fine-tune's exported model on its test faces (``held_out.after.accuracy``), the
    figure its Results and the comparison give: the list gave the last epoch's, scored by
    Keras before the export, "2 of 7" beside the Results' "1 of 7" (trial 34)."""
    value: object = meta
    for key in ("held_out", "after", "accuracy"):
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if is_share(value) else None


def _held_out_count(meta: dict) -> int | None:
    """How many held-out faces a fine-tune was tested on; None where not recorded."""
    return _whole_number(meta, "held_out", "samples") or None


def exported_epoch(run: Path) -> int | None:
    """The epoch a run's model.json was made from (``training.best_epoch``); None without a
    readable model.json (or one from before that was recorded)."""
    return _exported_epoch(_read_model_json(run))



def export_offer(row: RunRow) -> str:
    """What the Results say of a stopped run whose best epoch has no model yet, and why the
    button is there: a stopped run was of no use in the live view until it was resumed to its
    very end."""
    of = f" of {row.epochs}" if row.epochs else ""
    where = "test faces" if row.own_faces else "PublicTest"
    best = f" ({where} {100 * row.best_val_accuracy:.1f}%)" \
        if isinstance(row.best_val_accuracy, float) else ""
    now = ("has a model from epoch "
           f"{row.model_epoch}; its best epoch since is {row.best_epoch}{best}"
           if row.has_model and row.model_epoch else
           f"has no model yet; its best epoch so far is {row.best_epoch}{best}")
    how = "stopped" if row.state == STOPPED else "ended"
    return (f"{row.run_dir.name} {how} after epoch {row.epochs_done}{of} and {now}. "
            f"Export epoch {row.best_epoch} to use it now (it is evaluated first: a minute or "
            "two); Resume trains the rest and exports again at the end.")


def rows_limit_text(limit: object) -> str:
    """"first 300 rows of each split" for a trial on part of the data; "" for none (0, missing, or
    not a number in a hand-edited file). One wording for the run list, Results and form."""
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0 \
            or limit >= MAX_INT or not math.isfinite(limit):
        return ""  # "Infinity" in a hand-edited file raised, in the run list (audit 48)
    return f"first {int(limit):,} rows of each split"


def mixing_text(recipe: dict) -> str:
    """"mixup 0.4" or "cutmix 1" for a run that mixed its faces (``--mixup``, ``--cutmix``),
    else "": one wording for a run's config.json and its model.json's recipe."""
    return ", ".join(f"{name} {alpha:g}" for name in ("mixup", "cutmix")
                     if isinstance(alpha := recipe.get(name), int | float)
                     and not isinstance(alpha, bool) and alpha > 0)


def choices_text(recipe: dict) -> list[str]:
    """The labels, augmentation and sampling a run chose where not the defaults ("ferplus
    labels", "robust augmentation", "sqrt sampling"): one wording for a run's config.json and
    its model.json's recipe (the Results named no label set, trial 49)."""
    return [f"{recipe[key]} {words}" for key, default, words in (
        ("labels", "fer", "labels"), ("augment", "default", "augmentation"),
        ("sampling", "natural", "sampling")) if recipe.get(key, default) != default]


def recipe_text(config: dict) -> str:
    """"default, distilled, mixed labels": the preset and what was changed from its defaults
    that decides what the model learnt (runs of one preset look alike in a list otherwise)."""
    parts = [str(config.get("preset", "?"))]
    if config.get("widths"):  # --widths: not the preset's network
        parts[0] += f" {str(config['widths']).replace(',', '/')}"
    if config.get("teachers"):
        parts.append("distilled")
    parts += choices_text(config)
    if zoom := zoom_range(config):
        parts.append(f"crops {zoom[0]:g}-{zoom[1]:g}")
    parts.append(mixing_text(config))
    if isinstance(rho := config.get("sam"), int | float) and not isinstance(rho, bool) \
            and rho > 0:
        parts.append(f"SAM {rho:g}")
    if config.get("images") and parts[0] != FINETUNE_PRESET:  # a fine-tune always is one
        parts.append("image folder")
    elif config.get("images"):  # which faces: fine-tunes on three folders read alike (57)
        parts[0] += f" on {rundir.faces_folder_name(config['images'])}"
    parts.append(rows_limit_text(config.get("limit_per_split")))  # a trial's scores are not
    return ", ".join(part for part in parts if part)  # comparable with a full run's


def _read_config(run: Path) -> dict:
    return _read_object(run / rundir.CONFIG)


def _read_object(path: Path) -> dict:
    """A JSON object from ``path``, or {} where there is none readable (a pipe among them:
    reading it waited for ever, and the window never opened, audit 43; one far too large is
    not read: a 300 MB config.json took 2.6 s of the window's thread, review 47)."""
    return _read_object_why(path)[0]


def _read_object_why(path: Path) -> tuple[dict, str]:
    """:func:`_read_object`, and why a file that is there cannot be read ("config.json is not
    valid JSON (...)"; "" where it is read, is not there, or a passing refusal stopped it)."""
    if not (path.exists() or path.is_symlink()):
        return {}, ""
    try:
        return rundir.read_json(path), ""
    except rundir.RunDirError as exc:
        return {}, f"{path.name} {exc.reason}"
    except OSError:  # a passing refusal (a file being replaced): not proof of damage
        return {}, ""


def damage_of(run: Path) -> str:
    """Why the run's state.json or config.json cannot be read ("state.json is not valid JSON
    (...)"), where one is there and cannot; "" otherwise. Such a run was listed "stopped" or
    "interrupted" with Resume on, which failed only once pressed (audit 47, review 47)."""
    _state, why = rundir.RunState.peek_why(run)
    return f"{rundir.STATE} {why}" if why else _read_object_why(run / rundir.CONFIG)[1]


def list_runs(out: Path) -> list[RunRow]:
    """Run folders in ``out`` (those with a config.json or state.json), newest first."""
    if not out.is_dir():
        return []
    runs = [p for p in out.iterdir()
            if p.is_dir() and ((p / rundir.STATE).exists() or (p / rundir.CONFIG).exists())]
    # a link to a run of this folder is that run: listed once (it was twice, and Move to
    # trash of the link's row described the run's checkpoints going, audit 47)
    real = {p.resolve() for p in runs if not p.is_symlink()}
    runs = [p for p in runs if not (p.is_symlink() and p.resolve() in real)]
    rows = [read_run_row(p) for p in sorted(runs, key=lambda p: p.name, reverse=True)]
    # two runs started in one minute read alike ("05 Dec 11:43"): theirs say the seconds
    alike = Counter(row.started for row in rows)
    rows = [replace(row, started=_started_text(row.run_dir, seconds=True))
            if alike[row.started] > 1 else row for row in rows]
    # ... and two started in one second (side by side from a script), their folders' ends:
    # "06 Dec 08:47:05 (fast)" and "(default)", told apart only by a cut Recipe (trial 23)
    alike = Counter(row.started for row in rows)
    return [replace(row, started=f"{row.started} ({_folder_end(row.run_dir)})")
            if alike[row.started] > 1 else row for row in rows]


def _folder_end(run: Path) -> str:
    """What follows the start time in a run folder's name ("fast", "default-1")."""
    parts = run.name.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[2] else run.name


@dataclass
class RunCurves:
    """A run's history as plain lists: per-epoch values and per-batch loss.

    batch_x is the fractional epoch (epoch 2, step 50 of 100 -> 1.5).
    """

    epoch: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    batch_x: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)


def number_or_nan(value: object) -> float:
    """A JSON number as float; anything else (None for NaN, a string) as NaN."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else math.nan


def held_out_name(run: Path) -> str:
    """What a run's validation curve is measured on: FER-2013's PublicTest, or (a run on an
    image folder, a fine-tune) the folder's own test faces, counted once the run has kept
    them ("2 test faces": a fine-tune's flat curves on two faces said nothing of how few they
    were, trial 18)."""
    if not _read_config(run).get("images"):
        return "PublicTest"
    from fer_desktop.core.model_compare import TEST_FACES

    if not (run / TEST_FACES).is_file():  # not kept yet, or a pipe (read for ever, review 40)
        return "test faces"
    try:
        import numpy as np

        with np.load(run / TEST_FACES, allow_pickle=False) as kept:
            return f"{len(kept['labels'])} test faces" if len(kept["labels"]) != 1 \
                else "1 test face"
    except (OSError, KeyError, ValueError):  # not kept yet, or from an older version
        return "test faces"


def read_run_curves(run: Path) -> RunCurves:
    """Curves of a finished, stopped or running run: ``events.jsonl``, else ``history.csv``."""
    curves = RunCurves()
    events = run / rundir.EVENTS
    if events.is_file():
        with open(events, "rb") as fh:
            for raw in _event_lines(fh):
                event = parse_event(raw)
                if event.ok and event.name == "epoch":
                    _drop_from(curves, "epoch", event["epoch"])
                    curves.epoch.append(float(event["epoch"]))
                    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                        getattr(curves, key).append(number_or_nan(event[key]))
                elif event.ok and event.name == "batch" and event["steps"] > 0:
                    x = event["epoch"] - 1 + event["step"] / event["steps"]
                    _drop_from(curves, "batch_x", x)
                    curves.batch_x.append(x)
                    curves.batch_loss.append(number_or_nan(event["loss"]))
        if curves.epoch or curves.batch_x:
            return curves
    history = run / rundir.HISTORY
    if history.is_file():
        try:
            _read_history(history, curves)
        except (OSError, UnicodeDecodeError, csv.Error):  # not UTF-8, a 200 KB field: the
            return RunCurves()  # Train tab went, at every launch (audit 43): no curves
    return curves


MAX_EVENT_LINE_BYTES = 1 << 20  # an event is a few hundred bytes: a longer line is damage


def _event_lines(fh: BinaryIO) -> Iterator[bytes]:
    """events.jsonl's lines, none longer than MAX_EVENT_LINE_BYTES: a line of 300 MB (a
    crash's garbage tail) was read whole on the window's thread, 1.3 s and 660 MB to show
    one run (audit 52); such a line is passed over."""
    while line := fh.readline(MAX_EVENT_LINE_BYTES + 1):
        if len(line) <= MAX_EVENT_LINE_BYTES:
            yield line
        elif not line.endswith(b"\n"):  # the rest of that line
            while (rest := fh.readline(MAX_EVENT_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass


def _read_history(history: Path, curves: RunCurves) -> None:
    """history.csv's epochs into ``curves``; a line of other bytes is passed over (one hid
    every epoch of the run, audit 52)."""
    with open(history, newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.DictReader(fh):
            try:
                epoch = float(row["epoch"])
            except (KeyError, ValueError):
                continue
            if not math.isfinite(epoch):  # "1e400" in a hand-edited file: its int() raised
                continue  # and the previous run's curves stayed on screen (audit 48)
            curves.epoch.append(epoch)
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                try:
                    value = float(row.get(key) or "nan")
                except ValueError:
                    value = math.nan
                getattr(curves, key).append(value if math.isfinite(value) else math.nan)


def _drop_from(curves: RunCurves, axis: str, x: float) -> None:
    """A resumed run repeats the epoch it was stopped in: forget the old points from ``x`` on."""
    xs = getattr(curves, axis)
    keep = len(xs)
    while keep and xs[keep - 1] >= x:
        keep -= 1
    if keep == len(xs):
        return
    names = (("epoch", "loss", "accuracy", "val_loss", "val_accuracy") if axis == "epoch"
             else ("batch_x", "batch_loss"))
    for name in names:
        del getattr(curves, name)[keep:]
