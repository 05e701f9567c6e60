"""Weight averaging (``python -m trainer average``): the arithmetic, the windows tried, the
checkpoints a run keeps. The export of an averaged run is in test_trainer_run.py."""

from __future__ import annotations

import io

import numpy as np
import pytest
from test_trainer_commit import FakeModel

from trainer import rundir
from trainer.average import average_weights, checkpoints_in, choose_window, window_sizes
from trainer.config import ConfigError, TrainConfig


def test_the_average_is_the_mean_and_leaves_integer_state_alone():
    a = [np.full((2, 3), 1.0, np.float32), np.array([5], np.int64)]
    b = [np.full((2, 3), 2.0, np.float32), np.array([9], np.int64)]
    c = [np.full((2, 3), 6.0, np.float32), np.array([11], np.int64)]
    mean, state = average_weights([a, b, c])
    np.testing.assert_allclose(mean, 3.0)
    assert mean.dtype == np.float32 and state.tolist() == [11]  # a generator's state: the last
    with pytest.raises(ValueError, match="one architecture"):
        average_weights([a, [np.zeros((3, 2), np.float32), a[1]]])
    with pytest.raises(ValueError, match="no weights"):
        average_weights([])


def test_the_windows_tried_double_up_to_all_checkpoints():
    assert window_sizes(0) == [] and window_sizes(1) == [1] and window_sizes(2) == [1, 2]
    assert window_sizes(12) == [1, 2, 4, 8, 12] and window_sizes(16) == [1, 2, 4, 8, 16]


@pytest.mark.parametrize(("scores", "chosen"), [
    ({1: 0.60, 2: 0.62, 4: 0.61}, 2),     # the best
    ({1: 0.60, 2: 0.62, 4: 0.62}, 2),     # a tie: the fewer checkpoints
    ({1: 0.65, 2: 0.62, 4: 0.64}, 1),     # averaging may not pay: the last epoch alone
])
def test_the_window_with_the_best_publictest_score_is_chosen(scores, chosen):
    assert choose_window(scores) == chosen


def test_checkpoints_are_found_by_epoch_and_nothing_else(tmp_path):
    for name in ("ckpt-0010.keras", "ckpt-0009.keras", "ckpt-0100.keras", "best.keras",
                 "ckpt-12.keras", ".tmp-1-ckpt-0011.keras"):
        (tmp_path / name).write_text("x")
    assert [epoch for epoch, _ in checkpoints_in(tmp_path)] == [9, 10, 100]


def test_a_run_keeps_the_checkpoints_asked_for(tmp_path):
    """The trainer kept the last two: nothing was left to average."""
    from trainer.events import EventEmitter
    from trainer.train import _make_callback, _StopFlag

    emitter = EventEmitter("json", stdout=io.StringIO(), stderr=io.StringIO())
    emitter.attach_run_dir(tmp_path)
    state = rundir.RunState(epochs=5)
    callback = _make_callback(tmp_path, state, emitter, _StopFlag(), steps=1, batch_size=8,
                              epochs=5, keep=3)
    model = FakeModel()
    callback.set_model(model)
    for epoch in range(5):
        model.epoch = epoch + 1
        callback.on_epoch_begin(epoch)
        callback.on_train_batch_end(0, {"loss": 1.0, "accuracy": 0.5})
        callback.on_epoch_end(epoch, {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.0,
                                      "val_accuracy": 0.1 * epoch})
    assert [epoch for epoch, _ in checkpoints_in(tmp_path)] == [3, 4, 5]


def test_keep_checkpoints_is_checked_and_may_change_on_resume(tmp_path):
    from trainer.events import EventEmitter
    from trainer.train import _reopen_run

    assert TrainConfig(csv="x.csv").keep_checkpoints == rundir.KEEP_CHECKPOINTS
    with pytest.raises(ConfigError, match="keep_checkpoints must be at least 1"):
        TrainConfig(csv="x.csv", keep_checkpoints=0)
    csv = tmp_path / "x.csv"  # there: a resume that changes a limit checks it first
    csv.write_text("emotion,pixels,Usage\n")
    rundir.atomic_write_json(tmp_path / rundir.CONFIG, TrainConfig(csv=str(csv)).to_dict())
    rundir.RunState(epochs=5).save(tmp_path)
    emitter = EventEmitter("text", stderr=io.StringIO())
    config, _, _ = _reopen_run(tmp_path, emitter, None, {"keep_checkpoints": 12})
    assert config.keep_checkpoints == 12
    assert rundir.read_json(tmp_path / rundir.CONFIG)["keep_checkpoints"] == 12
