"""The training loop written out (``trainer/hand_loop.py``): one SAM step against its
definition, and a whole ``--sam`` run as users start it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factories import make_csv
from trainer_helpers import events, run_trainer

pytestmark = pytest.mark.tf


def _tiny_model(lr: float):
    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(lr),
                  loss=keras.losses.CategoricalCrossentropy())
    return model


def _gradient(model, weights, x, y):
    import keras
    import tensorflow as tf

    model.set_weights(weights)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x, training=True)))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_a_sam_step_applies_the_gradient_taken_rho_along_the_first(rho):
    import tensorflow as tf

    from trainer.hand_loop import _replica_step

    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    lr = 0.1
    model = _tiny_model(lr)
    start = [w.copy() for w in model.get_weights()]
    first = _gradient(model, start, x, y)
    norm = np.sqrt(sum(float((g ** 2).sum()) for g in first))
    away = [w + rho * g / norm for w, g in zip(start, first, strict=True)]
    expected = [w - lr * g for w, g in zip(start, _gradient(model, away, x, y), strict=True)]
    plain = [w - lr * g for w, g in zip(start, first, strict=True)]

    model.set_weights(start)
    model.optimizer.build(model.trainable_variables)
    _loss, correct, count, _agreed = _replica_step(model, None, rho)(
        tf.constant(x), tf.constant(y), tf.constant([0.0, 0.0]))
    for got, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    if rho > 0:  # the step is not the plain one
        assert max(np.abs(g - p).max() for g, p in zip(model.get_weights(), plain,
                                                        strict=True)) > 1e-4
    assert float(count) == 8 and 0 <= float(correct) <= 8


def test_a_sam_run_trains_and_says_so_in_its_model_json(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 70, "PublicTest": 32, "PrivateTest": 32})
    result = run_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "2",
                         "--batch-size", "32", "--threads", "1", "--events", "json",
                         "--sam", "0.05")
    assert result.returncode == 0, result.stderr[-3000:]
    stream = events(result.stdout)
    assert "SAM: each step's gradient taken 0.05 away" in result.stderr
    epochs = [e for e in stream if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    # 70 faces in batches of 32: the short last batch counts as its 6 faces
    assert all(0.0 <= e["accuracy"] <= 1.0 and np.isfinite(e["loss"]) for e in epochs)
    run = Path(next(e for e in stream if e["event"] == "started")["run_dir"])
    assert json.loads((run / "model.json").read_text())["recipe"]["sam"] == 0.05


def test_the_loop_scores_val_loss_as_model_fit_does():
    """Without the compiled loss's label smoothing a SAM run's val_loss read about half a
    plain run's for the same network (review 40)."""
    import keras

    from trainer.hand_loop import _eval_step

    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1))
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 4)).astype(np.float32) * 4
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]
    total, _correct = _eval_step(model)(x, y)
    assert float(total) / 16 == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)


def test_sam_with_the_automatic_strategy_takes_one_device(monkeypatch):
    """"auto" on a machine with several GPUs made a mirrored strategy, which the loop refused
    only once the data was loaded and the run folder made (review 40)."""
    from trainer import recipe, train
    from trainer.config import TrainConfig

    asked = []
    monkeypatch.setattr(recipe, "make_strategy", lambda name: asked.append(name))
    train._make_strategy(TrainConfig(sam=0.05), None, None)
    train._make_strategy(TrainConfig(), None, None)
    assert asked == ["one", "auto"]
