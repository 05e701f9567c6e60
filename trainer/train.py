"""Fit a recipe, checkpoint every epoch, resume exactly, stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import math
import os
import signal
import time
import traceback
from pathlib import Path

from trainer import rundir
from trainer.config import TrainConfig
from trainer.data import FerData, data_report, find_shared_csv, format_report, load_cached
from trainer.events import EventEmitter

KEEP_CHECKPOINTS = 2


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


def _make_callback(run: Path, state: dict, emitter: EventEmitter, stop: _StopFlag,
                   steps: int, batch_size: int, epochs: int, max_seconds: float = 0.0):
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
                seen = (batch + 1) * batch_size
                emitter.emit("batch", epoch=self._epoch_no, epochs=epochs, step=batch + 1,
                             steps=steps, loss=float(logs.get("loss", math.nan)),
                             accuracy=float(logs.get("accuracy", math.nan)),
                             images_per_s=seen / max(1e-6, now - self._t0))
                self._last = now
            if max_seconds:
                spent = sum(r["seconds"] for r in state["history"]) + now - self._t0
                if spent >= max_seconds:
                    stop.requested = True
                    state["time_budget_reached"] = True
            if stop.requested:
                self.model.stop_training = True

        @property
        def _epoch_no(self) -> int:
            return state["epoch"] + 1

        def on_epoch_end(self, epoch, logs=None):
            from trainer.recipe import current_lr

            if self._steps_done < steps:  # stopped mid-epoch: the last checkpoint stands
                return
            logs = logs or {}
            seconds = time.monotonic() - self._t0
            number = epoch + 1
            val_acc = float(logs.get("val_accuracy", math.nan))
            best = state["best_val_accuracy"]
            improved = math.isfinite(val_acc) and (best is None or val_acc > best)
            ckpt = run / rundir.checkpoint_name(number)  # commit order: see rundir's docstring
            rundir.save_keras_atomic(self.model, ckpt)
            if improved:
                state["best_val_accuracy"], state["best_epoch"] = val_acc, number
            row = {"epoch": number, "loss": float(logs.get("loss", math.nan)),
                   "accuracy": float(logs.get("accuracy", math.nan)),
                   "val_loss": float(logs.get("val_loss", math.nan)), "val_accuracy": val_acc,
                   "lr": current_lr(self.model), "seconds": round(seconds, 2),
                   "images_per_s": steps * batch_size / max(seconds, 1e-6)}
            state["history"].append(row)
            state["epoch"] = number
            state["checkpoint"] = ckpt.name
            rundir.atomic_write_json(run / rundir.STATE, state)  # the commit point
            if improved:
                rundir.link_best(run, ckpt)
            rundir.write_history(run, state["history"])
            for old in sorted(run.glob("ckpt-*.keras"))[:-KEEP_CHECKPOINTS]:
                old.unlink(missing_ok=True)
            emitter.emit("epoch", epochs=epochs, best_val_accuracy=state["best_val_accuracy"],
                         best_epoch=state["best_epoch"], **row)
            emitter.emit("checkpoint", epoch=number, path=str(ckpt), best=improved)

    return RunCallback()


def _load_data(config: TrainConfig, out: Path, emitter: EventEmitter) -> FerData:
    if config.images:
        from trainer.imagefolder import load_folder_for_training

        return load_folder_for_training(config.images, config.seed, emitter)
    shared = find_shared_csv()
    csv = config.csv or (str(shared) if shared else "")
    if not csv:
        from trainer.data import DatasetError

        raise DatasetError("(none)", "no CSV given: pass --csv PATH to the FER-2013 CSV")
    data = load_cached(csv, out / ".cache", config.limit_per_split)
    report = data_report(data)
    emitter.emit("data_report", **report)
    emitter.log(format_report(report))
    for warning in report["warnings"]:
        emitter.log(f"!!! WARNING: {warning}")
    return data


def load_votes_for(config: TrainConfig, emitter: EventEmitter):
    """The FER+ votes lined up with the CSV (``--labels ferplus/mixed`` need them)."""
    from trainer import ferplus
    from trainer.data import DatasetError

    csv = config.csv or str(find_shared_csv() or "")
    path = config.votes or str(ferplus.find_shared_votes(csv) or "")
    if not path:
        raise DatasetError("(none)", f"--labels {config.labels} needs the FER+ votes "
                           "(fer2013new.csv): pass --votes PATH or put the file beside the CSV")
    votes = ferplus.load_votes(path, ferplus.csv_usage(csv), csv)
    emitter.log(f"FER+ votes: {path} ({int(votes.valid['Training'].sum())} Training rows with a "
                "FER+ target)")
    return votes.limited(config.limit_per_split)


def _training_arrays(config: TrainConfig, data: FerData, votes, run: Path,
                     emitter: EventEmitter):
    """Inputs and soft targets: the chosen label set, then the teacher's share if distilling."""
    import keras

    from trainer import distill, ferplus, recipe

    x = recipe.to_arrays(data.images["Training"], data.labels["Training"])[0]
    targets, keep = ferplus.training_targets(data.labels["Training"], votes, "Training",
                                             config.labels)
    if config.teachers:
        keras.mixed_precision.set_global_policy("float32")
        x_pub = recipe.to_arrays(data.images["PublicTest"], data.labels["PublicTest"])[0]
        teacher = distill.label_with_teacher([Path(t) for t in config.teachers], x, x_pub,
                                             data.labels["PublicTest"], run, emitter.log)
        targets = distill.mix_targets(targets, teacher[keep], config.teacher_weight)
    return x[keep], targets


def train(config: TrainConfig, emitter: EventEmitter, resume_dir: Path | None = None,
          new_epochs: int | None = None) -> Path:
    """Train (or resume) a run and return its folder. Raises the named user errors.

    ``new_epochs`` (resume only) changes the run's length: the cosine schedule is stretched or
    shrunk so it ends at the new last epoch, continuing from the current step.
    """
    stop = _StopFlag()
    stop.install()
    t_start = time.monotonic()
    if resume_dir is not None:
        run = Path(resume_dir)
        config = TrainConfig.from_dict(rundir.read_json(run / rundir.CONFIG))
        config.events = emitter.mode
        state = rundir.read_json(run / rundir.STATE)
        rundir.check_writable(run)
        rundir.remove_leftovers(run)
        if rundir.repair_best(run, state):
            emitter.log(f"best.keras re-linked to epoch {state['best_epoch']} (the last run was "
                        "killed while saving it)")
        out = run.parent
        if new_epochs is not None and new_epochs != config.resolved_epochs:
            from trainer.config import ConfigError

            if new_epochs <= state["epoch"]:
                raise ConfigError(f"--epochs {new_epochs} is not more than the {state['epoch']} "
                                  "epochs this run has already done")
            emitter.log(f"changing the run's length from {config.resolved_epochs} to "
                        f"{new_epochs} epochs")
            config.epochs = new_epochs
            state["epochs"] = new_epochs
            saved = rundir.read_json(run / rundir.CONFIG)
            saved["epochs"] = new_epochs
            saved.setdefault("resolved", {})["epochs"] = new_epochs
            rundir.atomic_write_json(run / rundir.CONFIG, saved)
    else:
        out = Path(config.out)
        rundir.check_writable(out)
        run = None
        state = None
    data = _load_data(config, out, emitter)
    # The votes are checked before a run folder exists: a refused file leaves nothing behind.
    votes = load_votes_for(config, emitter) if config.labels != "fer" else None
    if run is None:
        run = rundir.new_run_dir(out, config.preset)
    emitter.attach_run_dir(run)
    if config.images:  # "Use this model" compares on the folder's test faces
        from trainer.imagefolder import save_test_faces

        save_test_faces(run, data.images["PublicTest"], data.labels["PublicTest"], None,
                        Path(config.images).name)

    configure_threads(config.threads)
    import keras
    import tensorflow as tf

    from trainer import recipe
    from trainer.keras_files import load_keras

    precision = recipe.resolve_precision(config.precision)
    keras.utils.set_random_seed(config.seed)
    epochs, batch_size = config.resolved_epochs, config.resolved_batch_size
    x_train, y_train = _training_arrays(config, data, votes, run, emitter)
    x_val, y_val = recipe.to_arrays(data.images["PublicTest"], data.labels["PublicTest"])
    recipe.set_precision(precision)
    steps = math.ceil(len(x_train) / batch_size)
    strategy = recipe.make_strategy(config.strategy)

    with strategy.scope():
        if state is None:
            state = {"epoch": 0, "epochs": epochs, "checkpoint": None, "best_val_accuracy": None,
                     "best_epoch": None, "history": [], "status": "running",
                     "dataset_sha256": data.sha256, "precision": precision}
            saved = config.to_dict() | {"resolved": {"epochs": epochs, "batch_size": batch_size,
                                        "learning_rate": config.resolved_learning_rate,
                                        "precision": precision}}
            rundir.atomic_write_json(run / rundir.CONFIG, saved)
            model = recipe.BUILDERS[config.preset]()
            recipe.compile_model(model, config.preset, config.resolved_learning_rate, steps, epochs)
        else:
            if state.get("dataset_sha256") not in (None, data.sha256):
                emitter.log("warning: the CSV differs from the one this run started with")
            ckpt = state.get("checkpoint")
            if ckpt:
                model = load_keras(run / ckpt, compile=True)
                schedule = getattr(model.optimizer, "_learning_rate", None)
                if isinstance(schedule, recipe.WarmupCosine):
                    schedule.total_steps = epochs * steps  # follows a changed run length
            else:  # killed before the first epoch ended: start that run afresh
                model = recipe.BUILDERS[config.preset]()
                recipe.compile_model(model, config.preset, config.resolved_learning_rate,
                                     steps, epochs)
        state["status"] = "running"
        rundir.atomic_write_json(run / rundir.STATE, state)

    emitter.emit("started", run_dir=str(run), config=config.to_dict(),
                 samples=data.counts(), steps_per_epoch=steps, epochs=epochs,
                 initial_epoch=state["epoch"], precision=precision,
                 devices=[d.name for d in tf.config.list_logical_devices()],
                 replicas=strategy.num_replicas_in_sync, parameters=model.count_params(),
                 resumed=resume_dir is not None)
    if resume_dir is not None:  # an epoch committed just before a kill still gets its event
        for row in rundir.epochs_without_event(run, state):
            emitter.emit("epoch", epochs=epochs, best_val_accuracy=state["best_val_accuracy"],
                         best_epoch=state["best_epoch"], **row)
    if state["epoch"] < epochs:
        train_ds = recipe.make_train_dataset(
            x_train, y_train, batch_size, config.seed + state["epoch"],
            augment=config.preset == "default", threads=config.threads,
            robust=config.augment == "robust")
        val_ds = recipe.make_eval_dataset(x_val, y_val, 256)
        callback = _make_callback(run, state, emitter, stop, steps, batch_size, epochs,
                                  max_seconds=60.0 * config.max_minutes)
        model.fit(train_ds, epochs=epochs, initial_epoch=state["epoch"], validation_data=val_ds,
                  callbacks=[callback], verbose=0)
    budget_reached = bool(state.pop("time_budget_reached", False))
    stopped = state["epoch"] < epochs and not budget_reached
    state["status"] = "stopped" if stopped else "trained"
    rundir.atomic_write_json(run / rundir.STATE, state)
    if not stopped and config.export and (run / rundir.BEST).is_file():
        from trainer.export import export_run

        export_run(run, emitter, data=data)
    state["status"] = "stopped" if stopped else "finished"
    rundir.atomic_write_json(run / rundir.STATE, state)
    emitter.emit("finished", run_dir=str(run), best_epoch=state["best_epoch"],
                 best_val_accuracy=state["best_val_accuracy"], stopped=stopped,
                 best_model=str(run / rundir.BEST) if state["best_epoch"] else None,
                 epochs_done=state["epoch"], time_budget_reached=budget_reached,
                 seconds=time.monotonic() - t_start)
    return run


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))
