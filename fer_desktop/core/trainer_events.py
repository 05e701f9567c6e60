"""Read the trainer's JSON-lines event protocol (``python -m trainer --events json``), Qt-free.

The trainer's stdout is not trusted: TensorFlow itself prints there now and then, a killed
trainer leaves half a line, and a newer trainer may speak a newer protocol. So every line
becomes a :class:`TrainerEvent`, and :attr:`TrainerEvent.problem` says why one is unusable
(not JSON, not an event, unknown name, a required field missing or of the wrong type) instead
of raising. The reader logs those and skips them.

Typical use, on whatever delivers the child's stdout bytes::

    buffer = LineBuffer()
    for line in buffer.feed(chunk):
        event = parse_event(line)
        if event.problem:
            log(f"skipped trainer output: {event.problem}")
        else:
            handle(event)

The event names and fields are defined once, here (:data:`EVENTS`): ``core`` may not import
the trainer, so the trainer's emitter (``trainer/events.py``) imports this table instead.
``docs/trainer-events.md`` is the reader's guide.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: The newest protocol version this reader understands (``"v"`` in every event).
PROTOCOL_VERSION = 1

#: Name of the result for a line that is not an event at all.
GARBAGE = "garbage"


@dataclass(frozen=True)
class EventSpec:
    """One event of the protocol.

    required: field -> kind, the fields a reader relies on (an event lacking one, or with
        one of the wrong kind, is skipped). Kinds: "int" (not bool), "num" (int or float,
        finite), "num?" (number or null: the trainer writes NaN/inf as null), "str", "bool",
        "dict", "list".
    fields: every field the trainer writes (beyond ``v``, ``event`` and ``time``), with a few
        words of meaning where the name is not enough.
    """

    required: Mapping[str, str]
    fields: str


#: The one list of events: the trainer emits only these, the reader checks them.
EVENTS: Mapping[str, EventSpec] = MappingProxyType({
    "started": EventSpec(
        {"run_dir": "str", "epochs": "int", "steps_per_epoch": "int", "initial_epoch": "int"},
        "run_dir, config, samples {split: n}, steps_per_epoch, epochs, initial_epoch, "
        "precision, devices, resumed"),
    "data_report": EventSpec(
        {"splits": "dict"},
        "splits {split: {rows, classes, mean, contrast, sharpness, duplicates}}, "
        "warnings [str]"),
    "batch": EventSpec(
        {"epoch": "int", "epochs": "int", "step": "int", "steps": "int", "loss": "num?",
         "accuracy": "num?", "images_per_s": "num?"},
        "epoch (1-based), epochs, step, steps, loss, accuracy, images_per_s"),
    "epoch": EventSpec(
        {"epoch": "int", "epochs": "int", "loss": "num?", "accuracy": "num?",
         "val_loss": "num?", "val_accuracy": "num?"},
        "epoch (1-based), epochs, loss, accuracy, val_loss, val_accuracy, lr, seconds, "
        "images_per_s, best_val_accuracy, best_epoch"),
    "checkpoint": EventSpec(
        {"epoch": "int", "path": "str"},
        "epoch, path, best (bool: this epoch is the new best)"),
    "evaluated": EventSpec(
        {"model": "str", "split": "str", "accuracy": "num?"},
        "model, split, accuracy, balanced_accuracy, ferplus_accuracy (null without votes), "
        "macro_f1, per_class {name: {precision, recall, f1}}, confusion [[int]], ece, "
        "ece_calibrated, temperature"),
    "exported": EventSpec(
        {"files": "dict"},
        "files {name: {path, bytes, public_accuracy, private_accuracy}}, model_json"),
    "finished": EventSpec(
        {"run_dir": "str", "stopped": "bool"},
        "run_dir, best_epoch, best_val_accuracy, stopped (bool), best_model, epochs_done, "
        "time_budget_reached (bool), seconds"),
    "error": EventSpec(
        {"message": "str"},
        "message, kind (user | internal), traceback (internal only)"),
})

#: event name -> its required fields and their kinds (from :data:`EVENTS`).
REQUIRED: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {name: spec.required for name, spec in EVENTS.items()})

#: The event names this reader knows.
KNOWN_EVENTS = frozenset(EVENTS)

_MAX_SHOWN = 120  # characters of a bad line quoted in a problem message


@dataclass(frozen=True)
class TrainerEvent:
    """One line of trainer output, parsed.

    name: the event name (``"batch"``, ``"epoch"``...) or :data:`GARBAGE` for a line that is
        not an event. version: the line's ``"v"`` (0 for garbage). fields: every key of the
        JSON object except ``event`` and ``v``, read-only. problem: why the event cannot be
        used, or ``None`` when it can. raw: the line as received.
    """

    name: str
    version: int
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    problem: str | None = None
    raw: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        """True when the event is known, complete and safe to act on."""
        return self.problem is None

    @property
    def is_garbage(self) -> bool:
        return self.name == GARBAGE

    @property
    def is_newer(self) -> bool:
        """True when the trainer speaks a newer protocol than this reader understands."""
        return self.version > PROTOCOL_VERSION

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]


def _quote(line: str) -> str:
    return repr(line if len(line) <= _MAX_SHOWN else line[:_MAX_SHOWN] + "...")


def _garbage(line: str, reason: str) -> TrainerEvent:
    return TrainerEvent(GARBAGE, 0, problem=f"{reason}: {_quote(line)}", raw=line)


MAX_INT = 2 ** 63  # JSON allows larger integers: they do not fit a float's range (one home:
# the trainer's events here, the run folder's JSON files in trainer.rundir)


def _kind_ok(value: Any, kind: str) -> bool:
    if kind == "int":  # JSON allows a 400-digit integer: float() of it raised, in every
        return isinstance(value, int) and not isinstance(value, bool) \
            and abs(value) < MAX_INT  # reader of the curves, and here too (audit 48)
    if kind in ("num", "num?"):
        if value is None:
            return kind == "num?"
        if isinstance(value, int) and not isinstance(value, bool):
            return abs(value) < MAX_INT
        return isinstance(value, float) and math.isfinite(value)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    raise ValueError(f"unknown field kind {kind!r}")


def _field_problem(name: str, fields: Mapping[str, Any]) -> str | None:
    missing, wrong = [], []
    for key, kind in REQUIRED[name].items():
        if key not in fields:
            missing.append(key)
        elif not _kind_ok(fields[key], kind):
            wrong.append(f"{key}={fields[key]!r} (expected {kind.rstrip('?')})")
    if missing:
        return f"{name!r} event lacks field(s) {', '.join(missing)}"
    if wrong:
        return f"{name!r} event has bad field(s) {', '.join(wrong)}"
    return None


def parse_event(line: str | bytes) -> TrainerEvent:
    """Parse one line of trainer stdout; never raises.

    Args:
        line: one line, with or without its trailing newline; bytes are decoded as UTF-8
            (bad bytes replaced).

    Returns:
        A :class:`TrainerEvent`. ``problem`` is set for a non-JSON line, JSON that is not an
        object, an object without a string ``"event"`` or an integer ``"v"`` (name
        :data:`GARBAGE` in those cases), an unknown event name, or a required field that is
        missing or has the wrong type. A ``"v"`` newer than :data:`PROTOCOL_VERSION` does not
        by itself make the event unusable (new fields are free); check ``is_newer`` to tell
        the user.

    Example:
        >>> parse_event('{"v": 1, "event": "checkpoint", "epoch": 2, "path": "x"}').ok
        True
    """
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    text = line.strip()
    if not text:
        return _garbage(line, "empty line")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return _garbage(text, "not JSON")
    if not isinstance(data, dict):
        return _garbage(text, f"JSON {type(data).__name__}, not an event object")
    name, version = data.get("event"), data.get("v")
    if not isinstance(name, str) or not name:
        return _garbage(text, 'JSON object without an "event" name')
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return _garbage(text, f'{name!r} event without a protocol version "v"')
    fields = MappingProxyType({k: v for k, v in data.items() if k not in ("event", "v")})
    if name not in KNOWN_EVENTS:
        newer = f" (protocol v{version})" if version > PROTOCOL_VERSION else ""
        problem = f"unknown event {name!r}{newer}"
    else:
        problem = _field_problem(name, fields)
    return TrainerEvent(name, version, fields, problem, text)


class LineBuffer:
    """Split a byte stream into lines, keeping a partial last line for the next chunk.

    Lines are split on ``\\n`` before decoding, so a UTF-8 character cut between two chunks
    survives. A line longer than ``max_line_bytes`` without a newline is handed out as it is
    (it will parse as garbage) so a runaway writer cannot grow the buffer without bound.
    """

    def __init__(self, max_line_bytes: int = 4 * 1024 * 1024) -> None:
        self._partial = b""
        self._max = max_line_bytes

    def feed(self, data: bytes) -> list[str]:
        """Add bytes; return the complete lines (without line endings) they finish."""
        chunk = self._partial + bytes(data)
        *complete, self._partial = chunk.split(b"\n")
        if len(self._partial) > self._max:
            complete.append(self._partial)
            self._partial = b""
        return [part.rstrip(b"\r").decode("utf-8", errors="replace") for part in complete]

    def flush(self) -> list[str]:
        """The partial last line, if any (call when the stream has ended)."""
        rest, self._partial = self._partial, b""
        text = rest.rstrip(b"\r").decode("utf-8", errors="replace")
        return [text] if text.strip() else []

    @property
    def pending(self) -> int:
        """Bytes held back waiting for their newline."""
        return len(self._partial)
