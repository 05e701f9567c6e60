"""The settings file itself: a file that cannot be written is said, once, at launch (audit 48)."""

from __future__ import annotations

import pytest

from fer_desktop.ui.settings import AppSettings


def test_settings_that_can_be_written_say_nothing(tmp_path):
    settings = AppSettings.from_file(tmp_path / "FER Desktop.conf")
    settings.source = "clip.mp4"
    assert settings.save_problem() == ""
    assert AppSettings.from_file(tmp_path / "FER Desktop.conf").source == "clip.mp4"


@pytest.mark.parametrize("damage,words", [
    ("folder", "is a folder"),
    ("file above", "cannot be made: {above} is a file, not a folder"),
])
def test_settings_that_cannot_be_written_say_so(tmp_path, damage, words):
    """A settings file that was a folder, or in a folder that was a file, lost every choice
    made in the session without a word."""
    above = tmp_path / "FER Desktop"
    path = above / "FER Desktop.conf"
    if damage == "folder":
        path.mkdir(parents=True)
    else:
        above.write_text("not a folder")
    settings = AppSettings.from_file(path)  # at a launch: nothing changed yet (review 49:
    problem = settings.save_problem()  # Qt wrote, and found it could not, only after a change)
    assert problem.startswith(f"Your settings cannot be saved: {path} "
                              f"{words.format(above=above)}.")
    assert "forgotten when the window closes" in problem
    assert AppSettings.from_file(path, read_only=True).save_problem() == ""  # --snapshot


def test_a_name_that_is_not_utf8_reads_back_as_it_was(tmp_path):
    """Audit 48: a file from an old zip, caf\\xe9.avi, was remembered as caf\\ufffd.avi: the
    next launch said it "is gone", and it left the recent files; a folder lost the byte and
    read back as another folder, where the screenshots then went."""
    import os

    odd = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.avi")
    folder = os.fsdecode(bytes(tmp_path) + b"/out\xe9")
    path = tmp_path / "FER Desktop.conf"
    settings = AppSettings.from_file(path)
    settings.source = odd
    settings.remember_recent(tmp_path / "plain.mp4")
    settings.remember_recent(odd)
    settings.output_folder = folder
    settings.model_dir = folder
    settings.resume_point = (odd, 12.5)
    settings.sync()
    again = AppSettings.from_file(path)
    assert again.source == odd
    assert again.recent_files == [odd, str(tmp_path / "plain.mp4")]
    assert str(again.output_folder) == folder and again.model_dir == folder
    assert again.resume_point == (odd, 12.5)
    assert "clip" not in path.read_text()  # plain text stays plain
    settings.source = str(tmp_path / "clip.mp4")
    settings.sync()
    assert f"source={tmp_path}/clip.mp4" in path.read_text()


def test_a_window_long_idle_keeps_the_files_another_window_added(tmp_path):
    """Audit 53: two windows (two processes, one settings file): the one idle for a while
    put its file first in its own old copy of the list and wrote it back, over the file the
    other had added meanwhile."""
    import subprocess
    import sys

    ini = tmp_path / "settings.ini"
    idle = AppSettings.from_file(ini)
    assert idle.recent_files == []  # its copy, read now
    other = ("from fer_desktop.ui.settings import AppSettings; import sys; "
             "s = AppSettings.from_file(sys.argv[1]); s.remember_recent('/videos/b.mp4'); "
             "s.sync()")
    subprocess.run([sys.executable, "-c", other, str(ini)], check=True, timeout=60)
    idle.remember_recent("/videos/a.mp4")
    assert AppSettings.from_file(ini).recent_files == ["/videos/a.mp4", "/videos/b.mp4"]


def test_the_sample_image_is_remembered_as_the_app_s_wherever_the_app_is(tmp_path):
    """Audit 56: the app's folder moved, or a new version unpacked beside the old, opened on
    "sample.jpg is not where it was", naming the old folder's _internal/assets: the settings
    held the sample's absolute path."""
    from fer_desktop.resources import sample_image_path

    file = tmp_path / "FER Desktop.conf"
    settings = AppSettings.from_file(file)
    settings.source = sample_image_path()
    settings.sync()
    assert "app:sample.jpg" in file.read_text()
    assert AppSettings.from_file(file).source == str(sample_image_path())
    # as an earlier version stored it, of a folder no longer there: this installation's
    old = tmp_path / "FER old" / "fer-desktop" / "_internal" / "assets" / "sample.jpg"
    settings.source = str(old)
    assert settings.source == str(sample_image_path())
    for mine in (tmp_path / "holidays" / "sample.jpg",  # a user's own picture of that name,
                 tmp_path / "unplugged" / "project" / "assets" / "sample.jpg"):  # on a drive
        settings.source = str(mine)  # not connected now: kept as it is (review 56)
        assert settings.source == str(mine)
