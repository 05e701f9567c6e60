"""Weights in and out of Keras, for training on a machine without TensorFlow.

A lent GPU machine has PyTorch but no TensorFlow (``trainer/gpu_distill.py`` says why). This
module is the TensorFlow side of that trip: :func:`pack_for_device` writes the faces it needs,
:func:`keras_arrays` writes a Keras model's weights (a starting point), and
:func:`import_weights` builds ``recipe.build_default_model`` from weights that come back and
writes a model folder (``model.keras`` + ``model.json``) that ``python -m trainer export``
scores, converts and ships like any exported model. The arrays are named
``<Keras layer>.<weight>`` in Keras's own layouts, so nothing here knows PyTorch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import numpy as np

from fer_desktop.core.messages import quote
from fer_desktop.core.model import KERAS_FILE
from trainer import rundir
from trainer.config import DEFAULT_WIDTHS

# each layer's weights in the order Keras's get_weights() gives them (a bias where it has one)
_WEIGHT_NAMES = {"Conv2D": ("kernel", "bias"),
                 "BatchNormalization": ("gamma", "beta", "moving_mean", "moving_variance"),
                 "Dense": ("kernel", "bias")}


def _weight_names(layer) -> tuple[str, ...]:
    names = _WEIGHT_NAMES.get(type(layer).__name__, ())
    return names if getattr(layer, "use_bias", True) else names[:-1]


class WeightsError(rundir.RunDirError):
    """A weights file that does not describe the network: ``path`` names it."""


STUDENT_WIDTHS = DEFAULT_WIDTHS  # recipe.build_default_model's default: what ships
MOSAIC_COLUMNS = 340  # faces a row in the packed PNG (16,320 px: inside every PNG reader)


def pack_for_device(csv: str | os.PathLike, out: Path, cache_dir: str | os.PathLike,
                    init_model: Path | None = None) -> dict:
    """Training and PublicTest faces as one lossless PNG mosaic, labels in ``labels.npz``, and
    ``init_model``'s weights (a ``.keras`` file, e.g. the shipped one) as ``init.npz``.

    PNG because the trip has a size limit (64 MiB with the project): Z_RLE over PNG's row
    filters packs the 32,298 faces into 52 MB, smaller than zlib or lzma over the raw bytes.
    PrivateTest stays home: nothing chosen on the GPU machine may have seen it. Never commit
    the folder: it holds FER-2013's pixels. Every file is written beside its name and renamed
    once all are ready, so a failure leaves the folder as it was.

    Raises:
        WeightsError: ``init_model`` is not one network of the shipped size, or ``out`` holds
            a file of the pack's names that no earlier pack wrote.
    """
    out = Path(out)
    _check_earlier_pack(out)
    made = not out.exists()
    rundir.check_writable(out)  # before the minutes of reading and packing
    try:
        return _pack(csv, out, cache_dir, init_model)
    except BaseException:
        if made:  # an empty folder left by a failure looked like a pack (audit 46)
            with contextlib.suppress(OSError):
                out.rmdir()
        raise


PACK_FILES = ("faces.png", "labels.npz", "init.npz")


def _check_earlier_pack(out: Path) -> None:
    """Refuse a folder holding a file of a pack's names that is not an earlier pack's: they
    are replaced (``init.npz`` removed), and a user's ``faces.png`` went without a word
    (audit 46). An earlier pack is known by its ``labels.npz``."""
    present = [name for name in PACK_FILES if (out / name).exists() or (out / name).is_symlink()]
    if present and not _is_pack_labels(out / "labels.npz"):
        raise WeightsError(out / present[0], "is not from an earlier gpu-pack, and gpu-pack "
                                             f"writes {', '.join(PACK_FILES)} there: choose "
                                             "a new folder for --out")


def _is_pack_labels(path: Path) -> bool:
    try:
        with np.load(path, allow_pickle=False) as labels:
            return {"y_train", "y_public", "dataset_sha256"} <= set(labels.files)
    except Exception:  # noqa: BLE001 - not an npz of ours, whatever the reason
        return False


def _pack(csv: str | os.PathLike, out: Path, cache_dir: str | os.PathLike,
          init_model: Path | None) -> dict:
    import cv2

    from trainer.data import load_cached

    init = None
    if init_model is not None:
        init = _student_arrays(init_model)
    data = load_cached(csv, cache_dir)
    faces = np.concatenate([data.images["Training"], data.images["PublicTest"]])
    ok, png = cv2.imencode(".png", mosaic(faces), [cv2.IMWRITE_PNG_COMPRESSION, 9,
                                                   cv2.IMWRITE_PNG_STRATEGY, 3])
    if not ok:
        raise rundir.RunDirError(out, "the faces could not be encoded as PNG")
    ready = {"faces.png": out / ".faces.partial.png", "labels.npz": out / ".labels.partial.npz",
             "init.npz": out / ".init.partial.npz"}
    written = ["faces.png", "labels.npz"] + (["init.npz"] if init is not None else [])
    try:
        with rundir.naming(out / "faces.png"):  # a full disk names the file that did not fit
            ready["faces.png"].write_bytes(png.tobytes())
        with rundir.naming(out / "labels.npz"):
            np.savez(ready["labels.npz"], y_train=data.labels["Training"].astype(np.int8),
                     y_public=data.labels["PublicTest"].astype(np.int8),
                     dataset_sha256=np.array(data.sha256))
        if init is not None:  # float16: half the trip's bytes
            with rundir.naming(out / "init.npz"):
                np.savez(ready["init.npz"],
                         **{k: v.astype(np.float16) for k, v in init.items()})
        for name in written:
            ready[name].replace(out / name)
    finally:  # a disk that filled up: no half-written file left behind
        for partial in ready.values():
            partial.unlink(missing_ok=True)
    if init is None:
        (out / "init.npz").unlink(missing_ok=True)  # an older pack's: not this one's
    return {"sha256": data.sha256, "training": len(data.labels["Training"]),
            "public": len(data.labels["PublicTest"]), "bytes": len(png)}


def _student_arrays(keras_file: Path) -> dict[str, np.ndarray]:
    """The weights of ``keras_file``'s network, which must be the shipped size's."""
    from trainer.keras_files import load_keras

    arrays = keras_arrays(load_keras(keras_file), keras_file)
    model_from_arrays(arrays, keras_file)  # every weight there, each of the right shape
    if widths_of(arrays) != STUDENT_WIDTHS:
        raise WeightsError(keras_file, f"is a network of widths {widths_of(arrays) or 'none'}"
                                       f", not the student's {STUDENT_WIDTHS}")
    return arrays


def mosaic(faces: np.ndarray, columns: int = MOSAIC_COLUMNS) -> np.ndarray:
    """(n, 48, 48) faces as one image, ``columns`` to a row, the last row padded with black.
    ``gpu_distill.unmosaic`` is the inverse."""
    n, h, w = faces.shape
    rows = -(-n // columns)
    padded = np.concatenate([faces, np.zeros((rows * columns - n, h, w), faces.dtype)])
    return padded.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h,
                                                                             columns * w)


def leaf_layers(model) -> list:
    """Every layer of ``model`` that is not itself a model, nested models' too (an exported
    model wraps the network; an ensemble holds several)."""
    import keras

    leaves = []
    for layer in model.layers:
        leaves += leaf_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return leaves


def keras_arrays(model, path: Path | str = "model") -> dict[str, np.ndarray]:
    """The weights of ``model``'s conv, batch-norm and dense layers, by layer and weight name.

    Raises:
        WeightsError: two layers of one name (an ensemble's members): which is meant?
    """
    out = {}
    for layer in leaf_layers(model):
        names = _weight_names(layer)
        if names:
            for name, value in zip(names, layer.get_weights(), strict=True):
                key = f"{layer.name}.{name}"
                if key in out:
                    raise WeightsError(path, f"holds several networks (two layers named "
                                             f"{layer.name}): export one network to start from")
                out[key] = np.asarray(value, np.float32)
    return out


def widths_of(arrays) -> tuple[int, ...]:
    """The stage widths of ``recipe.build_default_model`` that the arrays describe."""
    widths = []
    while f"s{len(widths)}_conv0.kernel" in arrays:
        widths.append(int(arrays[f"s{len(widths)}_conv0.kernel"].shape[-1]))
    return tuple(widths)


def model_from_arrays(arrays, path: Path | str = "weights"):
    """``recipe.build_default_model`` holding ``arrays``.

    Raises:
        WeightsError: a weight is missing or has another shape than the network's.
    """
    from trainer.recipe import build_default_model

    widths = widths_of(arrays)
    if not widths:
        raise WeightsError(path, "holds no s0_conv0.kernel: not the weights of the default "
                                 "network")
    model = build_default_model(widths)
    for layer in leaf_layers(model):
        names = _weight_names(layer)
        if not names:
            continue
        values = []
        for name, expected in zip(names, layer.get_weights(), strict=True):
            key = f"{layer.name}.{name}"
            if key not in arrays:
                raise WeightsError(path, f"has no {key}")
            value = np.asarray(arrays[key], np.float32)
            if value.shape != expected.shape:
                raise WeightsError(path, f"{key} has shape {value.shape}, the network "
                                         f"{expected.shape}")
            if not np.all(np.isfinite(value)):
                raise WeightsError(path, f"{key} holds NaN or infinite values")
            values.append(value)
        layer.set_weights(values)
    return model


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file.

    Raises:
        WeightsError: missing, not an ``.npz`` archive, or damaged.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(path, "missing")
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as exc:  # numpy raises many kinds for a damaged or foreign file
        raise WeightsError(path, f"cannot be read as weights ({quote(exc, 160)})") from exc
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise WeightsError(path, "is one array, not an .npz archive of named weights")
    try:
        with loaded:
            return {k: loaded[k] for k in loaded.files}
    except Exception as exc:
        raise WeightsError(path, f"cannot be read as weights ({quote(exc, 160)})") from exc


def import_weights(path: Path, out: Path, name: str, dataset_sha256: str,
                   training: dict | None = None) -> Path:
    """A model folder (``model.keras`` + ``model.json``) from weights that came back.

    model.json records what ``export`` needs to re-export it: the name, the CSV's sha256, the
    recipe (``--sampling sqrt``, as the GPU recipe samples) and how it was trained.
    """
    out = Path(out)
    for held in (rundir.MODEL, KERAS_FILE):  # a user's model.keras went (audit 46)
        if (out / held).exists() or (out / held).is_symlink():
            raise WeightsError(out, f"already holds a model ({held}): import into a new folder")
    arrays = load_arrays(path)
    model = model_from_arrays(arrays, path)
    rundir.check_writable(out)
    rundir.save_keras_atomic(model, out / KERAS_FILE)
    meta = {"format_version": 1, "name": name, "dataset_sha256": dataset_sha256,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "files": {"keras": KERAS_FILE}, "parameters": int(model.count_params()),
            "recipe": {"preset": "default", "sampling": "sqrt", "trained_with": "gpu_distill",
                       "widths": list(widths_of(arrays))},
            "training": dict(training or {})}
    rundir.atomic_write_json(out / rundir.MODEL, meta)
    return out


def import_device_output(folder: Path, member: str | None, out: Path,
                         csv: str | os.PathLike) -> Path:
    """:func:`import_weights` for one network of what ``gpu_distill`` wrote into ``folder``
    (``member``; None: the student with the best PublicTest balanced accuracy), its training
    described from the ``summary.json`` beside it, which must name the same CSV.

    Raises:
        WeightsError: no summary, no such network, or trained on another CSV.
    """
    from trainer.data import sha256_of

    folder = Path(folder)
    summary = _summary(folder)
    member = member or best_student(summary, folder)
    path = folder / f"{member}.npz"
    if not path.is_file():
        found = sorted(p.stem for p in folder.glob("*.npz"))
        raise WeightsError(path, f"missing: the networks here are {', '.join(found) or 'none'}")
    if not Path(csv).is_file():
        raise WeightsError(csv, "missing: name the CSV the network was trained on with --csv")
    digest = sha256_of(csv)
    trained_on = str(summary.get("dataset_sha256"))
    if trained_on != digest:
        raise WeightsError(path, f"was trained on a CSV with sha256 {trained_on[:12]}..., "
                                 f"not {csv} ({digest[:12]}...): refused")
    return import_weights(path, out, f"gpu_distill {member} {folder.name}", digest,
                          training_summary(summary, member))


def _summary(folder: Path) -> dict:
    """``folder/summary.json``, checked for the shape ``gpu_distill`` writes."""
    path = folder / "summary.json"
    if not path.is_file():
        raise WeightsError(path, "missing: without it, which CSV the networks were trained on "
                                 "cannot be checked")
    summary = rundir.read_json(path)
    if not isinstance(summary, dict) or not all(
            isinstance(summary.get(k, []), list) for k in ("teachers", "students")) or not all(
            isinstance(job, dict) for k in ("teachers", "students") for job in summary.get(k, [])):
        raise WeightsError(path, "is not a summary gpu_distill wrote")
    return summary


def best_student(summary: dict, folder: Path) -> str:
    """The name of the student with the best PublicTest balanced accuracy."""
    scored = [(job["best"].get("balanced", -1.0), job["name"]) for job in
              summary.get("students", []) if isinstance(job.get("best"), dict)
              and job.get("file") is not None and isinstance(job.get("name"), str)]
    if not scored:
        raise WeightsError(folder, "holds no student that finished an epoch: name one with "
                                   "--member")
    return max(scored)[1]


def training_summary(summary: dict, member: str) -> dict:
    """model.json's ``training`` entry for one network of a ``gpu_distill`` summary."""
    training = {"trained_with": "trainer/gpu_distill.py", "member": member,
                **{k: summary[k] for k in ("seed", "torch", "device") if k in summary}}
    jobs = {job.get("name"): job for job in summary.get("teachers", []) + summary.get(
        "students", []) if isinstance(job, dict)}
    result = jobs.get(member, {})
    if member.startswith("student-"):
        training["teachers"] = [{"widths": t.get("widths"), "epochs": t.get("epochs_done"),
                                 "best_public": t.get("best")}
                                for t in summary.get("teachers", [])]
        training["teacher_ensemble_public"] = summary.get("teacher_ensemble")
        training["teaching"] = "consistent"
    best = result.get("best") or {}
    training.update({k: v for k, v in (("best_epoch", best.get("epoch")),
                                       ("best_public_balanced", best.get("balanced")),
                                       ("epochs_done", result.get("epochs_done")),
                                       ("seconds", result.get("seconds")),
                                       ("init", result.get("init")),
                                       ("job_seed", result.get("seed")),
                                       ("peak_lr", result.get("peak_lr"))) if v is not None})
    return training
