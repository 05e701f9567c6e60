"""``python -m trainer finetune``: what is frozen, the run folder, before/after scores, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factories import make_csv, make_image_folder
from trainer_helpers import events, run_trainer

from fer_desktop.core.gui_wording import status_bar_name
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
    # the process that tuned it is recorded (and gone), as a training run's is: a killed
    # fine-tune reads "interrupted" at once instead of "running" for three minutes
    from trainer.runs import owner_gone

    assert owner_gone(state["owner"])
    config = json.loads((run / "config.json").read_text())
    assert config["preset"] == "finetune"
    # the test faces set aside, counted before any export: a stopped run's "2 of 10"
    assert config["resolved"]["test_faces"] == 6
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
    # named as the run list names its run, short enough for the status bar (trial 24)
    stamp, preset = tuned["run"].name.rsplit("-", 1)
    assert preset == "finetune" and meta["name"] == f"finetune {tuned['run'].name} on faces"
    assert status_bar_name(meta["name"]) == f"finetune {stamp} on faces"
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
    (["--from", "/nonexistent/model"], "no such folder (moved or deleted?)"),
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


@pytest.fixture(scope="module")
def tiny_export(tuned):
    """The tuned fixture's starting network (float32) and its tiny CSV, loaded in-process."""
    from trainer.data import load_cached
    from trainer.export import best_float32_model

    return best_float32_model(tuned["start"]), load_cached(tuned["csv"],
                                                           tuned["csv"].parent / ".cache")


def _export_finetuned(tiny_export, out: Path, start_meta: dict) -> tuple[dict, str]:
    import io

    from trainer.events import EventEmitter
    from trainer.export import export_finetuned

    model, data = tiny_export
    log = io.StringIO()
    described = {"name": "tiny tuned", "dataset_sha256": data.sha256, "recipe": {},
                 "training": {}}
    meta = export_finetuned(model, out, data, EventEmitter("json", stdout=io.StringIO(),
                                                           stderr=log), described, start_meta)
    return meta, log.getvalue()


SHIPPED_LIKE = {"flip_tta_in_model": False, "files": {"keras": "model.keras",
                                                       "tflite_int8": "model-int8.tflite"}}


def test_a_finetuned_model_ships_its_int8_file_scored_as_it_runs(tiny_export, tmp_path,
                                                                 monkeypatch):
    """The fine-tune's export takes the start's decisions and scores only what ships."""
    from fer_desktop.core.preprocess import preprocess_faces
    from trainer import export
    from trainer.convert import run_tflite

    monkeypatch.setattr(export, "QUICK_MIN_AGREEMENT", 0.0)  # a 1-epoch net: near-ties
    meta, log = _export_finetuned(tiny_export, tmp_path / "out", SHIPPED_LIKE)
    assert meta["files"] == {"keras": "model.keras", "tflite_int8": "model-int8.tflite"}
    assert not (tmp_path / "out" / "model.tflite").exists()
    assert meta["flip_tta_in_model"] is False and meta["export"]["kind"] == "fine-tune"
    assert meta["export"]["int8_agreement_faces"] == SIZES["PublicTest"]
    assert "(the starting model's)" in log
    data = tiny_export[1]
    for split, key in (("PublicTest", "public_accuracy"), ("PrivateTest", "private_accuracy")):
        p = run_tflite(tmp_path / "out" / "model-int8.tflite",
                       preprocess_faces(data.images[split]))
        assert meta["accuracy"]["model-int8.tflite"][key] == pytest.approx(
            float((p.argmax(1) == data.labels[split]).mean()))
    on_disk = json.loads((tmp_path / "out" / "model.json").read_text())
    assert on_disk["accuracy"] == json.loads(json.dumps(meta["accuracy"]))


def test_a_fine_tune_keeps_its_starting_models_blur(tiny_export, tmp_path, monkeypatch):
    """The shipped model has a blur in its graph (1.7 points of PublicTest balanced accuracy):
    a fine-tune of it that lost it would cost the user that after every fine-tune."""
    import cv2

    from fer_desktop.core.preprocess import preprocess_faces
    from trainer import export
    from trainer.convert import run_tflite

    monkeypatch.setattr(export, "QUICK_MIN_AGREEMENT", 0.0)
    meta, log = _export_finetuned(tiny_export, tmp_path / "out",
                                  SHIPPED_LIKE | {"blur_sigma_in_model": 0.5})
    assert meta["blur_sigma_in_model"] == 0.5 and "blur sigma 0.5" in log
    assert meta["export"]["blur_sigma_from"] == "the starting model's model.json"
    model, data = tiny_export
    faces = data.images["PublicTest"][:16]
    blurred = np.stack([cv2.GaussianBlur(f, (3, 3), 0.5, borderType=cv2.BORDER_REFLECT_101)
                        for f in faces])
    keras_blurred = model.predict(preprocess_faces(blurred), verbose=0)
    keras_sharp = model.predict(preprocess_faces(faces), verbose=0)
    p = run_tflite(tmp_path / "out" / "model-int8.tflite", preprocess_faces(faces))
    weights = np.array(list(meta["prior_correction_in_model"]["class_weights"].values()))

    def corrected(q):
        return q * weights / (q * weights).sum(axis=1, keepdims=True)

    # the file is the blurred network (int8 weights: close, not equal), not the sharp one
    assert np.abs(p - corrected(keras_blurred)).max() < np.abs(p - corrected(keras_sharp)).max()
    bad, log = _export_finetuned(tiny_export, tmp_path / "bad",
                                 SHIPPED_LIKE | {"blur_sigma_in_model": "x"})
    assert "blur_sigma_in_model must be a number" in log and "full export" in log


@pytest.mark.parametrize(("start_meta", "min_agreement", "why"), [
    ({}, 0.0, "no model.json with an int8 file"),        # a run folder's best.keras
    (SHIPPED_LIKE, 1.01, "full export"),                  # int8 disagrees with Keras
], ids=["no-model-json", "int8-disagrees"])
def test_the_finetuned_export_falls_back_to_the_full_one(tiny_export, tmp_path, monkeypatch,
                                                         start_meta, min_agreement, why):
    from trainer import export

    monkeypatch.setattr(export, "QUICK_MIN_AGREEMENT", min_agreement)
    meta, log = _export_finetuned(tiny_export, tmp_path / "out", start_meta)
    assert why in log and "export" not in meta
    assert (tmp_path / "out" / "model.tflite").is_file()  # the float32 file, checked, scored


def _full_disk_for_test_faces(monkeypatch):
    """np.savez_compressed fails as a full disk does (no file named) on test-faces.npz only."""
    import errno

    real = np.savez_compressed

    def savez(file, *args, **kwargs):
        if str(getattr(file, "name", file)).endswith("test-faces.npz"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(file, *args, **kwargs)
    monkeypatch.setattr(np, "savez_compressed", savez)


@pytest.mark.parametrize("command", [["finetune"], []])
def test_a_full_disk_at_the_test_faces_names_them_and_leaves_no_run(tmp_path, monkeypatch,
                                                                    capsys, command):
    """Audit 46: a fine-tune left a run folder marked running with a half-written
    .tmp-test-faces.npz, and training on a folder advised --resume of a run folder it had
    removed; neither named the file."""
    from trainer.cli import main

    faces = make_image_folder(tmp_path / "faces", {"happy": 10, "sad": 10})
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    _full_disk_for_test_faces(monkeypatch)
    extra = ["--csv", str(csv)] if command else ["--preset", "fast"]
    # --threads 0: TensorFlow may have started in this process already (its thread pools
    # are then set for good, and setting them again raised)
    assert main([*command, "--images", str(faces), "--out", str(tmp_path / "runs"),
                 "--epochs", "1", "--threads", "0", *extra]) == 2
    err = capsys.readouterr().err
    assert "test-faces.npz: No space left on device" in err and "--resume" not in err
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_stop_in_the_last_epoch_ends_stopped_with_nothing_exported(tmp_path, monkeypatch):
    """Review 44: Keras ends a stopped epoch too, and the fine-tune counted it whole: a Stop in
    the first batch of the last epoch exported the half-trained weights, "finished"."""
    from trainer import finetune
    from trainer.cli import main

    runs = tmp_path / "runs"

    class StopAfterTheFirstEpoch(finetune._Stop):
        def install(self) -> None:
            pass

        @property
        def requested(self) -> bool:  # asked after each batch: true in the second epoch
            states = list(runs.glob("*/state.json"))
            return bool(states) and json.loads(states[0].read_text())["epoch"] >= 1

    monkeypatch.setattr(finetune, "_Stop", StopAfterTheFirstEpoch)
    faces = make_image_folder(tmp_path / "faces", {"happy": 16, "sad": 16})
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    assert main(["finetune", "--images", str(faces), "--out", str(runs), "--csv", str(csv),
                 "--epochs", "2", "--batch-size", "8", "--threads", "0"]) == 130  # stopped
    # (it exited 0, read as done by scripts: audit 57)
    run = next(runs.iterdir())
    state = json.loads((run / "state.json").read_text())
    assert (state["status"], state["epoch"]) == ("stopped", 1)
    assert not (run / "model.json").exists()


def test_the_starting_models_fer_score_is_measured_on_another_csv(tmp_path):
    """Trial 60: fine-tuned with --csv of her own copy, the before column said "n/a" for
    FER-2013 PublicTest (the one comparison --csv was given for): the starting model's
    model.json scored another CSV, so it is measured on this one's PublicTest now."""
    from fer_desktop.core.model import default_model_dir, read_metadata
    from trainer.data import load_csv
    from trainer.finetune import _public_before, score_faces

    shipped = default_model_dir()
    meta = read_metadata(shipped)
    data = load_csv(make_csv(tmp_path / "mine.csv"))
    assert meta["dataset_sha256"] != data.sha256
    measured = _public_before(shipped, meta, data)
    runtime = shipped / (meta["files"].get("tflite_int8") or meta["files"]["tflite"])
    assert measured == score_faces(runtime, data.images["PublicTest"], data.labels["PublicTest"],
                                   meta["temperature"])["accuracy"]
