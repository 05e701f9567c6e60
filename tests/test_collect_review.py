"""Reviewing collected faces (Qt-free): listing per emotion, moves, removals to the trash,
refusals of changed or vanished files, undo."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from fer_desktop.core.collect_review import FaceFile, FaceReview, list_faces
from fer_desktop.core.emotions import EMOTIONS


def write_face(folder: Path, emotion: str, name: str, value: int = 128) -> Path:
    """A 96x96 grey PNG at ``folder/emotion/name``."""
    path = folder / emotion / name
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((96, 96, 3), value, np.uint8))
    return path


class FakeTrash:
    """A trash folder: moves files into it (keeping them), or refuses with a reason."""

    def __init__(self, folder: Path, refuse: str = "") -> None:
        self.folder = folder / "Trash" / "files"
        self.folder.mkdir(parents=True)
        self.refuse = refuse

    def __call__(self, path: Path) -> Path:
        if self.refuse:
            raise OSError(self.refuse)
        target = self.folder / path.name
        os.rename(path, target)
        info = self.folder.parent / "info" / f"{path.name}.trashinfo"
        info.parent.mkdir(exist_ok=True)
        info.write_text("[Trash Info]\n")
        return target


@pytest.fixture
def faces(tmp_path):
    root = tmp_path / "collected faces"
    for i in range(3):
        write_face(root, "happy", f"2026120{i}-1.png", 100 + i)
    write_face(root, "sad", "20261201-1.png", 50)
    return root


def test_the_list_has_all_seven_emotions_oldest_first_and_skips_what_is_not_a_face(faces):
    (faces / "happy" / ".tmp-1-x.png").write_bytes(b"half")  # the collector's temporary file
    (faces / "happy" / "notes.txt").write_text("x")
    (faces / "happy" / "sub").mkdir()
    (faces / "not an emotion").mkdir()
    listed = list_faces(faces)
    assert list(listed) == list(EMOTIONS)
    assert [f.path.name for f in listed["happy"]] == ["20261200-1.png", "20261201-1.png",
                                                      "20261202-1.png"]
    assert {e: len(v) for e, v in listed.items() if v} == {"happy": 3, "sad": 1}
    assert list_faces(faces / "nowhere") == {e: [] for e in EMOTIONS}


def test_a_move_goes_to_the_emotion_under_a_free_name_never_over_a_file(faces, tmp_path):
    clash = write_face(faces, "sad", "20261200-1.png", 7)  # the same name waits under sad
    review = FaceReview(faces, FakeTrash(tmp_path))
    happy = review.list()["happy"]
    result = review.move(happy[:2], "sad")
    assert result.summary() == "Moved 2 faces to sad."
    assert cv2.imread(str(clash))[0, 0, 0] == 7  # untouched
    assert sorted(p.name for p in (faces / "sad").iterdir()) == [
        "20261200-1-2.png", "20261200-1.png", "20261201-1-2.png", "20261201-1.png"]
    assert [f.path.name for f in review.list()["happy"]] == ["20261202-1.png"]
    assert cv2.imread(str(faces / "sad" / "20261200-1-2.png"))[0, 0, 0] == 100


def test_a_move_into_an_emotion_folder_that_is_a_file_names_it(faces, tmp_path):
    """It read "it cannot be moved to angry (File exists)" (audit 38)."""
    (faces / "angry").write_text("the user's notes")
    review = FaceReview(faces, FakeTrash(tmp_path))
    result = review.move(review.list()["happy"][:1], "angry")
    (refused,) = result.refused
    assert f"{faces / 'angry'} is a file, not a folder" in refused.reason
    assert (faces / "angry").read_text() == "the user's notes"


def test_a_face_already_under_the_emotion_is_left(faces, tmp_path):
    review = FaceReview(faces, FakeTrash(tmp_path))
    result = review.move(review.list()["happy"][:1], "happy")
    assert result.done == [] and result.refused == [] and not review.can_undo


def test_an_unknown_emotion_is_refused(faces, tmp_path):
    with pytest.raises(ValueError, match="one of angry"):
        FaceReview(faces, FakeTrash(tmp_path)).move([], "bored")


def test_a_removal_goes_to_the_trash_and_undo_brings_it_back(faces, tmp_path):
    trash = FakeTrash(tmp_path)
    review = FaceReview(faces, trash)
    face = review.list()["sad"][0]
    result = review.remove([face])
    assert result.summary() == "Moved 1 face to the trash."
    assert not face.path.exists() and (trash.folder / face.path.name).is_file()
    assert review.undo_name == "removal of 1 face"
    undone = review.undo()
    assert undone.summary() == "Undone: 1 face back where it was."
    assert face.path.is_file() and cv2.imread(str(face.path))[0, 0, 0] == 50
    assert not (trash.folder / face.path.name).exists()
    assert not (trash.folder.parent / "info" / f"{face.path.name}.trashinfo").exists()
    assert not review.can_undo


def test_a_trash_that_refuses_leaves_the_file_and_says_why(faces, tmp_path):
    review = FaceReview(faces, FakeTrash(tmp_path, refuse="no trash on this disk"))
    face = review.list()["sad"][0]
    result = review.remove([face])
    assert face.path.is_file() and result.done == [] and not review.can_undo
    assert result.summary() == ("Left as it was: 20261201-1.png (sad): the system trash "
                                "refused it (no trash on this disk); it was kept.")


def test_a_file_changed_or_gone_since_it_was_listed_is_named_not_acted_on(faces, tmp_path):
    review = FaceReview(faces, FakeTrash(tmp_path))
    happy = review.list()["happy"]
    write_face(faces, "happy", happy[0].path.name, 255)  # replaced by another program
    os.utime(happy[0].path, ns=(1, 1))  # (and a time no write could give)
    happy[1].path.unlink()
    result = review.move(happy, "fear")
    assert [r.face.path.name for r in result.refused] == [happy[0].path.name,
                                                          happy[1].path.name]
    assert [r.reason for r in result.refused] == ["it was changed since it was listed",
                                                  "it is gone since it was listed"]
    assert happy[0].path.is_file()  # left where it was
    assert [f.path.name for f in review.list()["fear"]] == [happy[2].path.name]
    removal = review.remove(happy[:2])
    assert removal.done == [] and len(removal.refused) == 2
    assert "(and 1 more)" in removal.summary()


def test_undo_takes_back_the_newest_move_first(faces, tmp_path):
    review = FaceReview(faces, FakeTrash(tmp_path))
    happy = review.list()["happy"]
    review.move(happy[:2], "sad")
    review.move(review.list()["sad"][:1], "neutral")
    assert review.undo_name == "move of 1 face to neutral"
    review.undo()
    assert review.list()["neutral"] == []
    assert review.undo_name == "move of 2 faces to sad"
    undone = review.undo()
    assert undone.undid == "move" and len(undone.done) == 2
    assert [f.path.name for f in review.list()["happy"]] == [f.path.name for f in happy]
    with pytest.raises(LookupError):
        review.undo()


def test_undo_leaves_a_face_changed_since_the_move(faces, tmp_path):
    review = FaceReview(faces, FakeTrash(tmp_path))
    moved = review.move(review.list()["happy"][:1], "sad").done[0][1]
    moved.path.write_bytes(b"edited by hand")
    undone = review.undo()
    assert undone.done == [] and moved.path.read_bytes() == b"edited by hand"
    assert undone.summary() == (f"Left as it was: {moved.path.name} (sad): it was changed "
                                "since it was listed; it was under sad.")


def test_a_face_file_reads_its_size_and_time(faces):
    path = faces / "sad" / "20261201-1.png"
    face = FaceFile.read(path, "sad")
    assert face.size == path.stat().st_size and face.changed() is None


def test_every_picture_the_trainer_reads_is_counted_and_listed(tmp_path):
    """The collector's counts and Review knew 5 suffixes where the trainer read 12: a .tif
    face trained but was missing from the Train tab's counts and from Review."""
    from fer_desktop.core.collect import FaceCollector
    from fer_desktop.core.sources import IMAGE_SUFFIXES

    root = tmp_path / "faces"
    for i, suffix in enumerate((".tif", ".tiff", ".png")):
        write_face(root, "sad", f"face{i}{suffix}")
    assert FaceCollector(root, crop_scale=1.2).counts()["sad"] == 3
    assert len(list_faces(root)["sad"]) == 3
    # a folder named like a picture and a hidden file are no faces: the Collect box counted
    # them, Review and the trainer did not (audit 38)
    (root / "sad" / "folder.png").mkdir()
    write_face(root, "sad", ".hidden.png")
    assert FaceCollector(root, crop_scale=1.2).counts()["sad"] == 3
    assert {".tif", ".tiff", ".pgm", ".jp2"} <= IMAGE_SUFFIXES
