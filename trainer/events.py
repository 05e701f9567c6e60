"""The trainer's side of the event protocol: :class:`EventEmitter` writes the events.

The event names and their fields are listed once, in ``fer_desktop.core.trainer_events``
(:data:`EVENTS`), which the reader uses too; an event not listed there cannot be emitted.
With ``--events json`` stdout carries exactly one JSON object per line and nothing else;
every object has ``"v"`` (:data:`PROTOCOL_VERSION`) and ``"event"``. Adding a field is free;
renaming or removing one, or changing its meaning, raises the version.
``docs/trainer-events.md`` is the reader's guide.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from fer_desktop.core.trainer_events import EVENTS, PROTOCOL_VERSION

__all__ = ["EVENTS", "PROTOCOL_VERSION", "EventEmitter"]


def _clean(value: Any) -> Any:
    """Make a value JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


class EventEmitter:
    """Writes events: JSON lines on stdout (``json`` mode) or a readable line on stderr (``text``).

    Every event is also appended to ``events.jsonl`` in the run folder once one is known, so a
    run started from the command line can be shown by the GUI later.
    """

    def __init__(self, mode: str = "text", stdout: TextIO | None = None,
                 stderr: TextIO | None = None) -> None:
        if mode not in ("json", "text"):
            raise ValueError(f"events mode must be 'json' or 'text', got {mode!r}")
        self.mode = mode
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr
        self._log_path: Path | None = None

    def attach_run_dir(self, run_dir: Path) -> None:
        self._log_path = Path(run_dir) / "events.jsonl"

    def detach_run_dir(self) -> None:
        """Stop copying events into the run folder (it is being removed)."""
        self._log_path = None

    def emit(self, event: str, **fields: Any) -> dict[str, Any]:
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; known: {', '.join(EVENTS)}")
        record = {"v": PROTOCOL_VERSION, "event": event, "time": round(time.time(), 3)}
        record.update(_clean(fields))
        line = json.dumps(record, separators=(",", ":"))
        if self.mode == "json":
            self._stdout.write(line + "\n")
            self._stdout.flush()
        else:
            self.log(_as_text(record))
        if self._log_path is not None:
            try:
                with open(self._log_path, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
            except OSError as exc:  # the run folder vanished: keep training, say so once
                self.log(f"warning: cannot append to {self._log_path}: {exc}")
                self._log_path = None
        return record

    def log(self, message: str) -> None:
        """Human-readable progress: always stderr, never stdout."""
        self._stderr.write(message + "\n")
        self._stderr.flush()


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _as_text(record: dict[str, Any]) -> str:
    event = record["event"]
    if event == "batch":
        return (f"  epoch {record['epoch']}/{record['epochs']} step {record['step']}/"
                f"{record['steps']} loss {_fmt(record['loss'])} acc {_fmt(record['accuracy'])} "
                f"{record['images_per_s']:.0f} img/s")
    if event == "epoch":
        return (f"epoch {record['epoch']}/{record['epochs']}: loss {_fmt(record['loss'])} "
                f"acc {_fmt(record['accuracy'])} val_loss {_fmt(record['val_loss'])} "
                f"val_acc {_fmt(record['val_accuracy'])} lr {record['lr']:.2e} "
                f"{record['seconds']:.0f}s ({record['images_per_s']:.0f} img/s)")
    if event == "error":
        return f"error: {record['message']}"
    if event == "data_report":  # a Python dict of every statistic was noise (trial 19);
        splits = record.get("splits") or {}  # its warnings follow in the report's table
        rows = ", ".join(f"{name} {info.get('rows', 0):,}" for name, info in splits.items()
                         if isinstance(info, dict))
        return f"data: rows {rows}"
    skip = {"v", "event", "time", "config", "traceback", "per_class", "confusion"}
    parts = [f"{k}={_fmt(v)}" for k, v in record.items()  # "run_dir=None": not a folder
             if k not in skip and v is not None]
    return f"[{event}] " + " ".join(parts)
