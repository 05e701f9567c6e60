"""Bad ``--resume`` requests found by the bad-input audit of session 36: each is refused with
a message naming the run, and nothing of the run changes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from trainer_helpers import make_run_folder, run_trainer

from trainer import rundir


def _hashes(run) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run.iterdir()}


def test_a_run_still_training_here_is_not_resumed(tmp_path):
    """A second trainer took the first one's files and the first died on a rename."""
    run = make_run_folder(tmp_path, "20261206-121107-fast",
                          {"epoch": 1, "epochs": 10, "status": "running",
                           "owner": rundir.this_process()},  # this test: alive
                          config={"preset": "fast"})
    before = _hashes(run)
    result = run_trainer("--resume", str(run), timeout=120)  # refused before any data is read
    assert result.returncode == 2, result.stderr
    assert "is being trained now by process" in result.stderr and run.name in result.stderr
    assert "Traceback" not in result.stderr
    assert _hashes(run) == before


def test_a_file_given_as_the_run_is_named_without_a_traceback(tmp_path, capsys):
    from trainer import cli

    afile = tmp_path / "small.csv"
    afile.write_text("emotion,pixels,Usage\n")
    assert cli.main(["--resume", str(afile)]) == 2
    error = capsys.readouterr().err
    assert "small.csv is a file; --resume needs a run's folder" in error
    assert "Traceback" not in error


def test_an_output_folder_turned_into_a_file_is_named(tmp_path):
    """The Train output folder replaced by a file while a run trained: "RUN: Not a
    directory" named the run's folder, not the file in the way (audit 43)."""
    import errno

    from trainer.cli import file_system_words

    (tmp_path / "runs").write_text("a file now")
    words = file_system_words(OSError(errno.ENOTDIR, "Not a directory",
                                      str(tmp_path / "runs" / "r1" / "state.json")))
    assert words.startswith(f"{tmp_path / 'runs'} is a file, not a folder")


def test_a_full_disk_is_said_with_what_was_kept(monkeypatch, capsys):
    """A write to an open file on a full disk names no file: it escaped as a traceback."""
    import errno

    from trainer import cli
    from trainer.cli import file_system_words

    words = file_system_words(OSError(errno.ENOSPC, "No space left on device",
                                      "/runs/r1/.tmp-412-ckpt-0003.keras"))
    assert words.startswith("/runs/r1: No space left on device; what was finished is kept")
    assert "--resume RUN_DIR" in words

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")  # no file name

    monkeypatch.setattr(cli, "_run", full)
    assert cli.main(["inspect", "--csv", "x.csv"]) == 2
    error = capsys.readouterr().err
    assert "cannot write (No space left on device); what was finished is kept" in error
    assert "Traceback" not in error

    def broken(*_args):
        raise OSError(errno.EIO, "Input/output error")  # no file: the trainer's own failure

    monkeypatch.setattr(cli, "_run", broken)
    assert cli.main(["inspect", "--csv", "x.csv"]) == cli.EXIT_INTERNAL_ERROR


def test_only_a_file_systems_refusal_of_a_file_is_called_the_users(monkeypatch, capsys):
    """Any OSError naming a file read as the user's, without its traceback, and a full disk
    told `evaluate` or `inspect` to --resume a run (review 36, low)."""
    import errno

    from trainer import cli

    def fails(error):
        def run(*_args):
            raise error
        return run

    monkeypatch.setattr(cli, "_run", fails(OSError(errno.EINVAL, "Invalid argument", "/r/x")))
    assert cli.main(["inspect", "--csv", "x.csv"]) == cli.EXIT_INTERNAL_ERROR  # a bug of ours
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setattr(cli, "_run", fails(PermissionError(errno.EACCES, "Permission denied",
                                                           "/r/x")))
    assert cli.main(["inspect", "--csv", "x.csv"]) == 2
    assert "/r/x: Permission denied; the command stopped there" in capsys.readouterr().err
    monkeypatch.setattr(cli, "_run", fails(OSError(errno.ENOSPC, "No space left on device",
                                                   "/r/x")))
    assert cli.main(["inspect", "--csv", "x.csv"]) == 2
    error = capsys.readouterr().err
    assert "what was finished is kept: free some space and run the command again" in error
    assert "--resume" not in error
    from trainer.cli import file_system_words

    full = OSError(errno.ENOSPC, "No space left on device", "/r/x")
    assert "--resume" not in file_system_words(full, "finetune")  # it keeps no checkpoint
    assert "--resume RUN_DIR" in file_system_words(full, "distill")
    capsys.readouterr()
    # a path gone is the user's only where the command line gave it, or a folder above it;
    # a file of the trainer's own (a cache, a temporary file) gone is its bug (review 37)
    for name, code in (("/r/x.csv", 2), ("/r/x.csv/part", 2),
                       ("/tmp/keras-cache/weights.h5", cli.EXIT_INTERNAL_ERROR)):
        monkeypatch.setattr(cli, "_run", fails(FileNotFoundError(
            errno.ENOENT, "No such file or directory", name)))
        assert cli.main(["inspect", "--csv", "/r/x.csv"]) == code, name
        assert ("Traceback" in capsys.readouterr().err) == (code != 2)


@pytest.mark.tf
def test_a_model_keras_cut_short_is_called_damaged(tmp_path, capsys):
    """Keras said "File not found" of a file that was there, cut short; a model folder's
    export ended in a traceback on it (audit 36)."""
    import shutil

    from fer_desktop.resources import resource_path
    from trainer import cli

    folder = tmp_path / "cut"
    folder.mkdir()
    shutil.copyfile(resource_path("model.json"), folder / "model.json")
    whole = resource_path("model.keras").read_bytes()
    (folder / "model.keras").write_bytes(whole[:20000])
    assert cli.main(["export", str(folder), "--csv", "x.csv", "--out",
                     str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "model.keras is damaged or incomplete" in error and "Traceback" not in error


def test_a_model_json_with_a_temperature_in_words_is_named(tmp_path, capsys):
    """"temperature": "hot" ended in a ValueError's traceback in evaluate (audit 36)."""
    import json
    import shutil

    from fer_desktop.resources import resource_path
    from trainer import cli

    folder = tmp_path / "hot"
    folder.mkdir()
    meta = json.loads(resource_path("model.json").read_text())
    (folder / "model.json").write_text(json.dumps({**meta, "temperature": "hot"}))
    shutil.copyfile(resource_path("model-int8.tflite"), folder / "model-int8.tflite")
    for target in (folder, folder / "model-int8.tflite"):
        assert cli.main(["evaluate", str(target), "--csv", "x.csv"]) == 2
        error = capsys.readouterr().err
        assert "model.json: temperature must be a number, found" in error, error
        assert "Traceback" not in error
    (folder / "model.json").write_text("emotion,pixels\n")  # not JSON beside the .tflite
    assert cli.main(["evaluate", str(folder / "model-int8.tflite"), "--csv", "x.csv"]) == 2
    error = capsys.readouterr().err
    assert "model.json is not valid JSON" in error and "Traceback" not in error


@pytest.mark.parametrize(("edit", "fragment"), [
    (lambda m: m["files"].update(tflite_int8="../../../../etc/hostname"),
     "files.tflite_int8 is '../../../../etc/hostname': a model file must be named without "
     "any folder"),
    (lambda m: m.update(files=["model.keras"]), "files must be an object"),
])
def test_the_trainer_checks_a_model_json_as_the_app_does(tmp_path, capsys, edit, fragment):
    """evaluate read /etc/hostname as the model; a list of files ended in an AttributeError's
    traceback in finetune and evaluate (audit 42)."""
    import json
    import shutil

    from fer_desktop.resources import resource_path
    from trainer import cli, finetune, rundir

    folder = tmp_path / "edited"
    folder.mkdir()
    meta = json.loads(resource_path("model.json").read_text())
    edit(meta)
    (folder / "model.json").write_text(json.dumps(meta))
    shutil.copyfile(resource_path("model-int8.tflite"), folder / "model-int8.tflite")
    assert cli.main(["evaluate", str(folder), "--csv", "x.csv"]) == 2
    error = capsys.readouterr().err
    assert fragment in error and "Traceback" not in error, error
    with pytest.raises(rundir.RunDirError, match=re.escape(fragment)):
        finetune.load_starting_model(folder)


def test_a_model_json_training_entry_that_is_no_object_is_not_recorded(tmp_path, monkeypatch):
    """"training": "x" ended a model folder's re-export in a ValueError's traceback, after the
    model and the data were loaded (audit 42)."""
    import json
    import shutil
    import types

    from fer_desktop.resources import resource_path
    from trainer import data, export, keras_files
    from trainer.events import EventEmitter

    folder = tmp_path / "m"
    folder.mkdir()
    meta = json.loads(resource_path("model.json").read_text())
    (folder / "model.json").write_text(json.dumps({**meta, "training": "x"}))
    shutil.copyfile(resource_path("model.keras"), folder / "model.keras")
    seen = {}
    monkeypatch.setattr(keras_files, "load_keras", lambda path: "model")
    monkeypatch.setattr(data, "load_cached", lambda csv, cache: types.SimpleNamespace(
        sha256=meta["dataset_sha256"]))
    monkeypatch.setattr(export, "ferplus_majorities", lambda csv, data: None)
    monkeypatch.setattr(export, "export_model", lambda model, out, data, emitter, described,
                        **kw: seen.setdefault("described", described))
    export.export_model_folder(folder, tmp_path / "out", EventEmitter("text"), "x.csv")
    assert seen["described"]["training"] == {}


def test_a_to_folder_under_a_file_is_refused_before_the_export(tmp_path, capsys):
    from trainer import cli

    afile = tmp_path / "file.txt"
    afile.write_text("mine")
    assert cli.main(["export", str(tmp_path / "run"), "--to", str(afile / "x")]) == 2
    error = capsys.readouterr().err
    assert f"{afile} is a file, not a folder; choose another folder" in error
    assert afile.read_text() == "mine"


def test_a_resume_refused_for_a_csv_gone_leaves_config_json_alone(tmp_path):
    """It said "changing the run's length from 1 to 2 epochs", then refused the missing CSV,
    and config.json said 2 epochs (audit 36)."""
    run = make_run_folder(tmp_path, "20261206-120000-fast",
                          {"epoch": 1, "epochs": 1, "status": "finished"},
                          config={"preset": "fast", "csv": str(tmp_path / "gone.csv"),
                                  "epochs": 1})
    before = _hashes(run)
    result = run_trainer("--resume", str(run), "--epochs", "2", timeout=120)
    assert result.returncode == 2 and "gone.csv" in result.stderr
    assert "changing" not in result.stderr and _hashes(run) == before


@pytest.mark.tf
def test_a_bad_teacher_leaves_no_run_folder(tmp_path):
    """A distillation refused for its teacher left a run folder holding only events.jsonl
    (audit 36): a run that never started goes."""
    import shutil

    from factories import make_csv

    from fer_desktop.resources import resource_path

    csv = make_csv(tmp_path / "tiny.csv", {"Training": 40, "PublicTest": 14, "PrivateTest": 14})
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    shutil.copyfile(resource_path("model.json"), teacher / "model.json")
    (teacher / "model.keras").write_bytes(resource_path("model.keras").read_bytes()[:20000])
    out = tmp_path / "runs"
    result = run_trainer("distill", "--teacher", str(teacher), "--csv", str(csv), "--preset",
                         "fast", "--epochs", "1", "--threads", "1", "--out", str(out))
    assert result.returncode == 2 and "damaged or incomplete" in result.stderr
    assert not [p for p in out.iterdir() if not p.name.startswith(".")], list(out.iterdir())


@pytest.mark.parametrize("gone", ["images", "votes", "shared", "fer-votes", "teacher"])
def test_a_resume_refused_for_any_source_gone_leaves_config_json_alone(tmp_path, monkeypatch,
                                                                       capsys, gone):
    """The check covered config.csv only: an image folder, the FER+ votes or the shared CSV
    gone were found after config.json had taken the new length (audit 36, low)."""
    from trainer import cli

    config = {"preset": "fast", "epochs": 1}
    if gone == "images":
        config["images"] = str(tmp_path / "my_faces")
    elif gone == "votes":
        csv = tmp_path / "fer.csv"
        csv.write_text("emotion,pixels,Usage\n0,1 2,Training\n")
        config.update(csv=str(csv), labels="mixed", votes=str(tmp_path / "fer2013new.csv"))
    elif gone in ("fer-votes", "teacher"):  # --labels fer --votes X: the export scores with
        csv = tmp_path / "fer.csv"  # them; a consistent teacher teaches every batch (review 37)
        csv.write_text("emotion,pixels,Usage\n0,1 2,Training\n")
        config["csv"] = str(csv)
        if gone == "fer-votes":
            config.update(labels="fer", votes=str(tmp_path / "fer2013new.csv"))
        else:
            config.update(teachers=[str(tmp_path / "teacher")], teaching="consistent")
    else:
        monkeypatch.setattr("trainer.train.find_shared_csv", lambda: None)
    run = make_run_folder(tmp_path, "20261206-120000-fast",
                          {"epoch": 1, "epochs": 1, "status": "finished"}, config=config)
    before = _hashes(run)
    assert cli.main(["--resume", str(run), "--epochs", "2"]) == 2
    error = capsys.readouterr().err
    assert {"images": "my_faces: folder not found", "votes": "fer2013new.csv: FER+ votes file "
            "not found", "shared": "no CSV given", "fer-votes": "fer2013new.csv: FER+ votes "
            "file not found", "teacher": "teacher: the run's teacher is not found"}[gone] \
        in error, error
    assert "changing" not in error and _hashes(run) == before


def test_an_evaluation_replaces_only_its_own_report(tmp_path):
    """`evaluate FOLDER` writes beside the model by default: a user's file of the report's
    name there was replaced without a word (audit 39)."""
    import json

    from trainer.evaluate import _check_report_target
    from trainer.rundir import RunDirError

    report = tmp_path / "evaluation-PrivateTest.json"
    picture = report.with_suffix(".png")
    _check_report_target(report, picture)  # nothing there
    report.write_text(json.dumps({"model": "m", "split": "PrivateTest", "samples": 3}))
    picture.write_bytes(b"\x89PNG")
    _check_report_target(report, picture)  # an earlier report and its picture: replaced
    for text in ('{"my": "notes"}', "not json", "[1, 2]"):
        report.write_text(text)
        with pytest.raises(RunDirError, match="is not an earlier evaluation report"):
            _check_report_target(report, picture)
    report.unlink()
    with pytest.raises(RunDirError, match="without the evaluation report"):
        _check_report_target(report, picture)


def test_kill_stops_a_command_that_is_not_a_training_as_ctrl_c_does(tmp_path):
    """`kill PID` ended an export or an evaluate at once, with no word (Ctrl+C was handled):
    SIGTERM now stops it as Ctrl+C does (a training stops after its batch by itself)."""
    import subprocess
    import sys

    script = tmp_path / "kill_me.py"
    script.write_text(
        "import os, signal, time\n"
        "from trainer import cli\n"
        "def _run(command, args, emitter):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(10)\n"
        "    return 0\n"
        "cli._run = _run\n"
        "raise SystemExit(cli.main(['inspect', '--csv', 'x.csv']))\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).resolve().parent.parent)
    from trainer.cli import EXIT_INTERRUPTED

    assert result.returncode == EXIT_INTERRUPTED, (result.returncode, result.stderr[-2000:])
    assert "interrupted: inspect stopped before it finished" in result.stderr


def test_a_run_folder_moved_away_while_it_trains_is_said_gone(tmp_path):
    """Audit 50: the run folder moved while the window trained it: "Training failed:
    .../20261207-064955-fast: No such file or directory"."""
    import errno

    from trainer.cli import file_system_words

    run = tmp_path / "20261207-064955-fast"
    words = file_system_words(FileNotFoundError(errno.ENOENT, "No such file or directory",
                                                str(run / ".tmp-412-ckpt-0003.keras")))
    assert words.startswith(f"{run} is gone (moved, renamed or deleted while the command "
                            "ran: No such file or directory)")


@pytest.mark.parametrize("source", ["csv", "shared", "images"])
def test_a_resume_on_data_changed_under_its_name_is_refused_before_anything_changes(
        tmp_path, capsys, monkeypatch, source):
    """Audit 52: a CSV replaced under the run's path (a new version of FER-2013) was only
    warned of: an epoch trained on the other data, the oldest checkpoint went, and only the
    export refused the run, left half one dataset and half the other."""
    from factories import make_csv, make_image_folder

    from trainer import cli

    if source in ("csv", "shared"):
        csv = make_csv(tmp_path / "fer2013.csv",
                       {"Training": 40, "PublicTest": 14, "PrivateTest": 14})
        config = {"preset": "fast", "epochs": 2, "csv": str(csv)}
        if source == "shared":  # a run on the shared CSV names none (review 53)
            config.pop("csv")
            monkeypatch.setattr("trainer.train.find_shared_csv", lambda: csv)
    else:
        config = {"preset": "fast", "epochs": 2, "images": str(make_image_folder(
            tmp_path / "faces", {"happy": 6, "sad": 6}))}
    run = make_run_folder(tmp_path, "20261207-100013-fast",
                          {"epoch": 1, "epochs": 2, "status": "stopped",
                           "dataset_sha256": "0" * 64},  # what it started with: other data
                          config=config)
    before = _hashes(run)
    written = (run / "config.json").stat().st_mtime_ns
    # a CSV's checksum is checked before --epochs changes config.json; a folder's faces
    # once read, and what the resume wrote is put back (review 53)
    assert cli.main(["--resume", str(run), "--threads", "1", "--epochs", "5"]) == 2
    error = capsys.readouterr().err
    assert {"csv": f"fer2013.csv is not the CSV {run.name} started with: its content changed "
                   "since", "shared": f"fer2013.csv is not the CSV {run.name} started with",
            "images": f"faces changed since {run.name} started"}[source] in error, error
    assert "Traceback" not in error and _hashes(run) == before
    if source != "images":  # refused before it wrote anything, not written and put back
        assert (run / "config.json").stat().st_mtime_ns == written  # (review 54)


@pytest.mark.tf
def test_a_training_that_diverges_stops_saying_so_and_keeps_no_nan_epoch(tmp_path):
    """Audit 52: a NaN loss was saved as the best epoch, the export ended in "RuntimeError:
    exported float32 model differs from Keras by nan" (a traceback, exit 1), and the run
    offered Export and Resume of NaN weights."""
    from factories import make_csv

    csv = make_csv(tmp_path / "tiny.csv", {"Training": 40, "PublicTest": 14, "PrivateTest": 14})
    out = tmp_path / "runs"
    result = run_trainer("--csv", str(csv), "--preset", "fast", "--epochs", "2",
                         "--learning-rate", "1e12", "--threads", "1", "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert "diverged at epoch 1: its loss is not a number (NaN or infinite); no epoch was " \
           "kept, and its folder was removed. Start a new run with a lower learning rate " \
           "(--learning-rate)" in result.stderr
    assert "Traceback" not in result.stderr and "--resume" not in result.stderr
    assert not list(out.glob("2*"))  # nothing to export or resume: no run left to offer them


def test_a_run_of_a_preset_this_trainer_does_not_know_is_named_not_a_key_error():
    """Audit 52: `export` and `average` of a run whose config.json names a newer version's
    preset ended in "KeyError: 'xlarge'" and a traceback."""
    from trainer.config import ConfigError
    from trainer.convert import float32_copy

    with pytest.raises(ConfigError, match="the run's config.json names the preset 'xlarge', "
                                          "which this version of the trainer does not know "
                                          r"\(default, fast, seed\): was the run made by a "
                                          "newer version"):
        float32_copy(None, "xlarge")


def test_settings_of_another_version_in_config_json_are_said_not_followed(tmp_path, capsys):
    """Audit 52: a resume of a run whose config.json named "optimizer": "lion" and an "ema"
    trained on with this version's recipe, exit 0, without a word."""
    from trainer import cli

    run = make_run_folder(tmp_path, "20261207-100007-fast",
                          {"epoch": 1, "epochs": 2, "status": "stopped"},
                          config={"preset": "fast", "epochs": 2, "resolved": {"epochs": 2},
                                  "csv": str(tmp_path / "gone.csv"), "optimizer": "lion",
                                  "ema": {"decay": 0.999}})
    assert cli.main(["--resume", str(run)]) == 2  # (its CSV is gone: refused after the word)
    error = capsys.readouterr().err
    assert f"warning: {run.name}'s config.json holds settings this trainer does not know (ema, " \
           "optimizer): made by another version of the trainer? They are not followed" in error


def test_a_run_s_own_damaged_checkpoint_is_not_called_a_foreign_file(tmp_path):
    """Audit 52: a run's checkpoint cut short by an interrupted copy read "use a model
    saved by this trainer", though this trainer had saved it."""
    from trainer.keras_files import load_keras

    run = make_run_folder(tmp_path, "20261207-100009-fast", {"epoch": 2, "epochs": 3,
                                                              "status": "stopped"})
    (run / "ckpt-0002.keras").write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(rundir.RunDirError, match="it is this run's own file, damaged since it "
                                                 "was saved .*: copy the run again"):
        load_keras(run / "ckpt-0002.keras")
    foreign = tmp_path / "downloaded.keras"
    foreign.write_bytes(b"not a zip")
    with pytest.raises(rundir.RunDirError, match="use a model saved by this trainer"):
        load_keras(foreign)


def test_a_run_that_diverges_after_kept_epochs_is_left_stopped_with_them(tmp_path):
    """Review 53: the run was left "running" (read as interrupted, Resume offered); the
    epochs it kept stay exportable."""
    import math

    from trainer.events import EventEmitter
    from trainer.train import _refuse_diverged

    run = make_run_folder(tmp_path, "20261207-100000-fast",
                          {"epoch": 2, "epochs": 5, "status": "running"})
    state = rundir.RunState.load(run)
    with pytest.raises(rundir.RunDirError, match="diverged at epoch 3: .*it keeps epoch 2"):
        _refuse_diverged(run, state, {"epoch": 3, "loss": math.nan, "val_loss": 1.0},
                         EventEmitter("text"))
    assert rundir.RunState.load(run).status == rundir.STOPPED and run.is_dir()


def test_a_resumed_run_that_diverges_before_keeping_an_epoch_keeps_its_folder(tmp_path):
    """Review 54: a run interrupted in its first epoch, then resumed, was removed with its
    name and test faces when it diverged: only a run this command made goes."""
    import math

    from trainer.events import EventEmitter
    from trainer.train import _refuse_diverged

    run = make_run_folder(tmp_path, "20261207-100000-fast",
                          {"epoch": 0, "epochs": 5, "status": "running"})
    (run / "name.txt").write_text("Anna")
    state = rundir.RunState.load(run)
    with pytest.raises(rundir.RunDirError, match="no epoch was kept. Start a new run"):
        _refuse_diverged(run, state, {"epoch": 1, "loss": math.inf, "val_loss": 1.0},
                         EventEmitter("text"), new_run=False)
    assert (run / "name.txt").is_file()
    assert rundir.RunState.load(run).status == rundir.STOPPED


def test_a_resume_refused_after_writing_a_setting_puts_it_back(tmp_path, capsys):
    """Review 54: --threads 2 was written to config.json, then --epochs 2 was refused (not
    more than the 3 epochs done): the refused command had changed the run."""
    from trainer import cli

    run = make_run_folder(tmp_path, "20261207-100013-fast",
                          {"epoch": 3, "epochs": 4, "status": "stopped"},
                          config={"preset": "fast", "epochs": 4, "threads": 1})
    before = _hashes(run)
    assert cli.main(["--resume", str(run), "--threads", "2", "--epochs", "2"]) == 2
    assert "is not more than the 3 epochs" in capsys.readouterr().err
    assert _hashes(run) == before
