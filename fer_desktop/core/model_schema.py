"""The shape of ``model.json``, checked as a whole before any value is used.

``model.json`` comes from the trainer, but a user can edit or download one: a value of the
wrong type (``"classes": 7``, ``"files": {"tflite_int8": 5}``) must become the usual named
:class:`~fer_desktop.core.errors.ModelError`, never a TypeError traceback, and a file name must
not lead out of the model folder (``"../../etc/passwd"``). Keys not listed here are allowed
and ignored (newer trainers may add some); listed keys must have the listed type.
Whether the values suit this app (the class order, the input shape...) is checked afterwards
by :func:`fer_desktop.core.model.read_metadata`.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath, PureWindowsPath

from fer_desktop.core.errors import ModelError
from fer_desktop.core.messages import quote

REQUIRED = ("classes", "input", "preprocessing", "files")
# The one way out of a broken or missing model.json; gui_wording rewrites it for the window.
EXPORT_HINT = "export a model with `python -m trainer export RUN --to FOLDER`"

# dotted key -> (accepted types, words for the message). Optional unless in REQUIRED.
_INTEGER = ((int,), "a whole number")
_NUMBER = ((int, float), "a number")
_TEXT = ((str,), "text")
_OBJECT = ((dict,), "an object ({...})")
_LIST = ((list,), "a list ([...])")
_TRUTH = ((bool,), "true or false")
SCHEMA: dict[str, tuple[tuple[type, ...], str]] = {
    "format_version": _INTEGER, "name": _TEXT, "classes": _LIST, "input": _OBJECT,
    "input.shape": _LIST, "input.dtype": _TEXT, "preprocessing": _OBJECT,
    "preprocessing.name": _TEXT, "preprocessing.version": _INTEGER,
    "preprocessing.scale": _NUMBER, "preprocessing.offset": _NUMBER, "temperature": _NUMBER,
    "files": _OBJECT, "accuracy": _OBJECT, "files_sha256": _OBJECT,
    # what the export built into the graph (accepted in any type before audit 36)
    "output": _TEXT, "flip_tta_in_model": _TRUTH, "blur_sigma_in_model": _NUMBER,
    "prior_correction_in_model": _OBJECT,
}
OUTPUT = "probabilities"  # the app reads the model's output as probabilities, never logits


def _lookup(meta: dict, dotted: str) -> tuple[bool, object]:
    value: object = meta
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _is(value: object, types: tuple[type, ...]) -> bool:
    # JSON true is not 1, nor 1 true
    return isinstance(value, types) and (isinstance(value, bool) == (bool in types))


def _wrong(path: Path, key: str, expected: str, value: object) -> ModelError:
    return ModelError(path, f"{key} must be {expected}, found "
                            f"{quote(json.dumps(value), 60)}; {EXPORT_HINT} again")


def is_share(value: object) -> bool:
    """A recorded share (an accuracy, a recall): a number from 0 to 1 ("private_accuracy":
    -3 read "Right on -300% of the faces", audit 42; the status bar read "PrivateTest
    -300.0%", review 41). NaN is no share: not measured."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def is_plain_file_name(name: str) -> bool:
    """A name that stays in the model folder: no folder part, not ``.``/``..``, not absolute,
    on POSIX and on Windows alike."""
    return (name not in ("", ".", "..") and PurePosixPath(name).name == name
            and PureWindowsPath(name).name == name and "\0" not in name)


TEMPERATURE_RANGE = (0.05, 20.0)  # what an export's calibration can choose, with room


def temperature(meta: dict, path: Path) -> float:
    """model.json's temperature (1.0 when absent), for the app and the trainer alike.

    Raises:
        ModelError: not a number in TEMPERATURE_RANGE (a word, a negative number).
    """
    value = meta.get("temperature", 1.0)
    low, high = TEMPERATURE_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ModelError(path, f"temperature must be a number between {low} and {high:g}, "
                               f"found {value!r}; {EXPORT_HINT} again")
    return float(value)


def validate(meta: object, path: Path, required: tuple[str, ...] = REQUIRED) -> dict:
    """Check the types of ``model.json`` (already parsed); return it. ``required``: the keys
    it must have (the app's; the trainer reads folders ``gpu-import`` wrote, with ``files``
    alone).

    Raises:
        ModelError: naming ``path``, the key, what it must be and what was found.
    """
    if not isinstance(meta, dict):
        raise ModelError(path, f"must hold a JSON object, found {type(meta).__name__}")
    for key in required:
        if key not in meta:
            raise ModelError(path, f"has no {key!r} entry; {EXPORT_HINT} again")
    for key, (types, words) in SCHEMA.items():
        present, value = _lookup(meta, key)
        if present and not _is(value, types):
            raise _wrong(path, key, words, value)
    if meta.get("output", OUTPUT) != OUTPUT:
        raise _wrong(path, "output", f'"{OUTPUT}" (what the app reads)', meta["output"])
    if not all(isinstance(c, str) for c in meta.get("classes", [])):
        raise _wrong(path, "classes", "a list of emotion names", meta["classes"])
    shape = meta.get("input", {}).get("shape")
    if shape is not None and not all(_is(n, (int,)) or n is None for n in shape):
        raise _wrong(path, "input.shape", "a list of whole numbers", shape)
    for key, name in meta.get("files", {}).items():
        where = f"files.{key}"
        if not isinstance(name, str):
            raise _wrong(path, where, "a file name (text)", name)
        if not is_plain_file_name(name):
            raise ModelError(path, f"{where} is {quote(name, 60)}: a model file must be named "
                                   "without any folder (it is read from the model folder only)")
    for name, digest in meta.get("files_sha256", {}).items():
        if not isinstance(digest, str):
            raise _wrong(path, f"files_sha256.{name}", "a SHA-256 in hex (text)", digest)
    for name, info in meta.get("accuracy", {}).items():
        if not isinstance(info, dict):
            raise _wrong(path, f"accuracy.{name}", "an object ({...})", info)
        for field, value in info.items():
            if field.endswith("accuracy") and value is not None \
                    and not _is(value, (int, float)):  # null: not measured (no such rows)
                raise _wrong(path, f"accuracy.{name}.{field}", "a number or null", value)
    return meta
