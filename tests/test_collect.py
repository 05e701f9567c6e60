"""Collect mode: face crops saved per emotion from the live view, read back by the trainer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from ui_helpers import SAMPLE, no_cameras, stub_pipeline

from fer_desktop.core.collect import CROP_SIDE, FaceCollector
from fer_desktop.core.detectors import create_detector
from fer_desktop.core.errors import ExportError
from fer_desktop.ui.main_window import MainWindow
from fer_desktop.ui.settings import AppSettings
from trainer.imagefolder import load_image_folder

WAIT_MS = 15000


@pytest.fixture(scope="module")
def sample_face(sample_bgr):
    box = max(create_detector("yunet").detect(sample_bgr), key=lambda d: d.width).box
    return sample_bgr, box


def test_a_saved_face_is_a_96px_crop_under_its_emotion(tmp_path, sample_face):
    frame, box = sample_face
    collector = FaceCollector(tmp_path / "faces", crop_scale=1.2)
    path = collector.save(frame, box, "happy")
    assert path.parent == tmp_path / "faces" / "happy" and path.suffix == ".png"
    image = cv2.imread(str(path))
    assert image.shape == (CROP_SIDE, CROP_SIDE, 3)
    second = collector.save(frame, box, "happy")
    assert second != path
    assert collector.counts() == {"angry": 0, "disgust": 0, "fear": 0, "happy": 2, "sad": 0,
                                  "surprise": 0, "neutral": 0}


def test_the_trainer_reads_collected_faces_as_crops(tmp_path, sample_face):
    frame, box = sample_face
    collector = FaceCollector(tmp_path / "faces", crop_scale=1.2)
    for emotion in ("happy", "sad"):
        for _ in range(5):
            collector.save(frame, box, emotion)
    data = load_image_folder(tmp_path / "faces")
    assert data.report.detected == 0  # taken as face crops, not detected again
    assert data.report.counts["train"] == {"happy": 4, "sad": 4}


def test_an_unwritable_folder_is_named(tmp_path, sample_face):
    frame, box = sample_face
    (tmp_path / "a-file").write_text("not a folder")
    collector = FaceCollector(tmp_path / "a-file" / "faces", crop_scale=1.2)
    with pytest.raises(ExportError, match="cannot save"):
        collector.check_writable()
    with pytest.raises(ExportError, match="choose another folder"):
        collector.save(frame, box, "happy")
    with pytest.raises(ValueError, match="unknown emotion"):
        FaceCollector(tmp_path, 1.2).save(frame, box, "joyful")


def test_keys_save_the_face_on_screen_and_count_it(qtbot, tmp_path):
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    settings.collect_folder = tmp_path / "collected"
    window = MainWindow(settings, source=str(SAMPLE), pipeline_factory=stub_pipeline,
                        camera_lister=no_cameras, start=False)
    qtbot.addWidget(window)
    window.show()
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        live.start()
    panel = live.collect_panel
    assert not panel.actions[3].isEnabled()  # off until Collect is ticked
    panel.active.setChecked(True)
    assert [a.shortcut().toString() for a in panel.actions] == [str(i) for i in range(1, 8)]
    with qtbot.waitSignal(panel.saved, timeout=WAIT_MS) as saved:
        panel.actions[3].trigger()  # key 4: happy
    assert saved.args[0].startswith(str(tmp_path / "collected" / "happy"))
    assert panel.count_labels["happy"].text() == "1"
    assert np.asarray(cv2.imread(saved.args[0])).shape == (CROP_SIDE, CROP_SIDE, 3)
    window.close()
    qtbot.waitUntil(lambda: window.busy_workers() == 0, timeout=WAIT_MS)


def test_collect_refuses_an_unwritable_folder_and_stays_off(qtbot, tmp_path):
    from fer_desktop.ui.collect_panel import CollectPanel

    (tmp_path / "a-file").write_text("x")
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    settings.collect_folder = tmp_path / "a-file" / "faces"
    panel = CollectPanel(settings)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.failed, timeout=WAIT_MS) as failed:
        panel.active.setChecked(True)
    assert "cannot save faces there" in failed.args[0]
    assert not panel.active.isChecked() and not panel.actions[0].isEnabled()
