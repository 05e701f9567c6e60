"""Files dropped on the window: what each opens (Qt-free), and the window doing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_desktop.core.file_drop import Drop, DropRefused, read_drop


@pytest.mark.parametrize("name, target", [
    ("clip.mp4", "live"), ("CLIP.MOV", "live"), ("face.jpg", "live"), ("face.PNG", "live"),
    ("fer2013.csv", "csv"), ("fer2013.csv.gz", "csv"), ("FER2013.CSV", "csv"),
    # every form the trainer reads: a zipped one was refused (audit 45)
    ("fer2013.csv.zip", "csv"), ("fer2013.csv.bz2", "csv"), ("fer2013.csv.xz", "csv"),
    # as the trainer and the Browse dialog take them: one was refused when dropped (review 55)
    ("fer2013.gz", "csv"), ("FER2013.ZIP", "csv")])
def test_each_kind_of_file_opens_where_it_is_used(tmp_path, name, target):
    path = tmp_path / name
    path.write_bytes(b"x")
    assert read_drop([path]) == Drop(target, path)
    assert read_drop([path], on_train_tab=True) == Drop(target, path)


def test_the_drop_the_browse_dialog_and_the_trainer_take_the_same_forms():
    """One home for the compressed forms (core/csv_forms.py): the trainer opens each one."""
    from fer_desktop.core.csv_forms import COMPRESSIONS, csv_file_filter
    from trainer import data

    assert {*data._OPENERS, ".zip"} == set(COMPRESSIONS)  # .zip: opened as one CSV inside
    assert all(f"*{suffix}" in csv_file_filter() for suffix in (".csv", *COMPRESSIONS))


def test_a_folder_is_a_slideshow_on_live_and_faces_to_train_on_on_the_train_tab(tmp_path):
    assert read_drop([tmp_path]) == Drop("live", tmp_path)
    assert read_drop([tmp_path], on_train_tab=True) == Drop("faces", tmp_path)


def test_a_file_of_another_kind_is_refused_by_name(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"x")
    with pytest.raises(DropRefused, match=r"notes\.docx is not a video, picture, folder"):
        read_drop([path])


def test_several_items_or_none_are_refused_with_the_reason(tmp_path):
    with pytest.raises(DropRefused, match="2 items were dropped: drop one"):
        read_drop([tmp_path / "a.jpg", tmp_path / "b.jpg"])
    with pytest.raises(DropRefused, match="web address"):
        read_drop([])


def test_a_very_long_name_is_cut_in_the_message(tmp_path):
    path = Path(tmp_path / ("x" * 300 + ".bin"))  # too long for the file system, too
    with pytest.raises(DropRefused) as caught:
        read_drop([path])
    assert "x" * 57 + "..." in str(caught.value) and "x" * 61 not in str(caught.value)
