"""Fit a recipe, checkpoint every epoch, resume exactly, stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer import rundir
from trainer.config import RESUME_OPTIONS, TrainConfig
from trainer.data import (
    FerData,
    data_report,
    env_file,
    find_shared_csv,
    format_report,
    load_cached,
)
from trainer.events import EventEmitter
from trainer.runs import claim_run, release_run


class _StopFlag:
    """Set by SIGTERM/SIGINT; the training callback stops after the current batch."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame) -> None:
        self.requested = True


def configure_threads(threads: int) -> None:
    """Cap TensorFlow's CPU threads (must run before TensorFlow builds its thread pools)."""
    import tensorflow as tf

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, min(2, threads)))
    logical = int(os.environ.get("FER_LOGICAL_CPUS", "0") or 0)
    if logical > 1:  # used by the MirroredStrategy test: split the CPU into logical devices
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(logical)])


def _make_callback(run: Path, state: rundir.RunState, emitter: EventEmitter, stop: _StopFlag,
                   steps: int, batch_size: int, epochs: int, max_seconds: float = 0.0,
                   keep: int = rundir.KEEP_CHECKPOINTS, new_run: bool = True):
    """The Keras callback that reports batches and commits each finished epoch."""
    import keras

    class RunCallback(keras.callbacks.Callback):
        """Checkpoint, history and events at each epoch; batch events every few seconds."""

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = self._last = time.monotonic()
            self._steps_done = 0

        def on_train_batch_end(self, batch, logs=None):
            self._steps_done = batch + 1
            now = time.monotonic()
            if batch == 0 or now - self._last >= 2.0 or batch + 1 == steps:
                _emit_batch(emitter, logs or {}, epoch=state.epoch + 1, epochs=epochs,
                            step=batch + 1, steps=steps,
                            images_per_s=(batch + 1) * batch_size / max(1e-6, now - self._t0))
                self._last = now
            # the budget never cuts the first epoch: a run with no finished epoch has no
            # model to export (a busy machine made a short budget end runs with nothing)
            if max_seconds and state.epoch > 0 \
                    and state.seconds + now - self._t0 >= max_seconds:
                stop.requested = True
                state.time_budget_reached = True
            if stop.requested:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if self._steps_done < steps:  # stopped mid-epoch: the last checkpoint stands
                return
            seconds = time.monotonic() - self._t0
            row = _epoch_row(self.model, epoch + 1, logs or {}, seconds, steps * batch_size)
            _refuse_diverged(run, state, row, emitter, new_run)
            improved = _commit_epoch(run, state, self.model, row, keep)
            emitter.emit("epoch", epochs=epochs, best_val_accuracy=state.best_val_accuracy,
                         best_epoch=state.best_epoch, **row)
            emitter.emit("checkpoint", epoch=row["epoch"], path=str(run / state.checkpoint),
                         best=improved)

    return RunCallback()


def _refuse_diverged(run: Path, state: rundir.RunState, row: dict,
                     emitter: EventEmitter, new_run: bool = True) -> None:
    """Stop a training whose loss is no longer a number, before the epoch is kept: it was
    saved as the best, the export ended in "RuntimeError: exported float32 model differs
    from Keras by nan", and the run offered Export and Resume of NaN weights (audit 52). The
    run is left stopped with the epochs it kept; a new one that kept none goes (it read
    "interrupted", and offered Resume, review 53), a resumed one keeps its folder (its name,
    its test faces: review 54)."""
    if math.isfinite(row["loss"]) and math.isfinite(row["val_loss"]):
        return
    gone = new_run and not state.epoch
    kept = (f"it keeps epoch {state.epoch}, the last whose numbers were sound (Export uses it)"
            if state.epoch else "no epoch was kept" + (", and its folder was removed"
                                                        if gone else ""))
    error = rundir.RunDirError(run, f"diverged at epoch {row['epoch']}: its loss is not a "
                                    f"number (NaN or infinite); {kept}. Start a new run with "
                                    "a lower learning rate (--learning-rate)")
    if gone:
        forget_run(run, emitter, error)
    else:
        state.status = rundir.STOPPED
        state.save(run)
    raise error


def _emit_batch(emitter: EventEmitter, logs: dict, **fields) -> None:
    emitter.emit("batch", loss=float(logs.get("loss", math.nan)),
                 accuracy=float(logs.get("accuracy", math.nan)), **fields)


def _epoch_row(model, number: int, logs: dict, seconds: float, images: int) -> dict:
    """One line of the history (and of the ``epoch`` event)."""
    from trainer.recipe import current_lr

    return {"epoch": number, "loss": float(logs.get("loss", math.nan)),
            "accuracy": float(logs.get("accuracy", math.nan)),
            "val_loss": float(logs.get("val_loss", math.nan)),
            "val_accuracy": float(logs.get("val_accuracy", math.nan)),
            "lr": current_lr(model), "seconds": round(seconds, 2),
            "images_per_s": images / max(seconds, 1e-6)}


def _commit_epoch(run: Path, state: rundir.RunState, model, row: dict,
                  keep: int = rundir.KEEP_CHECKPOINTS) -> bool:
    """Save a finished epoch in the order ``rundir``'s docstring gives (the last ``keep``
    checkpoints kept); True when it is the new best."""
    number, val_acc = row["epoch"], row["val_accuracy"]
    best = state.best_val_accuracy
    improved = math.isfinite(val_acc) and (best is None or val_acc > best)
    ckpt = run / rundir.checkpoint_name(number)
    rundir.save_keras_atomic(model, ckpt)
    if improved:
        state.best_val_accuracy, state.best_epoch = val_acc, number
    state.history.append(row)
    state.epoch = number
    state.checkpoint = ckpt.name
    state.save(run)  # the commit point
    if improved:
        rundir.link_best(run, ckpt)
    rundir.write_history(run, state.history)
    for old in sorted(run.glob("ckpt-*.keras"))[:-keep]:
        old.unlink(missing_ok=True)
    return improved


def _load_data(config: TrainConfig, out: Path, emitter: EventEmitter) -> FerData:
    if config.images:
        from trainer.imagefolder import load_folder_for_training

        return load_folder_for_training(config.images, config.seed, emitter, config.sampling,
                                        config.copies_together, config.copies_mirrored)
    data = load_cached(_csv_path(config, required=True), out / ".cache", config.limit_per_split)
    report = data_report(data)
    emitter.emit("data_report", **report)
    emitter.log(format_report(report))
    for warning in report["warnings"]:
        emitter.log(f"!!! WARNING: {warning}")
    return data


def load_votes_for(config: TrainConfig, emitter: EventEmitter):
    """The FER+ votes lined up with the CSV (``--labels ferplus/mixed`` need them)."""
    from trainer import ferplus

    csv = _csv_path(config)
    path = _votes_path(config, csv)
    votes = ferplus.load_votes(path, ferplus.csv_usage(csv), csv)
    emitter.log(f"FER+ votes: {path} ({int(votes.valid['Training'].sum())} Training rows with a "
                "FER+ target)")
    return votes.limited(config.limit_per_split)


def _csv_path(config: TrainConfig, required: bool = False) -> str:
    """The run's CSV: its --csv, else the shared one ("" when neither, unless ``required``).

    Raises:
        DatasetError: ``required`` and there is none.
    """
    csv = config.csv or str(find_shared_csv() or "")
    if not config.votes:  # the votes it will use: a wrong $FERPLUS_CSV is said now, not at
        env_file("FERPLUS_CSV")  # the export, after the training (--votes: not read)
    if required and not csv:
        from trainer.data import DatasetError

        raise DatasetError("(none)", "no CSV given: pass --csv PATH to the FER-2013 CSV")
    return csv


def _votes_path(config: TrainConfig, csv: str) -> str:
    """The run's FER+ votes: its --votes, else those beside ``csv`` or shared.

    Raises:
        DatasetError: there are none.
    """
    from trainer import ferplus
    from trainer.data import DatasetError

    path = config.votes or str(ferplus.find_shared_votes(csv) or "")
    if not path:
        raise DatasetError("(none)", f"--labels {config.labels} needs the FER+ votes "
                           "(fer2013new.csv): pass --votes PATH or put the file beside the CSV")
    return path


def _training_arrays(config: TrainConfig, data: FerData, votes, run: Path,
                     emitter: EventEmitter, x_val):
    """Inputs, soft targets (the chosen label set, then the teacher's share if distilling; the
    teacher is calibrated on ``x_val``, the preprocessed PublicTest faces) and each row's
    original class (what ``--sampling`` balances)."""
    import keras

    from trainer import distill, ferplus, recipe

    x = recipe.to_arrays(data.images["Training"], data.labels["Training"])[0]
    targets, keep = ferplus.training_targets(data.labels["Training"], votes, "Training",
                                             config.labels)
    if config.teachers and config.teaching == "once":
        keras.mixed_precision.set_global_policy("float32")
        teacher = distill.label_with_teacher([Path(t) for t in config.teachers], x, x_val,
                                             data.labels["PublicTest"], run, emitter.log)
        targets = distill.mix_targets(targets, teacher[keep], config.teacher_weight)
    return x[keep], targets, data.labels["Training"][keep]


@dataclass
class _Fit:
    """What the fit needs, prepared before the model: arrays, sizes, precision, strategy."""

    x_train: Any
    y_train: Any
    classes: Any  # each training row's class, for --sampling
    x_val: Any
    y_val: Any
    epochs: int
    batch_size: int
    steps: int
    precision: str
    strategy: Any
    teacher: Any = None  # --teaching consistent: labels each augmented batch


def train(config: TrainConfig, emitter: EventEmitter, resume_dir: Path | None = None,
          new_epochs: int | None = None, new_limits: dict[str, Any] | None = None) -> Path:
    """Train (or resume) a run and return its folder. Raises the named user errors.

    ``new_epochs`` (resume only) changes the run's length: the cosine schedule is stretched or
    shrunk so it ends at the new last epoch, continuing from the current step. ``new_limits``
    (resume only) replaces ``max_minutes``, ``threads`` and/or ``keep_checkpoints`` from here on
    (kept in config.json).
    """
    from trainer import multiworker

    stop = _StopFlag()
    stop.install()
    t_start = time.monotonic()
    cluster = multiworker.cluster_for(config, resume_dir,  # checks TF_CONFIG before any work
                                      lambda words: emitter.log(f"warning: {words}"))
    chief_out = config.out  # where the chief writes: a follower's --out is the same folder
    if cluster is not None and not cluster.is_chief:  # only the chief writes the run folder
        config, resume_dir = multiworker.as_follower(config, resume_dir)
    run, state, as_it_was = None, None, {}
    if resume_dir is not None:
        run = Path(resume_dir)
        config, state, as_it_was = _reopen_run(run, emitter, new_epochs, new_limits or {})
    votes, data, out, votes_sha256 = _checked_data(config, run, state, emitter, as_it_was)
    configure_threads(config.threads)
    strategy = _make_strategy(config, cluster, stop)
    init_weights = None
    if config.init and state is None:  # read and checked before a run folder exists
        from trainer.warm_start import initial_weights, parent_seed

        init_weights = initial_weights(config.init, config.init_member, config.preset,
                                       config.resolved_widths)
        emitter.log(f"starting from the weights of {config.init} (member {config.init_member})")
        if parent_seed(config.init, config.init_member) == config.seed:
            emitter.log(f"warning: {config.init} was trained with --seed {config.seed} too: with "
                        "the same recipe this run replays the augmented faces it has already "
                        "learnt, in the same order; give another --seed")
    new_run = run is None
    if run is None:
        run = rundir.new_run_dir(out, config.preset)
        claim_run(run)  # export refuses it while it trains (audit 50)
    with _removed_if_unstarted(run, new_run, emitter):
        emitter.attach_run_dir(run)
        if config.images:  # "Use this model" compares on the folder's test faces
            from trainer.imagefolder import save_test_faces

            save_test_faces(run, data.images["PublicTest"], data.labels["PublicTest"], None,
                            Path(config.images).name)
        fit = _prepare_fit(config, data, votes, run, emitter, strategy)
        with fit.strategy.scope():
            if state is None:
                model, state = _new_model(config, run, data, fit, votes_sha256)
                if init_weights is not None:
                    model.set_weights(init_weights)
            else:
                model = _restored_model(config, run, state, fit)
            state.status = rundir.RUNNING
            state.owner = rundir.this_process()
            state.save(run)
    _emit_started(emitter, run, config, data, fit, state, model, resumed=resume_dir is not None)
    if state.epoch < fit.epochs:
        _fit(model, config, run, state, fit, emitter, stop, new_run)
    elif resume_dir is not None:  # it re-exported without a word (audit 36)
        emitter.log(f"{run.name} had finished its {fit.epochs} epochs already"
                    + (": its model is exported again" if config.export else "")
                    + " (give --epochs N to train it longer)")
    return _finish(run, config, state, data, fit, emitter, t_start,
                   chief_out=None if cluster is None or cluster.is_chief else chief_out)


def _make_strategy(config: TrainConfig, cluster, stop: _StopFlag):
    """The distribution strategy, made first: collectives need a fresh TF context, and a
    cluster that never forms must not leave an empty run folder behind."""
    from trainer import multiworker, recipe

    if cluster is None:  # --sam moves one device's weights: "auto" is one device then (its
        one = config.sam > 0 and config.strategy == "auto"  # GPUs refused it late, review 40)
        return recipe.make_strategy("one" if one else config.strategy)
    strategy = multiworker.make_strategy(cluster, multiworker.worker_timeout_s())
    stop.install()  # TensorFlow's preemption notifier took SIGTERM over; take it back
    return strategy


def _reopen_run(run: Path, emitter: EventEmitter, new_epochs: int | None,
                new_limits: dict[str, Any]) -> tuple[TrainConfig, rundir.RunState, dict]:
    """The config and state of a run to resume, its folder repaired; maybe a new length;
    and its config.json and state.json as they were, put back when the resume is refused
    (here, or once its data is read: :func:`_checked_data`)."""
    _refuse_running(run)
    if run.is_dir():
        claim_run(run)  # before the slow start: a second resume got in (audit 50)
    try:
        as_it_was = {name: (run / name).read_text(encoding="utf-8")
                     for name in (rundir.CONFIG, rundir.STATE) if (run / name).is_file()}
    except (OSError, UnicodeDecodeError):
        as_it_was = {}  # named where they are read, next
    try:
        return *_reopen_claimed(run, emitter, new_epochs, new_limits), as_it_was
    except BaseException:
        _put_back(run, as_it_was)  # --threads written, then --epochs refused (review 54)
        release_run(run)  # refused: the run's folder as it was
        raise


def _reopen_claimed(run: Path, emitter: EventEmitter, new_epochs: int | None,
                    new_limits: dict[str, Any]) -> tuple[TrainConfig, rundir.RunState]:
    config = saved_config(run)
    if unknown := TrainConfig.unknown_keys(rundir.read_json(run / rundir.CONFIG)):
        emitter.log(f"warning: {run.name}'s config.json holds settings this trainer does not "
                    f"know ({', '.join(unknown)}): made by another version of the trainer? "
                    "They are not followed from here on")
    new_limits |= _absolute(new_limits)  # as saved: a relative --csv was written back, and
    # the run no longer exported from another folder (review 42)
    new_limits = {k: v for k, v in new_limits.items()  # what --resume may change, but the
                  if k in set(RESUME_OPTIONS) - {"epochs", "events"}  # length and events,
                  and v != getattr(config, k)}  # and what it already is ("from 1 to 1")
    state = rundir.RunState.load(run)
    _refuse_spent_budget(run, state, new_limits.get("max_minutes", config.max_minutes),
                         new_epochs or config.resolved_epochs)
    if "csv" in new_limits:
        _check_moved_csv(run, config, state, new_limits["csv"])
    else:
        if new_limits or new_epochs is not None:  # refused before config.json changes: it
            _check_sources(config)  # said "changing the length", then refused a CSV gone
        _refuse_replaced_csv(run, config, state)  # (audit 36); a CSV replaced, as early
    if new_limits:
        _change_limits(run, config, new_limits, emitter)
    if state.votes_sha256 and config.votes:  # moved with the CSV: the one beside it now
        from trainer.ferplus import moved_votes  # (its checksum is checked with the data)

        config.votes = moved_votes(config.votes, _csv_path(config), state.votes_sha256)
    config.events = emitter.mode
    rundir.check_writable(run)
    rundir.remove_leftovers(run)
    if rundir.repair_best(run, state):
        emitter.log(f"best.keras re-linked to epoch {state.best_epoch} (the last run was "
                    "killed while saving it)")
    if new_epochs is not None and new_epochs != config.resolved_epochs:
        _change_length(run, config, state, new_epochs, emitter)
    return config, state


def _refuse_spent_budget(run: Path, state: rundir.RunState, max_minutes: float | None,
                         epochs: int) -> None:
    """A run with epochs left whose --max-minutes are spent (the budget counts over every
    resume) would train one batch, throw it away and say "finished": refuse, saying why and
    what to give (review 44)."""
    if max_minutes and state.epoch > 0 and state.epoch < epochs \
            and state.seconds >= 60.0 * max_minutes:
        raise rundir.RunDirError(run, f"has used its --max-minutes {max_minutes:g} budget "
                                      f"({state.seconds / 60:.1f} min of training, counted "
                                      "over every resume): resume it with --max-minutes 0 "
                                      "(no limit) or a larger budget")


def _check_sources(config: TrainConfig) -> None:
    """The run's faces (its CSV or the shared one, its votes, its image folder) and its
    consistent teachers still there.

    Raises:
        DatasetError: naming what is gone, as the loaders would after the change.
    """
    from trainer.data import DatasetError, _check_size

    consistent = config.teaching == "consistent"  # its teachers teach every batch (once:
    for teacher in config.teachers if consistent else ():  # their labels are in the run)
        if not Path(teacher).is_dir():  # (review 37)
            raise DatasetError(teacher, "the run's teacher is not found (moved or deleted?): "
                               "a distillation taught consistently needs its teachers to go on")
    if config.images:
        if not Path(config.images).is_dir():
            raise DatasetError(config.images, "folder not found (give a folder with one "
                               "subfolder per emotion, e.g. DIR/happy/*.jpg)")
        return
    csv = _csv_path(config, required=True)
    _check_size(Path(csv))
    if config.labels != "fer" or config.votes:  # --labels fer --votes: the export scores
        votes = _votes_path(config, csv)  # with them
        if not Path(votes).is_file():
            raise DatasetError(votes, "FER+ votes file not found (give fer2013new.csv with "
                               "--votes, or put it beside the CSV)")


@contextlib.contextmanager
def _removed_if_unstarted(run: Path, new: bool, emitter: EventEmitter):
    """A new run folder that fails before its first state.json (a bad teacher, a bad
    starting model) goes: it stayed behind holding only events.jsonl (audit 36)."""
    try:
        yield
    except BaseException as exc:
        if new and not (run / rundir.STATE).exists():
            forget_run(run, emitter, exc)
        raise


def forget_run(run: Path, emitter: EventEmitter, exc: BaseException) -> None:
    """Remove a run folder nothing can use or resume, marking ``exc`` so that its message
    offers no ``--resume`` of it (a full disk advised resuming a folder already gone, audit
    46)."""
    emitter.detach_run_dir()
    release_run(run)  # its claim first: an open file is not removed on Windows (review 51)
    shutil.rmtree(run, ignore_errors=True)
    exc.run_removed = True


def _refuse_running(run: Path) -> None:
    """A run whose trainer is alive on this machine is not resumed: a second trainer took
    its files from under it and the first one died on a checkpoint's rename (audit 36)."""
    from trainer.runs import busy_words, trainer_running_here

    process = trainer_running_here(run) if run.is_dir() else None
    if process is not None:
        raise rundir.RunDirError(run, busy_words(process.pid))


def saved_config(run: Path) -> TrainConfig:
    """A run's ``config.json`` as a TrainConfig; a value of the wrong type (``"csv": 5``) is
    named with the file instead of ending in a TypeError."""
    from trainer.config import ConfigError

    path = run / rundir.CONFIG
    data = rundir.read_json(path)  # an object, or named (rundir.read_json)
    try:
        return TrainConfig.from_dict(data)
    except (ConfigError, TypeError, ValueError) as exc:
        raise rundir.RunDirError(path, f"cannot be used ({exc}); was it made by a newer version "
                                       "of the trainer, or edited by hand?") from exc


def _check_moved_csv(run: Path, config: TrainConfig, state: rundir.RunState, csv: str) -> None:
    """``--resume RUN --csv NEW``: the run's CSV was moved; NEW must be the same data."""
    from trainer.config import ConfigError
    from trainer.data import sha256_of

    if config.images:
        raise ConfigError(f"{run.name} trained on the image folder {config.images}, not a CSV: "
                          "--csv cannot be given when it is resumed")
    try:
        digest = sha256_of(csv)
    except OSError as exc:
        raise ConfigError(f"{csv} cannot be read ({exc.strerror or exc})") from exc
    if state.dataset_sha256 and digest != state.dataset_sha256:
        raise ConfigError(f"{csv} is not the CSV {run.name} started with (its checksum "
                          "differs); give the same file, moved or copied")


def _refuse_replaced_csv(run: Path, config: TrainConfig, state: rundir.RunState) -> None:
    """The run's own CSV replaced under its name, refused before anything of the run
    changes (see :func:`_checked_data`); one gone is named where it is read."""
    from trainer.data import sha256_of

    csv = "" if config.images else _csv_path(config)  # its own, else the shared one
    if not csv or not state.dataset_sha256 or not Path(csv).is_file():
        return
    if sha256_of(csv) != state.dataset_sha256:
        raise _other_data(run, config)


def _checked_data(config: TrainConfig, run: Path | None, state: rundir.RunState | None,
                  emitter: EventEmitter, as_it_was: dict[str, str]
                  ) -> tuple[Any, FerData, Path, str | None]:
    """The FER+ votes, the data and the output folder, read and checked before a run's
    training starts. The votes come before anything is written (output folder, data cache,
    run folder): a refused file leaves nothing behind; with --labels fer they are only checked
    (the export scores the FER+ majority with them), not trained on. A resume on other data
    than its run started with is refused: a CSV replaced under its name (a new version of
    FER-2013) was only warned of, an epoch trained on it, the oldest checkpoint dropped,
    then the export refused the run (audit 52); a folder's faces changed would change its
    held-out test faces too; so is one on other FER+ votes (a file swapped under the name
    found trained on other targets and scored against them, trial 49), and a new run keeps
    the votes file it found in its config.json. A resume refused here puts back what it
    wrote (a new length, --threads: review 53). Also returns the votes' SHA-256 (None
    without)."""
    try:
        loaded = load_votes_for(config, emitter) \
            if config.labels != "fer" or config.votes else None
        votes = None if config.labels == "fer" else loaded
        if loaded is not None and state is not None and state.votes_sha256 \
                and loaded.sha256 != state.votes_sha256:
            raise _other_votes(run, loaded.path)
        if loaded is not None and run is None:
            config.votes = loaded.path  # its own, found beside the CSV or shared: kept
        out = run.parent if run is not None else Path(config.out)
        if run is None:
            rundir.check_writable(out)
        data = _load_data(config, out, emitter)
        if state is not None and state.dataset_sha256 \
                and state.dataset_sha256 != data.sha256:
            raise _other_data(run, config)
    except BaseException:
        if run is not None:
            _put_back(run, as_it_was)
            release_run(run)  # refused: the run's folder as it was
        raise
    return votes, data, out, loaded.sha256 if loaded is not None else None


def _put_back(run: Path, as_it_was: dict[str, str]) -> None:
    """Write a refused resume's config.json and state.json back as they were (only where
    it changed them)."""
    for name, text in as_it_was.items():
        with contextlib.suppress(OSError):
            if (run / name).read_text(encoding="utf-8") != text:
                rundir.atomic_write_text(run / name, text)


def _other_data(run: Path, config: TrainConfig) -> Exception:
    from trainer.config import ConfigError

    if config.images:
        return ConfigError(f"the image folder {config.images} changed since {run.name} "
                           "started (faces added, removed or moved, or read by another "
                           "version of the app): a run cannot go on with other faces, its "
                           "test faces would change too; start a new run on it")
    csv = _csv_path(config) or "the CSV"  # its own, or the shared one it named none for
    return ConfigError(f"{csv} is not the CSV {run.name} started with: its "
                       "content changed since (its checksum differs: a new version of the "
                       "file?). A run cannot go on with other data: give the file it started "
                       "with (--csv PATH), or start a new run")


def _other_votes(run: Path, path: str) -> Exception:
    from trainer.config import ConfigError

    return ConfigError(f"{path} is not the FER+ votes file {run.name} started with: its "
                       "content changed since (its checksum differs). A run cannot go on "
                       "with other targets: put back the file it started with, or start a "
                       "new run")


def _change_limits(run: Path, config: TrainConfig, new_limits: dict[str, Any],
                   emitter: EventEmitter) -> None:
    for name, value in new_limits.items():
        emitter.log(f"changing the run's {name} from {getattr(config, name)} to {value}")
        setattr(config, name, value)
    config.validate()
    saved = rundir.read_json(run / rundir.CONFIG)
    saved.update(new_limits)
    rundir.atomic_write_json(run / rundir.CONFIG, saved)


def _change_length(run: Path, config: TrainConfig, state: rundir.RunState, new_epochs: int,
                   emitter: EventEmitter) -> None:
    from trainer.config import ConfigError

    if new_epochs <= state.epoch:
        raise ConfigError(f"--epochs {new_epochs} is not more than the {state.epoch} "
                          "epochs this run has already done")
    emitter.log(f"changing the run's length from {config.resolved_epochs} to "
                f"{new_epochs} epochs")
    config.epochs = new_epochs
    state.epochs = new_epochs
    saved = rundir.read_json(run / rundir.CONFIG)
    saved["epochs"] = new_epochs
    saved.setdefault("resolved", {})["epochs"] = new_epochs
    rundir.atomic_write_json(run / rundir.CONFIG, saved)


def _prepare_fit(config: TrainConfig, data: FerData, votes, run: Path,
                 emitter: EventEmitter, strategy: Any) -> _Fit:
    import keras

    from trainer import multiworker, recipe

    precision = recipe.resolve_precision(config.precision)
    keras.utils.set_random_seed(config.seed)
    batch_size = config.resolved_batch_size
    x_val, y_val = recipe.to_arrays(data.images["PublicTest"], data.labels["PublicTest"])
    x_train, y_train, classes = _training_arrays(config, data, votes, run, emitter, x_val)
    recipe.set_precision(precision)
    teacher = None
    if config.teachers and config.teaching == "consistent":
        from trainer import distill

        teacher = distill.consistent_teacher([Path(t) for t in config.teachers], x_val,
                                             data.labels["PublicTest"], precision, emitter.log)
    steps = multiworker.steps_per_epoch(len(x_train), batch_size) \
        if config.strategy == "multiworker" else math.ceil(len(x_train) / batch_size)
    return _Fit(x_train, y_train, classes, x_val, y_val, epochs=config.resolved_epochs,
                batch_size=batch_size, steps=steps, precision=precision, strategy=strategy,
                teacher=teacher)


def _absolute(saved: dict) -> dict:
    """The files a run reads again later (export, Resume), as absolute paths: a run started
    with ``--csv tiny.csv`` could not be exported from another folder ("tiny.csv: file not
    found", audit 44). Teachers and starting networks are read at the start only."""
    return {key: os.path.abspath(value) for key in ("csv", "votes", "images")
            if isinstance(value := saved.get(key), str) and value}


def _new_model(config: TrainConfig, run: Path, data: FerData, fit: _Fit,
               votes_sha256: str | None = None):
    """A fresh model, and the new run's config.json and state."""
    from trainer import recipe

    state = rundir.RunState(epochs=fit.epochs, dataset_sha256=data.sha256,
                            votes_sha256=votes_sha256, precision=fit.precision)
    saved = config.to_dict() | {"resolved": {"epochs": fit.epochs, "batch_size": fit.batch_size,
                                             "learning_rate": config.resolved_learning_rate,
                                             "precision": fit.precision}}
    rundir.atomic_write_json(run / rundir.CONFIG, saved | _absolute(saved))
    model = recipe.build_network(config.preset, config.resolved_widths)
    recipe.compile_model(model, config.preset, config.resolved_learning_rate, fit.steps,
                         fit.epochs)
    return model, state


def _restored_model(config: TrainConfig, run: Path, state: rundir.RunState, fit: _Fit):
    """The last checkpoint's model (optimizer included), or a fresh one when there is none."""
    from trainer import recipe
    from trainer.keras_files import load_keras

    if not state.checkpoint:  # killed before the first epoch ended: start that run afresh
        model = recipe.build_network(config.preset, config.resolved_widths)
        recipe.compile_model(model, config.preset, config.resolved_learning_rate, fit.steps,
                             fit.epochs)
        return model
    model = load_keras(run / state.checkpoint, compile=True)
    schedule = getattr(model.optimizer, "_learning_rate", None)
    if isinstance(schedule, recipe.WarmupCosine):
        schedule.total_steps = fit.epochs * fit.steps  # follows a changed run length
    return model


def _emit_started(emitter: EventEmitter, run: Path, config: TrainConfig, data: FerData,
                  fit: _Fit, state: rundir.RunState, model, resumed: bool) -> None:
    """``started``, then (on resume) the epochs committed just before a kill that never got
    their ``epoch`` event."""
    import tensorflow as tf

    emitter.emit("started", run_dir=str(run), config=config.to_dict(),
                 samples=data.counts(), steps_per_epoch=fit.steps, epochs=fit.epochs,
                 initial_epoch=state.epoch, precision=fit.precision,
                 devices=[d.name for d in tf.config.list_logical_devices()],
                 replicas=fit.strategy.num_replicas_in_sync, parameters=model.count_params(),
                 resumed=resumed)
    if resumed:
        for row in rundir.epochs_without_event(run, state):
            emitter.emit("epoch", epochs=fit.epochs, best_val_accuracy=state.best_val_accuracy,
                         best_epoch=state.best_epoch, **row)


def train_dataset(config: TrainConfig, fit: _Fit, epoch: int):
    """The training faces as the run's recipe shows them, from ``epoch`` on (a resumed run's
    stream moves on with the seed)."""
    from trainer import recipe

    return recipe.make_train_dataset(
        fit.x_train, fit.y_train, fit.batch_size, config.seed + epoch,
        augment=recipe.augmented(config.preset), threads=config.threads,
        robust=config.augment == "robust", classes=fit.classes,
        sampling_power=config.sampling_power, warp=config.warp,
        teacher=fit.teacher, teacher_weight=config.teacher_weight, mixup=config.mixup,
        cutmix=config.cutmix, zoom=(config.zoom_min, config.zoom_max))


def _fit(model, config: TrainConfig, run: Path, state: rundir.RunState, fit: _Fit,
         emitter: EventEmitter, stop: _StopFlag, new_run: bool = True) -> None:
    """Train from the state's epoch to the last one (or until stopped)."""
    from trainer import recipe

    train_ds = train_dataset(config, fit, state.epoch)
    if config.mixup > 0:
        emitter.log(f"mixup: each face blended with another of its batch "
                    f"(--mixup {config.mixup:g})")
    if config.cutmix > 0:
        emitter.log(f"cutmix: a rectangle of another face of its batch pasted into each face "
                    f"(--cutmix {config.cutmix:g})")
    if fit.teacher is not None:
        emitter.log("teacher: answering for every augmented batch (--teaching consistent)")
    val_ds = recipe.make_eval_dataset(fit.x_val, fit.y_val, 256)
    callback = _make_callback(run, state, emitter, stop, fit.steps, fit.batch_size, fit.epochs,
                              max_seconds=60.0 * config.max_minutes,
                              keep=config.keep_checkpoints, new_run=new_run)
    if config.sam > 0:
        emitter.log(f"SAM: each step's gradient taken {config.sam:g} away along the first "
                    "(--sam; two passes a step)")
    # model.fit fails under multiworker (keras-team/keras#20585) and has no two-pass step
    if config.strategy == "multiworker" or config.sam > 0:
        from trainer import hand_loop

        hand_loop.fit(model, fit.strategy, train_ds, val_ds, fit.steps, fit.epochs,
                      state.epoch, callback, stop, state, sam_rho=config.sam)
    else:
        model.fit(train_ds, epochs=fit.epochs, initial_epoch=state.epoch,
                  validation_data=val_ds, callbacks=[callback], verbose=0,
                  shuffle=False)  # the dataset shuffles itself; True printed a warning


def _finish(run: Path, config: TrainConfig, state: rundir.RunState, data: FerData, fit: _Fit,
            emitter: EventEmitter, t_start: float, chief_out: str | None = None) -> Path:
    """Export a run that reached its end (or its time budget), then say ``finished``.

    Only the chief of a multi-worker run exports. ``chief_out``: another worker's, where the
    chief writes the run (None: this process is the chief, or alone); such a worker names
    no folder of its own, its scratch copy being removed as it exits: its last lines named
    that copy's run folder and best.keras, gone when read (trial 54)."""
    budget_reached = state.time_budget_reached
    stopped = state.epoch < fit.epochs and not budget_reached
    state.status = rundir.STOPPED if stopped else rundir.TRAINED
    state.save(run)
    chief = chief_out is None
    if not stopped and config.export and (run / rundir.BEST).is_file() and chief:
        from trainer.export import export_run

        export_run(run, emitter, data=data)
    state.status = rundir.STOPPED if stopped else rundir.FINISHED
    state.save(run)
    if not chief and not stopped:  # a stop is said by the command (cli._ended)
        emitter.log(f"this worker's part is done: the run and its model are written by the "
                    f"chief (worker 0, or the chief task) under {chief_out}")
    emitter.emit("finished", run_dir=str(run) if chief else None, best_epoch=state.best_epoch,
                 best_val_accuracy=state.best_val_accuracy, stopped=stopped,
                 best_model=str(run / rundir.BEST) if state.best_epoch and chief else None,
                 epochs_done=state.epoch, time_budget_reached=budget_reached,
                 seconds=time.monotonic() - t_start)
    return run


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))
