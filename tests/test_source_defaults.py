"""Per-source detection defaults: which kind a source is, and what each kind gets."""

from __future__ import annotations

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
    assert options_for("image", base, min_face_px=50).min_face_px == 50
    assert options_for("camera", base).level_every == 5


def test_unknown_kind_is_named():
    with pytest.raises(ValueError, match="unknown source kind 'webcam'.*camera, video, image"):
        defaults_for("webcam")


def test_analyze_refuses_a_minimum_face_of_zero(tmp_path, capsys):
    with pytest.raises(SystemExit):
        analyze_main([str(tmp_path), "--out", str(tmp_path / "r.csv"), "--min-face", "0"])
    assert "--min-face must be between 1 and 4096" in capsys.readouterr().err
