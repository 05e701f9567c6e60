"""Knowledge distillation: a teacher labels the training images; a student learns from it.

Several networks averaged (an ensemble) are more accurate than one, but cost one network's
time per member at every frame. Distillation (Hinton et al., 2015) moves most of that accuracy
into a single network: the teacher's probabilities say not only *which* emotion a face shows
but *how much it also looks like* the others ("sad, a little neutral"), a richer target than
one hard label. The teacher is any mix of run folders (their ``best.keras``) and exported
model folders (``model.json`` + ``model.keras``, such as ``assets/``); their flip-averaged
probabilities are averaged, calibrated with a temperature fitted on PublicTest, and saved
once in the run folder (``teacher.npz``) so that a resumed run does not label again. A model
folder whose export chose a test-time blur (``blur_sigma_in_model``) labels through it: the
shipped ensemble is 1.6 points better on PublicTest balanced accuracy with it.

Two ways to teach (``--teaching``): ``once`` labels each face once, unaugmented, and the
student then learns that label for every augmented view of the face, although a rotated,
darkened, half-erased face may well deserve another answer; ``consistent`` runs the teacher
inside the input pipeline on exactly the view the student sees (consistent teaching, Beyer
et al., "Knowledge distillation: A good teacher is patient and consistent", CVPR 2022), so
that the student learns the teacher's function and not one fixed labelling of it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from trainer import metrics, rundir

TEACHER_FILE = "teacher.npz"


def teacher_blur(path: Path) -> float:
    """The test-time blur the teacher's export chose (0.0: none, or no model.json).

    Raises:
        RunDirError: its model.json names a blur that is not a number from 0 to 2.
    """
    from trainer.convert import blur_sigma_of

    try:
        meta = json.loads((Path(path) / rundir.MODEL).read_text())
    except (OSError, ValueError, RecursionError):
        return 0.0  # a run folder not exported yet: its best.keras, as it is
    try:
        return blur_sigma_of(meta)
    except ValueError as exc:
        raise rundir.RunDirError(Path(path) / rundir.MODEL, f"{exc}: refused") from exc


def _teacher_model(path: Path):
    """A teacher's float32 Keras model: a model folder's ``model.keras`` (behind the blur its
    export chose) or a run's best."""
    from trainer.convert import with_views
    from trainer.keras_files import load_keras, model_folder_keras

    if (path / rundir.MODEL).is_file():
        keras_file = model_folder_keras(path, "a teacher needs the Keras model")
        return with_views(load_keras(keras_file, compile=False), blur_sigma=teacher_blur(path))
    if (path / rundir.BEST).is_file():
        from trainer.convert import float32_copy

        config = rundir.read_json(path / rundir.CONFIG)
        model = load_keras(path / rundir.BEST, compile=False)
        return float32_copy(model, config.get("preset", "default"))
    raise rundir.RunDirError(path, "is neither a model folder (model.json) nor a run folder "
                             "with best.keras: it cannot teach")


def flip_averaged(model, x: np.ndarray) -> np.ndarray:
    p = model.predict(x, batch_size=256, verbose=0)
    return 0.5 * (p + model.predict(x[:, :, ::-1], batch_size=256, verbose=0))


def _teacher_name(path: Path) -> str:
    """A teacher in the cache key: its folder, and its blur when it has one (a teacher
    without one keeps the key, and the cached labels, it had before blurs existed)."""
    blur = teacher_blur(path)
    return f"{path.resolve()}@blur{blur:g}" if blur else str(path.resolve())


def teacher_key(teachers: list[Path], n_train: int) -> str:
    """Which teachers labelled which data: a cached labelling is reused only for the same."""
    names = "|".join(_teacher_name(Path(t)) for t in teachers)
    return hashlib.sha256(f"{names}|{n_train}".encode()).hexdigest()[:16]


def label_with_teacher(teachers: list[Path], x_train: np.ndarray, x_public: np.ndarray,
                       y_public: np.ndarray, run: Path, log) -> np.ndarray:
    """The teacher's calibrated probabilities for every training image (cached in ``run``)."""
    teachers = [Path(t) for t in teachers]
    key = teacher_key(teachers, len(x_train))
    cache = run / TEACHER_FILE
    if cache.is_file():
        try:
            with np.load(cache) as npz:
                if str(npz["key"]) == key and len(npz["train"]) == len(x_train):
                    log(f"teacher: reusing the labels in {cache.name}")
                    return npz["train"]
        except (OSError, KeyError, ValueError):
            pass  # unreadable: label again
    train_sum = np.zeros((len(x_train), 7), np.float64)
    public_sum = np.zeros((len(x_public), 7), np.float64)
    for teacher in teachers:
        model = _teacher_model(teacher)
        public = flip_averaged(model, x_public)
        log(f"teacher {teacher}: PublicTest {(public.argmax(1) == y_public).mean():.4f} "
            "(flip-averaged)")
        public_sum += public
        train_sum += flip_averaged(model, x_train)
    public_p = (public_sum / len(teachers)).astype(np.float32)
    temperature = metrics.fit_temperature(public_p, y_public)
    acc = float((public_p.argmax(1) == y_public).mean())
    log(f"teacher of {len(teachers)}: PublicTest {acc:.4f}, temperature {temperature:.3f}")
    train_p = metrics.apply_temperature((train_sum / len(teachers)).astype(np.float32),
                                        temperature).astype(np.float32)
    tmp = run / f".tmp-{TEACHER_FILE}"
    with open(tmp, "wb") as fh:
        np.savez(fh, train=train_p, key=np.array(key), temperature=np.array(temperature),
                 public_accuracy=np.array(acc))
    tmp.replace(cache)
    return train_p


def mix_targets(label_targets: np.ndarray, teacher: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` of the teacher's probabilities, the rest from the labels (rows already kept)."""
    return (weight * teacher + (1.0 - weight) * label_targets).astype(np.float32)


def _compute_in_bfloat16(model) -> None:
    """Run ``model``'s layers in bfloat16 (variables stay float32); the class scores stay in
    float32. A teacher of three networks then costs 0.23 s a batch of 128 on one core of this
    machine instead of 0.5 s, with the same answers (argmax identical, probabilities within
    3e-4 on a batch of random faces, measured on the shipped ensemble)."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            _compute_in_bfloat16(layer)
        elif "logits" not in layer.name and not layer.name.startswith("probabilities"):
            layer.dtype_policy = "mixed_bfloat16"


def consistent_teacher(teachers: list[Path], x_public: np.ndarray, y_public: np.ndarray,
                       precision: str, log):
    """The teacher as one Keras model for the input pipeline (``--teaching consistent``): the
    mean of the teachers' probabilities, calibrated with a temperature fitted on PublicTest.

    No flip averaging: the student's view is already mirrored at random, and the teacher is
    to answer for that view. Built without touching the student's precision policy.
    """
    import keras

    from fer_desktop.core import preprocess

    policy = keras.mixed_precision.global_policy()
    try:
        keras.mixed_precision.set_global_policy("float32")  # the teachers as they were saved
        models = [_teacher_model(Path(t)) for t in teachers]
    finally:
        keras.mixed_precision.set_global_policy(policy)
    if precision == "bfloat16":
        for model in models:
            _compute_in_bfloat16(model)
    # one name each: two run folders' networks are both "fer_vgg", and a model may not hold
    # two parts of one name (as the ensemble's members in export.py)
    models = [keras.Model(m.inputs[0], m.outputs[0], name=f"teacher{i}")
              for i, m in enumerate(models)]
    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    outputs = [model(inputs) for model in models]
    mean = outputs[0] if len(outputs) == 1 else \
        keras.layers.Average(name="teachers", dtype="float32")(outputs)
    teacher = keras.Model(inputs, mean, name="teacher")
    public = np.asarray(teacher.predict(x_public, batch_size=256, verbose=0), np.float32)
    temperature = metrics.fit_temperature(public, y_public)
    accuracy = float((public.argmax(1) == y_public).mean())
    log(f"consistent teacher of {len(models)}: PublicTest {accuracy:.4f} (one view), "
        f"temperature {temperature:.3f}")
    # softmax(log(p) / T), as metrics.apply_temperature does for arrays
    calibrated = keras.layers.Lambda(
        lambda p: keras.ops.softmax(keras.ops.log(keras.ops.clip(p, 1e-12, 1.0)) / temperature,
                                    axis=-1), name="calibrated", dtype="float32")
    return keras.Model(inputs, calibrated(teacher(inputs)), name="calibrated_teacher")
