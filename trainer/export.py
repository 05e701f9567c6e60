"""Export a run's best model for the app: ``.keras``, ``.tflite`` (float32, int8) and model.json.

The exported files are checked against the Keras model on the same inputs, scored on
PublicTest and PrivateTest through LiteRT, and the int8 copy is kept only when it loses at most
0.3 points of PublicTest accuracy. Everything is written to temporary names and renamed, and
``model.json`` last, so a folder with a ``model.json`` always holds the files it names.
An ensemble (several runs' best checkpoints averaged in one Keras model) goes through the same
``export_model``; ``int8_only`` leaves the float32 ``.tflite`` out of what ships.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import numpy as np

from fer_desktop.core import preprocess
from fer_desktop.core.emotions import EMOTIONS
from trainer import metrics, rundir
from trainer.events import EventEmitter

INT8_MAX_LOSS = 0.003
MODEL_FORMAT_VERSION = 1


def float32_copy(model, preset: str):
    """Rebuild ``model`` in float32 with the same weights (TFLite has no bfloat16 kernels)."""
    import keras

    from trainer.recipe import BUILDERS

    keras.mixed_precision.set_global_policy("float32")
    clone = BUILDERS[preset]()
    clone.set_weights(model.get_weights())
    return clone


def with_flip_averaging(model):
    """A model that averages the predictions of the face and its mirror image."""
    import keras

    class MirrorImage(keras.layers.Layer):
        def call(self, x):
            return keras.ops.flip(x, axis=2)

    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    both = keras.layers.Average(name="probabilities_tta")(
        [model(inputs), model(MirrorImage(name="mirror")(inputs))])
    return keras.Model(inputs, both, name=f"{model.name}_flip")


def with_prior_correction(model, weights: np.ndarray):
    """A model whose probabilities are multiplied by per-class weights and renormalised.

    This is the balanced decision (see ``metrics.choose_prior_power``) inside the graph, so
    that the app, ``analyze`` and any script that runs the file get the same answer.
    """
    import keras

    constant = np.asarray(weights, np.float32)[None, :]

    class PriorCorrection(keras.layers.Layer):
        def call(self, p):
            adjusted = p * keras.ops.convert_to_tensor(constant)
            return adjusted / keras.ops.sum(adjusted, axis=-1, keepdims=True)

    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    outputs = PriorCorrection(name="prior_correction", dtype="float32")(model(inputs))
    return keras.Model(inputs, outputs, name=f"{model.name}_balanced")


def to_tflite(model, quantize: bool, flip_tta: bool = False,
              prior_weights: np.ndarray | None = None) -> bytes:
    """Convert with Keras's own export path (it freezes the weights into the flatbuffer)."""
    import tensorflow as tf

    if flip_tta:
        model = with_flip_averaging(model)
    if prior_weights is not None and not np.allclose(prior_weights, 1.0):
        model = with_prior_correction(model, prior_weights)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]  # dynamic-range int8 weights
    return converter.convert()


def run_tflite(model_bytes_or_path, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """Predict with LiteRT, the runtime the app uses."""
    from ai_edge_litert.interpreter import Interpreter

    if isinstance(model_bytes_or_path, bytes | bytearray):
        interpreter = Interpreter(model_content=bytes(model_bytes_or_path), num_threads=2)
    else:
        interpreter = Interpreter(model_path=str(model_bytes_or_path), num_threads=2)
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    results = []
    size = None
    for start in range(0, len(x), batch):
        chunk = x[start:start + batch].astype(np.float32)
        if size != len(chunk):
            interpreter.resize_tensor_input(inp["index"], [len(chunk), *preprocess.INPUT_SHAPE])
            interpreter.allocate_tensors()
            size = len(chunk)
        interpreter.set_tensor(inp["index"], chunk)
        interpreter.invoke()
        results.append(interpreter.get_tensor(out["index"]).copy())
    return np.concatenate(results) if results else np.zeros((0, len(EMOTIONS)), np.float32)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _best_float32_model(run: Path, name: str | None = None):
    """A run's best checkpoint as an uncompiled float32 Keras model (optionally renamed)."""
    from trainer.keras_files import load_keras

    config = rundir.read_json(run / rundir.CONFIG)
    best = rundir.best_file(run, rundir.read_json(run / rundir.STATE))  # read-only
    if not best.is_file():
        raise rundir.RunDirError(best, "missing: the run has not finished an epoch yet")
    model = float32_copy(load_keras(best, compile=False),
                         config.get("preset", "default"))
    if name:
        model.name = name  # nested members need unique names inside the ensemble
    return model


def _check_same_data(data, digest: str | None, csv) -> None:
    """Scores and the temperature must come from the data the model was trained on."""
    if digest and data.sha256 != digest:
        raise rundir.RunDirError(Path(csv), "is not the CSV the model was trained on (its sha256 "
                                 "differs from the run's); pass the training CSV with --csv")


def _training_summary(run: Path) -> dict:
    state = rundir.read_json(run / rundir.STATE)
    return {"epochs_done": state.get("epoch"), "best_epoch": state.get("best_epoch"),
            "best_public_accuracy_keras": state.get("best_val_accuracy"),
            "seconds": round(sum(r.get("seconds", 0) for r in state["history"]), 1)}


def export_run(run: Path, emitter: EventEmitter, data=None, csv: str | None = None,
               copy_to: str | None = None, int8_only: bool = False) -> dict:
    """Write the runtime files into ``run`` (and ``copy_to``); return the model.json dict."""
    from trainer.data import load_cached

    run = Path(run)
    config = rundir.read_json(run / rundir.CONFIG)
    state = rundir.read_json(run / rundir.STATE)
    rundir.repair_best(run, state)  # a kill between state.json and best.keras: relink first
    keras_model = _best_float32_model(run)
    images = "" if csv else config.get("images") or ""  # an image-folder run: its own folder
    if data is None and images:
        from trainer.imagefolder import load_image_folder

        data = load_image_folder(images, config.get("seed", 1337)).as_fer_data()
    elif data is None:
        data = load_cached(csv or config["csv"], run.parent / ".cache")
    _check_same_data(data, state.get("dataset_sha256"), csv or images or config["csv"])
    described = {"name": f"{config.get('preset', 'model')} {run.name}",
                 "dataset_sha256": state.get("dataset_sha256"),
                 "recipe": {"preset": config.get("preset"), **config.get("resolved", {})},
                 "training": _training_summary(run)}
    return export_model(keras_model, run, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only,
                        ferplus_majority=None if images else ferplus_majorities(
                            csv or config["csv"], data, config.get("votes") or None))


def export_model_folder(folder: Path, out: Path, emitter: EventEmitter, csv: str,
                        copy_to: str | None = None, int8_only: bool = False) -> dict:
    """Re-export an exported model (``model.json`` + ``model.keras``, e.g. ``assets``).

    Used to give an already shipped model the current export's decisions (the balanced
    decision, flip averaging, temperature) and scores, on the CSV given. A model whose
    ``model.json`` names another CSV is re-checked on this one, and both checksums are kept.
    """
    import keras

    from trainer.data import load_cached, user_cache_dir

    folder, out = Path(folder), Path(out)
    if out.resolve() == folder.resolve():
        raise rundir.RunDirError(out, "is the model folder being re-exported: write to another "
                                 "folder with --out (and ship it with --to)")
    meta = rundir.read_json(folder / "model.json")
    keras_file = folder / str(meta.get("files", {}).get("keras", "model.keras"))
    if not keras_file.is_file():
        raise rundir.RunDirError(keras_file, "missing: re-exporting needs the Keras model")
    model = keras.models.load_model(keras_file, compile=False)
    data = load_cached(csv, user_cache_dir())
    training = dict(meta.get("training") or {})
    if meta.get("dataset_sha256") not in (None, data.sha256):
        emitter.log(f"{folder}: trained on a CSV with another sha256; re-checked on {csv}")
        training["trained_on_dataset_sha256"] = meta.get("dataset_sha256")
    described = {"name": str(meta.get("name", folder.name)), "dataset_sha256": data.sha256,
                 "recipe": meta.get("recipe"), "training": training}
    rundir.check_writable(out)
    return export_model(model, out, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only, ferplus_majority=ferplus_majorities(csv, data))


def ferplus_majorities(csv: str | os.PathLike, data, votes: str | None = None
                       ) -> dict[str, np.ndarray] | None:
    """FER+ majority per test split when votes that describe ``csv`` are found (else None)."""
    from trainer import ferplus
    from trainer.data import DatasetError

    path = votes or ferplus.find_shared_votes(csv)
    if not path:
        return None
    try:
        loaded = ferplus.load_votes(path, ferplus.csv_usage(csv), csv)
    except DatasetError:
        if votes:  # the user named this file: it must line up
            raise
        return None  # the shared votes describe another CSV: no FER+ scores for this one
    counts = data.counts()
    return {s: loaded.majority(s)[:counts[s]] for s in ("PublicTest", "PrivateTest")}


def ensemble_of(members: list) -> object:
    """One Keras model whose output is the mean of the members' probabilities."""
    import keras

    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    mean = keras.layers.Average(name="probabilities_ensemble")([m(inputs) for m in members])
    return keras.Model(inputs, mean, name=f"ensemble_of_{len(members)}")


def export_ensemble(runs: list[Path], out: Path, emitter: EventEmitter, csv: str | None = None,
                    copy_to: str | None = None, int8_only: bool = False) -> dict:
    """Average several runs' best checkpoints into one model and export it like a run.

    Each member's own PublicTest accuracy is logged beside the ensemble's, so the choice of
    members is made on PublicTest; PrivateTest is only reported.
    """
    from trainer.data import load_cached

    runs = [Path(r) for r in runs]
    if len(runs) < 2:
        raise rundir.RunDirError(runs[0] if runs else Path("."),
                                 "an ensemble needs at least two run folders")
    if len({r.resolve() for r in runs}) != len(runs):
        raise rundir.RunDirError(runs[0], "the same run is named twice")
    configs = [rundir.read_json(r / rundir.CONFIG) for r in runs]
    states = [rundir.read_json(r / rundir.STATE) for r in runs]
    digest = states[0].get("dataset_sha256")
    for run, state in zip(runs[1:], states[1:], strict=True):
        if state.get("dataset_sha256") != digest:
            raise rundir.RunDirError(run, f"was trained on a different CSV than {runs[0]} "
                                     "(dataset sha256 differs)")
    out = Path(out)
    if (out / rundir.CONFIG).exists() or (out / rundir.STATE).exists() \
            or out.resolve() in {r.resolve() for r in runs}:
        raise rundir.RunDirError(out, "is a run folder: write the ensemble to a folder of its "
                                 "own (--out)")
    members = [_best_float32_model(r, name=f"member{i}") for i, r in enumerate(runs)]
    data = load_cached(csv or configs[0]["csv"], runs[0].parent / ".cache")
    _check_same_data(data, digest, csv or configs[0]["csv"])
    rundir.check_writable(out)
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    y_pub = data.labels["PublicTest"]
    member_info = []
    for run, model, config in zip(runs, members, configs, strict=True):
        acc = float((model.predict(x_pub, batch_size=256, verbose=0).argmax(1) == y_pub).mean())
        emitter.log(f"member {run.name}: PublicTest {acc:.4f} (plain)")
        member_info.append({"run": run.name, "seed": config.get("seed"),
                            "public_accuracy_plain": acc, **_training_summary(run)})
    presets = sorted({str(c.get("preset")) for c in configs})
    resolved = configs[0].get("resolved", {})
    described = {
        "name": f"{'+'.join(presets)} ensemble of {len(runs)}",
        "dataset_sha256": digest,
        "recipe": {"preset": f"{'+'.join(presets)} ensemble x{len(runs)}",
                   "batch_size": resolved.get("batch_size"),
                   "precision": resolved.get("precision")},
        "training": {"seconds": round(sum(m["seconds"] for m in member_info), 1),
                     "members": member_info},
    }
    return export_model(ensemble_of(members), out, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only,
                        ferplus_majority=ferplus_majorities(csv or configs[0]["csv"], data))


def export_model(keras_model, out: Path, data, emitter: EventEmitter, described: dict,
                 copy_to: str | None = None, int8_only: bool = False,
                 ferplus_majority: dict[str, np.ndarray] | None = None) -> dict:
    """Score, convert and write ``keras_model`` into ``out``; return the model.json dict.

    ``described`` supplies model.json's name, dataset_sha256, recipe and training entries;
    ``ferplus_majority`` (per split, -1 where FER+ has no answer) adds the FER+ scores.
    ``int8_only`` leaves the float32 ``.tflite`` out (it is still converted, checked and
    scored, and its accuracy logged): an ensemble's float32 file alone can break the 20 MB
    budget of what the app ships.
    """
    import keras
    import tensorflow as tf

    out = Path(out)
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    y_pub = data.labels["PublicTest"]
    x_priv = preprocess.preprocess_faces(data.images["PrivateTest"])
    y_priv = data.labels["PrivateTest"]
    if len(y_priv) == 0:
        emitter.log("warning: the CSV has no PrivateTest rows: the model's PrivateTest figures "
                    "are left empty (null) in model.json")

    # The balanced decision: for the plain and the flip-averaged outputs, the prior power that
    # PublicTest's balanced accuracy prefers; flip averaging goes into the graph only when it
    # gains at least 0.3 points of that balanced accuracy (it doubles the cost of a face).
    frequencies = metrics.class_frequencies(data.labels["Training"])
    p_plain = keras_model.predict(x_pub, batch_size=256, verbose=0)
    p_flip = 0.5 * (p_plain + keras_model.predict(x_pub[:, :, ::-1], batch_size=256, verbose=0))
    choices = {flip: metrics.choose_prior_power(p, y_pub, frequencies)
               for flip, p in ((False, p_plain), (True, p_flip))}
    best = {flip: scores[power] for flip, (power, scores) in choices.items()}
    flip_tta = best[True] >= best[False] + 0.003
    power, power_scores = choices[flip_tta]
    weights = metrics.prior_weights(frequencies, power)
    p_keras = metrics.apply_prior(p_flip if flip_tta else p_plain, weights)
    temperature = metrics.fit_temperature(p_keras, y_pub)
    emitter.log(f"PublicTest balanced accuracy: plain {best[False]:.4f}, flip-averaged "
                f"{best[True]:.4f} -> flip in model: {flip_tta}; by prior power "
                + ", ".join(f"{t:g}: {v:.4f}" for t, v in power_scores.items())
                + f" -> power {power:g}; temperature {temperature:.3f}")
    majority = ferplus_majority or {}

    files: dict[str, dict] = {}
    float_bytes = to_tflite(keras_model, quantize=False, flip_tta=flip_tta, prior_weights=weights)
    p_float = run_tflite(float_bytes, x_pub)
    max_diff = float(np.abs(p_float - p_keras).max())
    if not max_diff <= 1e-3:  # also catches NaN
        raise RuntimeError(f"exported float32 model differs from Keras by {max_diff:.2e}")
    int8_bytes = to_tflite(keras_model, quantize=True, flip_tta=flip_tta, prior_weights=weights)
    p_int8 = run_tflite(int8_bytes, x_pub)
    candidates = {"model.tflite": (float_bytes, p_float), "model-int8.tflite": (int8_bytes, p_int8)}
    for name, (blob, p_public) in candidates.items():
        p_private = run_tflite(blob, x_priv)
        public = metrics.summarize(metrics.apply_temperature(p_public, temperature), y_pub,
                                   majority.get("PublicTest"))
        private = metrics.summarize(metrics.apply_temperature(p_private, temperature), y_priv,
                                    majority.get("PrivateTest"))
        files[name] = {"bytes": len(blob), "public_accuracy": public["accuracy"],
                       "public_balanced_accuracy": public["balanced_accuracy"],
                       "private_accuracy": private["accuracy"],
                       "private_balanced_accuracy": private["balanced_accuracy"],
                       "private_macro_f1": private["macro_f1"],
                       "private_recall": {k: v["recall"] for k, v in private["per_class"].items()},
                       "public_ece_raw": metrics.ece(p_public, y_pub),
                       "private_ece_raw": metrics.ece(p_private, y_priv),
                       "public_ece": public["ece"], "private_ece": private["ece"],
                       "private_confusion": private["confusion"]}
        if majority:  # FER+ scores only where the votes describe this CSV
            files[name] |= {"public_ferplus_accuracy": public["ferplus_accuracy"],
                            "private_ferplus_accuracy": private["ferplus_accuracy"]}
    keep_int8 = (files["model.tflite"]["public_accuracy"]
                 - files["model-int8.tflite"]["public_accuracy"]) <= INT8_MAX_LOSS
    if int8_only and not keep_int8:
        raise rundir.RunDirError(out, "the int8 copy loses more than 0.3 points of PublicTest "
                                 "accuracy, so it cannot be shipped alone: export without "
                                 "--int8-only")
    if int8_only:
        private = files["model.tflite"]["private_accuracy"]
        emitter.log("float32 model.tflite: PublicTest "
                    f"{files['model.tflite']['public_accuracy']:.4f}, PrivateTest "
                    f"{'not measured' if private is None else f'{private:.4f}'} "
                    "(not written: --int8-only)")
        del files["model.tflite"]
    if not keep_int8:
        emitter.log("int8 copy lost more than 0.3 points of PublicTest accuracy: not exported")
        del files["model-int8.tflite"]

    out.mkdir(parents=True, exist_ok=True)
    # uncompiled float32: no optimizer state, a third of the size of a checkpoint
    rundir.save_keras_atomic(keras_model, out / "model.keras")
    for name in files:
        _write_bytes(out / name, candidates[name][0])
    meta = {
        "format_version": MODEL_FORMAT_VERSION,
        "name": described["name"],
        "classes": list(EMOTIONS),
        "input": {"shape": [1, *preprocess.INPUT_SHAPE], "dtype": "float32"},
        "preprocessing": {"name": preprocess.PREPROCESSING_NAME,
                          "version": preprocess.PREPROCESSING_VERSION,
                          "scale": preprocess.SCALE, "offset": preprocess.OFFSET},
        "output": "probabilities",
        "flip_tta_in_model": flip_tta,
        "prior_correction_in_model": {
            "power": power,
            "class_weights": dict(zip(EMOTIONS, map(float, weights), strict=True)),
            "training_frequencies": dict(zip(EMOTIONS, map(float, frequencies), strict=True)),
            "public_balanced_accuracy_by_power": {f"{t:g}": v for t, v in power_scores.items()},
        },
        "temperature": temperature,
        "files": {"keras": "model.keras",
                  **({"tflite": "model.tflite"} if "model.tflite" in files else {}),
                  **({"tflite_int8": "model-int8.tflite"} if keep_int8 else {})},
        "accuracy": files,
        "dataset_sha256": described.get("dataset_sha256"),
        "recipe": described.get("recipe"),
        "training": described.get("training"),
        "parameters": int(keras_model.count_params()),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    rundir.atomic_write_json(out / "model.json", meta)
    for name in set(candidates) - set(files):  # left by an earlier export; unlisted from now on
        (out / name).unlink(missing_ok=True)
    emitter.emit("exported", files={k: {"path": str(out / k), **{m: v[m] for m in (
        "bytes", "public_accuracy", "private_accuracy")}} for k, v in files.items()},
                 model_json=str(out / "model.json"))
    for name, info in files.items():
        emitter.emit("evaluated", model=name, split="PrivateTest",
                     accuracy=info["private_accuracy"], macro_f1=info["private_macro_f1"],
                     balanced_accuracy=info["private_balanced_accuracy"],
                     ferplus_accuracy=info.get("private_ferplus_accuracy"),
                     per_class={k: {"recall": v} for k, v in info["private_recall"].items()},
                     confusion=info["private_confusion"], ece=info["private_ece_raw"],
                     ece_calibrated=info["private_ece"], temperature=temperature)
    if copy_to:
        copy_model_folder(out, Path(copy_to))
    return meta


def copy_model_folder(run: Path, target: Path) -> None:
    """Copy model.keras/.tflite/model.json into ``target``; model.json last, atomically."""
    target.mkdir(parents=True, exist_ok=True)
    meta = json.loads((run / "model.json").read_text())
    for name in meta["files"].values():
        tmp = target / f".tmp-{name}"
        shutil.copyfile(run / name, tmp)
        os.replace(tmp, target / name)
    rundir.atomic_write_json(target / "model.json", meta)
    for stale in ("model.tflite", "model-int8.tflite"):  # left by an earlier model
        if stale not in meta["files"].values():
            (target / stale).unlink(missing_ok=True)
