"""The reader of the trainer's JSON lines: garbage in, a named problem out, never a crash."""

from __future__ import annotations

import json
import re

import pytest

from fer_desktop.core.trainer_events import (
    EVENTS,
    GARBAGE,
    KNOWN_EVENTS,
    PROTOCOL_VERSION,
    REQUIRED,
    LineBuffer,
    parse_event,
)

BATCH = {"v": 1, "event": "batch", "epoch": 1, "epochs": 2, "step": 3, "steps": 4,
         "loss": 1.5, "accuracy": 0.25, "images_per_s": 40.0}


def line(**changes) -> str:
    record = dict(BATCH)
    for key, value in changes.items():
        if value is _DROP:
            record.pop(key)
        else:
            record[key] = value
    return json.dumps(record)


_DROP = object()


def test_a_good_event_is_usable_and_read_only():
    event = parse_event(line() + "\n")
    assert event.ok and event.name == "batch" and event.version == PROTOCOL_VERSION
    assert event["loss"] == 1.5 and event.get("missing", 7) == 7
    assert "event" not in event.fields and "v" not in event.fields
    with pytest.raises(TypeError):
        event.fields["loss"] = 0  # type: ignore[index]


def test_bytes_are_decoded_and_bad_bytes_replaced():
    assert parse_event(line().encode()).ok
    assert parse_event(b"\xff\xfe not json").is_garbage


@pytest.mark.parametrize("text, expected", [
    ("", "empty line"),                                     # blank line between events
    ("Saved artifact at '/tmp/x'. The following", "not JSON"),  # TensorFlow printing to stdout
    ('{"v": 1, "event": "batch", "epoch": 1, "ep', "not JSON"),  # a killed trainer's half line
    ("[1, 2, 3]", "not an event object"),
    ('"batch"', "not an event object"),
    ("null", "not an event object"),
    ('{"v": 1, "loss": 2}', 'without an "event" name'),
    ('{"v": 1, "event": 5}', 'without an "event" name'),
    ('{"event": "batch"}', 'without a protocol version "v"'),
    ('{"v": "1", "event": "batch"}', 'without a protocol version "v"'),
    ('{"v": true, "event": "batch"}', 'without a protocol version "v"'),
    ("[" * 100000, "not JSON"),                             # deeply nested: no RecursionError
])
def test_garbage_lines_are_named_not_raised(text, expected):
    event = parse_event(text)
    assert event.is_garbage and event.name == GARBAGE and not event.ok
    assert expected in event.problem


def test_a_long_garbage_line_is_quoted_short():
    event = parse_event("x" * 10_000)
    assert len(event.problem) < 200 and event.raw == "x" * 10_000


def test_unknown_event_is_reported_not_garbage():
    event = parse_event('{"v": 1, "event": "telemetry", "cpu": 3}')
    assert not event.ok and not event.is_garbage
    assert event.problem == "unknown event 'telemetry'"


@pytest.mark.parametrize("changes, expected", [
    ({"loss": _DROP}, "'batch' event lacks field(s) loss"),
    ({"step": _DROP, "steps": _DROP}, "lacks field(s) step, steps"),
    ({"step": "3"}, "bad field(s) step='3' (expected int)"),
    ({"step": 3.0}, "step=3.0 (expected int)"),
    ({"epoch": True}, "epoch=True (expected int)"),
    ({"loss": "nan"}, "loss='nan' (expected num)"),
])
def test_missing_or_mistyped_fields_make_the_event_unusable(changes, expected):
    event = parse_event(line(**changes))
    assert event.name == "batch" and not event.ok
    assert expected in event.problem


def test_null_numbers_are_allowed_where_the_trainer_writes_nan_as_null():
    assert parse_event(line(loss=None, accuracy=None)).ok


def test_extra_fields_are_kept_and_harmless():
    event = parse_event(line(new_field={"a": 1}))
    assert event.ok and event["new_field"] == {"a": 1}


def test_a_newer_version_is_flagged_but_still_used_when_complete():
    event = parse_event(line(v=PROTOCOL_VERSION + 1))
    assert event.ok and event.is_newer
    unknown = parse_event(json.dumps({"v": 2, "event": "something_new"}))
    assert not unknown.ok and "protocol v2" in unknown.problem
    assert not parse_event(line()).is_newer


def test_the_trainer_emits_from_the_one_table_and_every_required_field_is_documented():
    from trainer import events

    assert events.EVENTS is EVENTS and events.PROTOCOL_VERSION == PROTOCOL_VERSION
    assert set(EVENTS) == KNOWN_EVENTS
    for name, fields in REQUIRED.items():
        # Top-level field names only: "step" must not pass because "steps" is documented.
        top_level = EVENTS[name].fields
        while (inner := re.sub(r"\{[^{}]*\}|\([^()]*\)|\[[^\[\]]*\]", "", top_level)) \
                != top_level:
            top_level = inner
        documented = {part.strip() for part in top_level.split(",")}
        missing = set(fields) - documented
        assert not missing, f"{name}: {sorted(missing)} not in trainer/events.py"


def test_real_trainer_events_parse(tmp_path):
    """Every event the trainer's own emitter writes is accepted (one of each, minimal)."""
    import io

    from trainer.events import EventEmitter

    out = io.StringIO()
    emitter = EventEmitter("json", stdout=out, stderr=io.StringIO())
    emitter.emit("started", run_dir=str(tmp_path), config={}, samples={}, steps_per_epoch=4,
                 epochs=2, initial_epoch=0, precision="float32", devices=[], resumed=False)
    emitter.emit("data_report", splits={}, warnings=[])
    emitter.emit("batch", **{k: v for k, v in BATCH.items() if k not in ("v", "event")})
    emitter.emit("epoch", epoch=1, epochs=2, loss=1.0, accuracy=0.5, val_loss=float("nan"),
                 val_accuracy=0.4, lr=1e-3, seconds=2.0, images_per_s=30.0,
                 best_val_accuracy=0.4, best_epoch=1)
    emitter.emit("checkpoint", epoch=1, path="ckpt-0001.keras", best=True)
    emitter.emit("evaluated", model="model.tflite", split="PrivateTest", accuracy=0.3)
    emitter.emit("exported", files={}, model_json="model.json")
    emitter.emit("finished", run_dir=str(tmp_path), best_epoch=1, best_val_accuracy=0.4,
                 stopped=False, best_model=None, seconds=3.0)
    emitter.emit("error", message="boom", kind="user")
    events = [parse_event(text) for text in out.getvalue().splitlines()]
    assert [e.problem for e in events] == [None] * 9
    assert events[3]["val_loss"] is None


# ------------------------------------------------------------------------ LineBuffer

def test_line_buffer_keeps_the_partial_last_line():
    buffer = LineBuffer()
    assert buffer.feed(b'{"a"') == []
    assert buffer.pending == 4
    assert buffer.feed(b': 1}\n{"b": 2}\n{"c"') == ['{"a": 1}', '{"b": 2}']
    assert buffer.feed(b": 3}\r\n") == ['{"c": 3}']
    assert buffer.pending == 0 and buffer.flush() == []


def test_line_buffer_survives_a_utf8_character_split_between_chunks():
    data = "ünïcode\n".encode()
    buffer = LineBuffer()
    assert buffer.feed(data[:1]) == [] and buffer.feed(data[1:]) == ["ünïcode"]


def test_line_buffer_flush_returns_the_unterminated_tail():
    buffer = LineBuffer()
    buffer.feed(b"complete\nhalf a li")
    assert buffer.flush() == ["half a li"] and buffer.flush() == []


def test_line_buffer_bounds_a_runaway_line():
    buffer = LineBuffer(max_line_bytes=10)
    assert buffer.feed(b"x" * 25) == ["x" * 25]
    assert buffer.pending == 0


def test_byte_by_byte_feed_gives_the_same_events():
    text = (line() + "\n" + "garbage\n" + line(step=4) + "\n").encode()
    buffer = LineBuffer()
    lines = [out for i in range(len(text)) for out in buffer.feed(text[i:i + 1])]
    events = [parse_event(t) for t in lines]
    assert [e.ok for e in events] == [True, False, True]
    assert events[2]["step"] == 4


def test_the_data_report_reads_as_a_line_in_a_terminal():
    """Trial 19: `trainer inspect` printed "[data_report] splits={'Training': {'rows': 30,
    ... 'sharpness': 2350.504329634301 ...}}" on stderr before its table."""
    import io

    from trainer.events import EventEmitter

    err = io.StringIO()
    emitter = EventEmitter("text", stdout=io.StringIO(), stderr=err)
    emitter.emit("data_report", splits={"Training": {"rows": 28709, "sharpness": 2350.5},
                                        "PublicTest": {"rows": 3589}},
                 warnings=["no Training rows of disgust"])
    # the warning once, in the report's table that follows (three times in all, a review)
    assert err.getvalue() == "data: rows Training 28,709, PublicTest 3,589\n"


def test_text_events_leave_out_fields_that_are_none():
    """A multi-worker run's other worker ends without a folder of its own: its last line
    read "run_dir=None ... best_model=None" (trial 54: where the model was looked for)."""
    import io

    from trainer.events import EventEmitter

    err = io.StringIO()
    emitter = EventEmitter("text", stdout=io.StringIO(), stderr=err)
    emitter.emit("finished", run_dir=None, best_epoch=2, best_model=None, stopped=False)
    assert err.getvalue() == "[finished] best_epoch=2 stopped=False\n"
