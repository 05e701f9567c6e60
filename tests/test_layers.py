"""The architecture is checked, not hoped for: import contracts, TF-free GUI, ruff."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def test_import_contracts_hold():
    """import-linter: core is Qt-free, nothing in the app imports TensorFlow, trainer is Qt-free."""
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gui_modules_do_not_load_tensorflow():
    """Import every app module that exists and check, in a fresh interpreter, that TF stayed out."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "fer_desktop").rglob("*.py")
        if p.name != "__main__.py" and p.stem != "cli"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in ('tensorflow', 'keras', 'torch') if m in sys.modules]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, env={"QT_QPA_PLATFORM": "offscreen",
                                            "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


# The trainer modules the window may import (docs/architecture.md, "The layers"): TF-free.
UI_MAY_IMPORT = {"__init__", "__main__", "config", "events", "data", "rundir", "runs",
                 "finetune_config", "imagefolder", "ferplus", "metrics", "process_outcome",
                 "row_count"}


def test_every_other_trainer_module_is_forbidden_to_the_gui():
    """The contract listed modules one by one and fell behind (gpu_distill, which imports
    PyTorch, was not on it): each trainer module is either allowed or forbidden."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    gui = next(c for c in contracts["contracts"] if "fer_desktop.ui" in c["source_modules"])
    forbidden = {m.removeprefix("trainer.") for m in gui["forbidden_modules"]}
    modules = {p.stem for p in (ROOT / "trainer").glob("*.py")}
    assert modules - UI_MAY_IMPORT - forbidden == set()
    assert UI_MAY_IMPORT & forbidden == set()


def test_ruff_is_clean():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_contract_would_catch_a_violation(tmp_path):
    """The linter is not a test that cannot fail: a core module importing PySide6 breaks it."""
    bad = ROOT / "fer_desktop" / "core" / "_contract_probe.py"
    bad.write_text("import PySide6  # noqa: F401\n")
    try:
        result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True,
                                text=True)
    finally:
        bad.unlink()
    assert result.returncode != 0
    assert "fer_desktop.core is Qt-free" in result.stdout
