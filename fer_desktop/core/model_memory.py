"""What the window remembers of the model in use across launches, besides its folder: the
digest of the file it ran, so that a file replaced since is said, not run unsaid.

A run whose model is in use can be resumed or exported again; its files are then replaced.
The window keeps running the model it loaded (``EmotionClassifier.model_bytes``), and the
user may even choose to keep it; but the next launch loads the folder's new file. It did so
without a word, a model the user had just turned down (trial 34).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fer_desktop.core.errors import ModelError
from fer_desktop.core.model import is_shipped_model_dir, read_metadata
from fer_desktop.core.provenance import file_sha256


def digest_to_remember(classifier: Any) -> str:
    """The digest of the file the classifier runs; "" for the shipped model (an update of
    the app replaces it, as it should, without a word) and for one without a file (a stub)."""
    if is_shipped_model_dir(getattr(classifier, "model_dir", None)):
        return ""
    return str(getattr(classifier, "sha256", "") or "")


def is_remembered(folder: str, classifier: Any) -> bool:
    """Whether the classifier was loaded from the remembered model ``folder`` (not from a
    ``--model`` given for one launch, whose digest is not the remembered folder's)."""
    loaded = getattr(classifier, "model_dir", None)
    try:
        return bool(folder) and loaded is not None \
            and Path(folder).resolve() == Path(loaded).resolve()
    except (OSError, RuntimeError):
        return False


def replaced_since(folder: str, remembered: str, classifier: Any) -> str | None:
    """A sentence for the window when the remembered model's file (``folder``, ``remembered``
    its digest) is not the one it ran when it was put to use; None when it is, when nothing
    was remembered, or when the classifier is another model (``--model``: it read as the
    remembered one changed, review 46)."""
    now = digest_to_remember(classifier)
    if not remembered or not now or remembered == now or not is_remembered(folder, classifier):
        return None
    folder = Path(getattr(classifier, "model_dir", "") or ".")
    return (f"The model in {folder} has changed since it was put to use (its run was trained "
            "further or exported again): its new version is in use now. To use another, "
            "choose File > Use model folder... or File > Use the shipped model.")


def same_files(model_dir: Path, loaded: str) -> bool:
    """Whether ``model_dir`` still holds the model file whose digest is ``loaded`` (the model
    in use as it was loaded); True where that is not known (no digest, no readable list of
    files). A fine-tune of the model in use reads its folder's files: after its run was
    resumed, it adapted a network other than the one running (review 46)."""
    if not loaded:
        return True
    try:
        files = read_metadata(Path(model_dir))["files"]
    except ModelError:  # said by the fine-tune's own check of the folder
        return True
    return any(file_sha256(Path(model_dir) / str(name)) == loaded
               for key, name in files.items() if str(key).startswith("tflite"))
