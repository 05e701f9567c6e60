"""Reading run folders without Qt: the run list's rows and a run's curves (``trainer.runs``)."""

from __future__ import annotations

import json
import math
import time

from trainer_helpers import make_run_folder

from trainer.runs import list_runs, read_run_curves, read_run_row


def test_the_run_list_reads_runs_made_elsewhere(tmp_path):
    out = tmp_path / "runs"
    stopped = make_run_folder(out, "20260101-120000-seed", {"epoch": 2, "epochs": 5,
                                                      "status": "stopped",
                                                      "best_val_accuracy": 0.41})
    killed = make_run_folder(out, "20260102-120000-seed", {"epoch": 1, "epochs": 5,
                                                     "status": "running"})
    crashed = make_run_folder(out, "20260103-120000-seed", {"epoch": 0, "epochs": 5,
                                                      "status": "running"},
                        [{"v": 1, "event": "error", "message": "x", "kind": "internal"}])
    (out / "not-a-run").mkdir()
    rows = list_runs(out)
    assert [r.run_dir for r in rows] == [crashed, killed, stopped]
    later = time.time() + 3600
    assert read_run_row(killed, now=later).state == "interrupted"
    assert read_run_row(crashed, now=later).state == "failed"
    assert read_run_row(killed).state == "running"  # written moments ago
    assert rows[2].state == "stopped" and rows[2].resumable
    assert rows[2].started == "01 Jan 12:00"
    assert list_runs(tmp_path / "missing") == []



def _epoch(epoch: int, val_accuracy: float) -> dict:
    return {"v": 1, "event": "epoch", "epoch": epoch, "epochs": 3, "loss": 1.0,
            "accuracy": 0.5, "val_loss": None, "val_accuracy": val_accuracy}


def _batch(epoch: int, step: int) -> dict:
    return {"v": 1, "event": "batch", "epoch": epoch, "epochs": 3, "step": step, "steps": 4,
            "loss": 2.0, "accuracy": 0.2, "images_per_s": 10.0}


def test_curves_of_a_resumed_run_forget_the_repeated_epoch(tmp_path):
    # stopped in epoch 2 after one batch, resumed from the end of epoch 1
    events = [_batch(1, 2), _batch(1, 4), _epoch(1, 0.3), _batch(2, 2),
              {"v": 1, "event": "started"},  # incomplete: skipped, not fatal
              "not json at all",
              _batch(2, 2), _batch(2, 4), _epoch(2, 0.4)]
    run = make_run_folder(tmp_path, "r", {"epoch": 2, "epochs": 3, "status": "running"})
    (run / "events.jsonl").write_text("".join(
        (e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events))
    curves = read_run_curves(run)
    assert curves.epoch == [1.0, 2.0] and curves.val_accuracy == [0.3, 0.4]
    assert math.isnan(curves.val_loss[0])  # null in the file: a gap in the plot
    assert curves.batch_x == [0.5, 1.0, 1.5, 2.0]


def test_curves_fall_back_to_history_csv(tmp_path):
    run = make_run_folder(tmp_path, "r", {"epoch": 2, "epochs": 2, "status": "finished"})
    (run / "history.csv").write_text("epoch,loss,accuracy,val_loss,val_accuracy\n"
                                     "1,1.5,0.4,1.6,0.35\n2,1.2,0.5,,0.45\nbad,row\n")
    curves = read_run_curves(run)
    assert curves.epoch == [1.0, 2.0] and curves.loss == [1.5, 1.2]
    assert math.isnan(curves.val_loss[1]) and curves.batch_x == []


def test_a_run_stopped_during_export_is_resumable(tmp_path):
    run = make_run_folder(tmp_path, "20260101-120000-seed",
                          {"epoch": 3, "epochs": 3, "status": "stopped"})
    assert read_run_row(run).resumable  # all epochs done, no model.json yet
    (run / "model.json").write_text("{}")
    assert not read_run_row(run).resumable
