"""A .keras file that would run code (or is not a Keras file) is a named user error (issue 13)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from trainer_helpers import run_trainer

from trainer.rundir import RunDirError

pytestmark = pytest.mark.tf


@pytest.fixture(scope="module")
def malicious_keras(tmp_path_factory):
    """A model with a Lambda layer: loading it outside safe mode would run its bytecode."""
    import keras

    path = tmp_path_factory.mktemp("keras") / "evil.keras"
    inputs = keras.Input((48, 48, 1))
    outputs = keras.layers.Lambda(lambda x: x * 2.0)(inputs)
    keras.Model(inputs, outputs).save(path)
    return path


def test_a_lambda_layer_is_refused_by_safe_mode(malicious_keras):
    from trainer.keras_files import load_keras

    with pytest.raises(RunDirError, match="can load safely") as info:
        load_keras(malicious_keras)
    assert info.value.path == str(malicious_keras)


@pytest.mark.parametrize("content", [b"", b"not a zip", None])
def test_a_file_that_is_not_a_keras_model_is_named(tmp_path, content):
    from trainer.keras_files import load_keras

    path = tmp_path / "junk.keras"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("config.json", json.dumps({"class_name": "Nope", "config": {}}))
    else:
        path.write_bytes(content)
    with pytest.raises(RunDirError, match="junk.keras"):
        load_keras(path)


def test_evaluate_of_a_malicious_model_is_a_user_error_without_traceback(malicious_keras,
                                                                         tmp_path):
    from factories import make_csv

    csv = make_csv(tmp_path / "tiny.csv", {"Training": 8, "PublicTest": 8, "PrivateTest": 8})
    result = run_trainer("evaluate", str(malicious_keras), "--csv", str(csv), "--out",
                         str(tmp_path / "eval"), timeout=240)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "can load safely" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("meta", "message"), [
    ("{not json", "cannot be read"),
    ('{"files": {"keras": "../elsewhere.keras"}}', "outside its folder: refused"),
    ('{"files": {"keras": "gone.keras"}}', "missing: a teacher needs the Keras model"),
])
def test_a_teacher_folder_with_a_bad_model_json_is_named(tmp_path, meta, message):
    """A teacher (or --init) folder whose model.json cannot be followed to its Keras file is a
    user error naming the file, not an internal error from the JSON parser."""
    from trainer.distill import _teacher_model

    (tmp_path / "model.json").write_text(meta)
    with pytest.raises(RunDirError, match=message) as caught:
        _teacher_model(tmp_path)
    assert str(tmp_path) in str(caught.value)


@pytest.mark.parametrize("content", ["garbage", "detector"])
def test_evaluate_of_a_broken_or_foreign_tflite_names_the_file(tmp_path, content):
    """Random bytes ("not a valid Flatbuffer") or another network (YuNet's detector) in a
    model folder ended in a traceback, exit 1."""
    from factories import make_csv

    from fer_desktop.resources import resource_path

    folder = tmp_path / "model"
    folder.mkdir()
    model = folder / "model-int8.tflite"
    if content == "garbage":
        model.write_bytes(bytes(range(256)) * 64)
    else:
        model.write_bytes(Path(resource_path("face_detection_yunet_2026may.tflite")).read_bytes())
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 8, "PublicTest": 8, "PrivateTest": 8})
    result = run_trainer("evaluate", str(model), "--csv", str(csv), "--out",
                         str(tmp_path / "eval"), timeout=240)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "model-int8.tflite" in result.stderr and "not an emotion model" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("deep", [False, True], ids=["password", "deep-config"])
def test_a_keras_file_python_cannot_read_is_named(malicious_keras, tmp_path, deep):
    """A .keras re-zipped with a password (a RuntimeError) or whose config.json is nested
    too deep (a RecursionError) ended in a traceback, exit 1 (audit 37)."""
    from trainer.keras_files import load_keras

    path = tmp_path / "odd.keras"
    with zipfile.ZipFile(malicious_keras) as source, zipfile.ZipFile(path, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if deep and item.filename == "config.json":
                data = ('{"class_name": ' + "[" * 100000 + "]" * 100000 + "}").encode()
            archive.writestr(item.filename, data)
    if not deep:  # the central directory's "encrypted" bit on every entry, as zip -P sets it
        data = bytearray(path.read_bytes())
        at = data.find(b"PK\x01\x02")
        while at >= 0:
            data[at + 8] |= 1
            at = data.find(b"PK\x01\x02", at + 46)
        path.write_bytes(bytes(data))
    with pytest.raises(RunDirError, match="odd.keras"):
        load_keras(path)
