"""The trainer end to end, as a subprocess: events, files, export fidelity, stop, resume, errors."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from factories import make_csv, make_votes
from trainer_helpers import ROOT, TINY, events, run_trainer, start_trainer

from trainer import metrics

pytestmark = pytest.mark.tf

SIZES = {"Training": 96, "PublicTest": 48, "PrivateTest": 48}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One real 2-epoch run with export, shared by the tests that only read its results."""
    folder = tmp_path_factory.mktemp("tiny")
    csv = make_csv(folder / "tiny.csv", SIZES)
    # given relative to where the trainer starts (ROOT): recorded absolute (audit 44)
    result = run_trainer("--csv", os.path.relpath(csv, ROOT), "--out", str(folder / "runs"),
                         *TINY)
    assert result.returncode == 0, result.stderr[-3000:]
    stream = events(result.stdout)
    run_dir = Path(next(e for e in stream if e["event"] == "started")["run_dir"])
    return {"events": stream, "run_dir": run_dir, "csv": csv, "stderr": result.stderr}


def test_a_relative_csv_is_recorded_as_an_absolute_path(tiny_run):
    """Audit 44: a run started with --csv tiny.csv could not be exported from another
    folder: "tiny.csv: file not found"."""
    config = json.loads((tiny_run["run_dir"] / "config.json").read_text())
    assert config["csv"] == str(tiny_run["csv"])


def test_events_come_in_order_and_carry_the_protocol(tiny_run):
    names = [e["event"] for e in tiny_run["events"]]
    assert names[0] == "data_report" and names[1] == "started" and names[-1] == "finished"
    assert all(e["v"] == 1 for e in tiny_run["events"])
    assert names.count("epoch") == 2 and names.count("checkpoint") == 2
    assert names.index("batch") < names.index("epoch") < names.index("exported")
    assert "evaluated" in names
    epoch = next(e for e in tiny_run["events"] if e["event"] == "epoch")
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds", "images_per_s"):
        assert key in epoch
    finished = tiny_run["events"][-1]
    assert finished["stopped"] is False and finished["best_epoch"] in (1, 2)
    # the Train tab's Log showed Keras's "`shuffle=True` was passed, but will be ignored"
    assert "UserWarning" not in tiny_run["stderr"]


def test_run_folder_holds_every_file(tiny_run):
    run = tiny_run["run_dir"]
    for name in ("config.json", "state.json", "history.csv", "events.jsonl", "best.keras",
                 "model.keras", "model.tflite", "model.json"):
        assert (run / name).is_file(), name
    assert not list(run.glob(".tmp-*")), "temporary files left behind"
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] == 2 and state["status"] == "finished"
    assert len((run / "history.csv").read_text().splitlines()) == 3
    meta = json.loads((run / "model.json").read_text())
    assert meta["classes"] == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert meta["input"]["shape"] == [1, 48, 48, 1]
    assert meta["preprocessing"]["name"] == "gray48-unit"
    assert meta["temperature"] > 0 and meta["dataset_sha256"]
    assert meta["scored_on_fer2013"] is True
    # each file's SHA-256, which the app checks (a damaged file loaded unsaid, audit 43)
    import hashlib

    assert meta["files_sha256"] == {name: hashlib.sha256((run / name).read_bytes()).hexdigest()
                                    for name in meta["files"].values()}
    # the seed, so that a run started from this network is warned off replaying its faces
    config = json.loads((run / "config.json").read_text())
    assert meta["training"]["seed"] == config["seed"]
    assert "teachers" not in meta["training"] and "init" not in meta["training"]


def _as_exported(model, meta: dict, x: np.ndarray) -> np.ndarray:
    """What the exported file must answer: the Keras model through the views the export
    chose, then the prior correction it chose (a tiny run's PublicTest may prefer any power,
    ties included, so the test reads the choice instead of assuming power 0)."""
    from trainer.convert import with_views

    views = with_views(model, meta["flip_tta_in_model"], meta["blur_sigma_in_model"])
    by_name = meta["prior_correction_in_model"]["class_weights"]  # model.json sorts keys
    weights = np.array([by_name[name] for name in meta["classes"]])
    return metrics.apply_prior(views.predict(x, verbose=0), weights)


def test_exported_tflite_predicts_like_the_keras_model(tiny_run):
    import keras

    from trainer.convert import run_tflite

    run = tiny_run["run_dir"]
    meta = json.loads((run / "model.json").read_text())
    model = keras.models.load_model(run / "model.keras", compile=False)
    x = np.random.default_rng(0).random((16, 48, 48, 1), dtype=np.float32)
    assert meta["blur_sigma_in_model"] in (0.0, *metrics.BLUR_SIGMAS)  # chosen at export
    expected = _as_exported(model, meta, x)
    np.testing.assert_allclose(run_tflite(run / "model.tflite", x), expected, atol=1e-4)
    if "tflite_int8" in meta["files"]:
        int8 = run_tflite(run / meta["files"]["tflite_int8"], x)
        assert np.abs(int8 - expected).max() < 0.05


def test_evaluate_writes_json_and_png(tiny_run, tmp_path):
    result = run_trainer("evaluate", str(tiny_run["run_dir"]), "--csv", str(tiny_run["csv"]),
                         "--split", "PrivateTest", "--tta", "flip", "--out", str(tmp_path),
                         "--events", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "evaluation-PrivateTest-flip.json").read_text())
    assert report["samples"] == SIZES["PrivateTest"]
    assert np.array(report["confusion"]).sum() == SIZES["PrivateTest"]
    assert set(report["per_class"]) >= {"disgust", "fear"}
    assert (tmp_path / "evaluation-PrivateTest-flip.png").read_bytes()[:4] == b"\x89PNG"
    assert events(result.stdout)[-1]["event"] == "evaluated"
    # The decoded dataset is cached in the user's cache folder, never beside a report (which
    # may sit in the repository) or a model.
    assert not (tmp_path / ".cache").exists()
    assert not (tiny_run["run_dir"] / ".cache").exists()
    # an earlier report is replaced; a file of that name that is the user's is not (the
    # default folder is the model's: audit 39)
    notes = tmp_path / "evaluation-PrivateTest-flip.json"
    notes.write_text('{"my": "notes on this model"}')
    again = run_trainer("evaluate", str(tiny_run["run_dir"]), "--csv", str(tiny_run["csv"]),
                        "--split", "PrivateTest", "--tta", "flip", "--out", str(tmp_path))
    assert again.returncode == 2 and "is not an earlier evaluation report" in again.stderr
    assert notes.read_text() == '{"my": "notes on this model"}'


def test_an_evaluation_that_cannot_draw_its_picture_replaces_nothing(tiny_run, tmp_path,
                                                                     monkeypatch):
    """Audit 44: on a full disk the new report was written and its picture was not, so the
    last model's confusion matrix stayed beside another model's report."""
    import errno

    from trainer import evaluate

    args = dict(csv=str(tiny_run["csv"]), split="PrivateTest", out=tmp_path)
    evaluate.evaluate(tiny_run["run_dir"], **args)
    report, picture = (tmp_path / "evaluation-PrivateTest.json",
                       tmp_path / "evaluation-PrivateTest.png")
    before = report.read_bytes(), picture.read_bytes()

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device", str(args[-1]))

    monkeypatch.setattr(evaluate, "plot_confusion", full)
    with pytest.raises(OSError) as info:
        evaluate.evaluate(tiny_run["run_dir"], tta="flip", **args)  # a new report: none
    assert info.value.filename == str(tmp_path / "evaluation-PrivateTest-flip.png")
    with pytest.raises(OSError):
        evaluate.evaluate(tiny_run["run_dir"], **args)
    assert (report.read_bytes(), picture.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [report.name, picture.name]


def test_evaluate_reports_every_figure_of_issue_12(tiny_run, tmp_path):
    """Accuracy and balanced accuracy against the original labels, accuracy against the FER+
    majority, per-class recall and macro-F1, in the JSON and on the terminal."""
    votes = make_votes(tmp_path / "votes.csv", tiny_run["csv"])  # every face voted happy
    result = run_trainer("evaluate", str(tiny_run["run_dir"]), "--csv", str(tiny_run["csv"]),
                         "--votes", str(votes), "--out", str(tmp_path / "report"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "report" / "evaluation-PrivateTest.json").read_text())
    happy = np.array(report["confusion"])[:, metrics.EMOTIONS.index("happy")].sum()
    assert report["ferplus_accuracy"] == pytest.approx(happy / SIZES["PrivateTest"])
    recalls = [c["recall"] for c in report["per_class"].values() if c["support"]]
    assert report["balanced_accuracy"] == pytest.approx(np.mean(recalls))
    assert 0 <= report["macro_f1"] <= 1 and 0 <= report["accuracy"] <= 1
    for words in ("balanced accuracy", "FER+ majority accuracy", "macro-F1", "recall"):
        assert words in result.stdout + result.stderr


def _two_copies(run: Path, folder: Path) -> tuple[Path, Path]:
    import shutil

    copies = (folder / "a", folder / "b")
    for copy in copies:
        shutil.copytree(run, copy)
    return copies


def test_ensemble_of_identical_members_predicts_like_the_member(tiny_run, tmp_path):
    import keras

    from trainer.convert import run_tflite

    a, b = _two_copies(tiny_run["run_dir"], tmp_path)
    out = tmp_path / "ens"
    result = run_trainer("ensemble", str(a), str(b), "--out", str(out), "--events", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "exported" in [e["event"] for e in events(result.stdout)]
    meta = json.loads((out / "model.json").read_text())
    assert [m["run"] for m in meta["training"]["members"]] == ["a", "b"]
    seed = json.loads((a / "config.json").read_text())["seed"]
    assert [m["seed"] for m in meta["training"]["members"]] == [seed, seed]
    assert meta["recipe"]["preset"] == "default ensemble x2"
    member = keras.models.load_model(a / "model.keras", compile=False)
    ensemble = keras.models.load_model(out / "model.keras", compile=False)
    assert ensemble.count_params() == 2 * member.count_params()
    x = np.random.default_rng(1).random((8, 48, 48, 1), dtype=np.float32)
    expected = member.predict(x, verbose=0)
    np.testing.assert_allclose(ensemble.predict(x, verbose=0), expected, atol=1e-5)
    expected = _as_exported(member, meta, x)
    np.testing.assert_allclose(run_tflite(out / "model.tflite", x), expected, atol=1e-4)


def _export_in_process(monkeypatch, max_int8_loss: float):
    """The exporter in this process, with the int8 rule forced to keep (1.0) or drop (-1)."""
    import io

    from trainer import export
    from trainer.events import EventEmitter

    monkeypatch.setattr(export, "INT8_MAX_LOSS", max_int8_loss)
    return export, EventEmitter("text", stderr=io.StringIO())


def test_int8_only_ensemble_ships_its_int8_file_alone(tiny_run, tmp_path, monkeypatch):
    from fer_desktop.core.model import EmotionClassifier
    from trainer import ensemble

    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, b = _two_copies(tiny_run["run_dir"], tmp_path)
    out, assets = tmp_path / "ens", tmp_path / "assets"
    meta = ensemble.export_ensemble([a, b], out, emitter, copy_to=str(assets), int8_only=True)
    assert set(meta["files"]) == {"keras", "tflite_int8"}
    assert set(meta["accuracy"]) == {"model-int8.tflite"}
    assert not (out / "model.tflite").exists() and (out / "model-int8.tflite").is_file()
    assert "not written: --int8-only" in emitter._stderr.getvalue()
    assert sorted(p.name for p in assets.iterdir()) == [
        "model-int8.tflite", "model.json", "model.keras"]
    assert EmotionClassifier.load(assets).model_path == assets / "model-int8.tflite"


def test_int8_only_is_refused_when_the_int8_copy_loses_accuracy(tiny_run, tmp_path,
                                                                 monkeypatch):
    from trainer import ensemble

    export, emitter = _export_in_process(monkeypatch, -1.0)
    a, b = _two_copies(tiny_run["run_dir"], tmp_path)
    with pytest.raises(export.rundir.RunDirError, match="--int8-only"):
        ensemble.export_ensemble([a, b], tmp_path / "ens", emitter, int8_only=True)
    assert not list((tmp_path / "ens").glob("model*"))


def test_reexport_switches_between_int8_only_and_both_files(tiny_run, tmp_path, monkeypatch):
    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, _ = _two_copies(tiny_run["run_dir"], tmp_path)
    meta = export.export_run(a, emitter, int8_only=True)
    assert "tflite" not in meta["files"] and not (a / "model.tflite").exists()
    assert json.loads((a / "model.json").read_text())["files"] == meta["files"]
    meta = export.export_run(a, emitter)
    assert meta["files"]["tflite"] == "model.tflite" and (a / "model.tflite").is_file()
    assert (a / "model-int8.tflite").is_file()


def test_a_balanced_sampling_run_may_give_some_of_the_prior_back(tiny_run, tmp_path,
                                                                    monkeypatch):
    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, _ = _two_copies(tiny_run["run_dir"], tmp_path)
    config = json.loads((a / "config.json").read_text())
    (a / "config.json").write_text(json.dumps(config | {"sampling": "balanced"}))
    meta = export.export_run(a, emitter, int8_only=True)
    assert meta["recipe"]["sampling"] == "balanced"
    searched = meta["prior_correction_in_model"]["public_balanced_accuracy_by_power"]
    assert "-1" in searched and "-0.5" in searched and "1.5" in searched


def test_a_trial_on_the_first_rows_says_so_in_its_model_json(tiny_run, tmp_path, monkeypatch):
    """The Results of a 300-row trial read like a full run's ("default, 2 epochs")."""
    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, b = _two_copies(tiny_run["run_dir"], tmp_path)
    for run, limit in ((a, 300), (b, 0)):
        config = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps(config | {"limit_per_split": limit}))
    assert export.export_run(a, emitter, int8_only=True)["recipe"]["limit_per_split"] == 300
    assert "limit_per_split" not in export.export_run(b, emitter, int8_only=True)["recipe"]


def test_exporting_a_run_killed_in_its_own_export_finishes_it(tiny_run, tmp_path, monkeypatch):
    """Killed during its export (state "trained"), then exported by hand: the run list still
    called it "interrupted" beside its model.json."""
    from trainer.runs import read_run_row

    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, _ = _two_copies(tiny_run["run_dir"], tmp_path)
    state = json.loads((a / "state.json").read_text())
    (a / "state.json").write_text(json.dumps(state | {"status": "trained"}))
    export.export_run(a, emitter, int8_only=True)
    assert json.loads((a / "state.json").read_text())["status"] == "finished"
    assert read_run_row(a, now=time.time() + 3600).state == "finished"


def test_an_ensemble_and_a_re_export_of_rebalanced_runs_may_give_the_prior_back(
        tiny_run, tmp_path, monkeypatch):
    """Only the run's own export tried negative powers: an ensemble of --sampling runs, or
    its re-export, searched as if they had seen the CSV's prior."""
    from trainer import ensemble

    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, b = _two_copies(tiny_run["run_dir"], tmp_path)
    for run in (a, b):
        config = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps(config | {"sampling": "balanced"}))
    meta = ensemble.export_ensemble([a, b], tmp_path / "ens", emitter, int8_only=True)
    assert meta["recipe"]["sampling"] == "balanced"
    assert "-1" in meta["prior_correction_in_model"]["public_balanced_accuracy_by_power"]
    again = export.export_model_folder(tmp_path / "ens", tmp_path / "again", emitter,
                                       str(tiny_run["csv"]), int8_only=True)
    assert "-1" in again["prior_correction_in_model"]["public_balanced_accuracy_by_power"]
    assert export.sampling_power_of({"sampling": "balanced+natural"}) == 1.0
    assert export.sampling_power_of(None) == 0.0


@pytest.mark.parametrize("problem", ["one run", "same run twice", "other data", "no best",
                                     "out is a member"])
def test_ensemble_refuses_bad_members_with_a_named_reason(tiny_run, tmp_path, problem):
    a, b = _two_copies(tiny_run["run_dir"], tmp_path)
    runs, expected = [str(a), str(b)], None
    if problem == "one run":
        runs, expected = [str(a)], "at least two run folders"
    elif problem == "same run twice":
        runs, expected = [str(a), str(a)], "named twice"
    elif problem == "other data":
        state = json.loads((b / "state.json").read_text())
        state["dataset_sha256"] = "0" * 64
        (b / "state.json").write_text(json.dumps(state))
        expected = "other data than"
    elif problem == "no best":  # nothing to repair best.keras from either
        for model in [b / "best.keras", *b.glob("ckpt-*.keras")]:
            model.unlink()
        expected = "best.keras"
    out = b if problem == "out is a member" else tmp_path / "ens"
    if problem == "out is a member":
        expected = "is another training run's folder"  # refused before any work
    before = {p.name: p.stat().st_mtime_ns for p in b.iterdir()}
    result = run_trainer("ensemble", *runs, "--out", str(out), "--events", "json")
    assert result.returncode == 2
    error = events(result.stdout)[-1]
    assert error["event"] == "error" and expected in error["message"], error
    assert not (tmp_path / "ens").exists()
    assert {p.name: p.stat().st_mtime_ns for p in b.iterdir()} == before


def _wait_for(proc, name: str, timeout: float = 240) -> list[dict]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(json.loads(line))
        if seen[-1]["event"] == name:
            return seen
    raise AssertionError(f"no {name!r} event; got {[e['event'] for e in seen]}")


def test_kill_9_loses_at_most_one_epoch_and_resume_finishes_exactly(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    proc = start_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "3",
                         "--batch-size", "32", "--threads", "1", "--events", "json",
                         "--no-export")
    try:
        seen = _wait_for(proc, "checkpoint")
    finally:
        proc.kill()  # SIGKILL: no chance to clean up
        proc.wait()
    run = Path(next(e for e in seen if e["event"] == "started")["run_dir"])
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] >= 1 and (run / state["checkpoint"]).is_file()
    resumed = run_trainer("--resume", str(run), "--events", "json")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    stream = events(resumed.stdout)
    started = next(e for e in stream if e["event"] == "started")
    assert started["resumed"] is True and started["initial_epoch"] == state["epoch"]
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] == 3
    assert [row["epoch"] for row in state["history"]] == [1, 2, 3]
    # The schedule continued from the optimizer's step counter: no second warm-up.
    lrs = [row["lr"] for row in state["history"]]
    assert lrs[2] < lrs[1]


def test_sigterm_stops_cleanly_and_says_so(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 640, "PublicTest": 32, "PrivateTest": 32})
    proc = start_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "50",
                         "--batch-size", "32", "--threads", "1", "--events", "json")
    try:
        seen = _wait_for(proc, "checkpoint")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    stream = seen + events(out)
    assert "no model was made: go on with python -m trainer --resume " in err
    # not 0: a scheduler or `train && deploy` read a stopped run as done (audit 57)
    assert proc.returncode == 130
    assert stream[-1]["event"] == "finished" and stream[-1]["stopped"] is True
    run = Path(stream[-1]["run_dir"])
    state = json.loads((run / "state.json").read_text())
    assert state["status"] == "stopped" and 1 <= state["epoch"] < 50
    assert (run / state["checkpoint"]).is_file()


def test_mirrored_strategy_on_two_logical_cpus(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 64, "PublicTest": 32, "PrivateTest": 32})
    result = run_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "1",
                         "--batch-size", "32", "--threads", "1", "--events", "json",
                         "--strategy", "mirrored", "--no-export", FER_LOGICAL_CPUS="2")
    assert result.returncode == 0, result.stderr[-3000:]
    started = next(e for e in events(result.stdout) if e["event"] == "started")
    assert started["replicas"] == 2
    assert events(result.stdout)[-1]["event"] == "finished"


BAD_INPUTS = [
    # name, how to make the CSV, expected message fragment
    ("missing file", None, "file not found"),
    ("empty file", "", "file is empty"),
    ("wrong columns", "a,b,c\n1,2,3\n", "missing column(s)"),
    ("short pixel row", "emotion,pixels,Usage\n3,1 2 3,Training\n",
     "row 1 (line 2): 3 pixel values"),
    ("label 7", "emotion,pixels,Usage\n7," + " ".join(["5"] * 2304) + ",Training\n",
     "emotion '7' is not an integer 0-6"),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD_INPUTS,
                         ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gives_one_sentence_and_no_run_folder(tmp_path, name, content, expected):
    csv = tmp_path / "data.csv"
    if content is not None:
        csv.write_text(content)
    result = run_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--events", "json",
                         timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    error = events(result.stdout)[-1]
    assert error["event"] == "error" and error["kind"] == "user" and expected in error["message"]
    assert not list((tmp_path / "runs").glob("2*")), "a run folder was left behind"


def test_unwritable_output_folder(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_trainer("--csv", str(csv), "--out", str(blocker / "runs"), timeout=120)
    assert result.returncode == 2
    assert "cannot write to the output folder" in result.stderr
    assert str(blocker / "runs") in result.stderr and "Traceback" not in result.stderr


def test_resume_of_a_folder_that_is_not_a_run(tmp_path):
    result = run_trainer("--resume", str(tmp_path), timeout=120)
    assert result.returncode == 2 and "config.json" in result.stderr


def test_help_explains_the_commands():
    result = run_trainer("--help", timeout=60)
    assert result.returncode == 0
    for word in ("--csv", "--preset", "--resume", "evaluate", "export", "inspect"):
        assert word in result.stdout


def test_inspect_prints_the_data_report(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv")
    result = run_trainer("inspect", "--csv", str(csv), timeout=60)
    assert result.returncode == 0
    assert "sharpness" in result.stdout and "PublicTest" in result.stdout


def test_time_budget_ends_the_run_and_still_exports(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 320, "PublicTest": 32, "PrivateTest": 32})
    result = run_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "40",
                         "--batch-size", "32", "--threads", "1", "--events", "json",
                         "--max-minutes", "0.01")  # spent within the first epoch
    assert result.returncode == 0, result.stderr[-3000:]
    finished = events(result.stdout)[-1]
    assert finished["event"] == "finished" and finished["time_budget_reached"] is True
    # the first epoch finishes however busy the machine (a budget spent inside it left a
    # run with no model); the second is cut at its first step
    assert finished["stopped"] is False and finished["epochs_done"] == 1
    run = Path(finished["run_dir"])
    assert (run / "model.json").is_file()
    # resumed, its budget spent: it trained one batch, threw it away and said "finished"
    # (review 44); now refused, saying what to give
    again = run_trainer("--resume", str(run), "--epochs", "3")
    assert again.returncode == 2
    assert "has used its --max-minutes 0.01 budget" in again.stderr
    assert "--max-minutes 0 (no limit)" in again.stderr
    assert json.loads((run / "config.json").read_text())["epochs"] == 40  # unchanged


def test_config_round_trips_through_argv():
    from trainer.cli import _train_parser
    from trainer.config import TrainConfig, config_from_args

    config = TrainConfig(csv="x.csv", preset="seed", epochs=3, batch_size=16, learning_rate=0.01,
                         out="o", events="json", seed=7, strategy="mirrored",
                         precision="float32", threads=1, limit_per_split=50, max_minutes=2.5,
                         export=False)
    assert config_from_args(_train_parser().parse_args(config.to_argv())) == config


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("preset", "defualt", "Did you mean 'default'?"),
    ("epochs", 0, "epochs must be at least 1"),
    ("strategy", "gpu", "strategy 'gpu' is not one of"),
])
def test_bad_setting_is_named(field, value, fragment):
    from trainer.config import ConfigError, TrainConfig

    with pytest.raises(ConfigError, match=None) as info:
        TrainConfig(**{field: value})
    assert fragment in str(info.value)


def test_resume_can_change_the_run_length(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    first = run_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "2",
                        "--batch-size", "32", "--threads", "1", "--events", "json", "--no-export")
    assert first.returncode == 0, first.stderr[-2000:]
    run = Path(events(first.stdout)[-1]["run_dir"])
    too_short = run_trainer("--resume", str(run), "--epochs", "1", "--events", "json")
    assert too_short.returncode == 2
    assert "not more than the 2 epochs" in events(too_short.stdout)[-1]["message"]
    longer = run_trainer("--resume", str(run), "--epochs", "3", "--max-minutes", "90",
                         "--events", "json")
    assert longer.returncode == 0, longer.stderr[-2000:]
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] == 3 and state["epochs"] == 3
    saved = json.loads((run / "config.json").read_text())
    assert saved["epochs"] == 3 and saved["max_minutes"] == 90.0  # what was typed is kept
    again = run_trainer("--resume", str(run), "--events", "json")  # finished: said (audit 36)
    assert again.returncode == 0 and "had finished its 3 epochs already" in again.stderr


def test_resume_takes_limits_and_refuses_recipe_options():
    """--max-minutes/--threads given with --resume apply (they were silently ignored: a run
    started with --max-minutes 120 stopped at 120 however often it was resumed); a recipe
    option is refused by name instead of being dropped."""
    from trainer.cli import _train_parser
    from trainer.config import ConfigError, resume_overrides

    parser = _train_parser()
    given = resume_overrides(parser, ["--resume", "r", "--max-minutes", "0", "--threads", "1",
                                      "--epochs", "9", "--events", "json"])
    assert given == {"max_minutes": 0.0, "threads": 1, "epochs": 9, "events": "json"}
    assert resume_overrides(parser, ["--resume", "r"]) == {}
    with pytest.raises(ConfigError, match="--labels, --teacher cannot change when a run is "
                                          "resumed"):
        resume_overrides(parser, ["--resume", "r", "--labels", "fer", "--teacher", "assets"])


def test_a_csv_without_private_test_rows_exports_null_figures(tmp_path):
    """No PrivateTest rows: the figures are null ("not measured"), not 0.0, and the exported
    model still loads in the app."""
    from fer_desktop.core.model import EmotionClassifier

    csv = make_csv(tmp_path / "nopriv.csv", {"Training": 64, "PublicTest": 32})
    result = run_trainer("--csv", str(csv), "--out", str(tmp_path / "runs"), "--epochs", "1",
                         "--batch-size", "32", "--threads", "1", "--events", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no PrivateTest rows" in result.stderr and "RuntimeWarning" not in result.stderr
    run = Path(events(result.stdout)[-1]["run_dir"])
    meta = json.loads((run / "model.json").read_text())
    for info in meta["accuracy"].values():
        assert info["private_accuracy"] is None and info["private_macro_f1"] is None
        assert info["public_accuracy"] is not None
    assert EmotionClassifier.load(run).accuracy() is None


def test_average_of_a_runs_checkpoints_is_one_network_with_their_mean(tiny_run, tmp_path,
                                                                      monkeypatch):
    import keras

    from trainer import average
    from trainer.convert import float32_copy

    export, emitter = _export_in_process(monkeypatch, 1.0)
    run = tiny_run["run_dir"]
    out = tmp_path / "avg"
    meta = average.export_averaged(run, out, emitter, last=2)
    assert meta["recipe"]["averaged_epochs"] == [1, 2]
    assert "averaged over epochs 1-2" in meta["name"]
    first, second = (float32_copy(keras.models.load_model(run / f"ckpt-000{e}.keras",
                                                          compile=False), "default")
                     for e in (1, 2))
    shipped = keras.models.load_model(out / "model.keras", compile=False)
    kernel = next(i for i, w in enumerate(first.get_weights()) if w.ndim == 4)
    wanted = 0.5 * (first.get_weights()[kernel] + second.get_weights()[kernel])
    found = [w for w in shipped.get_weights() if w.shape == wanted.shape]
    assert any(np.allclose(w, wanted, atol=1e-6) for w in found)
    assert shipped.count_params() == first.count_params()  # one network, not an ensemble
    chosen = average.export_averaged(run, tmp_path / "avg2", emitter)  # the window: chosen
    by_window = chosen["training"]["public_balanced_by_window"]
    assert set(by_window) == {"1", "2"}
    assert "PublicTest balanced accuracy" in emitter._stderr.getvalue()
    # ...on PublicTest (PrivateTest is only reported by the export): the last epoch alone
    from fer_desktop.core import preprocess
    from trainer.data import load_cached
    from trainer.metrics import balanced_accuracy

    data = load_cached(tiny_run["csv"], tmp_path / "cache")
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    alone = balanced_accuracy(data.labels["PublicTest"], second.predict(x_pub, verbose=0)
                              .argmax(1))
    assert by_window["1"] == round(alone, 4)


@pytest.mark.parametrize("problem", ["no checkpoints", "too many", "another run", "into run",
                                     "still training"])
def test_average_refuses_with_a_named_reason(tiny_run, tmp_path, problem):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(tiny_run["run_dir"], run)
    args = ["average", str(run), "--out", str(tmp_path / "avg"), "--events", "json"]
    if problem == "no checkpoints":
        for ckpt in run.glob("ckpt-*.keras"):
            ckpt.unlink()
        expected = "holds no ckpt-NNNN.keras checkpoints"
    elif problem == "too many":
        args += ["--last", "5"]
        expected = "holds 2 checkpoints; --last 5 needs 1 to 2"
    elif problem == "another run":
        shutil.copy(run / "ckpt-0002.keras", run / "ckpt-0009.keras")
        expected = "is epoch 9, but run has finished only 2"
    elif problem == "still training":
        state = json.loads((run / "state.json").read_text())
        (run / "state.json").write_text(json.dumps({**state, "status": "running"}))
        expected = "is still training"
    else:
        args[3] = str(run)
        expected = "is another training run's folder"  # refused before any work
    result = run_trainer(*args)
    assert result.returncode == 2, result.stderr[-2000:]
    error = next(e for e in events(result.stdout) if e["event"] == "error")
    assert expected in error["message"] and error["kind"] == "user"
    assert not (tmp_path / "avg").exists()


def test_an_export_killed_half_way_leaves_the_earlier_model_whole(
        tiny_run, tmp_path, monkeypatch):
    """Re-exporting a run that has a model (a stopped run's newer best epoch, from the Train
    tab): killed after its files were replaced, the old model.json stayed and described them
    (review 44); then killed while writing, it left no model.json over unchanged files
    (audit 57). The new files are written beside their names first."""
    from pathlib import Path

    export, emitter = _export_in_process(monkeypatch, 1.0)
    a, _ = _two_copies(tiny_run["run_dir"], tmp_path)
    before = {p.name: p.read_bytes() for p in a.glob("model*")}
    assert "model.json" in before

    def killed(path, data):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(Path, "write_bytes", killed)
    with pytest.raises(KeyboardInterrupt):
        export.export_run(a, emitter)
    assert {p.name: p.read_bytes() for p in a.glob("model*")} == before
    assert not list(a.glob(".tmp-*"))
    monkeypatch.undo()
    export, emitter = _export_in_process(monkeypatch, 1.0)
    assert export.export_run(a, emitter)["files"]["keras"] == "model.keras"
    assert (a / "model.json").is_file()
