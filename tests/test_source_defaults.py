"""Per-source detection defaults: which kind a source is, and what each kind gets."""

from __future__ import annotations

import numpy as np
import pytest

from fer_desktop.core.analyze import main as analyze_main
from fer_desktop.core.pipeline import PipelineOptions
from fer_desktop.core.source_defaults import defaults_for, options_for, source_kind


@pytest.mark.parametrize("spec, kind", [
    (0, "camera"), ("1", "camera"),
    ("clip.mp4", "video"), ("clip.MKV", "video"), ("no_suffix", "video"),
    ("photo.JPG", "image"), ("scan.tiff", "image"),
])
def test_source_kind(spec, kind):
    assert source_kind(spec) == kind


def test_a_folder_is_images(tmp_path):
    assert source_kind(tmp_path) == "image"


def test_each_kind_looks_for_smaller_faces_when_it_has_more_time():
    camera, video, image = (defaults_for(k) for k in ("camera", "video", "image"))
    assert camera.min_face_px > video.min_face_px > image.min_face_px
    assert camera.level_every > 1 and image.level_every == 1


def test_the_users_minimum_face_wins():
    base = PipelineOptions()
    assert options_for("image", base).min_face_px == 16
    chosen = options_for("image", base, min_face_px=50)  # above Auto: searched as at Auto,
    assert (chosen.min_face_px, chosen.hide_under_px) == (16, 50)  # the smaller ones hidden
    assert options_for("image", base, min_face_px=12).hide_under_px is None
    assert options_for("camera", base).level_every == 5


def test_unknown_kind_is_named():
    with pytest.raises(ValueError, match="unknown source kind 'webcam'.*camera, video, image"):
        defaults_for("webcam")


def test_analyze_refuses_a_minimum_face_of_zero(tmp_path, capsys):
    with pytest.raises(SystemExit):
        analyze_main([str(tmp_path), "--out", str(tmp_path / "r.csv"), "--min-face", "0"])
    assert "--min-face must be between 1 and 4096" in capsys.readouterr().err


def test_the_cameras_auto_minimum_grows_with_the_frame(sample_bgr):
    """1280x720 cameras were searched at 32 px, four times the work of 640x480 (28 ms a
    frame); Auto now means 32 px of a 640-px-wide frame."""
    import cv2
    from ui_helpers import StubClassifier

    from fer_desktop.core.pipeline import FacePipeline, scaled_min_face_px

    assert scaled_min_face_px(32, 640) == 32 and scaled_min_face_px(32, 1280) == 64
    assert scaled_min_face_px(32, 320) == 32  # never smaller than asked
    auto = options_for("camera", PipelineOptions())
    assert auto.scale_min_face and auto.min_face_px == 32
    assert options_for("camera", PipelineOptions(), min_face_px=40).hide_under_px == 40
    assert not options_for("camera", PipelineOptions(), min_face_px=24).scale_min_face
    assert not options_for("video", PipelineOptions()).scale_min_face
    pipeline = FacePipeline.from_classifier(StubClassifier(happy=0.9), auto)
    small = cv2.resize(sample_bgr, (640, 480))
    large = cv2.resize(sample_bgr, (1280, 720))
    assert pipeline.process(large).faces and pipeline.detector_min_face_px == 64
    assert pipeline.detector.min_face_px == 64
    assert pipeline.process(small).faces and pipeline.detector_min_face_px == 32
    chosen = FacePipeline.from_classifier(
        StubClassifier(happy=0.9), options_for("camera", PipelineOptions(), min_face_px=40))
    result = chosen.process(large)
    # searched as at Auto but never above the user's 40 px (Auto: 64 here), narrower hidden
    assert chosen.detector_min_face_px == 40 and result.min_face_px == 40
    wide = FacePipeline.from_classifier(
        StubClassifier(happy=0.9), options_for("camera", PipelineOptions(), min_face_px=120))
    wide.process(large)  # searched as at Auto (64 px of 1280): searched at 32, twice the time
    assert wide.detector_min_face_px == 64 and wide.process(large).min_face_px == 120
    haar = options_for("camera", PipelineOptions(detector="haar"), min_face_px=120)
    assert (haar.min_face_px, haar.hide_under_px) == (120, None)  # prunes Haar's scales


def test_a_setting_changed_on_an_hd_camera_builds_the_detector_once(sample_bgr, monkeypatch):
    """The detector was built at 32 px when a setting changed, then again at 64 px on the next
    1280-px frame (two builds, and a frame searched at the wrong size in between)."""
    import dataclasses

    import cv2
    from ui_helpers import StubClassifier

    from fer_desktop.core import pipeline as pipeline_module
    from fer_desktop.core.pipeline import FacePipeline

    auto = options_for("camera", PipelineOptions())
    pipeline = FacePipeline.from_classifier(StubClassifier(happy=0.9), auto)
    large = cv2.resize(sample_bgr, (1280, 720))
    pipeline.process(large)
    built = []
    real = pipeline_module._detector_for
    monkeypatch.setattr(pipeline_module, "_detector_for",
                        lambda options: built.append(options.min_face_px) or real(options))
    pipeline.set_options(dataclasses.replace(auto, score_threshold=0.8))
    assert built == [64] and pipeline.detector_min_face_px == 64
    pipeline.process(large)
    assert built == [64]  # nothing rebuilt on the next frame


def test_a_minimum_face_is_named_only_when_lowering_it_can_help():
    from fer_desktop.core.source_defaults import min_face_worth_naming

    assert min_face_worth_naming(200) == 200
    assert min_face_worth_naming(32) is None  # Auto's own size for a camera
    assert min_face_worth_naming(16) is None and min_face_worth_naming(None) is None


def test_the_live_tabs_options_become_the_pipelines_for_each_kind():
    """LiveOptions.pipeline_options: Auto (0) takes the kind's minimum face; the smoothing
    and detector chosen in the tab reach the pipeline."""
    from fer_desktop.core.pipeline import PipelineOptions
    from fer_desktop.ui.live_options import LiveOptions

    auto = LiveOptions(detector="haar", smoothing_s=1.0)
    camera = auto.pipeline_options(PipelineOptions(), "camera")
    photo = auto.pipeline_options(PipelineOptions(), "image")
    assert (camera.detector, camera.smoothing_s, camera.smoothing) == ("haar", 1.0, True)
    assert camera.min_face_px > photo.min_face_px  # a camera has less time per frame
    chosen = LiveOptions(min_face_px=64).pipeline_options(PipelineOptions(), "image")
    assert (chosen.min_face_px, chosen.hide_under_px) == (16, 64)


def _tiny_scene(sample_bgr, size=(160, 120), picture_px=90):
    """The sample photo (its face about a fifth of it) in a small grey frame: a 90-px photo
    puts an 18-px face in a 160x120 frame, as an old phone's video does."""
    import cv2

    w, h = size
    frame = np.full((h, w, 3), 120, np.uint8)
    y, x = (h - picture_px) // 2, (w - picture_px) // 2
    frame[y:y + picture_px, x:x + picture_px] = cv2.resize(sample_bgr, (picture_px, picture_px))
    return frame


def test_every_kinds_auto_minimum_shrinks_in_a_narrow_frame():
    from fer_desktop.core.pipeline import SMALLEST_AUTO_FACE_PX, scaled_min_face_px

    assert scaled_min_face_px(20, 320, grow=False, shrink=True) == 10
    assert scaled_min_face_px(20, 160, grow=False, shrink=True) == SMALLEST_AUTO_FACE_PX
    assert scaled_min_face_px(20, 1920, grow=False, shrink=True) == 20  # a video's: not grown
    assert scaled_min_face_px(32, 1280, grow=True, shrink=True) == 64
    assert scaled_min_face_px(6, 160, grow=False, shrink=True) == 6  # never above what is asked
    for kind in ("camera", "video", "image"):
        assert options_for(kind, PipelineOptions()).shrink_min_face
        assert not options_for(kind, PipelineOptions(), min_face_px=12).shrink_min_face
        # above Auto: searched as at Auto (shrunk as it is), the user's 40 px kept to hide
        assert options_for(kind, PipelineOptions(), min_face_px=40).hide_under_px == 40
    assert not options_for("camera", PipelineOptions(), min_face_px=16).shrink_min_face


def test_a_portrait_frame_shrinks_the_auto_minimum_by_its_long_side(sample_bgr):
    """A review: a 360x640 portrait video got 11 px (by its width), twice the work of a
    640x480 frame at 20 px; by its long side it keeps 20 px."""
    import cv2
    from ui_helpers import StubClassifier

    from fer_desktop.core.pipeline import FacePipeline

    pipeline = FacePipeline.from_classifier(StubClassifier(happy=0.9),
                                            options_for("video", PipelineOptions()))
    assert pipeline.process(cv2.resize(sample_bgr, (360, 640))).min_face_px == 20
    assert pipeline.process(cv2.resize(sample_bgr, (120, 160))).min_face_px == 8
    camera = FacePipeline.from_classifier(StubClassifier(happy=0.9),
                                          options_for("camera", PipelineOptions()))
    assert camera.process(cv2.resize(sample_bgr, (1280, 720))).min_face_px == 64  # grown
    assert camera.process(cv2.resize(sample_bgr, (320, 240))).min_face_px == 16


def test_a_tiny_videos_faces_are_found_with_auto(sample_bgr):
    """A trial's 160x120 video: no face was ever found until Minimum face was lowered by hand
    (its faces are under the video's 20 px), and nothing said why."""
    from ui_helpers import StubClassifier

    from fer_desktop.core.pipeline import FacePipeline

    frame = _tiny_scene(sample_bgr)
    auto = FacePipeline.from_classifier(StubClassifier(happy=0.9),
                                        options_for("video", PipelineOptions()))
    result = auto.process(frame)
    assert len(result.faces) == 1 and result.min_face_px == 8
    chosen = FacePipeline.from_classifier(
        StubClassifier(happy=0.9), options_for("video", PipelineOptions(), min_face_px=20))
    result = chosen.process(frame)
    assert result.faces == () and result.min_face_px == 20  # a minimum typed is kept


def test_a_minimum_above_auto_hides_smaller_faces_and_misses_no_larger_one(sample_bgr):
    """Searched at a minimum above Auto, YuNet looked at the frame in less detail and missed
    large faces too: a 207 px face in a 480x360 photo at any minimum from 21 px (trials 27,
    28). Now the frame is searched as at Auto and the faces under the minimum are hidden."""
    import cv2
    from ui_helpers import StubClassifier

    from fer_desktop.core.pipeline import FacePipeline

    frame = cv2.resize(sample_bgr, (480, 480))  # its face about 85 px wide
    auto = FacePipeline.from_classifier(StubClassifier(happy=0.9),
                                        options_for("image", PipelineOptions()))
    [face] = auto.process(frame).faces
    width = float(face.box[2] - face.box[0])
    for chosen_px in (int(width) - 5, int(width) + 5):
        pipeline = FacePipeline.from_classifier(
            StubClassifier(happy=0.9),
            options_for("image", PipelineOptions(), min_face_px=chosen_px))
        assert pipeline.detector.min_face_px == 16  # searched as at Auto
        result = pipeline.process(frame)
        assert len(result.faces) == (1 if chosen_px < width else 0), chosen_px
        assert result.min_face_px == chosen_px  # the minimum the rows and messages name


def test_the_minimum_face_tooltip_quotes_the_defaults_as_they_are(qtbot, monkeypatch):
    """The tooltip wrote 32/64/20/16/8 px as text while analyze's help built them from
    SOURCE_DEFAULTS: a changed default would have left the window quoting the old one."""
    from dataclasses import replace

    from fer_desktop.core import source_defaults
    from fer_desktop.ui.live_options import OptionsBox

    box = OptionsBox()
    qtbot.addWidget(box)
    assert "Auto: 32 px for a camera" in box.min_face_spin.toolTip()
    assert "20 px for a video, 16 px for photos" in box.min_face_spin.toolTip()
    changed = dict(source_defaults.SOURCE_DEFAULTS)
    changed["video"] = replace(changed["video"], min_face_px=24)
    monkeypatch.setattr(source_defaults, "SOURCE_DEFAULTS", changed)
    again = OptionsBox()
    qtbot.addWidget(again)
    assert "24 px for a video" in again.min_face_spin.toolTip()
