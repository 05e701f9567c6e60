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

from fer_desktop.core.model import is_shipped_model_dir


def digest_to_remember(classifier: Any) -> str:
    """The digest of the file the classifier runs; "" for the shipped model (an update of
    the app replaces it, as it should, without a word) and for one without a file (a stub)."""
    if is_shipped_model_dir(getattr(classifier, "model_dir", None)):
        return ""
    return str(getattr(classifier, "sha256", "") or "")


def replaced_since(remembered: str, classifier: Any) -> str | None:
    """A sentence for the window when the remembered model's file is not the one it ran when
    it was put to use; None when it is, or when nothing was remembered."""
    now = digest_to_remember(classifier)
    if not remembered or not now or remembered == now:
        return None
    folder = Path(getattr(classifier, "model_dir", "") or ".")
    return (f"The model in {folder} has changed since it was put to use (its run was trained "
            "further or exported again): its new version is in use now. To use another, "
            "choose File > Use model folder... or File > Use the shipped model.")
