"""A kill at any moment of an epoch's commit leaves best.keras, state.json and the events
consistent once resume (or export) has run its repairs. No training: a fake model is saved."""

from __future__ import annotations

import io
import json
import types
from pathlib import Path

import pytest

from trainer import rundir


class Killed(BaseException):
    """The process died here (a BaseException, so no ``except Exception`` can swallow it)."""


class FakeModel:
    """Saves a text naming the epoch it holds, so a file tells which epoch it came from."""

    def __init__(self) -> None:
        self.epoch = 0
        self.stop_training = False
        self.optimizer = types.SimpleNamespace(learning_rate=0.001)

    def save(self, path) -> None:
        Path(path).write_text(f"model of epoch {self.epoch}")


VAL_ACCURACY = [0.5, 0.6, 0.55, 0.7]  # epochs 1, 2 and 4 improve; 3 does not
OPERATIONS = ("save_keras_atomic", "atomic_write_json", "link_best", "write_history")


def train_until_killed(run: Path, kill_at: int, monkeypatch) -> int:
    """Run the real epoch-end callback over four epochs, dying before file operation
    ``kill_at`` (or before an ``epoch`` event); return how many operations there were."""
    from trainer.events import EventEmitter
    from trainer.train import _make_callback, _StopFlag

    count = {"n": 0}

    def step() -> None:
        if count["n"] == kill_at:
            raise Killed
        count["n"] += 1

    for name in OPERATIONS:
        real = getattr(rundir, name)

        def wrapped(*args, _real=real, **kwargs):
            step()
            return _real(*args, **kwargs)

        monkeypatch.setattr(rundir, name, wrapped)
    emitter = EventEmitter("json", stdout=io.StringIO(), stderr=io.StringIO())
    emitter.attach_run_dir(run)
    real_emit = emitter.emit

    def emit(event, **fields):
        if event == "epoch":
            step()
        return real_emit(event, **fields)

    emitter.emit = emit
    state = rundir.RunState(epochs=4)
    callback = _make_callback(run, state, emitter, _StopFlag(), steps=1, batch_size=8, epochs=4)
    model = FakeModel()
    callback.set_model(model)
    try:
        for epoch, val in enumerate(VAL_ACCURACY):
            model.epoch = epoch + 1
            callback.on_epoch_begin(epoch)
            callback.on_train_batch_end(0, {"loss": 1.0, "accuracy": 0.5})
            callback.on_epoch_end(epoch, {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.0,
                                          "val_accuracy": val})
    except Killed:
        pass
    monkeypatch.undo()
    return count["n"]


@pytest.mark.tf
def test_a_kill_at_any_moment_of_the_commit_leaves_a_consistent_run(tmp_path, monkeypatch):
    pytest.importorskip("keras")
    (tmp_path / "all").mkdir()
    total = train_until_killed(tmp_path / "all", kill_at=-1, monkeypatch=monkeypatch)
    assert total >= 4 * 3
    for kill_at in range(total + 1):
        run = tmp_path / f"kill-{kill_at}"
        run.mkdir()
        train_until_killed(run, kill_at, monkeypatch)
        if not (run / rundir.STATE).exists():
            assert not (run / rundir.BEST).exists(), kill_at  # nothing committed, no best
            continue
        state = rundir.RunState.load(run)
        rundir.repair_best(run, state)  # what resume and export do first
        if state.best_epoch:
            assert (run / rundir.BEST).read_text() == \
                f"model of epoch {state.best_epoch}", f"kill before operation {kill_at}"
        assert (run / state.checkpoint).read_text() == f"model of epoch {state.epoch}"
        missing = [row["epoch"] for row in rundir.epochs_without_event(run, state)]
        logged = [json.loads(line)["epoch"] for line in
                  (run / "events.jsonl").read_text().splitlines() if '"event":"epoch"' in line]
        assert sorted(logged + missing) == [row["epoch"] for row in state.history], kill_at


# --- the repairs themselves, without TensorFlow ----------------------------------------------
def test_repair_best_relinks_the_committed_best_epoch(tmp_path):
    (tmp_path / "ckpt-0003.keras").write_text("epoch 3")
    (tmp_path / rundir.BEST).write_text("epoch 2")  # killed after state.json said epoch 3
    state = rundir.RunState(epochs=3, epoch=3, best_epoch=3)
    assert rundir.best_file(tmp_path, state) == tmp_path / "ckpt-0003.keras"  # read-only
    assert (tmp_path / rundir.BEST).read_text() == "epoch 2"
    assert rundir.repair_best(tmp_path, state) is True
    assert rundir.best_file(tmp_path, state) == tmp_path / rundir.BEST
    assert (tmp_path / rundir.BEST).read_text() == "epoch 3"
    assert rundir.repair_best(tmp_path, state) is False  # already right: nothing written
    assert not list(tmp_path.glob(".tmp-*"))


def test_repair_best_leaves_a_best_that_was_linked(tmp_path):
    (tmp_path / rundir.BEST).write_text("epoch 2")
    (tmp_path / "ckpt-0003.keras").write_text("epoch 3")
    assert rundir.repair_best(tmp_path, rundir.RunState(epochs=3, epoch=3, best_epoch=2)) \
        is False  # pruned ckpt
    assert rundir.repair_best(tmp_path, rundir.RunState(epochs=3, epoch=3)) is False
    (tmp_path / "ckpt-0002.keras").write_text("epoch 2 (differs)")
    # Epoch 3 committed after epoch 2's link, so best.keras is not in a kill gap: left alone.
    assert rundir.repair_best(tmp_path, rundir.RunState(epochs=3, epoch=3, best_epoch=2)) \
        is False
    assert (tmp_path / rundir.BEST).read_text() == "epoch 2"


def test_link_best_shares_the_checkpoint_file(tmp_path):
    checkpoint = tmp_path / "ckpt-0001.keras"
    checkpoint.write_text("epoch 1")
    rundir.link_best(tmp_path, checkpoint)
    checkpoint.unlink()  # pruned later: best.keras keeps the data
    assert (tmp_path / rundir.BEST).read_text() == "epoch 1"


def test_remove_leftovers_takes_only_temporary_files(tmp_path):
    for name in (".tmp-123-best.keras", ".state.json.abc.tmp", ".write-test-abc", "state.json",
                 "best.keras", "ckpt-0001.keras", "notes.tmp"):
        (tmp_path / name).write_text("x")
    assert rundir.remove_leftovers(tmp_path) == [".state.json.abc.tmp", ".tmp-123-best.keras",
                                                 ".write-test-abc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best.keras", "ckpt-0001.keras", "notes.tmp", "state.json"]


def test_epochs_without_event_finds_the_gap(tmp_path):
    lines = [{"v": 1, "event": "epoch", "epoch": 1}, {"v": 1, "event": "batch", "epoch": 2},
             {"v": 1, "event": "epoch", "epoch": 3}]
    text = "\n".join(json.dumps(e, separators=(",", ":")) for e in lines)
    (tmp_path / "events.jsonl").write_text(text + '\n{"v":1,"event":"epoch","ep')  # cut line
    state = rundir.RunState(epochs=4, history=[{"epoch": n} for n in (1, 2, 3, 4)])
    assert [r["epoch"] for r in rundir.epochs_without_event(tmp_path, state)] == [2, 4]


def test_new_run_removes_only_stale_empty_run_folders(tmp_path):
    import os
    import time

    old = time.time() - 2 * rundir.STALE_EMPTY_RUN_S
    for name, files in [("20260101-000000-default", []), ("20260101-000001-default", []),
                        ("notarun", []), ("20260101-000002-default", ["config.json"])]:
        (tmp_path / name).mkdir()
        for file in files:
            (tmp_path / name / file).write_text("{}")
        if name != "20260101-000001-default":  # that one was created just now
            os.utime(tmp_path / name, (old, old))
    run = rundir.new_run_dir(tmp_path, "default")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [run.name, "20260101-000001-default", "notarun", "20260101-000002-default"])


def test_a_damaged_checkpoint_never_replaces_a_whole_best(tmp_path):
    """A checkpoint cut short since (a copy, a disk) was linked over the only good best.keras
    by the resume or export that then refused it (audit 36)."""
    import zipfile

    with zipfile.ZipFile(tmp_path / rundir.BEST, "w") as archive:
        archive.writestr("model.weights.h5", b"epoch 2" * 1000)
    with zipfile.ZipFile(tmp_path / "ckpt-0003.keras", "w") as archive:
        archive.writestr("model.weights.h5", b"epoch 3" * 1000)
    whole = (tmp_path / "ckpt-0003.keras").read_bytes()
    (tmp_path / "ckpt-0003.keras").write_bytes(whole[:len(whole) // 2])
    best = (tmp_path / rundir.BEST).read_bytes()
    state = rundir.RunState(epochs=3, epoch=3, best_epoch=3)
    for reader in (rundir.repair_best, rundir.best_file):  # resume and export; an ensemble
        with pytest.raises(rundir.RunDirError, match="ckpt-0003.keras is damaged or "):
            reader(tmp_path, state)
    assert (tmp_path / rundir.BEST).read_bytes() == best
    (tmp_path / "ckpt-0003.keras").write_bytes(whole)  # whole: the repair goes on as before
    assert rundir.repair_best(tmp_path, state) is True
