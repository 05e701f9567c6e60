"""Shared fixtures. Qt runs offscreen; nothing here needs a camera or the real dataset."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def real_csv() -> Path:
    """The shared FER-2013 CSV, or a clean skip when this machine does not have it."""
    from trainer.data import DatasetError, find_shared_csv

    try:
        path = find_shared_csv()
    except DatasetError as exc:  # $FER2013_CSV names a folder or nothing
        pytest.skip(str(exc))
    if path is None:
        pytest.skip("FER-2013 CSV not found (../shared/data/fer2013.csv.gz or $FER2013_CSV)")
    return path


# --- core (live pipeline) fixtures ---------------------------------------------------------
@pytest.fixture(scope="session")
def sample_bgr():
    """assets/sample.jpg as a read-only (512, 512, 3) BGR array: one real face."""
    import cv2

    image = cv2.imread(str(ROOT / "assets" / "sample.jpg"))
    assert image is not None, "assets/sample.jpg is missing"
    image.flags.writeable = False
    return image


@pytest.fixture()
def model_copy(tmp_path) -> Path:
    """A private copy of the shipped assets/ model (model.json + .tflite files) to damage."""
    import json
    import shutil

    target = tmp_path / "model"
    target.mkdir()
    meta = json.loads((ROOT / "assets" / "model.json").read_text())
    for key in ("tflite", "tflite_int8"):
        name = meta["files"].get(key)
        if name:
            shutil.copyfile(ROOT / "assets" / name, target / name)
    shutil.copyfile(ROOT / "assets" / "model.json", target / "model.json")
    return target


# --- window fixtures ---------------------------------------------------------------------
@pytest.fixture
def settings(tmp_path):
    """A private settings file (fer_desktop.ui.settings.AppSettings) with its own output folder."""
    from fer_desktop.ui.settings import AppSettings

    s = AppSettings.from_file(tmp_path / "settings.ini")
    s.output_folder = tmp_path / "out"
    return s



@pytest.fixture
def train_tab(qtbot, tmp_path):
    """A Train tab on a private settings file, its runs under ``tmp_path / "runs"``; after
    the test its trainer and CSV check, if still running, are killed and its timers stopped."""
    from fer_desktop.ui.settings import AppSettings
    from fer_desktop.ui.train_tab import TrainTab

    widget = TrainTab(AppSettings.from_file(tmp_path / "settings.ini"))
    qtbot.addWidget(widget)
    widget.form.out_edit.setText(str(tmp_path / "runs"))
    yield widget
    for process in (widget.process, widget.validator):
        if process.is_active:
            process.kill()
            process.wait(10)
    widget.shutdown()


@pytest.fixture
def background_trainer():
    """A process standing for a trainer left running when the window closed
    (``trainer_helpers.stand_in_trainer``), killed after the test."""
    from trainer_helpers import stand_in_trainer

    trainer = stand_in_trainer()
    yield trainer
    trainer.kill()
    trainer.wait()

@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread():
    """Each test's garbage is collected here, on the main thread: left to a later test, a
    cycle holding a Qt object (a Train tab's trainer process) was collected by whichever
    thread allocated next, a capture thread, which deleted the object away from its own
    thread ("QSocketNotifier: Socket notifiers cannot be enabled or disabled from another
    thread", then a corrupted heap)."""
    yield
    import gc

    gc.collect()
    gc.freeze()  # what survives stays out of later collections: each then costs only its
    # own test's objects (a full collection over TensorFlow's heap after each test added
    # 10 minutes to the suite)
