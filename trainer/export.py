"""Export a run's best model for the app: ``.keras``, ``.tflite`` (float32, int8) and model.json.

The exported files are checked against the Keras model on the same inputs, scored on
PublicTest and PrivateTest through LiteRT, and the int8 copy is kept only when it loses at most
0.3 points of PublicTest accuracy. Everything is written to temporary names and renamed, and
``model.json`` last, so a folder with a ``model.json`` always holds the files it names.
An ensemble (``trainer.ensemble``) goes through the same ``export_model``; ``int8_only``
leaves the float32 ``.tflite`` out of what ships. A fine-tuned model goes through
``export_finetuned``, which takes the decisions its starting model's ``model.json`` already
made and scores only the int8 file it ships (a few times cheaper, see its docstring). The
conversions themselves are in ``trainer.convert``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fer_desktop.core import preprocess
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import KERAS_FILE, TFLITE_FILE, TFLITE_INT8_FILE
from trainer import metrics, rundir
from trainer.config import SAMPLING_POWERS, zoom_range
from trainer.convert import (
    blur_sigma_of,
    float32_copy,
    run_tflite,
    to_tflite,
    view_probabilities,
    with_views,
)
from trainer.events import EventEmitter

INT8_MAX_LOSS = 0.003
MODEL_FORMAT_VERSION = 1
# export_finetuned: the int8 file is checked against the float Keras model on this many
# PublicTest faces, and must give the same answer on this share of them (the shipped
# ensemble's int8 file agrees with its Keras model on 99.6% of PublicTest)
QUICK_CHECK_FACES = 512
QUICK_MIN_AGREEMENT = 0.99


def best_float32_model(run: Path, name: str | None = None):
    """A run's best checkpoint as an uncompiled float32 Keras model (optionally renamed)."""
    from trainer.keras_files import load_keras

    config = rundir.read_json(run / rundir.CONFIG)
    best = rundir.best_file(run, rundir.RunState.load(run))  # read-only
    if not best.is_file():
        raise rundir.RunDirError(best, "missing: the run has not finished an epoch yet")
    model = float32_copy(load_keras(best, compile=False),
                         config.get("preset", "default"))
    if name:
        model.name = name  # nested members need unique names inside the ensemble
    return model


def check_same_data(data, digest: str | None, csv) -> None:
    """Scores and the temperature must come from the data the model was trained on."""
    if digest and data.sha256 != digest:
        raise rundir.RunDirError(Path(csv), "is not the CSV the model was trained on (its sha256 "
                                 "differs from the run's); pass the training CSV with --csv")


def training_summary(run: Path, config: dict) -> dict:
    """model.json's ``training`` entry for a run: how long, its best epoch, its ``--seed``
    (a run started from this network with the same seed would replay its faces:
    warm_start.parent_seed reads it) and, for a distilled or warm-started run, the folder
    names of its teachers and starting network."""
    state = rundir.RunState.load(run)
    made = {"teachers": [Path(t).name for t in config.get("teachers") or []],
            "teaching": config.get("teaching") if config.get("teachers") else None,
            "init": Path(config["init"]).name if config.get("init") else None,
            "init_member": config.get("init_member") if config.get("init") else None}
    return {"epochs_done": state.epoch, "best_epoch": state.best_epoch,
            "best_public_accuracy_keras": state.best_val_accuracy,
            "seconds": round(state.seconds, 1), "seed": config.get("seed"),
            **{key: value for key, value in made.items() if value not in (None, [])}}


def export_run(run: Path, emitter: EventEmitter, data=None, csv: str | None = None,
               copy_to: str | None = None, int8_only: bool = False) -> dict:
    """Write the runtime files into ``run`` (and ``copy_to``); return the model.json dict."""
    run = Path(run)
    config = rundir.read_json(run / rundir.CONFIG)
    state = rundir.RunState.load(run)
    rundir.repair_best(run, state)  # a kill between state.json and best.keras: relink first
    keras_model = best_float32_model(run)
    data, ferplus, on_fer = run_data(run, config, state, csv, data)
    name = f"{config.get('preset', 'model')} {run.name}" if on_fer else \
        f"trained on {rundir.faces_folder_name(config.get('images'), run.name)} ({run.name})"
    described = {"name": name,  # an image-folder run: named after its faces, not the preset
                 "dataset_sha256": state.dataset_sha256, "scored_on_fer2013": on_fer,
                 "recipe": run_recipe(config) | ({"votes_sha256": state.votes_sha256}
                                                  if state.votes_sha256 else {}),
                 "training": training_summary(run, config)}
    meta = export_model(keras_model, run, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only, sampling_power=sampling_power_of(config),
                        ferplus_majority=ferplus, into_run=True)
    if state.status == rundir.TRAINED:  # killed in its own export, finished by this one: the
        state.status = rundir.FINISHED  # run list called it "interrupted" with its model.json
        state.save(run)
    return meta


def run_data(run: Path, config: dict, state, csv: str | None = None, data=None):
    """The data a run was trained on (its CSV, or its image folder), checked against the
    run's checksum; the FER+ majorities to score it with (None for an image folder); and
    whether its test splits are FER-2013's (not an image folder's own test faces)."""
    from trainer.data import load_cached

    images = "" if csv else config.get("images") or ""  # an image-folder run: its own folder
    if data is None and images:
        from trainer.imagefolder import load_image_folder

        data = load_image_folder(images, config.get("seed", 1337),  # a run made before:
                                 copies_together=bool(config.get("copies_together")),
                                 copies_mirrored=bool(config.get("copies_mirrored")),
                                 ).as_fer_data()  # its own split (review 50)
    elif data is None:  # a trial's first N rows of each split, as its first export scored
        data = load_cached(csv or config["csv"], run.parent / ".cache",
                           int(config.get("limit_per_split") or 0))
    check_same_data(data, state.dataset_sha256, csv or images or config["csv"])
    votes = config.get("votes") or ""
    if state.votes_sha256:  # moved with the CSV (export RUN --csv NEW): the one beside it
        from trainer.ferplus import moved_votes

        votes = moved_votes(votes, csv or config["csv"], state.votes_sha256)
    ferplus = None if images else ferplus_majorities(csv or config["csv"], data,
                                                    votes or None, state.votes_sha256)
    return data, ferplus, not images


def run_recipe(config: dict) -> dict:
    """model.json's ``recipe`` entry for a run."""
    return {"preset": config.get("preset"), **config.get("resolved", {}),
            **({"widths": str(config["widths"])} if config.get("widths") else {}),
            "sampling": config.get("sampling", "natural"),
            # which labels it learnt: a fer and a ferplus run had one recipe (trial 49)
            "labels": config.get("labels", "fer"),
            **({"augment": config["augment"]}
               if config.get("augment", "default") != "default" else {}),
            **{name: config[name] for name in ("mixup", "cutmix", "sam") if config.get(name)},
            **({"zoom": list(zoom)} if (zoom := zoom_range(config)) else {}),  # its crops
            # a quick trial's scores are on its first N rows of each split
            **({"limit_per_split": int(config["limit_per_split"])}
               if config.get("limit_per_split") else {})}


def export_model_folder(folder: Path, out: Path, emitter: EventEmitter, csv: str,
                        copy_to: str | None = None, int8_only: bool = False) -> dict:
    """Re-export an exported model (``model.json`` + ``model.keras``, e.g. ``assets``).

    Used to give an already shipped model the current export's decisions (the balanced
    decision, flip averaging, temperature) and scores, on the CSV given. A model whose
    ``model.json`` names another CSV is re-checked on this one, and both checksums are kept.
    """

    from trainer.data import load_cached, user_cache_dir
    from trainer.keras_files import load_keras, model_folder_keras

    folder, out = Path(folder), Path(out)
    if out.resolve() == folder.resolve():
        raise rundir.RunDirError(out, "is the model folder being re-exported: write to another "
                                 "folder with --out (and ship it with --to)")
    meta = rundir.read_model_json(folder / rundir.MODEL)
    keras_file = model_folder_keras(folder, "re-exporting needs the Keras model")
    model = load_keras(keras_file)  # a damaged file named, not a traceback (audit 36)
    data = load_cached(csv, user_cache_dir())
    # what the model.json says of its training; anything but an object is not recorded
    training = dict(meta["training"]) if isinstance(meta.get("training"), dict) else {}
    if meta.get("dataset_sha256") not in (None, data.sha256):
        emitter.log(f"{folder}: trained on a CSV with another sha256; re-checked on {csv}")
        training["trained_on_dataset_sha256"] = meta.get("dataset_sha256")
    described = {"name": str(meta.get("name", folder.name)), "dataset_sha256": data.sha256,
                 "recipe": meta.get("recipe"), "training": training}
    rundir.check_writable(out)
    return export_model(model, out, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only, ferplus_majority=ferplus_majorities(csv, data),
                        sampling_power=sampling_power_of(meta.get("recipe")))


def sampling_power_of(recipe: dict | None) -> float:
    """The ``--sampling`` power a run's config.json or a model.json's recipe records (0 for
    "natural" and for what predates the option; an ensemble's "balanced+natural": the most
    rebalanced member's)."""
    name = recipe.get("sampling", "natural") if isinstance(recipe, dict) else "natural"
    return max(SAMPLING_POWERS.get(part, 0.0) for part in str(name).split("+"))


def ferplus_majorities(csv: str | os.PathLike, data, votes: str | None = None,
                       sha256: str | None = None) -> dict[str, np.ndarray] | None:
    """FER+ majority per test split when votes that describe ``csv`` are found (else None).

    Raises:
        DatasetError: the votes are not those of ``sha256`` (the run's): a file swapped under
            its name was scored against without a word (trial 49).
    """
    from trainer import ferplus
    from trainer.data import DatasetError

    # a wrong $FERPLUS_CSV is refused (evaluate, export and ensemble dropped the FER+ scores
    path = votes or ferplus.find_shared_votes(csv)  # without a word, review 40); a training
    if not path:  # run refused it when it started (train._csv_path)
        return None
    try:
        loaded = ferplus.load_votes(path, ferplus.csv_usage(csv), csv)
    except DatasetError:
        if votes:  # the user named this file: it must line up
            raise
        return None  # the shared votes describe another CSV: no FER+ scores for this one
    if sha256 and loaded.sha256 != sha256:
        raise DatasetError(path, "is not the FER+ votes file the run was trained with: its "
                           "content changed since (its checksum differs); put that file back "
                           "to export the run, or score its model on these votes with "
                           "python -m trainer evaluate --votes")
    counts = data.counts()
    return {s: loaded.majority(s)[:counts[s]] for s in ("PublicTest", "PrivateTest")}


@dataclass
class _Decisions:
    """What PublicTest decided for the exported graph (see :func:`_decide`)."""

    flip_tta: bool
    blur_sigma: float  # 0.0: no test-time blur
    power: float
    power_scores: dict[float, float]
    frequencies: np.ndarray
    weights: np.ndarray
    temperature: float
    p_public: np.ndarray  # the Keras model's PublicTest probabilities with both decisions


def export_model(keras_model, out: Path, data, emitter: EventEmitter, described: dict,
                 copy_to: str | None = None, int8_only: bool = False,
                 ferplus_majority: dict[str, np.ndarray] | None = None,
                 sampling_power: float = 0.0, into_run: bool = False) -> dict:
    """Score, convert and write ``keras_model`` into ``out``; return the model.json dict.
    ``into_run``: ``out`` is the run's own folder, never made again (``_write_model_folder``).

    ``described`` supplies model.json's name, dataset_sha256, recipe and training entries;
    ``ferplus_majority`` (per split, -1 where FER+ has no answer) adds the FER+ scores.
    ``int8_only`` leaves the float32 ``.tflite`` out (it is still converted, checked and
    scored, and its accuracy logged): an ensemble's float32 file alone can break the 20 MB
    budget of what the app ships. ``sampling_power`` is the run's ``--sampling``: the balanced
    decision then also tries negative powers (``metrics.prior_powers``).
    """
    out = Path(out)
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    y_pub = data.labels["PublicTest"]
    x_priv = preprocess.preprocess_faces(data.images["PrivateTest"])
    y_priv = data.labels["PrivateTest"]
    if len(y_priv) == 0:
        emitter.log("warning: the CSV has no PrivateTest rows: the model's PrivateTest figures "
                    "are left empty (null) in model.json")
    decisions = _decide(keras_model, x_pub, y_pub, data.labels["Training"], emitter,
                        sampling_power)
    candidates = _convert_and_check(keras_model, decisions, x_pub)
    files = {name: _scores(blob, p_public, x_priv, y_pub, y_priv, decisions.temperature,
                           ferplus_majority or {})
             for name, (blob, p_public) in candidates.items()}
    keep_int8 = _choose_files(files, int8_only, out, emitter)
    meta = _model_json(keras_model, described, decisions, files, keep_int8)
    _write_model_folder(out, keras_model, {n: candidates[n][0] for n in files}, meta,
                        stale=set(candidates) - set(files), into_run=into_run)
    _emit_results(emitter, out, files, decisions.temperature)
    if copy_to:
        copy_model_folder(out, Path(copy_to))
    return meta


def export_finetuned(keras_model, out: Path, data, emitter: EventEmitter, described: dict,
                     start_meta: dict, into_run: bool = False) -> dict:
    """``export_model`` for a fine-tuned model, without the work its starting model settled.

    The starting model's ``model.json`` already decided flip averaging and shipping the int8
    file alone (its int8 copy lost at most 0.3 points). Fine-tuning moves only the last block
    and the head, so here:

    * flip averaging is taken from ``start_meta`` (no second, mirrored pass over PublicTest);
    * only the int8 file is converted and scored: once without the prior correction, on
      PublicTest, to choose the prior power; then with it, on PublicTest (temperature, scores)
      and PrivateTest: every score in ``model.json`` comes from the file that ships;
    * instead of scoring a float32 ``.tflite`` on both test sets, the int8 file must give
      the float Keras model's answer on :data:`QUICK_CHECK_FACES` PublicTest faces
      (:data:`QUICK_MIN_AGREEMENT`).

    Anything else (no ``model.json`` at the start, no int8 file there, the check failing)
    falls back to the full ``export_model``, which says why in the log.
    """
    flip = start_meta.get("flip_tta_in_model")
    if not isinstance(flip, bool) or not (start_meta.get("files") or {}).get("tflite_int8"):
        emitter.log("the starting model has no model.json with an int8 file: full export")
        return export_model(keras_model, out, data, emitter, described, into_run=into_run)
    try:
        blur = blur_sigma_of(start_meta)  # older models: none
    except ValueError as exc:
        emitter.log(f"the starting model's model.json: {exc}: full export")
        return export_model(keras_model, out, data, emitter, described, into_run=into_run)
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    y_pub = data.labels["PublicTest"]
    convert = functools.partial(to_tflite, keras_model, quantize=True, flip_tta=flip,
                                blur_sigma=blur)
    plain = convert()
    p_plain = run_tflite(plain, x_pub)
    agreement = _agreement_with_keras(with_views(keras_model, flip, blur),
                                      x_pub[:QUICK_CHECK_FACES], p_plain)
    if not agreement >= QUICK_MIN_AGREEMENT:
        emitter.log(f"the int8 file agrees with the Keras model on {agreement:.1%} of "
                    f"{min(len(x_pub), QUICK_CHECK_FACES)} PublicTest faces (under "
                    f"{QUICK_MIN_AGREEMENT:.0%}): full export")
        return export_model(keras_model, out, data, emitter, described, into_run=into_run)
    frequencies = metrics.class_frequencies(data.labels["Training"])
    power, power_scores = metrics.choose_prior_power(p_plain, y_pub, frequencies)
    weights = metrics.prior_weights(frequencies, power)
    blob = plain if np.allclose(weights, 1.0) else convert(prior_weights=weights)
    p_public = p_plain if blob is plain else run_tflite(blob, x_pub)
    temperature = metrics.fit_temperature(p_public, y_pub)
    decisions = _Decisions(flip, blur, power, power_scores, frequencies, weights, temperature,
                           p_public)
    emitter.log(f"int8 file: same answer as Keras on {agreement:.1%} of "
                f"{min(len(x_pub), QUICK_CHECK_FACES)} PublicTest faces; flip averaging "
                f"{flip}, blur sigma {blur:g} (the starting model's); prior power {power:g}; "
                f"temperature {temperature:.3f}")
    name = TFLITE_INT8_FILE
    files = {name: _scores(blob, p_public,
                           preprocess.preprocess_faces(data.images["PrivateTest"]), y_pub,
                           data.labels["PrivateTest"], temperature, {})}
    meta = _model_json(keras_model, described, decisions, files, keep_int8=True)
    meta["export"] = {"kind": "fine-tune",
                      "flip_tta_from": "the starting model's model.json",
                      "blur_sigma_from": "the starting model's model.json",
                      "int8_agreement_with_keras": agreement,
                      "int8_agreement_faces": int(min(len(x_pub), QUICK_CHECK_FACES))}
    _write_model_folder(out, keras_model, {name: blob}, meta, stale={TFLITE_FILE},
                        into_run=into_run)
    _emit_results(emitter, out, files, temperature)
    return meta


def _agreement_with_keras(viewed_model, x: np.ndarray, p_int8: np.ndarray) -> float:
    """Share of the faces ``x`` (the first of PublicTest) on which the int8 file answers as
    the float Keras model with the same views does (both without the prior correction)."""
    if not len(x):
        return 1.0
    p = viewed_model.predict(x, batch_size=256, verbose=0)
    return float((p.argmax(1) == p_int8[:len(x)].argmax(1)).mean())


def _decide(keras_model, x_pub: np.ndarray, y_pub: np.ndarray, y_train: np.ndarray,
            emitter: EventEmitter, sampling_power: float = 0.0) -> _Decisions:
    """The balanced decision (the prior power PublicTest's balanced accuracy prefers), the
    test-time views (a blur, flip averaging: only when they pay) and the temperature."""
    # For each view (no blur or a blur of metrics.BLUR_SIGMAS, without or with flip
    # averaging), the prior power PublicTest's balanced accuracy prefers; a blur and flip
    # averaging go into the graph only when each gains 0.3 points (metrics.choose_views).
    frequencies = metrics.class_frequencies(y_train)
    powers = metrics.prior_powers(sampling_power)
    probabilities = view_probabilities(keras_model, x_pub, metrics.BLUR_SIGMAS)
    (flip_tta, blur_sigma), choices, best = metrics.choose_decision(probabilities, y_pub,
                                                                    frequencies, powers)
    power, power_scores = choices[(flip_tta, blur_sigma)]
    weights = metrics.prior_weights(frequencies, power)
    p_keras = metrics.apply_prior(probabilities[(flip_tta, blur_sigma)], weights)
    temperature = metrics.fit_temperature(p_keras, y_pub)
    emitter.log("PublicTest balanced accuracy by view: " + ", ".join(
        f"{'flip' if f else 'plain'}{f' + blur {s:g}' if s else ''} {v:.4f}"
        for (f, s), v in best.items())
        + f" -> flip in model: {flip_tta}, blur sigma {blur_sigma:g}; by prior power "
        + ", ".join(f"{t:g}: {v:.4f}" for t, v in power_scores.items())
        + f" -> power {power:g}; temperature {temperature:.3f}")
    return _Decisions(flip_tta, blur_sigma, power, power_scores, frequencies, weights,
                      temperature, p_keras)


def _convert_and_check(keras_model, decisions: _Decisions,
                       x_pub: np.ndarray) -> dict[str, tuple[bytes, np.ndarray]]:
    """Both ``.tflite`` files with their PublicTest probabilities; the float32 one must match
    Keras (the int8 one is judged by its accuracy instead)."""
    convert = functools.partial(to_tflite, keras_model, flip_tta=decisions.flip_tta,
                                blur_sigma=decisions.blur_sigma,
                                prior_weights=decisions.weights)
    float_bytes = convert(quantize=False)
    p_float = run_tflite(float_bytes, x_pub)
    max_diff = float(np.abs(p_float - decisions.p_public).max())
    if not max_diff <= 1e-3:  # also catches NaN
        raise RuntimeError(f"exported float32 model differs from Keras by {max_diff:.2e}")
    int8_bytes = convert(quantize=True)
    return {TFLITE_FILE: (float_bytes, p_float),
            TFLITE_INT8_FILE: (int8_bytes, run_tflite(int8_bytes, x_pub))}


def _scores(blob: bytes, p_public: np.ndarray, x_priv: np.ndarray, y_pub: np.ndarray,
            y_priv: np.ndarray, temperature: float, majority: dict[str, np.ndarray]) -> dict:
    """model.json's ``accuracy`` entry of one file: PublicTest and PrivateTest through LiteRT."""
    p_private = run_tflite(blob, x_priv)
    public = metrics.summarize(metrics.apply_temperature(p_public, temperature), y_pub,
                               majority.get("PublicTest"))
    private = metrics.summarize(metrics.apply_temperature(p_private, temperature), y_priv,
                                majority.get("PrivateTest"))
    info = {"bytes": len(blob), "public_accuracy": public["accuracy"],
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
        info |= {"public_ferplus_accuracy": public["ferplus_accuracy"],
                 "private_ferplus_accuracy": private["ferplus_accuracy"]}
    return info


def _choose_files(files: dict[str, dict], int8_only: bool, out: Path,
                  emitter: EventEmitter) -> bool:
    """Drop from ``files`` what does not ship; return whether the int8 copy ships."""
    keep_int8 = (files[TFLITE_FILE]["public_accuracy"]
                 - files[TFLITE_INT8_FILE]["public_accuracy"]) <= INT8_MAX_LOSS
    if int8_only and not keep_int8:
        raise rundir.RunDirError(out, "the int8 copy loses more than 0.3 points of PublicTest "
                                 "accuracy, so it cannot be shipped alone: export without "
                                 "--int8-only")
    if int8_only:
        private = files[TFLITE_FILE]["private_accuracy"]
        emitter.log(f"float32 {TFLITE_FILE}: PublicTest "
                    f"{files[TFLITE_FILE]['public_accuracy']:.4f}, PrivateTest "
                    f"{'not measured' if private is None else f'{private:.4f}'} "
                    "(not written: --int8-only)")
        del files[TFLITE_FILE]
    if not keep_int8:
        emitter.log("int8 copy lost more than 0.3 points of PublicTest accuracy: not exported")
        del files[TFLITE_INT8_FILE]
    return keep_int8


def _model_json(keras_model, described: dict, decisions: _Decisions, files: dict[str, dict],
                keep_int8: bool) -> dict:
    import keras
    import tensorflow as tf

    return {
        "format_version": MODEL_FORMAT_VERSION,
        "name": described["name"],
        "classes": list(EMOTIONS),
        "input": {"shape": [1, *preprocess.INPUT_SHAPE], "dtype": "float32"},
        "preprocessing": {"name": preprocess.PREPROCESSING_NAME,
                          "version": preprocess.PREPROCESSING_VERSION,
                          "scale": preprocess.SCALE, "offset": preprocess.OFFSET},
        "output": "probabilities",
        "flip_tta_in_model": decisions.flip_tta,
        "blur_sigma_in_model": decisions.blur_sigma,
        "prior_correction_in_model": {
            "power": decisions.power,
            "class_weights": dict(zip(EMOTIONS, map(float, decisions.weights), strict=True)),
            "training_frequencies": dict(zip(EMOTIONS, map(float, decisions.frequencies),
                                             strict=True)),
            "public_balanced_accuracy_by_power": {f"{t:g}": v for t, v
                                                  in decisions.power_scores.items()},
        },
        "temperature": decisions.temperature,
        "files": {"keras": KERAS_FILE,
                  **({"tflite": TFLITE_FILE} if TFLITE_FILE in files else {}),
                  **({"tflite_int8": TFLITE_INT8_FILE} if keep_int8 else {})},
        "accuracy": files,
        "dataset_sha256": described.get("dataset_sha256"),
        "recipe": described.get("recipe"),
        "training": described.get("training"),
        # PublicTest/PrivateTest are FER-2013's, or (an image-folder run) its own test faces
        "scored_on_fer2013": bool(described.get("scored_on_fer2013", True)),
        "parameters": int(keras_model.count_params()),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


STAGED_PREFIX = ".tmp-new-"


def remove_staged(run: Path) -> list[str]:
    """Delete the files an export killed while it staged them left in ``run``
    (``.tmp-new-<pid>-<name>``); call it holding the run (``runs.claim_run``), so that no
    export of it is under way. Only these: every ``.tmp-*`` went, an ``evaluate`` writing
    into the run and a user's ``.tmp-notes.txt`` too (review 61)."""
    ours = re.compile(re.escape(STAGED_PREFIX) + r"\d+-model[\w.-]*")
    removed = []
    for path in run.glob(f"{STAGED_PREFIX}*"):
        if ours.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return sorted(removed)


def _write_model_folder(out: Path, keras_model, blobs: dict[str, bytes], meta: dict,
                        stale: set[str], into_run: bool = False) -> None:
    """Every file beside its name first, model.json too; then the old model.json goes and the
    files are renamed in, model.json last (the folder is usable from that moment on). A
    failure (a full disk) leaves the earlier model whole: the old model.json went first, and a
    run whose files were all unchanged read as "a training run with no model yet" (audit 57);
    a kill during the renames leaves no model.json (refused by name), never an old model.json
    describing new files, which the app loaded without a word.

    Raises:
        RunDirError: ``into_run`` and the run's folder (its config.json) is gone: moved away
            during the scoring, it was made again half-empty and the run read as finished,
            scored on "PublicTest" without its recipe (audit 45).
    """
    from trainer.data import sha256_of

    if into_run and not (out / rundir.CONFIG).is_file():
        raise rundir.RunDirError(out, "was moved or removed while the trainer wrote it: "
                                      "nothing was written; resume or export the run where "
                                      "it is now")
    out.mkdir(parents=True, exist_ok=True)
    names = [KERAS_FILE, *blobs, rundir.MODEL]  # model.json renamed last
    # .tmp-: a kill leaves them to the next resume's rundir.remove_leftovers (review 59), or
    # the next export's remove_staged
    staged = {name: out / f"{STAGED_PREFIX}{os.getpid()}-{name}" for name in names}
    try:
        with rundir.naming(out / KERAS_FILE):  # uncompiled float32: no optimizer state,
            keras_model.save(staged[KERAS_FILE])  # a third of a checkpoint's size
        for name, blob in blobs.items():
            with rundir.naming(out / name):
                staged[name].write_bytes(blob)
        # each file's SHA-256: the app refuses a file damaged since (it loaded one with bytes
        # changed inside without a word, audit 43); copies (--to) keep the same files
        meta["files_sha256"] = {name: sha256_of(staged[name])
                                for name in meta["files"].values()}
        with rundir.naming(out / rundir.MODEL):
            staged[rundir.MODEL].write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        (out / rundir.MODEL).unlink(missing_ok=True)  # from here on: renames only
        for name in names:
            os.replace(staged[name], out / name)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
    for name in stale:  # left by an earlier export; unlisted from now on
        (out / name).unlink(missing_ok=True)


def _emit_results(emitter: EventEmitter, out: Path, files: dict[str, dict],
                  temperature: float) -> None:
    emitter.emit("exported", files={k: {"path": str(out / k), **{m: v[m] for m in (
        "bytes", "public_accuracy", "private_accuracy")}} for k, v in files.items()},
                 model_json=str(out / rundir.MODEL))
    for name, info in files.items():
        emitter.emit("evaluated", model=name, split="PrivateTest",
                     accuracy=info["private_accuracy"], macro_f1=info["private_macro_f1"],
                     balanced_accuracy=info["private_balanced_accuracy"],
                     ferplus_accuracy=info.get("private_ferplus_accuracy"),
                     per_class={k: {"recall": v} for k, v in info["private_recall"].items()},
                     confusion=info["private_confusion"], ece=info["private_ece_raw"],
                     ece_calibrated=info["private_ece"], temperature=temperature)


def copy_model_folder(run: Path, target: Path) -> None:
    """Copy model.keras/.tflite/model.json into ``target``: every file beside its name first,
    model.json too, then the old model.json removed and the files renamed in, model.json last.
    A copy that failed half-way left the old model.json describing a new model.keras, whose
    decisions (flip, blur, prior, temperature) finetune --from and --teacher took (review 44);
    now a failed copy leaves the folder as it was, and only a kill during the renames can
    leave it without a model.json (refused by name, never mixed)."""
    target.mkdir(parents=True, exist_ok=True)
    meta = json.loads((run / rundir.MODEL).read_text())
    names = [*meta["files"].values(), rundir.MODEL]  # model.json copied too, renamed last
    copies = {name: target / f".tmp-{name}" for name in names}
    try:
        for name, tmp in copies.items():
            try:
                shutil.copyfile(run / name, tmp)
            except OSError as exc:
                if exc.filename2 is not None:  # the copy's own error names the source first:
                    # a full target read "RUN/model.keras: No space left on device"
                    raise OSError(exc.errno, exc.strerror, str(target / name)) from exc
                raise
        (target / rundir.MODEL).unlink(missing_ok=True)  # from here on, no mixed folder
        for name, tmp in copies.items():  # renames: nothing left to fill a disk
            os.replace(tmp, target / name)
    finally:
        for tmp in copies.values():  # a half copy left in the user's folder (audit 41)
            tmp.unlink(missing_ok=True)
    for stale in (TFLITE_FILE, TFLITE_INT8_FILE):  # left by an earlier model
        if stale not in meta["files"].values():
            (target / stale).unlink(missing_ok=True)
