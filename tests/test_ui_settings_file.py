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
    settings = AppSettings.from_file(path)
    settings.source = "clip.mp4"
    problem = settings.save_problem()
    assert problem.startswith(f"Your settings cannot be saved: {path} "
                              f"{words.format(above=above)}.")
    assert "forgotten when the window closes" in problem
    assert AppSettings.from_file(path, read_only=True).save_problem() == ""  # --snapshot
