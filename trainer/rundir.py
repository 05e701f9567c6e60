"""A run folder and its files, written so that ``kill -9`` never leaves a half-written one.

``runs/<date-time>-<preset>/`` holds ``config.json``, ``state.json`` (epochs done, the
checkpoint to resume from, best score, history), ``history.csv``, ``events.jsonl``,
``ckpt-NNNN.keras`` (last two kept), ``best.keras`` and, after export, the runtime files.
Every file is written to a temporary name in the same folder and renamed into place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE = "state.json"
CONFIG = "config.json"
HISTORY = "history.csv"
BEST = "best.keras"


class RunDirError(Exception):
    """The output or run folder cannot be used; ``path`` names it."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def atomic_write_text(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.",
                                     suffix=".tmp", delete=False, encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(fh.name, 0o644)
    os.replace(fh.name, path)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and prove we can write there, before any work starts."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise RunDirError(folder, f"cannot write to the output folder ({exc.strerror or exc}); "
                          "choose another with --out") from exc


def new_run_dir(out: Path, preset: str) -> Path:
    check_writable(out)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        run = out / (f"{stamp}-{preset}" + (f"-{n}" if n else ""))
        try:
            run.mkdir()
            return run
        except FileExistsError:
            continue
    raise RunDirError(out, "could not create a new run folder")


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RunDirError(path, "not found: is this a run folder made by the trainer?") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunDirError(path, f"is not valid JSON ({exc})") from exc


def write_history(run: Path, history: list[dict]) -> None:
    if not history:
        return
    keys = list(history[0])
    for row in history[1:]:
        keys += [k for k in row if k not in keys]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=keys)
    writer.writeheader()
    writer.writerows(history)
    atomic_write_text(run / HISTORY, buffer.getvalue())


def save_keras_atomic(model, path: Path) -> None:
    """``model.save`` to a temporary ``.keras`` name beside ``path``, then rename."""
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def run_summary(run: Path) -> dict[str, Any]:
    """What the GUI's run list shows, from the files alone (no TensorFlow)."""
    summary: dict[str, Any] = {"run_dir": str(run), "name": run.name}
    try:
        config = json.loads((run / CONFIG).read_text())
    except (OSError, ValueError):
        config = {}
    try:
        state = json.loads((run / STATE).read_text())
    except (OSError, ValueError):
        state = {}
    summary["preset"] = config.get("preset", "?")
    summary["epochs"] = state.get("epochs", config.get("epochs"))
    summary["epochs_done"] = state.get("epoch", 0)
    summary["best_val_accuracy"] = state.get("best_val_accuracy")
    summary["best_epoch"] = state.get("best_epoch")
    summary["status"] = state.get("status", "unknown")
    summary["has_model"] = (run / "model.json").is_file()
    return summary
