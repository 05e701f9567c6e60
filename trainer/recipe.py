"""The training recipes, read top to bottom: precision, model, schedule, data, augmentation.

Three presets:

* ``seed`` - the seed project's baseline: five blocks of Conv2D + BatchNorm + MaxPool +
  Dropout, a dense head, Adam at 1e-4, batch 64, plain cross-entropy. About 4M parameters.
* ``default`` - what we ship: a compact VGG-style net (four stages of two 3x3 conv + BN +
  ReLU, 32/64/128/256 filters, global average pooling, dropout 0.4; 1.2M parameters) trained
  with flip/rotate/zoom/shift/random-erasing augmentation, label smoothing 0.1, AdamW with a
  linear warm-up then cosine decay, batch 128, bfloat16 where the CPU supports it.
  ``docs/training.md`` gives the reason and measured effect of each choice.
* ``fast`` - ``default``'s recipe on a narrower network (16/32/96/192 filters, 0.63M
  parameters) that classifies a face in under half the time; meant to be started from a
  trained ``default`` network (``--init``, which keeps its strongest channels) and taught by
  it (session 31's students of the shipped one: 3 points under it, docs/model.md).

This module imports TensorFlow; nothing under ``fer_desktop`` may import it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from fer_desktop.core.emotions import NUM_CLASSES
from fer_desktop.core.preprocess import INPUT_SHAPE, preprocess_faces
from trainer.config import DEFAULT_WIDTHS, FAST_WIDTHS

# ## Precision
# bfloat16 halves the memory traffic of convolutions and oneDNN runs it natively on CPUs with
# AVX512-BF16 or AMX; on other CPUs it is emulated and slower, so "auto" checks the flags.


def cpu_supports_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(requested: str) -> str:
    if requested == "auto":
        return "bfloat16" if cpu_supports_bf16() and not tf.config.list_physical_devices("GPU") \
            else "float32"
    return requested


def set_precision(precision: str) -> None:
    keras.mixed_precision.set_global_policy(
        "mixed_bfloat16" if precision == "bfloat16" else "float32")


# ## Models


def _head(x, name: str):
    """Class scores in float32 even under mixed precision: softmax in bf16 loses calibration."""
    x = keras.layers.Dense(NUM_CLASSES, name=f"{name}_logits", dtype="float32")(x)
    return keras.layers.Activation("softmax", dtype="float32", name="probabilities")(x)


def build_seed_model() -> keras.Model:
    """The seed project's network: 5 x (Conv2D relu + BN + MaxPool + Dropout), dense head."""
    inputs = keras.Input(INPUT_SHAPE, name="face")
    x = inputs
    for i, filters in enumerate((64, 128, 256, 512, 512)):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
        x = keras.layers.Dropout(0.25, name=f"drop{i}")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(256, activation="relu", name="fc1")(x)
    x = keras.layers.BatchNormalization(name="fc1_bn")(x)
    x = keras.layers.Dropout(0.5, name="fc1_drop")(x)
    return keras.Model(inputs, _head(x, "seed"), name="seed_cnn")


def build_default_model(widths: tuple[int, ...] = DEFAULT_WIDTHS,
                        dropout: float = 0.4) -> keras.Model:
    """VGG-style: per stage two 3x3 conv + BN + ReLU, then 2x2 max-pool; GAP; dropout; dense."""
    inputs = keras.Input(INPUT_SHAPE, name="face")
    x = inputs
    for stage, filters in enumerate(widths):
        for j in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                                    name=f"s{stage}_conv{j}")(x)
            x = keras.layers.BatchNormalization(name=f"s{stage}_bn{j}")(x)
            x = keras.layers.ReLU(name=f"s{stage}_relu{j}")(x)
        if stage < len(widths) - 1:
            x = keras.layers.MaxPooling2D(2, name=f"s{stage}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(dropout, name="drop")(x)
    return keras.Model(inputs, _head(x, "vgg"), name="fer_vgg")


def build_fast_model() -> keras.Model:
    """``default``'s network at FAST_WIDTHS: half the parameters, under half the cost."""
    return build_default_model(FAST_WIDTHS)


BUILDERS = {"seed": build_seed_model, "default": build_default_model,
            "fast": build_fast_model}


def build_network(preset: str, widths: tuple[int, ...] | None = None) -> keras.Model:
    """The preset's network, or ``default``'s at other stage ``widths`` (``--widths``)."""
    return build_default_model(tuple(widths)) if widths else BUILDERS[preset]()


def stage_widths(model: keras.Model) -> tuple[int, ...] | None:
    """The stage widths of a ``default``-style network (its ``s{stage}_conv0`` layers), or
    None for another one: a run's checkpoints rebuilt in float32 keep the widths it trained
    with (``--widths``)."""
    widths = []
    while True:
        try:
            widths.append(int(model.get_layer(f"s{len(widths)}_conv0").filters))
        except ValueError:
            return tuple(widths) or None


def augmented(preset: str) -> bool:
    """Whether ``preset`` trains on augmented faces: all but the seed baseline, which is kept
    as it was (a `fast` run trained on plain faces while this was ``== "default"`` in two
    places)."""
    return preset != "seed"


# ## Schedule
# Warm-up avoids the early blow-ups of a high learning rate with fresh BatchNorm statistics;
# cosine decay then lands softly. It is a function of the optimizer's step counter, so a run
# resumed from a checkpoint continues at the same point of the schedule.


@keras.saving.register_keras_serializable(package="fer")
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, peak: float, warmup_steps: int, total_steps: int, floor: float = 0.0):
        self.peak = float(peak)
        self.warmup_steps = int(warmup_steps)
        self.total_steps = int(total_steps)
        self.floor = float(floor)

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        warm = self.peak * (step + 1.0) / max(1, self.warmup_steps)
        progress = (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps)
        progress = tf.clip_by_value(progress, 0.0, 1.0)
        cosine = self.floor + 0.5 * (self.peak - self.floor) * (1.0 + tf.cos(math.pi * progress))
        return tf.where(step < self.warmup_steps, warm, cosine)

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps,
                "total_steps": self.total_steps, "floor": self.floor}


def compile_model(model: keras.Model, preset: str, learning_rate: float, steps_per_epoch: int,
                  epochs: int) -> keras.Model:
    if preset == "seed":
        optimizer = keras.optimizers.Adam(learning_rate)
        loss = keras.losses.CategoricalCrossentropy()
    else:
        schedule = WarmupCosine(learning_rate, warmup_steps=2 * steps_per_epoch,
                                total_steps=epochs * steps_per_epoch, floor=learning_rate * 1e-3)
        optimizer = keras.optimizers.AdamW(schedule, weight_decay=0.05)
        # Label smoothing: FER-2013's labels are noisy; soft targets keep the net from
        # memorising the wrong ones and give better-calibrated probabilities.
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def current_lr(model: keras.Model) -> float:
    lr = model.optimizer.learning_rate
    return float(keras.ops.convert_to_numpy(lr))


# ## Data
# The images go through the app's own preprocessing (fer_desktop.core.preprocess) once, up
# front: the network sees exactly what the live view will feed it.


def to_arrays(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = preprocess_faces(images)
    y = keras.utils.to_categorical(labels, NUM_CLASSES).astype(np.float32)
    return x, y


def _batch_seed(seed: int) -> tf.Tensor:
    """A fresh stateless seed for each batch: the op's own counter moves on at every call,
    so each batch draws anew while a run stays reproducible from ``seed``."""
    return tf.random.uniform([2], maxval=2**30, dtype=tf.int32, seed=seed)


def _random_erasing(images: tf.Tensor, seed: int, probability: float = 0.5) -> tf.Tensor:
    """Cut out one random rectangle (2-20% of the face) per image, filled with noise.

    Occlusion by hands, glasses and hair is common in real frames; erasing teaches the net
    not to depend on any single part of the face.
    """
    shape = tf.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    rng = tf.random.stateless_uniform
    s = _batch_seed(seed)
    area = rng([n], seed=s + 1, minval=0.02, maxval=0.2)
    ratio = tf.exp(rng([n], seed=s + 2, minval=math.log(0.3), maxval=math.log(3.3)))
    eh = tf.sqrt(area * ratio) * tf.cast(h, tf.float32)
    ew = tf.sqrt(area / ratio) * tf.cast(w, tf.float32)
    cy = rng([n], seed=s + 3) * tf.cast(h, tf.float32)
    cx = rng([n], seed=s + 4) * tf.cast(w, tf.float32)
    apply = rng([n], seed=s + 5) < probability
    ys = tf.cast(tf.range(h), tf.float32)[None, :, None]
    xs = tf.cast(tf.range(w), tf.float32)[None, None, :]
    inside = ((tf.abs(ys - cy[:, None, None]) < eh[:, None, None] / 2)
              & (tf.abs(xs - cx[:, None, None]) < ew[:, None, None] / 2)
              & apply[:, None, None])
    noise = rng(tf.shape(images), seed=s + 6)
    return tf.where(inside[..., None], noise, images)


def _gaussian_kernel(sigma: float, size: int = 5) -> tf.Tensor:
    r = tf.range(size, dtype=tf.float32) - (size - 1) / 2
    g = tf.exp(-(r ** 2) / (2 * sigma ** 2))
    k = tf.tensordot(g, g, axes=0)
    return tf.reshape(k / tf.reduce_sum(k), [size, size, 1, 1])


def _photometric(images: tf.Tensor, seed: int) -> tf.Tensor:
    """Brightness, contrast, gamma, blur and sensor noise per image, as webcams vary.

    FER-2013 faces are web photos; live faces come from webcams in any light, slightly out of
    focus, with sensor noise. Each is drawn per image over a range a real camera produces.
    """
    n = tf.shape(images)[0]
    rng = tf.random.stateless_uniform
    s = _batch_seed(seed)
    shape = [n, 1, 1, 1]
    gamma = tf.exp(rng(shape, seed=s + 1, minval=-0.35, maxval=0.35))
    x = tf.pow(tf.clip_by_value(images, 1e-4, 1.0), gamma)
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    contrast = rng(shape, seed=s + 2, minval=0.7, maxval=1.3)
    brightness = rng(shape, seed=s + 3, minval=-0.12, maxval=0.12)
    x = (x - mean) * contrast + mean + brightness
    blurred = tf.nn.conv2d(x, _gaussian_kernel(1.0), strides=1, padding="SAME")
    blur = tf.cast(rng(shape, seed=s + 4) < 0.25, tf.float32) * rng(shape, seed=s + 5)
    x = x * (1.0 - blur) + blurred * blur
    sigma = rng(shape, seed=s + 6, minval=0.0, maxval=0.03)
    x = x + sigma * tf.random.stateless_normal(tf.shape(x), seed=s + 7)
    return tf.clip_by_value(x, 0.0, 1.0)


def _jpeg(images: tf.Tensor, seed: int, probability: float = 0.3,
          quality: tuple[int, int] = (40, 95)) -> tf.Tensor:
    """Re-encode some faces as JPEG at a random quality, as webcams (MJPEG) and video files
    deliver them: blocking and ringing the network should not read as an expression.

    Applied to 48x48 faces, so at the low end it is harsher than a camera's frame shrunk to
    48 px; the range is a guess to be chosen on PublicTest like the rest.
    """
    s = _batch_seed(seed)

    def one(args):
        image, image_seed = args
        return tf.image.stateless_random_jpeg_quality(image, quality[0], quality[1], image_seed)

    n = tf.shape(images)[0]
    seeds = tf.random.stateless_uniform([n, 2], seed=s, maxval=2**30, dtype=tf.int32)
    encoded = tf.map_fn(one, (images, seeds), fn_output_signature=tf.float32)
    chosen = tf.random.stateless_uniform([n, 1, 1, 1], seed=s + 1) < probability
    return tf.where(chosen, encoded, images)


ROTATE_DEGREES = 10.0  # the geometric augmentation's ranges, the same for both warps
ZOOM = 0.1  # the default crop: 1 - ZOOM to 1 + ZOOM of the face (--zoom-min/--zoom-max)
SHIFT = 0.1


def one_warp(images: tf.Tensor, seed: int,
             zoom: tuple[float, float] = (1.0 - ZOOM, 1.0 + ZOOM)) -> tf.Tensor:
    """Rotate, zoom and shift each face in one affine transform: one bilinear resampling.

    The ``chain`` warp applies Keras's three layers one after another, and each resamples the
    face: training faces come out softer than the sharp test faces, which is why a test-time
    blur paid (docs/model.md, session 10). Drawn over the same ranges as the chain.
    """
    n = tf.shape(images)[0]
    h = tf.cast(tf.shape(images)[1], tf.float32)
    w = tf.cast(tf.shape(images)[2], tf.float32)
    rng = tf.random.stateless_uniform
    s = _batch_seed(seed)
    angle = rng([n], seed=s + 1, minval=-1.0, maxval=1.0) * (ROTATE_DEGREES * math.pi / 180)
    # The side of the input square each output face shows, as a share of the face: over 1,
    # a wider crop (the face smaller), as Keras's RandomZoom(0.1) draws in [0.9, 1.1].
    scale = rng([n], seed=s + 2, minval=zoom[0], maxval=zoom[1])
    tx = rng([n], seed=s + 3, minval=-SHIFT, maxval=SHIFT) * w
    ty = rng([n], seed=s + 4, minval=-SHIFT, maxval=SHIFT) * h
    cx, cy = (w - 1.0) / 2.0, (h - 1.0) / 2.0
    # output pixel p -> input pixel c + scale * R(angle) (p - t - c): the shift in output
    # pixels, as the chain's translation (its last layer) shifts
    a0, a1 = scale * tf.cos(angle), -scale * tf.sin(angle)
    b0, b1 = scale * tf.sin(angle), scale * tf.cos(angle)
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.shape(images)[1:3],
        fill_value=0.0, interpolation="BILINEAR", fill_mode="REFLECT")


def make_warp(seed: int, warp: str = "chain",
              zoom: tuple[float, float] = (1.0 - ZOOM, 1.0 + ZOOM)):
    """The geometric augmentation: ``chain``: Keras's rotation, zoom and translation layers in
    turn (three resamplings); ``once``: :func:`one_warp` with crops of ``zoom`` face sides."""
    if warp == "once":
        return lambda x: one_warp(x, seed, zoom)
    rotate = keras.layers.RandomRotation(ROTATE_DEGREES / 360, fill_mode="reflect", seed=seed,
                                         dtype="float32")
    zoom = keras.layers.RandomZoom(ZOOM, fill_mode="reflect", seed=seed + 1, dtype="float32")
    shift = keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="reflect", seed=seed + 2,
                                           dtype="float32")
    return lambda x: shift(zoom(rotate(x, training=True), training=True), training=True)


def make_augmenter(seed: int, robust: bool = False, warp: str = "chain",
                   zoom: tuple[float, float] = (1.0 - ZOOM, 1.0 + ZOOM)):
    """The training augmentation: flip, the geometric warp (:func:`make_warp`), then for
    ``robust`` the camera's photometric changes and JPEG, then random erasing."""
    flip = keras.layers.RandomFlip("horizontal", seed=seed, dtype="float32")
    warp_faces = make_warp(seed + 1, warp, zoom)

    def augment(x, y):
        x = warp_faces(flip(x, training=True))
        if robust:
            x = _jpeg(_photometric(x, seed + 5), seed + 6)
        x = _random_erasing(x, seed + 4)
        return tf.clip_by_value(x, 0.0, 1.0), y

    return augment


def class_sampled(x: np.ndarray, y: np.ndarray, classes: np.ndarray, sampling_power: float,
                  seed: int) -> tf.data.Dataset:
    """An epoch of ``len(x)`` faces in which class c is drawn with probability proportional
    to ``count_c ** (1 - sampling_power)``: rare classes (436 disgusted faces against 7,215
    happy ones) are seen more often, each pass over a class in a new order."""
    present = [c for c in range(NUM_CLASSES) if np.any(classes == c)]
    counts = np.array([np.sum(classes == c) for c in present], dtype=np.float64)
    shares = np.power(counts, 1.0 - sampling_power)
    per_class = [tf.data.Dataset.from_tensor_slices((x[classes == c], y[classes == c]))
                 .shuffle(int(n), seed=seed + 17 * c, reshuffle_each_iteration=True).repeat()
                 for c, n in zip(present, counts, strict=True)]
    return tf.data.Dataset.sample_from_datasets(
        per_class, weights=list(shares / shares.sum()), seed=seed,
        rerandomize_each_iteration=True).take(len(x))


def make_train_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int,
                       augment: bool, threads: int = 0, robust: bool = False,
                       classes: np.ndarray | None = None,
                       sampling_power: float = 0.0, warp: str = "chain",
                       teacher: keras.Model | None = None,
                       teacher_weight: float = 0.6, mixup: float = 0.0,
                       cutmix: float = 0.0,
                       zoom: tuple[float, float] = (1.0 - ZOOM, 1.0 + ZOOM)) -> tf.data.Dataset:
    """Shuffled, batched, augmented training faces. With ``classes`` (each row's class) and a
    ``sampling_power`` above 0, the classes are rebalanced (:func:`class_sampled`). With
    ``mixup`` above 0, each face is blended with another of its batch (:func:`mixed_up`); with
    ``cutmix`` above 0, a rectangle of another face is pasted in (:func:`cut_mixed`).
    With a ``teacher`` (``--teaching consistent``), each target becomes ``teacher_weight`` of
    the teacher's probabilities for the augmented (and blended) batch, the rest from ``y``."""
    if classes is not None and sampling_power > 0:
        ds = class_sampled(x, y, classes, sampling_power, seed).batch(batch_size)
    else:
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    if augment:
        ds = ds.map(make_augmenter(seed, robust, warp, zoom),
                    num_parallel_calls=tf.data.AUTOTUNE)
    if mixup > 0:
        ds = ds.map(mixed_up(mixup, seed + 7), num_parallel_calls=tf.data.AUTOTUNE)
    if cutmix > 0:
        ds = ds.map(cut_mixed(cutmix, seed + 8), num_parallel_calls=tf.data.AUTOTUNE)
    if teacher is not None:
        ds = ds.map(taught(teacher, teacher_weight))
    ds = ds.prefetch(tf.data.AUTOTUNE)
    if threads:
        options = tf.data.Options()
        options.threading.private_threadpool_size = max(1, threads)
        ds = ds.with_options(options)
    return ds


def _shares_and_partners(n: tf.Tensor, alpha: float, s: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """One share ``lam ~ Beta(alpha, alpha)`` per face (a ratio of two Gamma draws) and, for
    each face, the batch index of its partner (a shuffle: usually another face)."""
    a = tf.random.stateless_gamma([n], seed=s + 1, alpha=alpha)
    b = tf.random.stateless_gamma([n], seed=s + 2, alpha=alpha)
    lam = a / tf.maximum(a + b, 1e-12)
    return lam, tf.argsort(tf.random.stateless_uniform([n], seed=s + 3))


def mixed_up(alpha: float, seed: int):
    """mixup (Zhang et al., ICLR 2018), one share per face: each face becomes ``lam`` of
    itself and ``1 - lam`` of (usually) another face of its batch, and so does its target,
    ``lam ~ Beta(alpha, alpha)``.

    With a consistent teacher the teacher answers for the blend itself, so the student learns
    the teacher's function between the training faces too, not only at them: Beyer et al.'s
    "function matching" (exactly so at ``--teacher-weight 1``; otherwise the blended labels
    keep their share).
    """

    def mix(x, y):
        lam, partner = _shares_and_partners(tf.shape(x)[0], alpha, _batch_seed(seed))
        lam_x = tf.cast(tf.reshape(lam, [-1, 1, 1, 1]), x.dtype)
        lam_y = tf.cast(tf.reshape(lam, [-1, 1]), y.dtype)
        return (lam_x * x + (1 - lam_x) * tf.gather(x, partner),
                lam_y * y + (1 - lam_y) * tf.gather(y, partner))

    return mix


def cut_mixed(alpha: float, seed: int):
    """CutMix (Yun et al., ICCV 2019), one rectangle per face: a box of (about) ``1 - lam`` of
    the face's area, ``lam ~ Beta(alpha, alpha)``, at a random centre (clipped at the edges),
    is replaced by the same box of its partner; the target takes each face's share of the
    pixels really shown.

    Unlike mixup's ghosted double faces, every pixel stays a real face's: a mouth from one
    face under the eyes of another, which the consistent teacher then labels as it sees it.
    """

    def cut(x, y):
        shape = tf.shape(x)
        n, h, w = shape[0], shape[1], shape[2]
        s = _batch_seed(seed)
        lam, partner = _shares_and_partners(n, alpha, s)
        side = tf.sqrt(1.0 - lam)  # the box's share of each side: its area is 1 - lam
        fh, fw = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
        cy = tf.random.stateless_uniform([n], seed=s + 4) * fh
        cx = tf.random.stateless_uniform([n], seed=s + 5) * fw
        ys = tf.cast(tf.range(h), tf.float32)[None, :, None] + 0.5  # pixel centres
        xs = tf.cast(tf.range(w), tf.float32)[None, None, :] + 0.5
        inside = ((tf.abs(ys - cy[:, None, None]) < (side * fh / 2)[:, None, None])
                  & (tf.abs(xs - cx[:, None, None]) < (side * fw / 2)[:, None, None]))
        shown = 1.0 - tf.reduce_mean(tf.cast(inside, tf.float32), axis=[1, 2])  # own share
        lam_y = tf.cast(tf.reshape(shown, [-1, 1]), y.dtype)
        return (tf.where(inside[..., None], tf.gather(x, partner), x),
                lam_y * y + (1 - lam_y) * tf.gather(y, partner))

    return cut


def taught(teacher: keras.Model, weight: float):
    """A batch's targets mixed with the teacher's answer for the very faces the student gets."""

    def teach(x, y):
        p = tf.cast(teacher(x, training=False), tf.float32)
        return x, weight * p + (1.0 - weight) * tf.cast(y, tf.float32)

    return teach


def make_eval_dataset(x: np.ndarray, y: np.ndarray, batch_size: int) -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size).prefetch(2)


# ## Distribution


def make_strategy(name: str) -> tf.distribute.Strategy:
    """One device by default; all local devices (GPUs, or logical CPUs) or a cluster on request."""
    if name == "multiworker":  # a cluster (TF_CONFIG) is built by trainer.multiworker
        if int(os.environ.get("FER_LOGICAL_CPUS", "0") or 0) > 1:
            # the tests' one-machine reference with the same two replicas as two workers
            devices = [d.name for d in tf.config.list_logical_devices("CPU")]
            return tf.distribute.MirroredStrategy(devices=devices)
        return tf.distribute.MultiWorkerMirroredStrategy()  # one worker, this machine
    gpus = tf.config.list_logical_devices("GPU")
    if name == "mirrored":
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "auto" and len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
