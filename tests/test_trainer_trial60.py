"""The trainer's command line as trial 60's terminal user found it: a damaged model scored,
a run's own CSV not used by evaluate, work done before a destination or a model folder was
checked, a file taken for an output folder, a fine-tune stopped by a full disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fer_desktop.resources import resource_path


def _model_copy(tmp_path: Path, name: str = "model") -> Path:
    """The shipped model folder's model.json and int8 file, copied."""
    folder = tmp_path / name
    folder.mkdir()
    for file in ("model.json", "model-int8.tflite"):
        shutil.copyfile(resource_path(file), folder / file)
    return folder


def _damage(file: Path) -> None:
    """Two bytes changed inside, as `dd conv=notrunc` did: the file still loads."""
    data = bytearray(file.read_bytes())
    data[1000:1002] = b"xx"
    file.write_bytes(bytes(data))


def test_evaluate_refuses_a_model_file_the_app_refuses_in_its_words(tmp_path, capsys):
    """`evaluate bad4` scored a model-int8.tflite whose SHA-256 differs from model.json's,
    while `analyze --model bad4` refused it (trial 60 #2)."""
    from fer_desktop.core.errors import ModelError
    from fer_desktop.core.model import EmotionClassifier
    from trainer import cli

    folder = _model_copy(tmp_path, "bad4")
    _damage(folder / "model-int8.tflite")
    with pytest.raises(ModelError) as app:
        EmotionClassifier.load(folder)
    assert "is not the file its export wrote" in str(app.value)
    for target in (folder, folder / "model-int8.tflite"):
        assert cli.main(["evaluate", str(target), "--csv", str(tmp_path / "x.csv"),
                         "--out", str(tmp_path / "report")]) == 2
        error = capsys.readouterr().err
        assert str(app.value) in error, error  # the app's sentence, word for word
        assert "Traceback" not in error
    assert not (tmp_path / "report").exists()


def test_a_fine_tune_refuses_a_starting_model_the_app_refuses(tmp_path):
    """The fine-tune's "before" scored the starting model's damaged file (trial 60 #2)."""
    from trainer import finetune, rundir

    folder = _model_copy(tmp_path, "bad4")
    meta = json.loads((folder / "model.json").read_text())
    assert finetune._runtime_file(folder, meta) == folder / "model-int8.tflite"
    _damage(folder / "model-int8.tflite")
    with pytest.raises(rundir.RunDirError, match="is not the file its export wrote"):
        finetune._runtime_file(folder, meta)


def _run_with_model(tmp_path: Path, config: dict) -> Path:
    """A run folder as a finished run leaves it: config.json, state.json and its model."""
    run = _model_copy(tmp_path, "20261207-233224-fast")
    (run / "config.json").write_text(json.dumps({"preset": "fast", **config}))
    (run / "state.json").write_text(json.dumps({"epochs": 1, "epoch": 1, "status": "finished"}))
    return run


def test_evaluate_of_a_run_takes_the_run_s_own_csv_and_says_so(tmp_path, capsys):
    """`evaluate RUN` demanded --csv, though the run records its CSV and `export RUN` takes
    it (trial 60 #6)."""
    from factories import make_csv

    from trainer import cli

    csv = make_csv(tmp_path / "mix.csv", {"Training": 4, "PublicTest": 4, "PrivateTest": 14})
    run = _run_with_model(tmp_path, {"csv": str(csv)})
    assert cli.main(["evaluate", str(run), "--out", str(tmp_path / "ev")]) == 0
    error = capsys.readouterr().err
    assert f"--csv: the run's own, {csv}" in error, error
    report = json.loads((tmp_path / "ev" / "evaluation-PrivateTest.json").read_text())
    assert report["samples"] == 14
    # a model folder records no CSV: still asked for
    assert cli.main(["evaluate", str(_model_copy(tmp_path)), "--out", str(tmp_path / "e2")]) == 2
    assert "evaluate needs one dataset" in capsys.readouterr().err


def _read_only(monkeypatch, folder: Path) -> None:
    """``folder`` refuses new files, as a read-only mount does (root ignores chmod 555)."""
    import errno
    import tempfile

    real = tempfile.NamedTemporaryFile

    def refuse(*args, dir=None, **kwargs):  # noqa: A002 - tempfile's own name
        if dir is not None and Path(dir) == folder:
            raise OSError(errno.EROFS, "Read-only file system", str(folder))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)


def test_export_to_a_folder_it_cannot_write_is_refused_before_the_export(
        tmp_path, monkeypatch, capsys):
    """`export RUN --to ro` (a read-only mount) re-exported and re-scored the run, then
    failed on the copy (trial 60 #8)."""
    from trainer import cli, export

    run = _run_with_model(tmp_path, {"csv": str(tmp_path / "x.csv")})
    ro = tmp_path / "ro"
    ro.mkdir()
    _read_only(monkeypatch, ro)
    monkeypatch.setattr(export, "export_run", lambda *a, **k: pytest.fail("exported first"))
    assert cli.main(["export", str(run), "--to", str(ro)]) == 2
    error = capsys.readouterr().err
    assert f"{ro}: cannot write to the output folder (Read-only file system); choose " \
        "another with --to" in error, error


def test_a_fine_tune_from_a_broken_model_folder_says_so_before_reading_the_faces(
        tmp_path, monkeypatch, capsys):
    """`finetune --from bad1` (model.json not JSON) read and reported the whole image folder
    before it named model.json (trial 60 #8)."""
    from factories import make_image_folder

    from trainer import cli, finetune, imagefolder

    bad = _model_copy(tmp_path, "bad1")
    (bad / "model.json").write_text('{"files": {')
    faces = make_image_folder(tmp_path / "faces", {"happy": 5, "sad": 5})
    monkeypatch.setattr(finetune._Stop, "install", lambda self: None)  # pytest's Ctrl+C kept
    monkeypatch.setattr(imagefolder, "load_image_folder",
                        lambda *a, **k: pytest.fail("the image folder was read first"))
    assert cli.main(["finetune", "--images", str(faces), "--from", str(bad),
                     "--out", str(tmp_path / "runs")]) == 2
    assert "bad1/model.json is not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["finetune"]])
def test_a_file_or_a_device_given_as_out_is_named_so(tmp_path, monkeypatch, capsys, command):
    """`--out afile` and `--out /dev/full` read "cannot write to the output folder (File
    exists)" (trial 60 #9); export's --to called /dev/full "a file"."""
    from trainer import cli, finetune

    monkeypatch.setattr(finetune._Stop, "install", lambda self: None)
    afile = tmp_path / "afile"
    afile.write_text("mine")
    data = ["--images", str(tmp_path / "faces")] if command else ["--csv", str(tmp_path / "x")]
    for out, what in ((afile, "a file"), (Path("/dev/full"), "a device")):
        assert cli.main([*command, *data, "--out", str(out)]) == 2
        error = capsys.readouterr().err
        assert f"{out} is {what}, not a folder; choose another with --out" in error, error
    assert afile.read_text() == "mine"
    run = _run_with_model(tmp_path, {"csv": str(tmp_path / "x.csv")})
    assert cli.main(["export", str(run), "--to", "/dev/full"]) == 2
    assert "/dev/full is a device, not a folder; --to needs a folder" in capsys.readouterr().err


@pytest.mark.tf
def test_a_fine_tune_stopped_by_a_full_disk_says_start_again_and_is_marked_failed(
        tmp_path, monkeypatch, capsys):
    """A full disk at the fine-tune's model.keras said "what was finished is kept: free some
    space and run the command again", left state.json "running", and `export` of the run
    said "has not finished an epoch yet" (trial 60 #3)."""
    import errno

    from factories import make_csv, make_image_folder

    from trainer import cli, export, finetune, rundir, runs

    def full_disk(model, run, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(run / "model.keras"))

    monkeypatch.setattr(finetune._Stop, "install", lambda self: None)
    monkeypatch.setattr(export, "export_finetuned", full_disk)
    faces = make_image_folder(tmp_path / "faces", {"happy": 8, "sad": 8})
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 8, "PublicTest": 8, "PrivateTest": 8})
    # --threads 0: TensorFlow may have started in this process already
    assert cli.main(["finetune", "--images", str(faces), "--out", str(tmp_path / "runs"),
                     "--csv", str(csv), "--epochs", "1", "--batch-size", "8",
                     "--threads", "0"]) == 2
    error = capsys.readouterr().err
    run = next((tmp_path / "runs").iterdir())
    assert "model.keras: No space left on device; a fine-tune keeps no checkpoint, so " \
        "nothing usable was kept: free some space and start the fine-tune again " \
        f"({run} is marked failed: delete it)" in error, error
    assert "what was finished is kept" not in error
    assert rundir.RunState.load(run).status == rundir.FAILED
    row = runs.read_run_row(run)
    assert row.state == rundir.FAILED and row.must_restart and not row.resumable
    assert cli.main(["export", str(run)]) == 2
    assert "a fine-tune keeps no checkpoint, and this one ended before its export, so " \
        "there is nothing to export; start the fine-tune again" in capsys.readouterr().err


def test_a_failed_fine_tune_whose_state_cannot_be_written_leaves_no_folder(tmp_path,
                                                                           monkeypatch):
    """Where even "failed" does not fit on the disk, the folder of nothing usable goes, and
    the message names no folder to delete (trial 60 #3)."""
    import errno

    from trainer import cli, finetune, rundir
    from trainer.events import EventEmitter

    run = tmp_path / "runs" / "20261207-233958-finetune"
    run.mkdir(parents=True)
    state = rundir.RunState(epochs=1)

    def full(self, folder):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir.RunState, "save", full)
    exc = OSError(errno.ENOSPC, "No space left on device", str(run / "model.keras"))
    finetune._failed(run, state, EventEmitter("text"), exc)
    assert not run.exists()
    words = cli.file_system_words(exc, "finetune")
    assert words.endswith("nothing usable was kept: free some space and start the "
                          "fine-tune again"), words


def test_evaluate_keeps_litert_s_info_line_off_stderr(tmp_path):
    """`INFO: Created TensorFlow Lite XNNPACK delegate for CPU.` in every trainer log that
    ran a .tflite (evaluate, export, finetune); analyze keeps it off (trial 60 #13)."""
    from factories import make_csv
    from trainer_helpers import run_trainer

    csv = make_csv(tmp_path / "mix.csv", {"Training": 4, "PublicTest": 4, "PrivateTest": 8})
    result = run_trainer("evaluate", str(_model_copy(tmp_path)), "--csv", str(csv),
                         "--out", str(tmp_path / "ev"), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "accuracy" in result.stderr and "XNNPACK" not in result.stderr, result.stderr


def test_finetune_help_gives_every_option_its_help_and_default(capsys):
    """`finetune --help` showed --epochs, --batch-size, --learning-rate, --seed and
    --augment with no help text or default (trial 60 #13)."""
    import argparse

    from trainer.finetune_config import FinetuneConfig, add_finetune_arguments

    parser = argparse.ArgumentParser()
    add_finetune_arguments(parser)
    for action in parser._actions:
        assert action.help, action.option_strings
    text = " ".join(parser.format_help().split())
    for default in ("passes over your training faces (default: 8)", "(default: 32)",
                    f"(default: {FinetuneConfig().learning_rate})", "(default: 1337)",
                    "(default: default)"):
        assert default in text, (default, text)
