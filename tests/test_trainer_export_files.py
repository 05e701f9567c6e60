"""Copying an exported model into the app's folder: only what model.json lists, nothing stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer import export
from trainer.export import copy_model_folder


def _random_linear_model(rng):
    """A tiny softmax model on the 48x48 input whose answers change with the pixels (so a
    blur or a mirror image changes them too)."""
    import keras
    import numpy as np

    dense = keras.layers.Dense(7, activation="softmax")
    model = keras.Sequential([keras.Input((48, 48, 1)), keras.layers.Flatten(), dense])
    dense.set_weights([rng.normal(0, 0.05, (48 * 48, 7)).astype(np.float32),
                       np.zeros(7, np.float32)])
    return model


def _model_folder(folder, files: dict[str, str]) -> None:
    folder.mkdir()
    for name in files.values():
        (folder / name).write_bytes(name.encode())
    (folder / "model.json").write_text(json.dumps({"files": files}))


def test_copy_brings_the_listed_files_and_removes_stale_ones(tmp_path):
    _model_folder(tmp_path / "ensemble",
                  {"keras": "model.keras", "tflite_int8": "model-int8.tflite"})
    assets = tmp_path / "assets"
    _model_folder(assets, {"keras": "model.keras", "tflite": "model.tflite",
                           "tflite_int8": "model-int8.tflite"})
    (assets / "model.keras").write_bytes(b"old")
    copy_model_folder(tmp_path / "ensemble", assets)
    assert sorted(p.name for p in assets.iterdir()) == [
        "model-int8.tflite", "model.json", "model.keras"]
    assert (assets / "model.keras").read_bytes() == b"model.keras"
    assert json.loads((assets / "model.json").read_text())["files"] == {
        "keras": "model.keras", "tflite_int8": "model-int8.tflite"}


def test_copy_keeps_unrelated_files(tmp_path):
    _model_folder(tmp_path / "run", {"keras": "model.keras", "tflite": "model.tflite"})
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "sample.jpg").write_bytes(b"jpeg")
    (assets / "model-int8.tflite").write_bytes(b"stale")
    copy_model_folder(tmp_path / "run", assets)
    assert (assets / "sample.jpg").read_bytes() == b"jpeg"
    assert not (assets / "model-int8.tflite").exists()


def test_a_failed_copy_leaves_a_model_json_naming_only_files_that_exist(tmp_path, monkeypatch):
    _model_folder(tmp_path / "ensemble",
                  {"keras": "model.keras", "tflite_int8": "model-int8.tflite"})
    assets = tmp_path / "assets"
    _model_folder(assets, {"keras": "model.keras", "tflite": "model.tflite",
                           "tflite_int8": "model-int8.tflite"})

    # review 46: it left the new files and no model.json; now the earlier model stays whole
    _copy_failing_at(tmp_path / "ensemble", assets, "model.json", monkeypatch)


def _copy_failing_at(run, target, name_part, monkeypatch):
    """copy_model_folder(run, target) with a full disk at the file whose name holds
    ``name_part``: it fails, and ``target`` is as it was."""
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    real = export.shutil.copyfile

    def full(src, dst, **kwargs):
        if name_part in Path(src).name:
            raise OSError(28, "No space left on device", str(src), None, str(dst))
        return real(src, dst, **kwargs)
    monkeypatch.setattr(export.shutil, "copyfile", full)
    with pytest.raises(OSError):
        copy_model_folder(run, target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_a_copy_failing_half_way_leaves_the_earlier_model_whole(tmp_path, monkeypatch):
    """Review 44: the second file's copy failed (a full disk) after model.keras was renamed
    in: the old model.json then described the new model.keras, and finetune --from took the
    new network with the old model's flip, blur and prior."""
    _model_folder(tmp_path / "run", {"keras": "model.keras", "tflite_int8": "model-int8.tflite"})
    target = tmp_path / "assets"
    _model_folder(target, {"keras": "model.keras", "tflite_int8": "model-int8.tflite"})
    (tmp_path / "run" / "model.keras").write_bytes(b"new")
    _copy_failing_at(tmp_path / "run", target, "int8", monkeypatch)


def test_a_copy_that_does_not_fit_names_the_target_and_leaves_no_half_file(tmp_path,
                                                                           monkeypatch):
    """`export --to FOLDER` on a full disk named the run's own model.keras, the copy's
    source, as the file that did not fit, and left .tmp-model.keras in FOLDER (audit 41)."""
    _model_folder(tmp_path / "run", {"keras": "model.keras"})
    target = tmp_path / "out"

    def full(src, dst, **kwargs):
        with open(dst, "wb") as fh:
            fh.write(b"half")
        raise OSError(28, "No space left on device", str(src), None, str(dst))

    monkeypatch.setattr(export.shutil, "copyfile", full)
    with pytest.raises(OSError) as info:
        copy_model_folder(tmp_path / "run", target)
    assert info.value.filename == str(target / "model.keras") and info.value.errno == 28
    assert list(target.iterdir()) == []


@pytest.mark.tf
def test_conversion_keeps_keras_signature_printout_out_of_the_log(capsys):
    """Dozens of "TensorSpec(shape=(), dtype=tf.resource...)" lines flooded the Train log."""
    import keras

    from trainer.convert import to_tflite

    model = keras.Sequential([keras.Input((48, 48, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(7, activation="softmax")])
    assert to_tflite(model, quantize=False)
    out = capsys.readouterr().out
    assert "TensorSpec" not in out and "Saved artifact" not in out


@pytest.mark.tf
def test_the_test_time_blur_is_opencvs_gaussian_in_keras_and_in_the_tflite_file():
    """The blur chosen at export (convert.with_blur) is the 3x3 Gaussian OpenCV computes, with
    mirrored edges, and the converted file computes the same (the app runs the file)."""
    import cv2
    import numpy as np

    from trainer.convert import run_tflite, to_tflite, with_views

    rng = np.random.default_rng(3)
    model = _random_linear_model(rng)
    x = rng.random((6, 48, 48, 1), dtype=np.float32)
    blurred = np.stack([cv2.GaussianBlur(face[:, :, 0], (3, 3), 0.75,
                                         borderType=cv2.BORDER_REFLECT_101)
                        for face in x])[..., None]
    expected = model.predict(blurred, verbose=0)
    assert not np.allclose(expected, model.predict(x, verbose=0), atol=1e-4)  # it does blur
    np.testing.assert_allclose(with_views(model, blur_sigma=0.75).predict(x, verbose=0),
                               expected, atol=1e-5)
    file = to_tflite(model, quantize=False, blur_sigma=0.75)
    np.testing.assert_allclose(run_tflite(file, x), expected, atol=1e-5)
    flipped = model.predict(np.ascontiguousarray(blurred[:, :, ::-1]), verbose=0)
    both = to_tflite(model, quantize=False, flip_tta=True, blur_sigma=0.75)
    np.testing.assert_allclose(run_tflite(both, x), 0.5 * (expected + flipped), atol=1e-5)


@pytest.mark.tf
def test_view_probabilities_are_what_each_view_in_the_graph_computes():
    """The export chooses its views from these numbers: each must equal the graph that view
    would put in the file (the blur, then the mean with the mirror image)."""
    import numpy as np

    from trainer.convert import view_probabilities, with_views

    rng = np.random.default_rng(5)
    model = _random_linear_model(rng)
    x = rng.random((5, 48, 48, 1), dtype=np.float32)
    views = view_probabilities(model, x, (0.75,))
    assert set(views) == {(False, 0.0), (True, 0.0), (False, 0.75), (True, 0.75)}
    for (flip, sigma), p in views.items():
        graph = with_views(model, flip_tta=flip, blur_sigma=sigma)
        np.testing.assert_allclose(p, graph.predict(x, verbose=0), atol=1e-5)
    assert not np.allclose(views[(True, 0.0)], views[(False, 0.0)], atol=1e-4)


def test_a_trial_is_exported_again_on_the_rows_it_was_scored_on(tmp_path):
    """Re-exporting a --limit-per-split run scored it on the whole splits while its model.json
    still said "limit_per_split": the figures changed with no word of why."""
    from types import SimpleNamespace

    from factories import make_csv

    from trainer.data import load_cached
    from trainer.export import run_data

    csv = make_csv(tmp_path / "t.csv", {"Training": 30, "PublicTest": 20, "PrivateTest": 20})
    run = tmp_path / "runs" / "trial"
    run.mkdir(parents=True)
    state = SimpleNamespace(dataset_sha256=load_cached(csv, tmp_path / "cache").sha256,
                            votes_sha256=None)
    data, _, on_fer = run_data(run, {"csv": str(csv), "limit_per_split": 5}, state)
    assert on_fer and data.counts() == {"Training": 5, "PublicTest": 5, "PrivateTest": 5}
    data, _, _ = run_data(run, {"csv": str(csv)}, state)
    assert data.counts() == {"Training": 30, "PublicTest": 20, "PrivateTest": 20}


def test_a_file_the_disk_cannot_hold_is_named_and_leaves_no_temporary(tmp_path, monkeypatch):
    """`evaluate --out` on a full disk said "cannot write (No space left on device)", naming
    no file, and its temporary files stayed (audit 41): the trainer's atomic writes and the
    report's picture now name the file and remove the temporary."""
    import os

    from trainer import evaluate, rundir

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rundir.os, "fsync", full)
    with pytest.raises(OSError) as info:
        rundir.atomic_write_json(tmp_path / "evaluation-all.json", {"a": 1})
    assert info.value.filename == str(tmp_path / "evaluation-all.json")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    (tmp_path / "taken.json").mkdir()  # the rename fails: its target is a folder
    with pytest.raises(OSError):
        rundir.atomic_write_json(tmp_path / "taken.json", {"a": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["taken.json"]  # no temporary left
    (tmp_path / "taken.json").rmdir()

    import matplotlib.figure

    def no_room(self, fname, **kwargs):
        with open(fname, "wb") as fh:
            fh.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", no_room)
    import numpy as np

    with pytest.raises(OSError) as info:
        evaluate.plot_confusion(np.eye(7, dtype=int), "t", tmp_path / "evaluation-all.png")
    assert info.value.filename == str(tmp_path / "evaluation-all.png")
    assert list(tmp_path.iterdir()) == [] and os.path.isdir(tmp_path)


class _SavedModel:
    """Stands in for a Keras model: ``save`` writes a file."""

    def save(self, path):
        Path(path).write_bytes(b"new keras")


def _exported_run(run):
    """A run folder with an earlier export: config.json, model.json and its files."""
    run.mkdir()
    (run / "config.json").write_text("{}")
    files = {"model.keras": b"old keras", "model-int8.tflite": b"old int8"}
    for name, data in files.items():
        (run / name).write_bytes(data)
    meta = {"files": {"keras": "model.keras", "tflite_int8": "model-int8.tflite"}}
    (run / "model.json").write_text(json.dumps(meta))
    return {p.name: p.read_bytes() for p in run.iterdir()}


def test_a_run_export_on_a_full_disk_names_the_file_and_keeps_the_earlier_model(
        tmp_path, monkeypatch):
    """Audit 57: a run's own export on a full disk removed model.json first and wrote each
    file in place: every model file was unchanged, and the app called the run "a training run
    with no model yet". Audit 44: the error names the file that did not fit."""
    import errno

    from trainer.cli import file_system_words

    run = tmp_path / "run"
    before = _exported_run(run)
    real = Path.write_bytes

    def full(self, data):
        if self.name.endswith("model-int8.tflite"):
            real(self, data[:2])  # a half-written file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    meta = {"files": {"keras": "model.keras", "tflite_int8": "model-int8.tflite"}}
    with pytest.raises(OSError) as info:
        export._write_model_folder(run, _SavedModel(), {"model-int8.tflite": b"new int8"},
                                   meta, set(), into_run=True)
    words = file_system_words(info.value, "export")
    assert words.startswith(f"{run / 'model-int8.tflite'}: No space left on device")
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before  # whole, nothing left
    monkeypatch.undo()
    export._write_model_folder(run, _SavedModel(), {"model-int8.tflite": b"new int8"}, meta,
                               set(), into_run=True)
    assert (run / "model-int8.tflite").read_bytes() == b"new int8"
    assert json.loads((run / "model.json").read_text())["files_sha256"]["model.keras"]
    assert sorted(p.name for p in run.iterdir()) == sorted(before)


def test_a_run_export_killed_during_its_renames_leaves_no_model_json_over_new_files(
        tmp_path, monkeypatch):
    """Review 44: an old model.json describing files already replaced was loaded without a
    word; a kill between the renames leaves no model.json (refused by name)."""
    import os

    run = tmp_path / "run"
    _exported_run(run)
    real, renamed = os.replace, []

    def killed(src, dst):
        if renamed:
            raise KeyboardInterrupt("killed")
        renamed.append(dst)
        return real(src, dst)

    monkeypatch.setattr(export.os, "replace", killed)
    meta = {"files": {"keras": "model.keras", "tflite_int8": "model-int8.tflite"}}
    with pytest.raises(KeyboardInterrupt):
        export._write_model_folder(run, _SavedModel(), {"model-int8.tflite": b"new int8"},
                                   meta, set(), into_run=True)
    assert not (run / "model.json").exists()
    assert not [p for p in run.iterdir() if p.name.startswith(".")]


def test_a_run_folder_moved_away_during_its_export_is_not_made_again(tmp_path):
    """Audit 45: a fine-tune's run folder moved away while it was scored was made again with
    only the model files and state, and the run read as finished, its test faces' score
    shown as PublicTest's, its recipe "?"."""
    from trainer import rundir

    run = tmp_path / "runs" / "20261207-012813-finetune"
    with pytest.raises(rundir.RunDirError, match="was moved or removed while the trainer "
                                                 "wrote it: nothing was written"):
        export._write_model_folder(run, None, {"model-int8.tflite": b"x"}, {}, set(),
                                   into_run=True)
    assert not run.exists()


def test_what_a_killed_run_export_staged_is_swept_by_the_next_resume(tmp_path, monkeypatch):
    """Review 59: a kill -9 during the staging left .new-PID-model.keras in the run for good:
    resume's sweep knew only its .tmp- names."""
    from trainer import rundir

    run = tmp_path / "run"
    _exported_run(run)
    staged: list[Path] = []
    real = Path.write_bytes

    def killed(self, data):  # what a kill -9 here leaves: the files staged so far
        staged.append(self)
        real(self, data)
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(Path, "write_bytes", killed)
    with pytest.raises(KeyboardInterrupt):
        export._write_model_folder(run, _SavedModel(), {"model-int8.tflite": b"new int8"},
                                   {"files": {"tflite_int8": "model-int8.tflite"}}, set(),
                                   into_run=True)
    monkeypatch.undo()
    for path in staged:
        path.write_bytes(b"cut short")
    assert staged and rundir.remove_leftovers(run) == sorted(p.name for p in staged)


def test_an_export_sweeps_what_a_killed_export_staged(tmp_path, monkeypatch):
    """Review 60: only a resume swept a killed export's staged files, and a finished run or
    a fine-tune is never resumed: several MB stayed in the run for good."""
    from trainer import cli

    run = tmp_path / "run"
    _exported_run(run)
    (run / "state.json").write_text('{"epoch": 1, "epochs": 1, "status": "finished"}')
    (run / ".tmp-new-4242-model.keras").write_bytes(b"cut short")
    others = [run / ".tmp-notes.txt", run / ".tmp-4242-evaluation.png",  # not an export's:
              run / ".name.txt.abc.tmp"]  # a user's, an evaluate's, a rename's (review 61)
    for path in others:
        path.write_bytes(b"x")
    monkeypatch.setattr(export, "export_run", lambda *args, **kwargs: {})
    assert cli.main(["export", str(run)]) == 0
    assert not (run / ".tmp-new-4242-model.keras").exists()
    assert all(path.exists() for path in others)
