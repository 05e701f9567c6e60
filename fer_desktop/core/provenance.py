"""What produced a record: the model (name, file, SHA-256) and the app version (Qt-free).

A screenshot's JSON and a recording's CSV carry these, so that a number read months later can
be traced to the exact model file and app that wrote it. The hash of a model file is computed
once per file (and again only when the file changes).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fer_desktop import __version__

# the model and the app, then the settings the frame was analysed with (FrameResult's: a
# minimum face or a detector changed in Options shows from that row on)
SETTINGS_COLUMNS = ("detector", "min_face_px", "smoothing_s", "crop_scale", "level_eyes")
# model_temperature: the calibration model.json applies to every answer, beside the file's
# digest: two folders with one .tflite and two temperatures wrote the same provenance over
# other numbers (confidence 0.85 and 0.42), and merge joined them unwarned (audit 54)
PROVENANCE_COLUMNS = ("model", "model_sha256", "model_temperature", "app_version",
                      *SETTINGS_COLUMNS)


def frame_settings(result: Any, pixel_scale: float = 1.0) -> dict[str, str]:
    """``SETTINGS_COLUMNS`` of a FrameResult, as text ("" where the result does not say;
    ``level_eyes`` as 1 or 0); the minimum face in the source's own pixels (``pixel_scale``:
    its pixels per pixel of the frame analysed)."""
    min_face = round(getattr(result, "min_face_px", 0) * pixel_scale)
    smoothing = getattr(result, "smoothing_s", None)
    crop_scale = getattr(result, "crop_scale", None)
    level_eyes = getattr(result, "level_eyes", None)
    return {"detector": str(getattr(result, "detector", "") or ""),
            "min_face_px": str(min_face) if min_face else "",
            "smoothing_s": "" if smoothing is None else f"{smoothing:g}",
            "crop_scale": "" if crop_scale is None else f"{crop_scale:g}",
            "level_eyes": "" if level_eyes is None else str(int(level_eyes))}


@lru_cache(maxsize=16)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The file's SHA-256 in hex ("" when it cannot be read: the record still gets written)."""
    try:
        stat = Path(path).stat()
        return _file_sha256(str(path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        return ""


def provenance(classifier: Any) -> dict[str, str]:
    """``{"model": name, "model_file": name of the .tflite, "model_sha256": hex,
    "model_temperature": its calibration, "app_version": version}`` for a classifier (a stub
    without a file gets empty fields)."""
    model_path = getattr(classifier, "model_path", None)
    loaded = getattr(classifier, "sha256", None)  # of the bytes running, not the file now
    temperature = getattr(classifier, "temperature", None)
    return {
        "model": str(getattr(classifier, "name", "") or ""),
        "model_file": Path(model_path).name if model_path else "",
        "model_sha256": loaded or (file_sha256(Path(model_path)) if model_path else ""),
        "model_temperature": f"{temperature:g}" if isinstance(temperature, float) else "",
        "app_version": __version__,
    }
