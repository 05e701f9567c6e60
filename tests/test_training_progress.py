"""The Train tab's progress and ETA, from trainer events alone (no Qt, no window)."""

from __future__ import annotations

import json

import pytest

from fer_desktop.core.trainer_events import parse_event
from fer_desktop.core.training_progress import TrainingProgress, format_duration


def event(name: str, **fields):
    parsed = parse_event(json.dumps({"v": 1, "event": name, **fields}))
    assert parsed.ok, parsed.problem
    return parsed


STARTED = event("started", run_dir="/runs/r", epochs=3, steps_per_epoch=10, initial_epoch=0,
                config={"batch_size": 50})


def batch(epoch: int, step: int, rate: float | None = 100.0):
    return event("batch", epoch=epoch, epochs=3, step=step, steps=10, loss=1.0,
                 accuracy=0.5, images_per_s=rate)


def epoch_end(epoch: int, seconds: float | None = None):
    fields = {"seconds": seconds} if seconds is not None else {}
    return event("epoch", epoch=epoch, epochs=3, loss=1.0, accuracy=0.5, val_loss=1.0,
                 val_accuracy=0.4, **fields)


def test_nothing_is_known_before_the_started_event():
    progress = TrainingProgress()
    assert not progress.started and progress.eta_s(batch_size=32) is None
    assert progress.speed_line(65) == "elapsed 1:05"
    assert progress.headline().startswith("Starting the trainer")


def test_eta_from_the_speed_within_the_first_epoch():
    progress = TrainingProgress()
    for e in (STARTED, batch(1, 4)):
        progress.update(e)
    # 50 images per step at 100 images/s = 0.5 s a step: 6 steps left, then 2 epochs of 10
    assert progress.eta_s() == pytest.approx(6 * 0.5 + 2 * 10 * 0.5)
    assert progress.headline() == "Epoch 1 of 3"
    assert progress.speed_line(10) == "100 images/s   elapsed 0:10   ETA 0:13"


def test_a_measured_epoch_replaces_the_estimate_for_the_epochs_left():
    progress = TrainingProgress()
    for e in (STARTED, batch(1, 10), epoch_end(1, seconds=6.0), batch(2, 2)):
        progress.update(e)
    # validation makes an epoch slower than its steps: 8 steps x 0.5 s + 1 epoch x 6 s
    assert progress.eta_s() == pytest.approx(8 * 0.5 + 6.0)


def test_the_first_epochs_one_time_cost_does_not_swell_the_eta():
    """Trial 17: "ETA 27:52" after the first epoch of a 60-epoch run on 450 rows (the form
    said about 3 minutes), 4:33 by the fourth: the first epoch traced the graphs."""
    from fer_desktop.core.training_progress import EPOCH_OVERHEAD_S, FIRST_EPOCH_SHARE

    started = event("started", run_dir="/r", epochs=60, steps_per_epoch=10, initial_epoch=0,
                    config={"batch_size": 50})

    def at(epoch, step):
        return event("batch", epoch=epoch, epochs=60, step=step, steps=10, loss=1.0,
                     accuracy=0.5, images_per_s=100.0)

    def end(epoch, seconds):
        return event("epoch", epoch=epoch, epochs=60, loss=1.0, accuracy=0.5, val_loss=1.0,
                     val_accuracy=0.4, seconds=seconds)

    progress = TrainingProgress()
    for e in (started, at(1, 10), end(1, 28.0), at(2, 0)):
        progress.update(e)
    capped = FIRST_EPOCH_SHARE * 10 * 0.5 + EPOCH_OVERHEAD_S
    assert progress.eta_s() == pytest.approx(10 * 0.5 + 58 * capped)  # not 58 x 28 s
    for e in (at(2, 10), end(2, 7.0), at(3, 0)):  # a second epoch measured: its own time
        progress.update(e)
    assert progress.eta_s() == pytest.approx(10 * 0.5 + 57 * 7.0)
    resumed = TrainingProgress()  # a resumed run: its first epoch here is not epoch 1
    for e in (event("started", run_dir="/r", epochs=60, steps_per_epoch=10, initial_epoch=20,
                    config={"batch_size": 50}), at(21, 10), end(21, 28.0), at(22, 0)):
        resumed.update(e)
    assert resumed.eta_s() == pytest.approx(10 * 0.5 + 38 * capped)


def test_the_forms_batch_size_is_used_when_the_run_did_not_say():
    progress = TrainingProgress()
    progress.update(event("started", run_dir="/r", epochs=1, steps_per_epoch=4,
                          initial_epoch=0))
    progress.update(event("batch", epoch=1, epochs=1, step=2, steps=4, loss=1.0,
                          accuracy=0.5, images_per_s=20.0))
    assert progress.eta_s() is None
    assert progress.eta_s(batch_size=10) == pytest.approx(2 * 0.5)


def test_an_unknown_speed_gives_no_eta():
    progress = TrainingProgress()
    for e in (STARTED, batch(1, 3, rate=None)):
        progress.update(e)
    assert progress.eta_s() is None
    assert progress.speed_line(1).startswith("- images/s") and "ETA -" in progress.speed_line(1)


def test_after_the_last_epoch_the_trainer_exports():
    progress = TrainingProgress()
    for e in (STARTED, epoch_end(1), epoch_end(2)):
        progress.update(e)
    assert not progress.exporting and progress.step == progress.steps
    progress.update(epoch_end(3))
    assert progress.exporting
    assert progress.headline() == ("Evaluating and exporting the best model "
                                   "(all 3 epochs done)...")
    assert progress.speed_line(3725) == "elapsed 1:02:05"


def test_a_resumed_run_starts_from_its_initial_epoch():
    progress = TrainingProgress()
    progress.update(event("started", run_dir="/r", epochs=5, steps_per_epoch=10,
                          initial_epoch=3, config={"batch_size": 10}))
    assert (progress.epoch, progress.epochs, progress.step) == (3, 5, 0)
    progress.update(event("batch", epoch=4, epochs=5, step=5, steps=10, loss=1.0,
                          accuracy=0.5, images_per_s=10.0))
    assert progress.headline() == "Epoch 4 of 5"
    assert progress.eta_s() == pytest.approx(5 * 1.0 + 1 * 10 * 1.0)


def test_other_events_change_nothing():
    progress = TrainingProgress()
    progress.update(STARTED)
    before = TrainingProgress(**vars(progress))
    progress.update(event("checkpoint", epoch=1, path="/r/ckpt"))
    progress.update(event("error", message="x"))
    assert progress == before


@pytest.mark.parametrize("seconds, text", [(None, "-"), (-1, "-"), (float("nan"), "-"),
                                           (0, "0:00"), (59.6, "1:00"), (3600, "1:00:00")])
def test_durations(seconds, text):
    assert format_duration(seconds) == text


def test_the_batch_curve_gets_a_gap_at_each_new_epoch():
    import numpy as np

    from fer_desktop.core.training_progress import gaps_between_epochs

    x = np.array([0.25, 0.5, 1.0, 1.25, 1.5, 2.0, 2.5])
    y = np.array([2.0, 1.9, 1.85, 1.7, 1.65, 1.6, 1.5])
    gx, gy = gaps_between_epochs(x, y)
    np.testing.assert_array_equal(gx, [0.25, 0.5, 1.0, 1.25, 1.25, 1.5, 2.0, 2.5, 2.5])
    assert np.flatnonzero(np.isnan(gy)).tolist() == [3, 7]  # before the first batch of 2 and 3
    assert gaps_between_epochs(x[:1], y[:1])[0].tolist() == [0.25]
    assert len(gaps_between_epochs(np.array([]), np.array([]))[0]) == 0


def test_a_one_epoch_run_is_not_called_all_1_epochs():
    progress = TrainingProgress()
    progress.update(event("started", run_dir="/runs/r", epochs=1, steps_per_epoch=10,
                          initial_epoch=0, config={"batch_size": 50}))
    progress.update(event("epoch", epoch=1, epochs=1, loss=1.0, accuracy=0.5, val_loss=1.0,
                          val_accuracy=0.4))
    assert progress.headline() == "Evaluating and exporting the best model (1 epoch done)..."


def test_counted_says_one_epoch_and_two_epochs():
    from fer_desktop.core.plain_words import counted

    assert counted(1, "epoch") == "1 epoch" and counted(2, "epoch") == "2 epochs"


def test_a_fine_tune_exports_its_final_model_not_the_best():
    """A fine-tune keeps its last weights on purpose (docs/own-faces.md), yet its progress
    said "exporting the best model" (walk-through 12)."""
    progress = TrainingProgress()
    progress.update(event("started", run_dir="/runs/r", epochs=8, steps_per_epoch=2,
                          initial_epoch=0, config={"batch_size": 32},
                          started_from="/models/shipped", trainable=["dense"]))
    for k in range(1, 9):
        progress.update(event("epoch", epoch=k, epochs=8, loss=1.0, accuracy=0.5,
                              val_loss=1.0, val_accuracy=0.4))
    assert progress.headline() == ("Scoring the final model on your test faces and "
                                   "FER-2013's, then saving it (all 8 epochs done; the "
                                   "longest part on a busy computer)...")
    # a Stop now: a fine-tune keeps no checkpoint (it said "Resume would write the model
    # later", and a second Stop lost the finished fine-tune: trial 51)
    assert "Resume" not in progress.stop_in_export_words()
    assert "the fine-tune is lost" in progress.stop_in_export_words()
    assert progress.ended_in_export_words().endswith("press Start to fine-tune again.")
    plain = TrainingProgress()
    assert "Resume would write the model later" in plain.stop_in_export_words()
