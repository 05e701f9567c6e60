"""``python -m trainer finetune``: what is frozen, the run folder, before/after scores, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factories import make_csv, make_image_folder
from trainer_helpers import events, run_trainer

from fer_desktop.core.model_compare import load_test_faces

pytestmark = pytest.mark.tf

SIZES = {"Training": 64, "PublicTest": 32, "PrivateTest": 32}


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """A 1-epoch run on a tiny CSV, then a 2-epoch fine-tune of it on a 3-emotion folder."""
    base = tmp_path_factory.mktemp("finetune")
    csv = make_csv(base / "tiny.csv", SIZES)
    result = run_trainer("--csv", str(csv), "--out", str(base / "runs"), "--epochs", "1",
                         "--batch-size", "32", "--threads", "1", "--no-export")
    assert result.returncode == 0, result.stderr[-3000:]
    start = next((base / "runs").glob("*-default"))
    faces = make_image_folder(base / "faces", {"happy": 10, "sad": 10, "anger": 10})
    start_files = _digests(start)
    result = run_trainer("finetune", "--images", str(faces), "--from", str(start), "--out",
                         str(base / "tuned"), "--csv", str(csv), "--epochs", "2",
                         "--batch-size", "8", "--threads", "1", "--events", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    stream = events(result.stdout)
    run = Path(next(e for e in stream if e["event"] == "finished")["run_dir"])
    return {"events": stream, "run": run, "start": start, "csv": csv, "faces": faces,
            "stderr": result.stderr, "start_files": start_files}


def _digests(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_only_the_last_block_and_the_head_are_trained(tuned):
    started = next(e for e in tuned["events"] if e["event"] == "started")
    names = {name.split("/")[1] for name in started["trainable"]}
    assert names == {"s3_conv0", "s3_conv1", "vgg_logits"}


def test_the_run_folder_reads_like_any_run(tuned):
    run = tuned["run"]
    state = json.loads((run / "state.json").read_text())
    assert state["status"] == "finished" and state["epoch"] == 2
    assert json.loads((run / "config.json").read_text())["preset"] == "finetune"
    kinds = [e["event"] for e in tuned["events"]]
    assert kinds.count("epoch") == 2 and kinds[-1] == "finished"
    for name in ("model.keras", "model.tflite", "model.json", "history.csv", "events.jsonl"):
        assert (run / name).is_file(), name


def test_model_json_holds_before_and_after_on_both_test_sets(tuned):
    meta = json.loads((tuned["run"] / "model.json").read_text())
    held = meta["held_out"]
    assert held["samples"] == 6 and held["test_source"] == "held-out"
    assert set(held["before"]) >= {"accuracy", "per_class", "predicted"}
    assert len(held["after"]["predicted"]) == 6
    assert meta["scored_on_fer2013"] is True
    assert meta["started_from"]["path"] == str(tuned["start"])
    assert meta["recipe"]["preset"] == "finetune"
    assert "your test faces (6)" in tuned["stderr"] and "FER-2013 PublicTest" in tuned["stderr"]


def test_the_held_out_faces_are_saved_for_the_comparison(tuned):
    faces, labels, name = load_test_faces(tuned["run"])
    assert faces.shape == (6, 48, 48) and faces.dtype == np.uint8
    assert sorted(np.bincount(labels, minlength=7)[[0, 3, 4]]) == [2, 2, 2]
    assert "6 test faces" in name


def test_the_starting_model_is_not_touched(tuned):
    assert _digests(tuned["start"]) == tuned["start_files"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--from", "/nonexistent/model"], "is not a folder"),
    (["--epochs", "0"], "at least 1"),
])
def test_bad_settings_are_named(tmp_path, args, fragment):
    faces = make_image_folder(tmp_path / "faces", {"happy": 5, "sad": 5})
    result = run_trainer("finetune", "--images", str(faces), "--out", str(tmp_path / "runs"),
                         *args)
    assert result.returncode == 2 and fragment in result.stderr
    assert not list((tmp_path / "runs").glob("*finetune*"))


def test_a_bad_folder_leaves_no_run(tmp_path):
    make_image_folder(tmp_path / "faces", {"happy": 5, "sad": 2})
    result = run_trainer("finetune", "--images", str(tmp_path / "faces"), "--out",
                         str(tmp_path / "runs"))
    assert result.returncode == 2 and "sad has only 2" in result.stderr
    assert not list((tmp_path / "runs").glob("*finetune*"))


def test_a_finetune_run_is_not_resumed(tmp_path):
    from trainer_helpers import make_run_folder

    run = make_run_folder(tmp_path, "20261201-120000-finetune", {"epoch": 3, "epochs": 8,
                          "status": "stopped"}, config={"preset": "finetune"})
    result = run_trainer("--resume", str(run))
    assert result.returncode == 2 and "cannot be resumed" in result.stderr
