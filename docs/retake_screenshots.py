"""Retake the Live and Explain screenshots of docs/ with the model in assets/.

The screenshots must show what the shipped model really answers, so each model that ships
retakes them. Under Xvfb (or any display), from the repository root::

    Xvfb :9 -screen 0 1280x800x24 &
    DISPLAY=:9 python docs/retake_screenshots.py [OUT]      # OUT defaults to docs/

It plays a 10 s clip of assets/sample.jpg at 20 fps in a 1280x800 window, grabs the window
near the clip's end, then opens "Why this answer?" for the face and grabs that window. The
user's preferences are read but never written (the settings are read-only, as --snapshot's).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cv2
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fer_desktop.ui.main_window import MainWindow  # noqa: E402
from fer_desktop.ui.settings import AppSettings  # noqa: E402

FPS, SECONDS, SIZE = 20.0, 10, (1280, 800)


def write_clip(path: Path) -> Path:
    """The sample photo as a still video, so that the face timeline fills its plot."""
    image = cv2.imread(str(ROOT / "assets" / "sample.jpg"))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS,
                             (image.shape[1], image.shape[0]))
    for _ in range(int(FPS * SECONDS)):
        writer.write(image)
    writer.release()
    return path


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    app.setApplicationName("FER Desktop")
    app.setOrganizationName("FER Desktop")
    with tempfile.TemporaryDirectory() as folder:
        clip = write_clip(Path(folder) / "clip.avi")
        window = MainWindow(AppSettings(read_only=True), source=str(clip), start=False)
        window.resize(*SIZE)
        window.show()
        window.start_live()

        def explain_shot(dialog) -> None:
            if dialog is not None:
                dialog.grab().save(str(out / "screenshot-explain.png"))
            app.quit()

        def live_shot() -> None:
            window.grab().save(str(out / "screenshot-live.png"))
            dialog = window.live_view.explain_face()
            QTimer.singleShot(6000, lambda: explain_shot(dialog))

        QTimer.singleShot(int((SECONDS - 0.8) * 1000), live_shot)
        app.exec()
        window.close()
    print(f"wrote {out / 'screenshot-live.png'} and {out / 'screenshot-explain.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
