"""The window fits the screen it opens on: a first size of 1280x800 was taller than a 1366x768
screen and than 1920x1080 at 150 % scaling, so Play/Pause, the seek bar and the status bar
were below the screen's edge (walk-through 12, finding 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fer_desktop.core.screen_fit import BORDER_PX, fit_size, fit_window

ROOT = Path(__file__).resolve().parent.parent
TITLE = 24  # a title bar


def whole_on(rect, available, title_bar=TITLE):
    x, y, w, h = rect
    ax, ay, aw, ah = available
    return ax <= x and ay <= y - title_bar and x + w <= ax + aw and y + h <= ay + ah


def test_fit_size_shrinks_to_the_room_but_not_below_the_minimum():
    assert fit_size((1280, 800), (1366, 744)) == (1280, 744)
    assert fit_size((640, 900), (1000, 700), minimum=(0, 520)) == (640, 700)
    assert fit_size((640, 300), (1000, 700), minimum=(0, 520)) == (640, 520)
    # a minimum over the room: the room (the buttons below the screen's edge, trial 19)
    assert fit_size((640, 900), (1000, 400), minimum=(0, 520)) == (640, 400)


@pytest.mark.parametrize("available", [
    (0, 0, 1366, 768),        # the common laptop
    (0, 0, 1280, 720),        # 1920x1080 at 150 %, in logical pixels
    (0, 27, 1366, 741),       # a panel at the top
    (1920, 0, 1024, 600),     # a small second screen to the right
])
def test_the_first_size_fits_every_screen(available):
    ax, ay, _, _ = available
    x, y, w, h = fit_window((ax, ay, 1280, 800), available, TITLE)
    assert whole_on((x, y, w, h), available)
    assert w == min(1280, available[2] - 2 * BORDER_PX)  # no smaller than it has to be


def test_a_window_that_fits_is_left_where_it_is():
    assert fit_window((100, 80, 1024, 600), (0, 0, 1920, 1080), TITLE) == (100, 80, 1024, 600)


def test_a_restored_place_off_the_screen_is_moved_back_on_it():
    """Saved on a larger screen (or at another scale): shrunk, then moved as little as needed."""
    available = (0, 0, 1366, 768)
    x, y, w, h = fit_window((900, 500, 1280, 800), available, TITLE)
    assert whole_on((x, y, w, h), available) and (w, h) == (1280, 768 - TITLE - 2 * BORDER_PX)
    assert fit_window((-300, -50, 800, 600), available, TITLE)[:2] == (BORDER_PX,
                                                                      TITLE + BORDER_PX)


SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from PySide6.QtCore import QByteArray
    from PySide6.QtWidgets import QApplication
    from fer_desktop.ui.main_window import MainWindow
    from fer_desktop.ui.settings import AppSettings
    sys.path.insert(0, "tests")
    from ui_helpers import no_cameras, stub_pipeline
    app = QApplication([])
    settings = AppSettings.from_file(Path(sys.argv[1]))
    if len(sys.argv) > 2:
        settings.geometry = QByteArray.fromBase64(sys.argv[2].encode())
    window = MainWindow(settings, start=False, pipeline_factory=stub_pipeline,
                        camera_lister=no_cameras)
    window.show()
    app.processEvents()
    frame = window.frameGeometry().getRect()
    print(json.dumps({"frame": frame, "size": window.size().toTuple(),
                      "available": window.screen().availableGeometry().getRect(),
                      "saved": bytes(window.saveGeometry().toBase64()).decode()}))
    window.close()
""")


def open_window(tmp_path, width, height, scale=None, geometry=None) -> dict:
    """The window opened in a fresh interpreter on one offscreen screen of that size."""
    config = tmp_path / f"screen-{width}x{height}.json"
    config.write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0,
                                               "width": width, "height": height,
                                               "logicalDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    env.pop("QT_SCALE_FACTOR", None)
    if scale is not None:
        env["QT_SCALE_FACTOR"] = str(scale)
    args = [sys.executable, "-c", SCRIPT, str(tmp_path / "settings.ini")]
    result = subprocess.run(args + ([geometry] if geometry else []), cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("width", "height", "scale"), [(1366, 768, None), (1920, 1080, 1.5)])
def test_the_window_opens_whole_on_a_small_or_scaled_screen(tmp_path, width, height, scale):
    opened = open_window(tmp_path, width, height, scale)
    assert whole_on(opened["frame"], opened["available"], title_bar=0)
    assert opened["size"][1] < 800  # shrunk: 1280x800 did not fit


def test_a_size_saved_on_a_larger_screen_is_fitted_when_restored(tmp_path):
    big = open_window(tmp_path, 2560, 1440)
    assert big["size"] == [1280, 800]  # room enough: the usual first size
    opened = open_window(tmp_path, 1024, 600, geometry=big["saved"])
    assert whole_on(opened["frame"], opened["available"], title_bar=0)
