"""``python -m trainer finetune``: adapt a trained model to your own faces in a few minutes.

Read top to bottom: the faces, the starting model, what is frozen, the fit, the export, the
before/after scores.

* **The faces** come from an image folder (``trainer.imagefolder``): photos go through the
  live view's detector and crop; a held-out share (or ``test/``) is never trained on.
* **The starting model** is the shipped one (``assets``), another model folder or a run's
  ``best.keras``. An ensemble is fine-tuned member by member inside the averaged model.
* **Frozen**: everything but the last block of convolutions and the dense head of each
  network. A few hundred faces cannot retrain 1.2M weights without forgetting what 28,000
  FER-2013 faces taught; the last block and the head are where "which expression" is decided.
  BatchNorm layers stay frozen (their statistics would follow a few dozen faces).
* **The fit**: a few epochs of AdamW with cosine decay, label smoothing and the trainer's
  augmentation; batch and epoch events as for any run, so the Train tab draws the curves.
* **The export** is the trainer's (``export_finetuned``): the starting model's flip decision,
  the balanced decision and temperature re-chosen on PublicTest, the int8 file scored on
  PublicTest and PrivateTest of FER-2013 through LiteRT (a start without ``model.json`` gets
  the full ``export_model``). Then the held-out faces are scored through the exported file,
  and for the starting model too, and both go into ``model.json`` as ``held_out``: what was
  gained and what was lost are both shown. The starting model's PublicTest score comes from
  its ``model.json`` when it was scored on the same CSV (same sha256), so it is not run again.

The final weights are kept (no "best epoch" picked on the held-out faces: that would make
their score a biased estimate). Nothing of the starting model is written to.
"""

from __future__ import annotations

import math
import signal
import time
from pathlib import Path

import numpy as np

from fer_desktop.core import preprocess
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import KERAS_FILE, runtime_file_name
from trainer import metrics, rundir
from trainer.data import FerData
from trainer.evaluate import model_temperature
from trainer.events import EventEmitter
from trainer.finetune_config import PRESET, FinetuneConfig
from trainer.imagefolder import ImageFolderData, save_test_faces
from trainer.weights import leaf_layers


def starting_point(from_model: str) -> Path:
    """The folder to start from: ``from_model``, or the shipped model's folder."""
    if not from_model:
        from fer_desktop.core.model import default_model_dir

        return default_model_dir()
    folder = Path(from_model)
    if not folder.exists():  # the model in use moved away read "is not a folder" (audit 45)
        raise rundir.RunDirError(folder, "no such folder (moved or deleted?): put it back, or "
                                 "start from another model folder")
    if not folder.is_dir():
        raise rundir.RunDirError(folder, "is not a folder: give a model folder "
                                 f"({rundir.MODEL} + {KERAS_FILE}, e.g. assets) or a run folder "
                                 "with best.keras")
    return folder


def check_starting_model(folder: Path) -> tuple[dict, Path]:
    """The starting model's model.json ({} for a run's best.keras) and its Keras file,
    checked before any slow work: a broken model.json was named only after the whole image
    folder was read (trial 60). Reads, never writes, imports no TensorFlow.

    Raises:
        RunDirError: model.json refused, its files missing or not those its export wrote, or
            no model at all.
    """
    from trainer.keras_files import model_folder_keras

    if (folder / rundir.MODEL).is_file():
        meta = rundir.read_model_json(folder / rundir.MODEL)
        keras_file = model_folder_keras(folder, "fine-tuning needs the Keras model "
                                        f"({KERAS_FILE}) beside {rundir.MODEL}")
        _runtime_file(folder, meta)  # the file its "before" is scored with, as the app
        return meta, keras_file  # checks it
    if (folder / rundir.BEST).is_file():
        return {}, folder / rundir.BEST
    raise rundir.RunDirError(folder, f"holds no model: expected {rundir.MODEL} + {KERAS_FILE} "
                             "or a run's best.keras")


def load_starting_model(folder: Path):
    """(float32 Keras model, its model.json or {}, a name for it). Reads, never writes."""
    import keras

    from trainer.keras_files import load_keras

    keras.mixed_precision.set_global_policy("float32")
    meta, keras_file = check_starting_model(folder)
    if meta:
        model = load_keras(keras_file)  # a damaged file named, not a traceback (audit 36)
        return model, meta, str(meta.get("name", folder.name))
    from trainer.export import best_float32_model

    return best_float32_model(folder), {}, folder.name


def _networks(model) -> list:
    """The (sub)models that hold convolutions directly: the members of an ensemble."""
    import keras

    inner = [m for layer in model.layers if isinstance(layer, keras.Model)
             for m in _networks(layer)]
    own = any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers)
    return ([model] if own else []) + inner


def freeze_all_but_last_block(model) -> list[str]:
    """Leave only each network's last convolution block and dense layers trainable.

    The last block is the convolutions named like the last one up to its first "_" ("s3_" in
    the default net, "conv4" alone in the seed net). BatchNorm stays frozen (inference mode).

    Returns:
        the trainable layers' names, "network/layer".

    Raises:
        RunDirError: the model has no convolution or dense layer to train.
    """
    import keras

    for layer in leaf_layers(model):
        layer.trainable = False
    trainable = []
    for net in _networks(model):
        convs = [layer for layer in net.layers if isinstance(layer, keras.layers.Conv2D)]
        block = convs[-1].name.split("_")[0]
        for layer in net.layers:
            last_block = isinstance(layer, keras.layers.Conv2D) and \
                layer.name.split("_")[0] == block
            if last_block or isinstance(layer, keras.layers.Dense):
                layer.trainable = True
                trainable.append(f"{net.name}/{layer.name}")
    if not trainable:
        raise rundir.RunDirError(Path(model.name), "has no convolution or dense layer to "
                                 "fine-tune")
    return trainable


class _Stop:
    """SIGTERM/SIGINT: stop after the current batch (the run ends "stopped", nothing exported)."""

    requested = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame) -> None:
        self.requested = True


def _callback(run: Path, state: rundir.RunState, emitter: EventEmitter, stop: _Stop, steps: int,
              batch_size: int):
    """Batch and epoch events plus state.json and history.csv, as a training run writes them."""
    import keras

    epochs = state.epochs

    class FinetuneCallback(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = time.monotonic()
            self._steps_done = 0

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            self._steps_done = batch + 1
            emitter.emit("batch", epoch=state.epoch + 1, epochs=epochs, step=batch + 1,
                         steps=steps, loss=float(logs.get("loss", math.nan)),
                         accuracy=float(logs.get("accuracy", math.nan)),
                         images_per_s=(batch + 1) * batch_size
                         / max(1e-6, time.monotonic() - self._t0))
            if stop.requested:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            # Keras ends a stopped epoch too: a Stop in the last one exported its half-trained
            # weights and the run read "finished" (review 44)
            if self._steps_done < steps:
                return
            logs = logs or {}
            seconds = time.monotonic() - self._t0
            val_acc = float(logs.get("val_accuracy", math.nan))
            row = {"epoch": epoch + 1, "loss": float(logs.get("loss", math.nan)),
                   "accuracy": float(logs.get("accuracy", math.nan)),
                   "val_loss": float(logs.get("val_loss", math.nan)), "val_accuracy": val_acc,
                   "lr": float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
                   "seconds": round(seconds, 2),
                   "images_per_s": steps * batch_size / max(seconds, 1e-6)}
            state.history.append(row)
            state.epoch = epoch + 1
            # The final weights are kept; the "best" fields show the last epoch's score.
            state.best_val_accuracy, state.best_epoch = val_acc, epoch + 1
            state.save(run)
            rundir.write_history(run, state.history)
            emitter.emit("epoch", epochs=epochs, best_val_accuracy=val_acc,
                         best_epoch=epoch + 1, **row)

    return FinetuneCallback()


def _fit(model, folder: ImageFolderData, config: FinetuneConfig, run: Path, state: rundir.RunState,
         emitter: EventEmitter, stop: _Stop) -> None:
    import keras

    from trainer import recipe

    x, y = recipe.to_arrays(folder.train_images, folder.train_labels)
    x_val, y_val = recipe.to_arrays(folder.test_images, folder.test_labels)
    steps = math.ceil(len(x) / config.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, decay_steps=config.epochs * steps, alpha=0.01)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.01),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
                  metrics=["accuracy"])
    train_ds = recipe.make_train_dataset(x, y, config.batch_size, config.seed, augment=True,
                                         threads=config.threads,
                                         robust=config.augment == "robust")
    val_ds = recipe.make_eval_dataset(x_val, y_val, 256)
    model.fit(train_ds, epochs=config.epochs, validation_data=val_ds, verbose=0,
              shuffle=False,  # the dataset shuffles itself; True printed a warning
              callbacks=[_callback(run, state, emitter, stop, steps, config.batch_size)])


def score_faces(model_file: Path, faces: np.ndarray, labels: np.ndarray,
                temperature: float = 1.0) -> dict:
    """The summary (accuracy, balanced accuracy, per class, confusion) of an exported file on
    faces (n, 48, 48) uint8, through LiteRT as the app runs it; per-face predictions too."""
    from trainer.convert import run_tflite

    probabilities = run_tflite(model_file, preprocess.preprocess_faces(faces))
    summary = metrics.summarize(metrics.apply_temperature(probabilities, temperature), labels)
    return summary | {"predicted": probabilities.argmax(1).tolist()}


def _runtime_file(folder: Path, meta: dict) -> Path | None:
    """The .tflite file the app would run, checked as the app checks it (a damaged one was
    scored as the starting model, trial 60); None when there is none."""
    name = runtime_file_name(meta)
    if not name or not (folder / name).is_file():
        return None
    rundir.check_model_file(folder / name, meta)
    return folder / name


def _held_out_before(start: Path, start_meta: dict, model, folder: ImageFolderData) -> dict:
    """The starting model on the held-out faces: its exported file when it has one (what the
    app runs), else the Keras model's plain probabilities."""
    runtime = _runtime_file(start, start_meta)
    if runtime is not None:
        return score_faces(runtime, folder.test_images, folder.test_labels,
                           model_temperature(start_meta, start / rundir.MODEL))
    probabilities = model.predict(preprocess.preprocess_faces(folder.test_images), verbose=0)
    return metrics.summarize(probabilities, folder.test_labels) | {
        "predicted": probabilities.argmax(1).tolist()}


def _public_before(start: Path, start_meta: dict, data: FerData) -> float | None:
    """The starting model's PublicTest accuracy: as its model.json recorded it for this same
    CSV, else measured on this CSV's PublicTest now (a CSV of the user's own gave "n/a",
    the one comparison --csv was given for: trial 60); None with no exported file."""
    recorded = start_meta.get("accuracy", {}).get(runtime_file_name(start_meta), {}).get(
        "public_accuracy")
    if start_meta.get("dataset_sha256") == data.sha256 and recorded is not None:
        return recorded
    model_file = _runtime_file(start, start_meta)
    if model_file is None or not len(data.labels["PublicTest"]):
        return None
    return score_faces(model_file, data.images["PublicTest"], data.labels["PublicTest"],
                       model_temperature(start_meta, start / rundir.MODEL))["accuracy"]


def _scoring_data(config: FinetuneConfig, folder: ImageFolderData, emitter: EventEmitter
                  ) -> tuple[FerData, bool]:
    """(data the export scores, True when it is FER-2013): the CSV when there is one."""
    from trainer.data import find_shared_csv, load_cached, user_cache_dir

    csv = config.csv or str(find_shared_csv() or "")
    if not csv:
        emitter.log("no FER-2013 CSV found (--csv): the export scores the folder's test set "
                    "only, so what the model lost on FER-2013 is not shown")
        return folder.as_fer_data(), False
    return load_cached(csv, user_cache_dir()), True


def _held_out_entry(folder: ImageFolderData, before: dict, after: dict) -> dict:
    keep = ("accuracy", "balanced_accuracy", "per_class", "confusion", "predicted")
    return {"images": folder.root, "test_source": folder.report.test_source,
            "samples": int(len(folder.test_labels)), "paths": list(folder.test_paths),
            "labels": folder.test_labels.tolist(),
            "classes_trained": folder.emotions,
            "after": {k: after[k] for k in keep}, "before": {k: before[k] for k in keep}}


def format_comparison(meta: dict) -> str:
    """Before/after table of a fine-tuned model.json, for the log."""
    held = meta["held_out"]
    start = meta.get("started_from", {})
    after_public = meta["accuracy"][runtime_file_name(meta)]["public_accuracy"]
    before_public = start.get("public_accuracy")
    public_name = "FER-2013 PublicTest" if meta.get("scored_on_fer2013") else "test (again)"

    def pct(v):
        return "n/a" if v is None else f"{100 * v:.1f}%"

    return "\n".join([
        f"{'':<28}{'before':>10}{'after':>10}",
        f"{'your test faces (' + str(held['samples']) + ')':<28}"
        f"{pct(held['before']['accuracy']):>10}{pct(held['after']['accuracy']):>10}",
        f"{public_name:<28}{pct(before_public):>10}{pct(after_public):>10}"])


def finetune(config: FinetuneConfig, emitter: EventEmitter) -> Path:
    """Fine-tune, export and score; return the run folder. Raises the named user errors."""
    from trainer.imagefolder import emit_folder_report, load_image_folder

    stop = _Stop()
    stop.install()
    t_start = time.monotonic()
    out = Path(config.out)
    rundir.check_writable(out)
    start = starting_point(config.from_model)
    check_starting_model(start)  # before the image folder is read (trial 60)
    folder = load_image_folder(config.images, config.seed)
    emit_folder_report(folder, folder.as_fer_data(), emitter)
    data, on_fer = _scoring_data(config, folder, emitter)

    from trainer.train import configure_threads, forget_run

    configure_threads(config.threads)
    import keras

    keras.utils.set_random_seed(config.seed)
    model, start_meta, start_name = load_starting_model(start)
    run = rundir.new_run_dir(out, PRESET)
    emitter.attach_run_dir(run)
    rundir.atomic_write_json(run / rundir.CONFIG, config.to_dict() | {
        "preset": PRESET, "copies_together": True, "copies_mirrored": True,
        "resolved": {"epochs": config.epochs, "batch_size": config.batch_size,
                     "learning_rate": config.learning_rate, "precision": "float32",
                     # the run list's "2 of 10" before an export (it said "20.0%", trial 51)
                     "test_faces": len(folder.test_labels)}})
    # owner: a killed fine-tune reads "interrupted" in the run list at once, as a training
    # run does (without it the list waited for the file to go stale)
    state = rundir.RunState(epochs=config.epochs, status=rundir.RUNNING,
                            dataset_sha256=folder.sha256, precision="float32",
                            owner=rundir.this_process())
    state.save(run)
    try:
        save_test_faces(run, folder.test_images, folder.test_labels, folder.test_paths,
                        Path(folder.root).name)
    except BaseException as exc:  # it stayed, "running", holding nothing of use (audit 46)
        forget_run(run, emitter, exc)
        raise
    try:
        fit_seconds = _fit_and_export(model, folder, config, run, state, emitter, stop,
                                      data, on_fer, start, start_meta, start_name)
    except Exception as exc:
        _failed(run, state, emitter, exc)
        raise
    cpu_to_tuned = time.process_time()  # all threads: what an idle machine would need
    stopped = state.epoch < config.epochs
    state.status = rundir.STOPPED if stopped else rundir.FINISHED
    state.save(run)
    emitter.emit("finished", run_dir=str(run), best_epoch=state.best_epoch,
                 best_val_accuracy=state.best_val_accuracy, stopped=stopped,
                 best_model=None, epochs_done=state.epoch, time_budget_reached=False,
                 seconds=time.monotonic() - t_start, fit_seconds=fit_seconds,
                 cpu_seconds_to_tuned=cpu_to_tuned, cpu_seconds=time.process_time())
    return run


def _fit_and_export(model, folder: ImageFolderData, config: FinetuneConfig, run: Path,
                    state: rundir.RunState, emitter: EventEmitter, stop: _Stop, data: FerData,
                    on_fer: bool, start: Path, start_meta: dict, start_name: str) -> float:
    """The "before" scores, the fit and (unless stopped) the export; the fit's seconds."""
    before = _held_out_before(start, start_meta, model, folder)
    # before the fit, as the held-out faces' "before": measured at the end, a starting model
    # changed during the run failed a finished fine-tune at its last step (review 67)
    public_before = _public_before(start, start_meta, data) if on_fer else None
    trainable = freeze_all_but_last_block(model)
    emitter.emit("started", run_dir=str(run), config=config.to_dict(),
                 samples={"Training": len(folder.train_labels),
                          "PublicTest": len(folder.test_labels)},
                 steps_per_epoch=math.ceil(len(folder.train_labels) / config.batch_size),
                 epochs=config.epochs, initial_epoch=0, precision="float32",
                 parameters=int(model.count_params()), resumed=False, trainable=trainable,
                 started_from=str(start))
    t_fit = time.monotonic()
    _fit(model, folder, config, run, state, emitter, stop)
    fit_seconds = time.monotonic() - t_fit
    if state.epoch == config.epochs:  # not stopped
        _export(model, run, data, on_fer, folder, (before, public_before), start, start_meta,
                start_name, config, fit_seconds, emitter)
    return fit_seconds


def _failed(run: Path, state: rundir.RunState, emitter: EventEmitter, exc: Exception) -> None:
    """A fine-tune that failed after its run folder was made keeps nothing usable: no
    checkpoint, so it is started again, never resumed or exported. Its state says so,
    ``failed`` (a full disk left it "running", told "what was finished is kept", and
    ``export`` of it said "has not finished an epoch yet", trial 60); where even that
    cannot be written, the folder goes. ``exc.failed_run`` names a folder kept."""
    from trainer.train import forget_run

    state.status = rundir.FAILED
    try:
        state.save(run)
    except OSError:
        forget_run(run, emitter, exc)
    else:
        exc.failed_run = str(run)


def _export(model, run: Path, data: FerData, on_fer: bool, folder: ImageFolderData,
            befores: tuple[dict, float | None], start: Path, start_meta: dict, start_name: str,
            config: FinetuneConfig, fit_seconds: float, emitter: EventEmitter) -> dict:
    """Export (taking the starting model's decisions, ``export_finetuned``), then add the
    held-out before/after and the starting point (``befores``: the starting model on the
    held-out faces and its PublicTest accuracy, measured before the fit)."""
    from trainer.export import export_finetuned

    before, public_before = befores
    # named as its run is in the Train tab's list, as every run's model is ("finetune
    # 20261206-152432-finetune on collected faces", the window: "finetune 20261206-152432 on
    # collected faces"); the starting model's long name in front was cut to "...uned on
    # collected faces" in the status bar (trial 24), and it stays in started_from
    described = {"name": f"{PRESET} {run.name} on {rundir.faces_folder_name(folder.root)}",
                 "dataset_sha256": data.sha256,
                 "recipe": {"preset": PRESET, "epochs": config.epochs,
                            "batch_size": config.batch_size,
                            "learning_rate": config.learning_rate, "precision": "float32"},
                 "training": {"seconds": round(fit_seconds, 1), "epochs_done": config.epochs,
                              "images": folder.root, "images_sha256": folder.sha256,
                              "faces": {"train": int(len(folder.train_labels)),
                                        "test": int(len(folder.test_labels))}}}
    # A fresh, uncompiled copy: model.keras then holds no optimizer state (a third the size).
    fresh = load_starting_model(start)[0]
    fresh.set_weights(model.get_weights())
    meta = export_finetuned(fresh, run, data, emitter, described, start_meta, into_run=True)
    runtime = _runtime_file(run, meta)
    after = score_faces(runtime, folder.test_images, folder.test_labels, meta["temperature"])
    meta["held_out"] = _held_out_entry(folder, before, after)
    meta["started_from"] = {"path": str(start), "name": start_name,
                            "public_accuracy": public_before}
    meta["scored_on_fer2013"] = on_fer
    rundir.atomic_write_json(run / rundir.MODEL, meta)
    emitter.emit("evaluated", model=runtime.name, split="held-out",
                 accuracy=after["accuracy"], balanced_accuracy=after["balanced_accuracy"],
                 per_class={k: {"recall": v["recall"]} for k, v in after["per_class"].items()},
                 confusion=after["confusion"], accuracy_before=before["accuracy"])
    emitter.log(format_comparison(meta))
    missing = [e for e in EMOTIONS if e not in folder.emotions]
    if missing:
        emitter.log(f"not in your faces, so not fine-tuned: {', '.join(missing)}")
    return meta
