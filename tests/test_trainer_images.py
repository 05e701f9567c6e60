"""``python -m trainer --images DIR`` and ``evaluate --images``: image folders end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import make_image_folder
from trainer_helpers import TINY, events, run_trainer

pytestmark = pytest.mark.tf


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """One 2-epoch run on a 3-emotion image folder, with export (and rebalanced sampling:
    four of the seven emotions are absent, which the sampler must survive)."""
    base = tmp_path_factory.mktemp("images")
    folder = make_image_folder(base / "faces", {"happiness": 10, "Sad": 10, "surprised": 10})
    (folder / "Sad" / "readme.txt").write_text("not an image")
    result = run_trainer("--images", str(folder), "--out", str(base / "runs"), *TINY,
                         "--batch-size", "8", "--sampling", "balanced")
    assert result.returncode == 0, result.stderr[-3000:]
    stream = events(result.stdout)
    run_dir = Path(next(e for e in stream if e["event"] == "started")["run_dir"])
    return {"events": stream, "run_dir": run_dir, "folder": folder, "stderr": result.stderr}


def test_training_on_an_image_folder_reports_and_exports(folder_run):
    stream = folder_run["events"]
    report = next(e for e in stream if e["event"] == "data_report")
    assert report["image_folder"]["counts"]["test"] == {"happy": 2, "sad": 2, "surprise": 2}
    assert report["image_folder"]["unreadable"] == ["Sad/readme.txt"]
    assert report["splits"]["Training"]["rows"] == 24
    started = next(e for e in stream if e["event"] == "started")
    assert started["config"]["images"] == str(folder_run["folder"])
    assert started["config"]["sampling"] == "balanced"
    assert stream[-1]["event"] == "finished" and not stream[-1]["stopped"]
    meta = json.loads((folder_run["run_dir"] / "model.json").read_text())
    assert meta["accuracy"]["model.tflite"]["public_accuracy"] >= 0.0
    assert meta["recipe"]["sampling"] == "balanced"
    assert meta["scored_on_fer2013"] is False  # its test faces, not FER-2013's
    assert meta["name"].startswith("trained on faces (")  # not "default 2026..."
    assert "Sad/readme.txt" in folder_run["stderr"]
    from fer_desktop.core.model_compare import load_test_faces

    faces, labels, name = load_test_faces(folder_run["run_dir"])  # for "Use this model"
    assert faces.shape == (6, 48, 48) and sorted(set(labels.tolist())) == [3, 4, 5]


def test_evaluate_on_an_image_folder(folder_run, tmp_path):
    result = run_trainer("evaluate", str(folder_run["run_dir"]), "--images",
                         str(folder_run["folder"]), "--split", "all", "--out", str(tmp_path),
                         "--events", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    evaluated = next(e for e in events(result.stdout) if e["event"] == "evaluated")
    assert sum(c["support"] for c in evaluated["per_class"].values()) == 30
    assert (tmp_path / "evaluation-all.json").is_file()
    # a file left out is said and recorded: it was dropped without a word (audit 44)
    assert "1 file(s) unreadable or not an image, skipped: Sad/readme.txt" in result.stderr
    report = json.loads((tmp_path / "evaluation-all.json").read_text())
    assert report["skipped"]["unreadable"] == ["Sad/readme.txt"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--split", "PublicTest"], "does not apply to an image folder"),
    (["--csv", "x.csv"], "needs one dataset"),
])
def test_evaluate_refuses_mixed_options(folder_run, args, fragment):
    result = run_trainer("evaluate", str(folder_run["run_dir"]), "--images",
                         str(folder_run["folder"]), *args)
    assert result.returncode == 2 and fragment in result.stderr


def test_a_bad_folder_gives_one_sentence_and_no_run(tmp_path):
    make_image_folder(tmp_path / "faces", {"happy": 5, "kittens": 5})
    result = run_trainer("--images", str(tmp_path / "faces"), "--out", str(tmp_path / "runs"),
                         *TINY)
    assert result.returncode == 2
    error = next(e for e in events(result.stdout) if e["event"] == "error")
    assert "'kittens'" in error["message"] and "accepted names" in error["message"]
    assert not list((tmp_path / "runs").glob("*-*"))


def test_average_of_an_image_folder_run(folder_run, tmp_path):
    """It failed with ".: is a folder, expected the FER-2013 CSV file" (no CSV in the run)."""
    out = tmp_path / "avg"
    result = run_trainer("average", str(folder_run["run_dir"]), "--out", str(out),
                         "--events", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    meta = json.loads((out / "model.json").read_text())
    assert meta["recipe"]["averaged_epochs"] in ([2], [1, 2])


def test_ensemble_of_image_folder_runs(folder_run, tmp_path):
    """Review 44: it failed with "error: . is a folder, expected the FER-2013 CSV file" (an
    image-folder run records no CSV), as average once did."""
    import shutil

    twin = tmp_path / "runs" / f"{folder_run['run_dir'].name}-twin"
    shutil.copytree(folder_run["run_dir"], twin)
    out = tmp_path / "ens"
    result = run_trainer("ensemble", str(folder_run["run_dir"]), str(twin), "--out", str(out),
                         "--events", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    meta = json.loads((out / "model.json").read_text())
    assert meta["name"] == "ensemble of 2 trained on faces"
    assert meta["scored_on_fer2013"] is False
