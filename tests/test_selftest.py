"""``fer-desktop --selftest`` / ``--selftest-trainer`` from a checkout, and their failure messages.

The same commands run inside the bundle (docs/packaging.md); here they run unfrozen, from a
folder outside the checkout, as a user would start them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fer_desktop import resources, selftest
from fer_desktop.synthetic import TINY_SPLITS, write_fer_csv

ROOT = Path(__file__).resolve().parent.parent
_SHIPPED = json.loads((ROOT / "assets" / "model.json").read_text())["files"].values()
APP_CHECKS = ("resources", *(f"model {n}" for n in _SHIPPED if n.endswith(".tflite")),
              "yunet", "blazeface", "haar", "pipeline", "overlay", "screenshot", "window", "about",
              "no-tensorflow")


def _run_app(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "fer_desktop", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_selftest_passes_from_outside_the_checkout(tmp_path):
    result = _run_app("--selftest", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [line for line in lines if line.startswith("FAIL")]
    for name in APP_CHECKS:
        assert any(line.startswith(f"PASS {name}: ") for line in lines), (name, lines)
    assert lines[-1].startswith("self-test: all ")
    assert not list(tmp_path.iterdir()), "the self-test must write only to its temp folder"


def test_a_missing_resource_is_named(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(resources, "assets_dir", lambda: empty)
    with pytest.raises(resources.ResourceError) as info:
        resources.resource_path("model.json")
    assert "'model.json'" in str(info.value) and str(empty) in str(info.value)

    out = io.StringIO()
    code = selftest.main(["--selftest"], out=out)
    lines = out.getvalue().splitlines()
    assert code == 1
    failed = [line for line in lines if line.startswith("FAIL resources: ")]
    assert failed and "'model.json'" in failed[0] and str(empty) in failed[0], lines
    assert "sample.jpg" in failed[0] and "icon.png" in failed[0]
    assert any(line.startswith("FAIL model: ") and "model.json" in line for line in lines)
    assert lines[-1].startswith("self-test: ") and "checks failed" in lines[-1]


def test_a_model_file_named_in_model_json_but_missing_is_named(model_copy, monkeypatch):
    (model_copy / "model-int8.tflite").unlink()
    monkeypatch.setattr(resources, "assets_dir", lambda: model_copy)
    with pytest.raises(selftest.CheckFailed, match=r"'model-int8\.tflite'"):
        selftest.check_resources(selftest.Context(model_copy))


def test_each_check_prints_one_line_and_a_crash_becomes_a_fail(tmp_path):
    def good(_context):
        return "fine"

    def bad(_context):
        raise selftest.CheckFailed("the reason")

    def crash(_context):
        raise ZeroDivisionError("boom")

    def needs(context):
        return context.need("thing", "producer")

    out = io.StringIO()
    results = selftest.run_checks([("a", good), ("b", bad), ("c", crash), ("d", needs)],
                                  selftest.Context(tmp_path), out)
    assert out.getvalue().splitlines() == [
        "PASS a: fine", "FAIL b: the reason", "FAIL c: ZeroDivisionError: boom",
        "FAIL d: skipped: needs the 'producer' check to pass first"]
    assert [r.passed for r in results] == [True, False, False, False]


def test_the_generated_csv_is_one_the_trainer_accepts(tmp_path):
    from trainer.data import load_csv

    csv = write_fer_csv(tmp_path / "tiny.csv")
    data = load_csv(csv)
    assert {split: len(data.labels[split]) for split in data.labels} == TINY_SPLITS


def test_the_mode_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        selftest.main([])
    assert info.value.code == 2
    assert "--selftest" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.tf
def test_selftest_trainer_trains_exports_and_loads(tmp_path):
    result = _run_app("--selftest-trainer", cwd=tmp_path, timeout=900)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    for name in ("trainer-start", "trainer-epoch", "trainer-export", "trainer-model"):
        assert any(line.startswith(f"PASS {name}: ") for line in lines), (name, lines)
    assert "python -m trainer" in lines[0] or "-m trainer" in lines[0]
