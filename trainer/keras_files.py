"""Loading a ``.keras`` file the user pointed at, safely, with a named error when refused.

Keras's ``safe_mode`` (on by default, passed explicitly here) refuses files that would run code
while loading (a ``Lambda`` layer's pickled bytecode, an unknown class). Such a file, or one
that is not a Keras archive at all, is a problem with the user's file, not a trainer bug: it
becomes a :class:`~trainer.rundir.RunDirError` naming the file, reported as a user error in one
sentence instead of an "internal error" with a traceback.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from fer_desktop.core.messages import quote
from fer_desktop.core.model import KERAS_FILE
from trainer.rundir import RunDirError


def load_keras(path: str | Path, compile: bool = False):  # noqa: A002 - Keras's own name
    """``keras.models.load_model(path, compile=compile, safe_mode=True)``.

    Raises:
        RunDirError: the file is missing, not a Keras archive, or refused by safe mode.
    """
    path = Path(path)
    if not path.is_file():
        raise RunDirError(path, "missing: no Keras model file here")
    if not zipfile.is_zipfile(path):  # Keras said "File not found" of a file cut short
        raise RunDirError(path, "is damaged or incomplete (not a whole .keras archive); "
                                + _whose(path))
    import keras

    try:
        return keras.models.load_model(path, compile=compile, safe_mode=True)
    except (ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError,
            RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
        raise RunDirError(path, "is not a Keras model this trainer can load safely "
                                f"({type(exc).__name__}: {quote(exc, 160)}); "
                                + _whose(path)) from exc


def _whose(path: Path) -> str:
    """What to do about a file that does not load: a run's own checkpoint was saved by this
    trainer, and damaged since ("use a model saved by this trainer" was said of it too, as
    if the user had brought another file, audit 52)."""
    from trainer.rundir import STATE

    if (path.parent / STATE).is_file():
        return ("it is this run's own file, damaged since it was saved (an interrupted copy, "
                "a full disk?): copy the run again from a whole copy")
    return "use a model saved by this trainer"


def model_folder_keras(folder: Path, needed_for: str) -> Path:
    """The ``.keras`` file a model folder's ``model.json`` names (``model.keras`` by default).

    ``needed_for`` ends the "missing" message ("a teacher needs the Keras model").

    Raises:
        RunDirError: model.json unreadable, a file name that leaves the folder, or no such file.
    """
    import json

    from fer_desktop.core.model_schema import is_plain_file_name
    from trainer.rundir import MODEL

    meta_path = folder / MODEL
    try:
        files = json.loads(meta_path.read_text()).get("files", {})
    except (OSError, ValueError, RecursionError, AttributeError) as exc:
        raise RunDirError(meta_path, f"cannot be read ({quote(exc, 160)})") from exc
    name = str(files.get("keras", KERAS_FILE)) if isinstance(files, dict) else KERAS_FILE
    if not is_plain_file_name(name):
        raise RunDirError(meta_path, f"names the Keras file {name!r}, outside its folder: "
                          "refused")
    keras_file = folder / name
    if not keras_file.is_file():
        raise RunDirError(keras_file, f"missing: {needed_for}")
    return keras_file
