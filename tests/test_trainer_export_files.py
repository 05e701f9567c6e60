"""Copying an exported model into the app's folder: only what model.json lists, nothing stale."""

from __future__ import annotations

import json

import pytest

from trainer import export
from trainer.export import copy_model_folder


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

    def disk_full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.rundir, "atomic_write_json", disk_full)
    with pytest.raises(OSError):
        copy_model_folder(tmp_path / "ensemble", assets)
    listed = json.loads((assets / "model.json").read_text())["files"].values()
    assert all((assets / name).is_file() for name in listed)


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
