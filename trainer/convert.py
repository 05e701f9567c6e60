"""Turning a trained Keras model into what the app runs: float32 copy, the test-time views
(a light blur, flip averaging), the balanced decision in the graph, ``.tflite`` conversion,
and running a ``.tflite`` with LiteRT (the app's runtime) to check it.

Why a blur at test time: every training face is resampled by the augmentation (rotation,
zoom and shift interpolate it bilinearly), so the network learnt on slightly soft faces and
then sees sharp ones; a 3x3 Gaussian of sigma 0.5-0.75 in front of it gave the students of
sessions 8 and 9 about a point of PublicTest balanced accuracy (docs/model.md, session 10).
It is chosen on PublicTest at export like flip averaging, and costs nothing measurable.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from fer_desktop.core import preprocess
from fer_desktop.core.emotions import EMOTIONS


def float32_copy(model, preset: str):
    """Rebuild ``model`` in float32 with the same weights (TFLite has no bfloat16 kernels).

    Raises:
        ConfigError: ``preset`` (from a run's config.json) is not one this trainer builds:
            ``export`` and ``average`` of a run made by a newer version ended in "KeyError:
            'xlarge'" and a traceback (audit 52).
    """
    from trainer.config import PRESETS, ConfigError

    if preset not in PRESETS:  # (the presets are the networks trainer.recipe builds)
        raise ConfigError(f"the run's config.json names the preset {preset!r}, which this "
                          f"version of the trainer does not know ({', '.join(PRESETS)}): was "
                          "the run made by a newer version?")
    import keras

    from trainer.recipe import BUILDERS, build_network, stage_widths

    keras.mixed_precision.set_global_policy("float32")
    clone = build_network(preset, stage_widths(model)) if preset in ("default", "fast") \
        else BUILDERS[preset]()
    clone.set_weights(model.get_weights())
    return clone


def gaussian_kernel(sigma: float) -> np.ndarray:
    """The 3-tap Gaussian of ``sigma`` (sums to 1): the test-time blur, one axis."""
    taps = np.exp(-np.arange(-1, 2, dtype=np.float64) ** 2 / (2.0 * sigma ** 2))
    return (taps / taps.sum()).astype(np.float32)


MAX_BLUR_SIGMA = 2.0  # a 3x3 kernel cannot blur more than this


def blur_sigma_of(meta: dict) -> float:
    """``model.json``'s test-time blur (``blur_sigma_in_model``; 0.0 when absent: models
    exported before it). The one reader, for a fine-tune's start and a teacher.

    Raises:
        ValueError: the value is not a number from 0 to :data:`MAX_BLUR_SIGMA`.
    """
    sigma = meta.get("blur_sigma_in_model", 0.0) if isinstance(meta, dict) else 0.0
    if sigma is None:
        return 0.0
    if isinstance(sigma, bool) or not isinstance(sigma, int | float) \
            or not 0.0 <= sigma <= MAX_BLUR_SIGMA:
        raise ValueError(f"blur_sigma_in_model must be a number from 0 to {MAX_BLUR_SIGMA:g}, "
                         f"got {sigma!r}")
    return float(sigma)


def with_blur(model, sigma: float):
    """A model that blurs the face (3x3 Gaussian, edges mirrored) before ``model`` sees it."""
    import keras

    taps = gaussian_kernel(sigma)
    kernel = np.outer(taps, taps)[:, :, None, None].astype(np.float32)

    class TestTimeBlur(keras.layers.Layer):
        def call(self, x):
            padded = keras.ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="reflect")
            weights = keras.ops.convert_to_tensor(kernel, dtype=x.dtype)  # bfloat16 in a teacher
            return keras.ops.conv(padded, weights, padding="valid")

    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    outputs = model(TestTimeBlur(name=f"blur_{sigma:g}".replace(".", "_"))(inputs))
    return keras.Model(inputs, outputs, name=f"{model.name}_blurred")


def with_views(model, flip_tta: bool = False, blur_sigma: float = 0.0):
    """``model`` with the test-time views the export chose: the blur, then flip averaging
    (the one place both are put together, for the graph and for the scores that chose them)."""
    if blur_sigma > 0:
        model = with_blur(model, blur_sigma)
    if flip_tta:
        model = with_flip_averaging(model)
    return model


def view_probabilities(model, x: np.ndarray,
                       blur_sigmas: tuple[float, ...]) -> dict[tuple[bool, float], np.ndarray]:
    """``model``'s probabilities for ``x`` in every view the export weighs: (flip averaged,
    blur sigma) for no blur and each of ``blur_sigmas``, plain and averaged with the mirror
    image (the export's choice and benchmarks/ensemble_choice.py read the same numbers)."""
    mirror = np.ascontiguousarray(x[:, :, ::-1])
    views = {}
    for sigma in (0.0, *blur_sigmas):
        viewed = with_views(model, blur_sigma=sigma)
        plain = viewed.predict(x, batch_size=256, verbose=0)
        views[(False, sigma)] = plain
        views[(True, sigma)] = 0.5 * (plain + viewed.predict(mirror, batch_size=256, verbose=0))
    return views


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
              prior_weights: np.ndarray | None = None, blur_sigma: float = 0.0) -> bytes:
    """Convert with Keras's own export path (it freezes the weights into the flatbuffer)."""
    import tensorflow as tf

    model = with_views(model, flip_tta, blur_sigma)
    if prior_weights is not None and not np.allclose(prior_weights, 1.0):
        model = with_prior_correction(model, prior_weights)
    # Keras prints the exported graph's signature ("Saved artifact at ...", then a line per
    # captured tensor: dozens of "TensorSpec(shape=(), dtype=tf.resource...)") which flooded
    # the Train tab's log and hid the trainer's own lines.
    with contextlib.redirect_stdout(io.StringIO()):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if quantize:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]  # dynamic-range int8 weights
        return converter.convert()


def run_tflite(model_bytes_or_path, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """Predict with LiteRT, the runtime the app uses."""
    from ai_edge_litert.interpreter import Interpreter

    from fer_desktop.core.native_logs import litert_quiet

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
            with litert_quiet():  # its XNNPACK INFO line, kept off the trainer's stderr
                interpreter.allocate_tensors()  # as analyze does (trial 60)
            size = len(chunk)
        interpreter.set_tensor(inp["index"], chunk)
        interpreter.invoke()
        results.append(interpreter.get_tensor(out["index"]).copy())
    return np.concatenate(results) if results else np.zeros((0, len(EMOTIONS)), np.float32)
